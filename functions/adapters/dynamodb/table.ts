/**
 * The one table of Carnet (docs/data-model.md). This definition is shared by the CDK stateful stack,
 * the local runtime and the tests, so the table they create cannot drift apart.
 */
export const TABLE_KEYS = {
  partitionKey: "PK",
  sortKey: "SK",
  ttlAttribute: "expiresAt",
  globalIndexes: [{ indexName: "GSI1", partitionKey: "GSI1PK", sortKey: "GSI1SK" }],
} as const;

/** Sort-key prefix of a program's stores, for range queries and cursor checks. */
export const STORE_PREFIX = "STORE#";

/** Key builders: the only place where key strings are spelled. */
export const keys = {
  program: (programId: string) => ({ PK: `PROGRAM#${programId}`, SK: "PROGRAM" }),
  programListing: (createdAt: string, programId: string) => ({
    GSI1PK: "PROGRAMS",
    GSI1SK: `${createdAt}#${programId}`,
  }),
  store: (programId: string, storeId: string) => ({
    PK: `PROGRAM#${programId}`,
    SK: `${STORE_PREFIX}${storeId}`,
  }),
  storeKey: (storeId: string) => ({ PK: `STORE#${storeId}`, SK: "STORE_KEY" }),
} as const;

/** Attributes that are storage bookkeeping, never part of an entity. */
export const META_ATTRIBUTES = ["PK", "SK", "GSI1PK", "GSI1SK", "entity", "expiresAt"] as const;
