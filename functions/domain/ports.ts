import type { walletobjects_v1 } from "@googleapis/walletobjects";
import type { KeyState } from "../shared/key-lifecycle.js";
import type { HolderStatus } from "./credentials.js";
import type { LedgerEntry, Member, MemberProfile } from "./loyalty/member.js";
import type { PurchaseRecord, SpendWindow } from "./loyalty/records.js";
import type { Offer } from "./offers/offer.js";
import type { Partner } from "./partner.js";
import type { AppleCardContent } from "./pass/apple-card.js";
import type { GoogleShown } from "./pass/google-notifications.js";
import type { Program } from "./program.js";
import type { Store, StoreLimits } from "./store.js";
import type { StorePlaces } from "./stores/places.js";

/**
 * One page of a listing. `nextCursor` is opaque; absent, there is nothing more. A full page may carry
 * one even when nothing follows (DynamoDB cannot tell): the next page is then empty.
 */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** Where programs live. Implemented for DynamoDB in functions/adapters/dynamodb. */
export interface ProgramRepository {
  /**
   * Stores a new program with the hash of its merchant key; with a claim, in one transaction with it,
   * and then, when the key was used before, nothing is written and the live claim is the answer.
   */
  create(
    program: Program,
    merchantKeyHash: string,
    claim?: CreationClaim,
    now?: Date,
  ): Promise<IdempotencyRecord | undefined>;
  /** The program as stored now (strongly consistent): for the merchant API, which edits it. */
  get(programId: string): Promise<Program | undefined>;
  /**
   * The program as this process read it within the last CARNET_CACHE_SECONDS (data-model.md §10):
   * for the hot paths (purchases, passes), where a rules change may apply a few seconds late.
   */
  recent(programId: string): Promise<Program | undefined>;
  /** The program's merchant key as stored now (strongly consistent): authentication, rotation. */
  merchantKey(programId: string): Promise<KeyState | undefined>;
  /** Replaces the merchant key's state if its current hash is still `expectedHash`; false when not. */
  setMerchantKey(programId: string, next: KeyState, expectedHash: string): Promise<boolean>;
  /**
   * Records that the current or previous merchant key, hashed `hash`, was accepted at `at` (best
   * effort; nothing when that key is no longer the current or previous one).
   */
  recordKeyUse(programId: string, which: "current" | "previous", hash: string, at: Date): Promise<void>;
  list(page: PageRequest): Promise<Page<Program>>;
  /** Replaces the program if its stored version is still `expectedVersion`; false when it is not. */
  replace(program: Program, expectedVersion: number): Promise<boolean>;
}

/** What authentication reads about a store's or partner's key: always strongly consistent. */
export interface KeyHolderRecord {
  programId: string;
  status: HolderStatus;
  key: KeyState;
}

export interface StoreKeyRecord extends KeyHolderRecord {
  storeId: string;
  limits?: StoreLimits | undefined;
}

export interface PartnerKeyRecord extends KeyHolderRecord {
  partnerId: string;
}

/**
 * The lifecycle of something a program owns that has its own API key (a store, a partner): its item
 * in the program's partition and its key record under its own id, changed together.
 */
export interface KeyHolderRepository<T extends { programId: string }, R extends KeyHolderRecord> {
  /**
   * Stores a new holder of an existing program with its key; false when the program does not exist.
   * With a claim, in one transaction with it: when the key was used before, nothing is written and
   * the live claim is the answer.
   */
  create(
    holder: T,
    apiKeyHash: string,
    claim?: CreationClaim,
    now?: Date,
  ): Promise<boolean | IdempotencyRecord>;
  /**
   * Writes the holder's changed fields (settings, status, limits; never its key) to its item and its
   * status (and limits) to its key record; false when it does not exist (any more).
   */
  replace(holder: T): Promise<boolean>;
  /** Replaces the key's state if its current hash is still `expectedHash`; false when not or gone. */
  setKey(holder: T, next: KeyState, apiKeyPrefix: string, expectedHash: string): Promise<boolean>;
  /**
   * Records that the current or previous key, hashed `hash`, was accepted at `at` (best effort: never
   * recreates a deleted holder, and writes nothing when that key was rotated away meanwhile).
   */
  recordKeyUse(
    holder: Pick<T, "programId">,
    id: string,
    which: "current" | "previous",
    hash: string,
    at: Date,
  ): Promise<void>;
  /** Deletes the holder and its key record; false when it did not exist. */
  remove(programId: string, id: string): Promise<boolean>;
  /** What authentication needs to check a key, read now (strongly consistent): a revoked key fails at once. */
  keyRecord(id: string): Promise<R | undefined>;
}

