import type { LedgerEntry, Member, MemberProfile } from "./loyalty/member.js";
import type { PurchaseRecord, SpendWindow } from "./loyalty/records.js";
import type { Partner } from "./partner.js";
import type { AppleCardContent } from "./pass/apple-card.js";
import type { Program } from "./program.js";
import type { Store } from "./store.js";

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
  /** Stores a new program with the hash of its merchant key. */
  create(program: Program, merchantKeyHash: string): Promise<void>;
  /** The program as stored now (strongly consistent): for the merchant API, which edits it. */
  get(programId: string): Promise<Program | undefined>;
  /**
   * The program as this process read it within the last CARNET_CACHE_SECONDS (data-model.md §10):
   * for the hot paths (purchases, passes), where a rules change may apply a few seconds late.
   */
  recent(programId: string): Promise<Program | undefined>;
  /** The hash of the program's merchant key, for authentication (as recent as `recent`). */
  merchantKeyHash(programId: string): Promise<string | undefined>;
  list(page: PageRequest): Promise<Page<Program>>;
  /** Replaces the program if its stored version is still `expectedVersion`; false when it is not. */
  replace(program: Program, expectedVersion: number): Promise<boolean>;
}

export interface StoreKeyRecord {
  storeId: string;
  programId: string;
  apiKeyHash: string;
}

export interface StoreRepository {
  /** Stores a new store of an existing program; false when the program does not exist. */
  create(store: Store, apiKeyHash: string): Promise<boolean>;
  get(programId: string, storeId: string): Promise<Store | undefined>;
  list(programId: string, page: PageRequest): Promise<Page<Store>>;
  /** The stores a pass of this program shows (at most MAX_PASS_LOCATIONS), as recently read (data-model.md §10). */
  passStores(programId: string): Promise<Store[]>;
  /** What the store API needs to authenticate a store key, as recently read (data-model.md §10). */
  keyRecord(storeId: string): Promise<StoreKeyRecord | undefined>;
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
  | { kind: "idempotency"; transactionId: string; record: IdempotencyRecord };

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
}

export type PartnerRecord = Partner;

export interface PartnerRepository {
  create(partner: PartnerRecord, apiKeyHash: string): Promise<boolean>;
  /** The partner (its earning rate), as recently read (data-model.md §10). */
  get(programId: string, partnerId: string): Promise<PartnerRecord | undefined>;
  /** What the partner API needs to authenticate a partner key, as recently read (data-model.md §10). */
  keyRecord(
    partnerId: string,
  ): Promise<{ partnerId: string; programId: string; apiKeyHash: string } | undefined>;
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

export interface RegistrationRepository {
  /**
   * Registers the device for the pass, or refreshes its push token: "created" the first time. With
   * `counted` (the member keeps a device count: `Member.devices` is defined), a new registration adds
   * one to it in the same transaction.
   */
  register(registration: DeviceRegistration, now: Date, counted: boolean): Promise<"created" | "updated">;
  /** Removes the registration (and, `counted`, one from the member's count); false when there was none. */
  unregister(
    deviceLibraryIdentifier: string,
    passTypeId: string,
    memberId: string,
    counted: boolean,
  ): Promise<boolean>;
  /** The serial numbers (member ids) of the passes of this type registered on the device. */
  serialsOnDevice(deviceLibraryIdentifier: string, passTypeId: string): Promise<string[]>;
  /** `passUpdatedAt` of each of these members that still exists. */
  passUpdatedAt(memberIds: readonly string[]): Promise<Map<string, number>>;
  /** Every device registered for a member's pass: whom to push after a change. */
  devicesOf(memberId: string): Promise<DeviceRegistration[]>;
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
