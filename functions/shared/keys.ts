/**
 * Every key string Carnet persists, spelled here and nowhere else (data-model.md §2): the table's
 * partition and sort keys, its index keys, and the idempotency scopes that name a caller inside an
 * idempotency claim (a claim's transaction id derives from its scope, app/writes.ts). Changing a
 * string here changes where existing data is found: it is a data migration, not a refactoring.
 */

// ---------------------------------------------------------------------------------------------
// Programs, stores, partners

/** GSI1 partition of the program listing. */
export const PROGRAMS_LISTING = "PROGRAMS";
/** Partition-key prefix of a program's own partition (the program, its stores and partners). */
export const PROGRAM_PREFIX = "PROGRAM#";
/** Sort key of the program item. */
export const PROGRAM_SK = "PROGRAM";
/** Sort-key prefix of a program's stores, for range queries and cursor checks. */
export const STORE_PREFIX = "STORE#";
/** Sort-key prefix of a program's partners, for range queries and cursor checks. */
export const PARTNER_PREFIX = "PARTNER#";

export const keys = {
  program: (programId: string) => ({ PK: `${PROGRAM_PREFIX}${programId}`, SK: PROGRAM_SK }),
  programListing: (createdAt: string, programId: string) => ({
    GSI1PK: PROGRAMS_LISTING,
    GSI1SK: `${createdAt}#${programId}`,
  }),
  store: (programId: string, storeId: string) => ({
    PK: `${PROGRAM_PREFIX}${programId}`,
    SK: `${STORE_PREFIX}${storeId}`,
  }),
  storeKey: (storeId: string) => ({ PK: `STORE#${storeId}`, SK: "STORE_KEY" }),
  /** GSI2: a member with something due at `dueAt`, sharded by the last character of its id. */
  due: (memberId: string, dueAt: string) => ({
    GSI2PK: dueShardKey(memberId.slice(-1)),
    GSI2SK: `${dueAt}#${memberId}`,
  }),
} as const;

/** The GSI2 partition of one shard of due members. */
export const dueShardKey = (shard: string): string => `DUE#${shard}`;

/** The member id inside a GSI2 sort key (`<dueAt>#<memberId>`). */
export const memberIdOfDueKey = (sortKey: string): string => sortKey.split("#")[1] ?? "";

// ---------------------------------------------------------------------------------------------
// Members, their ledger, and the store/partner API's records

/** Partition-key prefix of a member's partition (cursor checks of the member listing). */
export const MEMBER_PREFIX = "MEMBER#";
/** Sort-key prefixes of a member's partition, for range queries and cursor checks. */
export const LEDGER_PREFIX = "LEDGER#";
export const SPEND_PREFIX = "SPEND#";

/**
 * The sort keys of a member's own items. Reads rely on their order within the member's partition
 * ("LEDGER#…" < "MEMBER" < "PROFILE" < "PROFILE#GOOGLE" < "REG#…" < "REGRATE#…" < "SEND#…" < "SPEND#…"): the member and its
 * profile are adjacent, so one Query reads both, and the newest ledger entries follow right below
 * (member-repository.ts, memberHead). A new kind of item in a member's partition must not sort between
 * "MEMBER" and "PROFILE".
 */
export const MEMBER_SK = "MEMBER";
export const PROFILE_SK = "PROFILE";
/**
 * The state of the member's Google Wallet object (its id, what it last showed, its notification
 * budget): right after "PROFILE" (and before "REG#…"), so that the member, its profile and this state
 * are read together by one Query (`SK BETWEEN "MEMBER" AND "PROFILE#GOOGLE"`), while the reads of the
 * member and its profile alone (`SK BETWEEN "MEMBER" AND "PROFILE"`, `SK <= "PROFILE"`) never see it.
 */
export const GOOGLE_OBJECT_SK = "PROFILE#GOOGLE";