export interface StoreRepository extends KeyHolderRepository<Store, StoreKeyRecord> {
  get(programId: string, storeId: string): Promise<Store | undefined>;
  list(programId: string, page: PageRequest): Promise<Page<Store>>;
  /** The stores a pass of this program shows (at most MAX_PASS_LOCATIONS), as recently read (data-model.md §10). */
  passStores(programId: string): Promise<Store[]>;
  /**
   * The program's active stores, indexed for the card's store choice, as recently read (data-model.md
   * §10): every store of the program is read (pages of the program's partition) once per process per
   * CARNET_CACHE_SECONDS, and a store change made through the process forgets it.
   */
  places(programId: string): Promise<StorePlaces>;
}

// ---------------------------------------------------------------------------------------------
// Offers (docs/offers.md)

export interface OfferRepository {
  /**
   * Stores a new offer (conditioned on its absence: throws when one exists under its id). `timeZone`
   * is the program's: a scheduled offer's delivery is due when its validFrom starts there (`due`).
   * With a claim, in one transaction with it: when the key was used before, nothing is written and
   * the live claim is the answer.
   */
  create(
    offer: Offer,
    timeZone: string,
    claim?: CreationClaim,
    now?: Date,
  ): Promise<IdempotencyRecord | undefined>;
  /** The offer as stored now (strongly consistent); undefined when absent or in another program. */
  get(programId: string, offerId: string): Promise<Offer | undefined>;
  /**
   * A program's offers, newest first (by creation, then id), strongly consistent. Every page reads the
   * program's offers whole (their ids are random, so no key orders them by time): fine for the
   * hundreds of offers a program makes, not for millions.
   */
  list(programId: string, page: PageRequest): Promise<Page<Offer>>;
  /**
   * The program's live offers on `today` (`isLive`: active, being sent or sent, not past validTo), as
   * recently read (data-model.md §10): what every card update of the program assigns to members who
   * join a segment. A change made through this process (`create`, `replace`) is seen at once.
   */
  live(programId: string, today: string): Promise<Offer[]>;
  /**
   * Replaces the offer if its stored version is still `expectedVersion` (the next version is the
   * offer's); false when not (or when it does not exist). `timeZone` as for `create`.
   */
  replace(offer: Offer, expectedVersion: number, timeZone: string): Promise<boolean>;
  /**
   * Offers whose delivery is due by `now` (the sweep), in due order: scheduled ones whose validFrom has
   * started (program time zone), and sending or withdrawing ones that have not moved for
   * STALLED_DELIVERY_MS (shared/keys.ts). Eventually consistent: the caller reads each one again.
   */
  due(now: Date): Promise<{ programId: string; offerId: string }[]>;
}

// ---------------------------------------------------------------------------------------------
// Members and the ledger (docs/data-model.md, section 2.3)

/** A stored answer to an idempotent request: replayed as is for the same key and body. */
export interface IdempotencyRecord {
  /** The caller's scope (shared/keys.ts, idempotencyScope): keys are per caller. */
  scope: string;
  clientKey: string;
  requestHash: string;
  response: { status: number; body: unknown };
  createdAt: string;
}

/** The claim on an Idempotency-Key that a creation (program, store, partner) writes with what it creates. */
export interface CreationClaim {
  /** The transaction id the key names (app/writes.ts, claimedTransactionId). */
  transactionId: string;
  record: IdempotencyRecord;
}

