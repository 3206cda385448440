/**
 * The one table of Carnet (docs/data-model.md). This definition is shared by the CDK stateful stack,
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
  /** GSI2: a member with something due at `dueAt`, sharded by the last character of its id. */
  due: (memberId: string, dueAt: string) => ({
    GSI2PK: dueShardKey(memberId.slice(-1)),
    GSI2SK: `${dueAt}#${memberId}`,
  }),
} as const;

/** The GSI2 shards: ids end with a random Crockford base32 character, so members spread evenly. */
export const DUE_SHARDS = [..."0123456789abcdefghjkmnpqrstvwxyz"];
export const dueShardKey = (shard: string): string => `DUE#${shard}`;

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

/** Sort-key prefixes of a member's partition, for range queries and cursor checks. */
export const LEDGER_PREFIX = "LEDGER#";
export const SPEND_PREFIX = "SPEND#";

/**
 * The sort keys of a member's own items. Reads rely on their order within the member's partition
 * ("LEDGER#…" < "MEMBER" < "PROFILE" < "REG#…" < "SPEND#…"): the member and its profile are adjacent,
 * so one Query reads both, and the newest ledger entries follow right below (member-repository.ts,
 * memberHead). A new kind of item in a member's partition must not sort between "MEMBER" and "PROFILE".
 */
export const MEMBER_SK = "MEMBER";
export const PROFILE_SK = "PROFILE";

/** Key builders of members, their ledger and the store/partner API's records (data-model.md 2.2–2.4). */
export const memberKeys = {
  member: (memberId: string) => ({ PK: `MEMBER#${memberId}`, SK: MEMBER_SK }),
  profile: (memberId: string) => ({ PK: `MEMBER#${memberId}`, SK: PROFILE_SK }),
  profileListing: (programId: string, enrolledAt: string, memberId: string) => ({
    GSI1PK: `PROGRAM#${programId}#MEMBERS`,
    GSI1SK: `${enrolledAt}#${memberId}`,
  }),
  /** Ledger entries by sequence number, zero-padded so that key order is ledger order. */
  ledger: (memberId: string, seq: number) => ({
    PK: `MEMBER#${memberId}`,
    SK: `${LEDGER_PREFIX}${String(seq).padStart(10, "0")}`,
  }),
  spend: (memberId: string, day: string) => ({ PK: `MEMBER#${memberId}`, SK: `${SPEND_PREFIX}${day}` }),
  email: (programId: string, emailHash: string) => ({ PK: `EMAIL#${programId}#${emailHash}`, SK: "EMAIL" }),
  cardCode: (programId: string, cardCode: string) => ({ PK: `CARD#${programId}#${cardCode}`, SK: "CARD" }),
  referralCode: (programId: string, code: string) => ({ PK: `REFCODE#${programId}#${code}`, SK: "REFCODE" }),
  /**
   * A transaction named by its id: a purchase's record, or the claim of an Idempotency-Key (whose id
   * derives from the caller and the key, app/writes.ts) — a purchase is both.
   */
  transaction: (transactionId: string) => ({ PK: `TXN#${transactionId}`, SK: "TXN" }),
  partner: (programId: string, partnerId: string) => ({
    PK: `PROGRAM#${programId}`,
    SK: `PARTNER#${partnerId}`,
  }),
  partnerKey: (partnerId: string) => ({ PK: `PARTNER#${partnerId}`, SK: "PARTNER_KEY" }),
} as const;

/** Sort-key prefix of Apple device registrations, in a member's and in a device's partition. */
export const REGISTRATION_PREFIX = "REG#";

/** Apple Wallet device registrations (data-model.md, "Apple Wallet as built"). */
export const registrationKeys = {
  device: (deviceLibraryIdentifier: string) => `DEVICE#${deviceLibraryIdentifier}`,
  onMember: (memberId: string, passTypeId: string, deviceLibraryIdentifier: string) => ({
    PK: `MEMBER#${memberId}`,
    SK: `${REGISTRATION_PREFIX}${passTypeId}#${deviceLibraryIdentifier}`,
  }),
  onDevice: (deviceLibraryIdentifier: string, passTypeId: string, memberId: string) => ({
    PK: `DEVICE#${deviceLibraryIdentifier}`,
    SK: `${REGISTRATION_PREFIX}${passTypeId}#${memberId}`,
  }),
} as const;
