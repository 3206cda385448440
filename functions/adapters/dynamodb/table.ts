/**
 * The one table of Carnet (docs/data-model.md); its key strings are spelled in shared/keys.ts. This definition is shared by the CDK stateful stack,
 * the local runtime and the tests, so the table they create cannot drift apart.
 */
export const TABLE_KEYS = {
  partitionKey: "PK",
  sortKey: "SK",
  ttlAttribute: "expiresAt",
  globalIndexes: [
    { indexName: "GSI1", partitionKey: "GSI1PK", sortKey: "GSI1SK", projection: "ALL" },
    // Due work (the sweep): sparse, keys only, so member writes that keep dueAt do not touch it.
    { indexName: "GSI2", partitionKey: "GSI2PK", sortKey: "GSI2SK", projection: "KEYS_ONLY" },
  ],
} as const;

/** The GSI2 shards: ids end with a random Crockford base32 character, so members spread evenly. */
export const DUE_SHARDS = [..."0123456789abcdefghjkmnpqrstvwxyz"];

/** Attributes that are storage bookkeeping, never part of an entity. */
export const META_ATTRIBUTES = [
  "PK",
  "SK",
  "GSI1PK",
  "GSI1SK",
  "GSI2PK",
  "GSI2SK",
  "entity",
  "expiresAt",
] as const;