/** One write of an atomic commit; the repository turns them into one TransactWriteItems. */
export type MemberWrite =
  | { kind: "member"; member: Member; expectedVersion: number | null }
  | { kind: "ledger"; memberId: string; entry: LedgerEntry }
  | {
      kind: "purchase";
      record: PurchaseRecord;
      /** null: a new purchase; else the refunded cents the stored record must still hold. */
      expectedRefundedCents: number | null;
      /** A new purchase holds the claim of the request that made it (its own idempotency record). */
      idempotency?: IdempotencyRecord;
    }
  | { kind: "spend"; memberId: string; day: string; cents: number; purchases: number }
  /** A claimed Idempotency-Key, recorded under the transaction id the key names (writes.ts). */
  | { kind: "idempotency"; transactionId: string; record: IdempotencyRecord }
  /** An email to the member, sent by the mail worker once the commit is written (a reissued card's link). */
  | { kind: "email"; email: OutboxEmail };

export type CommitResult =
  | { kind: "committed" }
  /** Another request holds the Idempotency-Key: its stored answer, when the store returned it. */
  | { kind: "idempotency_key_taken"; record?: IdempotencyRecord }
  /** A condition failed (a member changed, a race): read again and compute again. */
  | { kind: "changed" };

export interface Enrollment {
  member: Member;
  profile: MemberProfile;
  emailHash: string;
  /** The welcome email with the card link, written to the member's outbox in the same transaction. */
  email?: OutboxEmail;
}

export type EnrollResult =
  | { kind: "enrolled" }
  | { kind: "email_taken"; memberId: string }
  | { kind: "code_taken" };

export interface MemberRepository {
  /** The member, strongly consistent; undefined when absent or in another program. */
  get(programId: string, memberId: string): Promise<Member | undefined>;
  /** The member whatever its program: only for work that starts from a member id (the sweep). */
  load(memberId: string): Promise<Member | undefined>;
  profile(memberId: string): Promise<MemberProfile | undefined>;
  /** The member (any program) and its profile in one strongly consistent read: what a pass shows. */
  card(memberId: string): Promise<{ member: Member; profile?: MemberProfile } | undefined>;
  /**
   * The member, its profile and its `historyLimit` newest ledger entries in one strongly consistent
   * read; undefined when absent or in another program.
   */
  snapshot(
    programId: string,
    memberId: string,
    historyLimit: number,
  ): Promise<{ member: Member; profile?: MemberProfile; history: Page<LedgerEntry> } | undefined>;
  /** The member a card code names (a card code never changes owner, so it may be served from memory). */
  idByCardCode(programId: string, cardCode: string): Promise<string | undefined>;
  idByEmailHash(programId: string, emailHash: string): Promise<string | undefined>;
  idByReferralCode(programId: string, referralCode: string): Promise<string | undefined>;
  /** Spend per day between two days (inclusive), for the tier window. */
  spend(memberId: string, fromDay: string, toDay: string): Promise<SpendWindow>;
  /** Ledger entries, newest first. */
  history(memberId: string, page: PageRequest): Promise<Page<LedgerEntry>>;
  /** Every ledger entry of a member, oldest first (rebuilds, audits). */
  ledger(memberId: string): Promise<LedgerEntry[]>;
  purchase(transactionId: string): Promise<PurchaseRecord | undefined>;
  /** The live record of the Idempotency-Key that names this transaction id (writes.ts), if any. */
  idempotency(transactionId: string, now: Date): Promise<IdempotencyRecord | undefined>;
  enroll(enrollment: Enrollment): Promise<EnrollResult>;
  /** All writes in one transaction, or none. */
  commit(writes: MemberWrite[], now: Date): Promise<CommitResult>;
  /** Members whose `dueAt` has passed, one shard page at a time (the sweep). */
  due(shard: string, now: Date, cursor?: string): Promise<Page<string>>;
  /**
   * One page of a program's members with their profiles, oldest enrolment first (members who enrol
   * while a listing is paged through come after its cursor, so a pass over every page sees them): the
   * offer fan-out and its audience count. The listing is eventually consistent (a member enrolled a
   * moment ago may be missing); each member is read strongly with its page. Members whose profile is
   * listed but whose member item is gone are left out, so a page may hold fewer than `limit`.
   */
  listPage(programId: string, page: PageRequest): Promise<Page<{ member: Member; profile: MemberProfile }>>;
}