export const memberKeys = {
  member: (memberId: string) => ({ PK: `MEMBER#${memberId}`, SK: MEMBER_SK }),
  profile: (memberId: string) => ({ PK: `MEMBER#${memberId}`, SK: PROFILE_SK }),
  googleObject: (memberId: string) => ({ PK: `MEMBER#${memberId}`, SK: GOOGLE_OBJECT_SK }),
  profileListing: (programId: string, enrolledAt: string, memberId: string) => ({
    GSI1PK: `${PROGRAM_PREFIX}${programId}#MEMBERS`,
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
   * derives from the caller's scope and the key, app/writes.ts) — a purchase is both.
   */
  transaction: (transactionId: string) => ({ PK: `TXN#${transactionId}`, SK: "TXN" }),
  partner: (programId: string, partnerId: string) => ({
    PK: `${PROGRAM_PREFIX}${programId}`,
    SK: `${PARTNER_PREFIX}${partnerId}`,
  }),
  partnerKey: (partnerId: string) => ({ PK: `PARTNER#${partnerId}`, SK: "PARTNER_KEY" }),
} as const;

/** The GSI1 partition of a program's member listing (its members' profiles, by enrolment). */
export const memberListingPartition = (programId: string): string =>
  memberKeys.profileListing(programId, "", "").GSI1PK;

// ---------------------------------------------------------------------------------------------
// Email outbox

/**
 * Sort-key prefix of a member's outbox emails (`SEND#<createdAt>#<emailId>`): after every "REG…" and
 * before "SPEND#…", so never between the ledger, "MEMBER" and "PROFILE" (the member reads' order).
 */
export const EMAIL_PREFIX = "SEND#";
/** GSI2 partition of the emails waiting for a retry (sort key `<nextAttemptAt>#<memberId>#<emailId>`). */
export const MAIL_RETRY_PARTITION = "MAILRETRY";
/**
 * A new email is also listed in MAILRETRY, due this long after it was written, until a worker claims
 * it: should its stream record never reach the mail function (a batch that failed for good, `npm start`
 * stopped in between), the sweep hands it over again, so that nothing written is ever left unsent.
 */
export const UNCLAIMED_EMAIL_MS = 15 * 60_000;

export const emailKeys = {
  email: (memberId: string, createdAt: string, emailId: string) => ({
    PK: `MEMBER#${memberId}`,
    SK: `${EMAIL_PREFIX}${createdAt}#${emailId}`,
  }),
  /** GSI2 keys of an email whose next attempt is due at `nextAttemptAt` (ISO). */
  retry: (nextAttemptAt: string, memberId: string, emailId: string) => ({
    GSI2PK: MAIL_RETRY_PARTITION,
    GSI2SK: `${nextAttemptAt}#${memberId}#${emailId}`,
  }),
  /** GSI2 keys of a new email, due UNCLAIMED_EMAIL_MS after `createdAt` unless claimed before (its safety net). */
  unclaimed: (createdAt: string, memberId: string, emailId: string) =>
    emailKeys.retry(new Date(Date.parse(createdAt) + UNCLAIMED_EMAIL_MS).toISOString(), memberId, emailId),
} as const;

// ---------------------------------------------------------------------------------------------
// Offers (a program's promotions, sent to its members: app/offers.ts)

/** Sort-key prefix of a program's offers, in the program's partition, for range queries and cursor checks. */
export const OFFER_PREFIX = "OFFER#";
/** GSI2 partition of the offers whose delivery is unfinished (sort key `<dueAt>#<programId>#<offerId>`). */
export const OFFER_DUE_PARTITION = "OFFERDUE";
/**
 * A delivery (sending or withdrawing) that has not moved for this long is due again: should the
 * stream record of its last batch never reach the offer worker (a batch that failed for good, `npm
 * start` stopped in between), the sweep hands it over again, so that no delivery is left half done.
 */
export const STALLED_DELIVERY_MS = 15 * 60_000;

export const offerKeys = {
  offer: (programId: string, offerId: string) => ({
    PK: `${PROGRAM_PREFIX}${programId}`,
    SK: `${OFFER_PREFIX}${offerId}`,
  }),
  /** GSI1 partition of a program's active offers. */
  livePartition: (programId: string) => `${PROGRAM_PREFIX}${programId}#LIVEOFFERS`,
  /**
   * GSI1 keys of an active offer, by its last day: the offers still live on `today` are one Query,
   * `GSI1SK >= today` (a day sorts before every `<day>#…` of that day and after those of the day before).
   */
  live: (programId: string, validTo: string, offerId: string) => ({
    GSI1PK: offerKeys.livePartition(programId),
    GSI1SK: `${validTo}#${offerId}`,
  }),
  /** GSI2 keys of an offer whose delivery is due at `dueAt` (ISO): scheduled to start, or to be handed over again. */
  due: (dueAt: string, programId: string, offerId: string) => ({
    GSI2PK: OFFER_DUE_PARTITION,
    GSI2SK: `${dueAt}#${programId}#${offerId}`,
  }),
  /** The GSI2 sort key after every offer due at `now` or before (`GSI2SK < dueBefore(now)`). */
  dueBefore: (now: Date) => `${now.toISOString()}#~`,
} as const;

/** The offer a GSI2 OFFERDUE sort key names (`<dueAt>#<programId>#<offerId>`); undefined when malformed. */
export const offerOfDueKey = (sortKey: string): { programId: string; offerId: string } | undefined => {
  const [, programId, offerId, ...rest] = sortKey.split("#");
  return programId && offerId && rest.length === 0 ? { programId, offerId } : undefined;
};

// ---------------------------------------------------------------------------------------------
// Apple Wallet device registrations

/** Sort-key prefix of Apple device registrations, in a member's and in a device's partition. */
export const REGISTRATION_PREFIX = "REG#";
/** Sort-key prefix of a pass's registration counters per hour, in the member's partition (after every "REG#…"). */
export const REGISTRATION_RATE_PREFIX = "REGRATE#";

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
  /** Sort-key prefix of one pass type's registrations in a member's partition. */
  passPrefix: (passTypeId: string) => `${REGISTRATION_PREFIX}${passTypeId}#`,
  /** New registrations of a member's pass in one clock hour (UTC, `YYYY-MM-DDTHH`): the rate limit. */
  rate: (memberId: string, hour: string) => ({
    PK: `MEMBER#${memberId}`,
    SK: `${REGISTRATION_RATE_PREFIX}${hour}`,
  }),
  /**
   * What the push fan-out pushed of the pass's newest version, among the member's registrations
   * ("REG##…": no pass type identifier starts with "#"), so that the Query of its devices reads it too.
   */
  pushed: (memberId: string) => ({ PK: `MEMBER#${memberId}`, SK: `${REGISTRATION_PREFIX}#PUSHED` }),
} as const;

// ---------------------------------------------------------------------------------------------
// Rate limits

/** What a rate limit counts: the scopes of RateCounter. */
export const rateScopes = {
  /** A store key's purchase requests (StoreLimits.purchasesPerMinute). */
  storePurchases: (storeId: string) => `STORE#${storeId}#PURCHASES`,
  /** A card's Google save links (each one calls Google: GOOGLE_SAVES_PER_MINUTE in app/google-wallet.ts). */
  googleSaves: (memberId: string) => `MEMBER#${memberId}#GOOGLE_SAVES`,
  /** Sign-ups and fresh-link requests of a program from one client IP (hashed), per hour. */
  enrollmentsFromIp: (programId: string, ipHash: string) => `ENROLL_IP#${programId}#${ipHash}`,
  /** Emails a program's public form sends to one address (hashed), per day. */
  emailsToAddress: (programId: string, emailHash: string) => `ENROLL_EMAIL#${programId}#${emailHash}`,
} as const;

/** One fixed window of one limited scope (a store key's purchases per minute), expiring with it. */
export const rateKey = (scope: string, windowStart: number) => ({
  PK: `RATE#${scope}#${windowStart}`,
  SK: "RATE",
});

// ---------------------------------------------------------------------------------------------
// Idempotency scopes

/** Who sends an idempotent request: Idempotency-Keys are per caller. */
export type IdempotentCaller =
  | { kind: "store"; storeId: string }
  | { kind: "partner"; partnerId: string }
  /** The merchant API of one program (its merchant key or the admin key). */
  | { kind: "merchant"; programId: string }
  /** The root admin key, for what belongs to no program yet (creating a program). */
  | { kind: "admin" };

/** `STORE#<storeId>`, `PARTNER#<partnerId>`, `MERCHANT#<programId>` or `ADMIN`: stored in every claim. */
export const idempotencyScope = (caller: IdempotentCaller): string => {
  switch (caller.kind) {
    case "store":
      return `STORE#${caller.storeId}`;
    case "partner":
      return `PARTNER#${caller.partnerId}`;
    case "merchant":
      return `MERCHANT#${caller.programId}`;
    case "admin":
      return "ADMIN";
  }
};