export type PartnerRecord = Partner;

export interface PartnerRepository extends KeyHolderRepository<PartnerRecord, PartnerKeyRecord> {
  /** The partner (its earning rate), as recently read (data-model.md §10): for accruals. */
  get(programId: string, partnerId: string): Promise<PartnerRecord | undefined>;
  /** The partner as stored now (strongly consistent): for the merchant API, which edits it. */
  read(programId: string, partnerId: string): Promise<PartnerRecord | undefined>;
  /** A program's partners in id order. */
  list(programId: string, page: PageRequest): Promise<Page<PartnerRecord>>;
}

/** Fixed-window counters, for limits such as a store key's purchases per minute. */
export interface RateCounter {
  /**
   * Counts one use of `scope` in the current window of `windowSeconds`, unless `limit` uses are
   * counted already: then nothing is counted, and the answer is the seconds until the next window.
   */
  take(
    scope: string,
    limit: number,
    windowSeconds: number,
    now: Date,
  ): Promise<{ retryAfterSeconds?: number }>;
}

// ---------------------------------------------------------------------------------------------
// Apple Wallet device registrations (docs/data-model.md, "Apple Wallet as built")

/** One device registered for updates of one pass (the pass's serial number is the member id). */
export interface DeviceRegistration {
  deviceLibraryIdentifier: string;
  passTypeId: string;
  memberId: string;
  programId: string;
  pushToken: string;
}

/**
 * What the push fan-out noted of a pass version it pushed (app/push.ts): the tokens delivered, so that
 * a batch handed over again (by another process, which does not remember) does not push them twice.
 */
export interface PushedMark {
  passUpdatedAt: number;
  tokens: string[];
}

export interface RegistrationRepository {
  /**
   * Registers the device for the pass, or refreshes its push token: "created" the first time. With
   * `counted` (the member keeps a device count: `Member.devices` is defined), a new registration adds
   * one to it in the same transaction.
   *
   * Limits (domain/registrations.ts, data-model.md 2.4.1): a new device beyond the pass's
   * `maxDevices` evicts its oldest registrations (by registration time; both items; the count moved
   * in the same transaction); beyond `maxNewPerHour` new devices in the clock hour it is
   * "rate_limited" and nothing is written. `devicesSeen` is the count the caller has just read
   * (`Member.devices`): below the cap the repository trusts it and reads no registration first
   * (concurrent registrations may then take the pass a little over the cap, which the next new
   * registration evicts); without it, or at the cap, it reads the pass's registrations first.
   */
  register(
    registration: DeviceRegistration,
    now: Date,
    counted: boolean,
    devicesSeen?: number,
  ): Promise<"created" | "updated" | "rate_limited">;
  /** Removes the registration (and, `counted`, one from the member's count); false when there was none. */
  unregister(
    deviceLibraryIdentifier: string,
    passTypeId: string,
    memberId: string,
    counted: boolean,
  ): Promise<boolean>;
  /**
   * Removes every registration of the member's pass (both items of each) and what the push fan-out
   * noted; a member that keeps a device count is counted down by as many, to 0 (card reissue).
   * Returns how many registrations were removed.
   */
  removeAll(memberId: string): Promise<number>;
  /** The serial numbers (member ids) of the passes of this type registered on the device. */
  serialsOnDevice(deviceLibraryIdentifier: string, passTypeId: string): Promise<string[]>;
  /** `passUpdatedAt` of each of these members that still exists. */
  passUpdatedAt(memberIds: readonly string[]): Promise<Map<string, number>>;
  /** Every device registered for a member's pass. */
  devicesOf(memberId: string): Promise<DeviceRegistration[]>;
  /**
   * Whom to push after a change, in one read: the pass's devices of this type, at most `maxDevices`
   * (the most recently registered), and what the fan-out noted it pushed, if anything.
   */
  pushTargets(
    memberId: string,
    passTypeId: string,
  ): Promise<{ devices: DeviceRegistration[]; pushed?: PushedMark }>;
  /**
   * Notes what was pushed of a pass version (kept a day, the longest a stream record is handed over);
   * a note of an older version is replaced, a newer one is kept.
   */
  markPushed(memberId: string, mark: PushedMark, now: Date): Promise<void>;
}

/** Signs Apple passes (adapters/apple/pass-factory.ts): certificates and models loaded once per process. */
export interface PassFactory {
  /** A signed .pkpass for this content, from the model `pass-templates/apple/<look>.pass`. */
  render(
    look: string,
    content: AppleCardContent,
    service: {
      /** The PassKit web service base (Apple appends /v1/devices/…). */
      webServiceUrl: string;
      /** Lets the device register for updates and fetch new versions. */
      authenticationToken: string;
    },
  ): Buffer;
}

// ---------------------------------------------------------------------------------------------
// Google Wallet (docs/google-wallet.md, data-model.md 2.4.2)

/** Request bodies as Google's published typings (@googleapis/walletobjects) describe them. */
export type GoogleLoyaltyClass = walletobjects_v1.Schema$LoyaltyClass;
export type GoogleLoyaltyObject = walletobjects_v1.Schema$LoyaltyObject;

/** The Google Wallet REST API, as Carnet uses it (adapters/google/wallet-api.ts). */
export interface GoogleWalletApi {
  /** Insert the class; when it exists, PATCH it with the same body. */
  upsertClass(klass: GoogleLoyaltyClass): Promise<"inserted" | "updated">;
  /**
   * Make the object exist with this content: "insert-first" (the save link) inserts, and PATCHes when it
   * exists; "patch-first" (live updates) PATCHes, and inserts when it is missing. A missing class is
   * created first. `notify`: the PATCH asks Google to notify the holder (notifyPreference).
   */
  saveObject(
    object: GoogleLoyaltyObject,
    klass: GoogleLoyaltyClass,
    options: { mode: "insert-first" | "patch-first"; notify: boolean; deadline?: number },
  ): Promise<"inserted" | "patched">;
  /** PATCH only these fields (e.g. the state); "missing" when there is no such object. */
  patchObject(
    id: string,
    fields: GoogleLoyaltyObject,
    options?: { deadline?: number },
  ): Promise<"patched" | "missing">;
}

/** What Carnet keeps about a member's Google Wallet object (the `googleObject` item). */
export interface GoogleObjectState {
  objectId: string;
  /** The card generation (`passAuthGeneration`) the object belongs to. */
  generation: number;
  /** The member's `passUpdatedAt` the object last showed. */
  syncedPassUpdatedAt: number;
  /** What the object last showed that notifications are decided from. */
  shown: GoogleShown;
  /** Epoch seconds of the notifying updates sent, oldest first (the budget, google-notifications.ts). */
  notifiedAt: number[];
  /** "inactive": the card was reissued and this object retired; "expired": the member was erased. */
  state: "active" | "inactive" | "expired";
  version: number;
}

export interface GoogleObjectRepository {
  /** The member, its profile and its Google object's state, in one strongly consistent read. */
  cardWithGoogle(
    memberId: string,
  ): Promise<{ member: Member; profile?: MemberProfile; google?: GoogleObjectState } | undefined>;
  /**
   * The save link made the object of the member's current card generation exist: records it (keeping
   * the notification budget already spent) and, with `markMember`, sets `Member.googleObject` to its
   * generation, in one transaction; false when the member no longer exists.
   */
  recordSaved(
    memberId: string,
    saved: Pick<GoogleObjectState, "objectId" | "generation" | "syncedPassUpdatedAt" | "shown">,
    markMember: boolean,
  ): Promise<boolean>;
  /** Writes the state if its stored version is still `expectedVersion`; false when it changed. */
  update(memberId: string, next: GoogleObjectState, expectedVersion: number): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Email: the outbox in the table, and whatever delivers it (SMTP locally, Amazon SES in AWS)

/** What an outbox email says; its words are rendered when it is sent (web/email.ts). */
export type EmailKind = "card_link";
export type CardLinkReason = "welcome" | "again" | "reissued";

/**
 * `pending` (new, or due again) → `sending` (claimed by one worker) → `sent`; or `retry` (the mail
 * server was not reached or refused for now: GSI2 `MAILRETRY` holds it until `nextAttemptAt`, then the
 * sweep puts it back to `pending`), or `failed` (refused for good, or an outcome that cannot be known:
 * never sent again, so that no email is ever sent twice).
 */
export type EmailStatus = "pending" | "sending" | "retry" | "sent" | "failed";

/** One email in a member's outbox (data-model.md, `email`): no card link in it, only who and what. */
export interface OutboxEmail {
  emailId: string;
  memberId: string;
  programId: string;
  kind: EmailKind;
  /**
   * Why the card link is sent: a new member's welcome (the default), the link again (a sign-up or a
   * request from an address already a member), or a reissued card's new link. Only the intro differs.
   */
  reason?: CardLinkReason;
  /** The address as the member gave it. */
  to: string;
  /** The language it is written in: the form's, else the member's, else the program's. */
  locale: string;
  /** ISO instant; with emailId, the item's sort key. */
  createdAt: string;
  status: EmailStatus;
  /** Attempts made so far (a claim counts one). */
  attempts: number;
  nextAttemptAt?: string;
  lastError?: string;
  /** The Message-ID header it was (or will be) sent with. */
  messageId?: string;
  /** The mail server's or SES's own id for the message, once sent. */
  providerMessageId?: string;
  sentAt?: string;
}

/** An email named by its key. */
export type EmailRef = Pick<OutboxEmail, "memberId" | "createdAt" | "emailId">;

export interface MailOutbox {
  /** A new `pending` email, e.g. a card link again for an existing member (its INSERT is what sends it). */
  add(email: OutboxEmail): Promise<void>;
  /**
   * `pending` → `sending`, attempts + 1, in one conditional write: the email as it now is, or
   * undefined when it is not pending any more (another worker has it, or it was sent).
   */
  claim(ref: EmailRef, now: Date): Promise<OutboxEmail | undefined>;
  /** `sending` → `sent`. */
  sent(ref: EmailRef, providerMessageId: string | undefined, at: Date): Promise<void>;
  /** `sending` → `retry`, due again at `nextAttemptAt` (GSI2 MAILRETRY). */
  retryLater(ref: EmailRef, nextAttemptAt: Date, error: string): Promise<void>;
  /** `sending` → `failed`: never sent again. */
  failed(ref: EmailRef, error: string, at: Date): Promise<void>;
  /**
   * Emails due by `now`, one page at a time (the sweep): those whose retry is due, and those still
   * `pending` UNCLAIMED_EMAIL_MS (shared/keys.ts) after they were written (their stream record lost).
   */
  dueRetries(now: Date, cursor?: string): Promise<Page<EmailRef>>;
  /**
   * `retry` → `pending`, or a `pending` one written again as is (the stream hands it to the mail worker
   * again); false when it is in neither state (claimed, sent or failed meanwhile).
   */
  requeue(ref: EmailRef, at: Date): Promise<boolean>;
}

/** A message ready to go: rendered, addressed, with its own Message-ID. */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `<emailId@host>`: the same on every attempt, so a receiving server can spot a duplicate. */
  messageId: string;
  date: Date;
  /** Extra headers (e.g. Content-Language). */
  headers?: Record<string, string>;
}

/**
 * What became of one attempt. `retry`: not delivered, try again later (the server was unreachable or
 * answered 4xx). `rejected`: not delivered, and never will be (5xx for this address or message).
 * `unknown`: the connection broke after the message was handed over: it may have been delivered, so it
 * is never sent again.
 */
export type SendOutcome =
  | { kind: "sent"; providerMessageId?: string }
  | { kind: "retry"; reason: string }
  | { kind: "rejected"; reason: string }
  | { kind: "unknown"; reason: string };

export interface Mailer {
  send(message: OutgoingEmail): Promise<SendOutcome>;
}
