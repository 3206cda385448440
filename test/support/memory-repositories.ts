import { deliveryDueAt } from "../../functions/adapters/dynamodb/offer-repository.js";
import type { HolderStatus } from "../../functions/domain/credentials.js";
import { DomainError } from "../../functions/domain/errors.js";
import type { LedgerEntry, Member, MemberProfile } from "../../functions/domain/loyalty/member.js";
import type { PurchaseRecord } from "../../functions/domain/loyalty/records.js";
import { isLive } from "../../functions/domain/offers/assign.js";
import type { Offer } from "../../functions/domain/offers/offer.js";
import { MAX_PASS_LOCATIONS } from "../../functions/domain/pass/apple-card.js";
import type {
  CommitResult,
  CreationClaim,
  DeviceRegistration,
  IdempotencyRecord,
  KeyHolderRecord,
  KeyHolderRepository,
  MemberRepository,
  MemberWrite,
  OfferRepository,
  OutboxEmail,
  Page,
  PageRequest,
  PartnerRecord,
  PartnerRepository,
  ProgramRepository,
  PushedMark,
  RateCounter,
  RegistrationRepository,
  StoreRepository,
} from "../../functions/domain/ports.js";
import type { Program } from "../../functions/domain/program.js";
import {
  byRegistrationTime,
  MAX_EVICTIONS_PER_REGISTRATION,
  REGISTRATION_LIMITS,
  type RegistrationLimits,
  registrationWindow,
} from "../../functions/domain/registrations.js";
import type { Store } from "../../functions/domain/store.js";
import { storePlaces } from "../../functions/domain/stores/places.js";
import { type KeyState, keyView } from "../../functions/shared/key-lifecycle.js";

/**
 * The repository ports over plain Maps, for testing use cases fast: the same observable behaviour as
 * the DynamoDB adapters (both pass the suites in test/contract), without a table. Everything is
 * copied on the way in and out, so a caller cannot change what is stored by mutating an object.
 *
 * Where the DynamoDB adapters read through a process cache (`recent`, key records, pass stores, card
 * codes), these answer from the current state: what a process sees of its own changes.
 */

/** A claim on an Idempotency-Key lives 7 days, unless a purchase holds it (docs/data-model.md 2.3.2). */
const CLAIM_SECONDS = 7 * 86_400;
/** TransactWriteItems takes at most 100 items. */
const MAX_COMMIT_WRITES = 100;

const copy = <T>(value: T): T => structuredClone(value);
const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
/** A key made of several strings, for Maps. */
const key = (...parts: string[]): string => JSON.stringify(parts);
/** Text in code-unit order, as DynamoDB orders sort keys (not the locale's order). */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** What is stored under a transaction id: a purchase (which may hold a claim), or a claim of its own. */
interface TransactionItem {
  purchase?: PurchaseRecord;
  claim?: IdempotencyRecord;
  /** Epoch seconds after which a claim of its own is free again; a purchase never expires. */
  expiresAt?: number;
}

interface State {
  programs: Map<string, { program: Program; key: KeyState }>;
  /** By storeId: store ids are unique across programs (their key record is keyed by id alone). */
  stores: Map<string, { holder: Store; key: KeyState }>;
  partners: Map<string, { holder: PartnerRecord; key: KeyState }>;
  /** Rate-limit windows: uses by key(scope, windowStart). */
  rates: Map<string, number>;
  members: Map<string, Member>;
  profiles: Map<string, MemberProfile>;
  /** Per member, by seq. */
  ledgers: Map<string, Map<number, LedgerEntry>>;
  /** Per member, by day. */
  spendDays: Map<string, Map<string, { cents: number; purchases: number }>>;
  /** Unique values of a program (key(programId, value)) → memberId. */
  emails: Map<string, string>;
  cardCodes: Map<string, string>;
  referralCodes: Map<string, string>;
  transactions: Map<string, TransactionItem>;
  /** By key(memberId, passTypeId, deviceLibraryIdentifier). */
  registrations: Map<string, DeviceRegistration & { registeredAt: string }>;
  /** New registrations of a pass per clock hour, by key(memberId, hour). */
  registrationRates: Map<string, number>;
  /** What the push fan-out noted it pushed, by memberId. */
  pushed: Map<string, PushedMark>;
  /** Outbox emails in the order they were written (an enrollment's with it). */
  outbox: OutboxEmail[];
  /** Offers by key(programId, offerId), with the program's time zone they were written with (when due). */
  offers: Map<string, { offer: Offer; timeZone: string }>;
}

const emptyState = (): State => ({
  programs: new Map(),
  stores: new Map(),
  partners: new Map(),
  members: new Map(),
  profiles: new Map(),
  ledgers: new Map(),
  spendDays: new Map(),
  emails: new Map(),
  cardCodes: new Map(),
  referralCodes: new Map(),
  transactions: new Map(),
  registrations: new Map(),
  registrationRates: new Map(),
  pushed: new Map(),
  rates: new Map(),
  outbox: [],
  offers: new Map(),
});

// ---------------------------------------------------------------------------------------------
// Pages: items in listing order, each with a sort key; a cursor is the listing's name and the last key

const invalidCursor = () =>
  new DomainError("bad_request", "invalid_cursor", "The cursor is not one this listing returned.");

const encodeCursor = (listing: string, after: string): string =>
  Buffer.from(JSON.stringify({ listing, after }), "utf8").toString("base64url");

/** The key a cursor continues after; a cursor of another listing (another program, member…) is refused. */
const decodeCursor = (cursor: string, listing: string): string => {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  const { listing: named, after } = (decoded ?? {}) as { listing?: unknown; after?: unknown };
  if (named !== listing || typeof after !== "string") throw invalidCursor();
  return after;
};

/**
 * A page of `items` ordered by `sortKey` (strings; descending with `newestFirst`), after the cursor's
 * key. The cursor is absent on the last page.
 */
const pageOf = <T>(
  listing: string,
  items: readonly T[],
  sortKey: (item: T) => string,
  { limit, cursor }: PageRequest,
  newestFirst = false,
): Page<T> => {
  const keyed = items
    .map((item) => ({ item, sortKey: sortKey(item) }))
    .sort((a, b) => (newestFirst ? byText(b.sortKey, a.sortKey) : byText(a.sortKey, b.sortKey)));
  const after = cursor === undefined ? undefined : decodeCursor(cursor, listing);
  const rest =
    after === undefined ? keyed : keyed.filter((k) => (newestFirst ? k.sortKey < after : k.sortKey > after));
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((k) => copy(k.item)),
    ...(rest.length > limit && last ? { nextCursor: encodeCursor(listing, last.sortKey) } : {}),
  };
};

/** Ledger entries sort by seq, as fixed-width text. */
const seqKey = (entry: LedgerEntry): string => String(entry.seq).padStart(10, "0");

// ---------------------------------------------------------------------------------------------
// Programs, stores, partners

const programRepository = (state: State): ProgramRepository => {
  /** The program as the API shows it: its merchant key's use and rotation, never the hashes. */
  const shown = (stored: { program: Program; key: KeyState } | undefined): Program | undefined => {
    if (!stored) return undefined;
    const view = keyView(stored.key);
    return copy({ ...stored.program, ...(Object.keys(view).length > 0 ? { merchantKey: view } : {}) });
  };
  const get = async (programId: string) => shown(state.programs.get(programId));
  return {
    async create(program, merchantKeyHash, claim, now = new Date()) {
      const seen = claim && liveClaim(state, claim, now);
      if (seen) return seen;
      if (state.programs.has(program.programId)) {
        throw new Error(`The conditional request failed: program ${program.programId} exists.`);
      }
      state.programs.set(program.programId, { program: copy(program), key: { hash: merchantKeyHash } });
      if (claim) keepClaim(state, claim, now);
      return undefined;
    },
    get,
    recent: get,
    async merchantKey(programId) {
      return copy(state.programs.get(programId)?.key);
    },
    async setMerchantKey(programId, next, expectedHash) {
      const stored = state.programs.get(programId);
      if (stored?.key.hash !== expectedHash) return false;
      stored.key = copy(next);
      return true;
    },
    async recordKeyUse(programId, which, hash, at) {
      const stored = state.programs.get(programId);
      if (stored?.key[which === "current" ? "hash" : "previousHash"] === hash)
        stored.key[which === "current" ? "lastUsedAt" : "previousLastUsedAt"] = at.toISOString();
    },
    async list(page) {
      const programs = [...state.programs.values()].flatMap((p) => shown(p) ?? []);
      return pageOf("programs", programs, (p) => `${p.createdAt}#${p.programId}`, page, true);
    },
    async replace(program, expectedVersion) {
      const stored = state.programs.get(program.programId);
      if (stored?.program.version !== expectedVersion) return false;
      // Every field but the identity is replaced; the merchant key's state stays.
      const { programId, createdAt } = stored.program;
      const { merchantKey: _shown, ...fields } = copy(program);
      stored.program = { ...stored.program, ...fields, programId, createdAt };
      return true;
    },
  };
};

/** A creation's claim on its key, if a live one is held already (claims.ts). */
const liveClaim = (state: State, claim: CreationClaim, now: Date): IdempotencyRecord | undefined =>
  copy(liveAt(state, claim.transactionId, now)?.claim);

const keepClaim = (state: State, claim: CreationClaim, now: Date): void => {
  state.transactions.set(claim.transactionId, {
    claim: copy(claim.record),
    expiresAt: epochSeconds(now) + CLAIM_SECONDS,
  });
};

/** What a holder's item shows of its key: the key view's fields, as the DynamoDB items carry them. */
const KEY_VIEW_FIELDS = ["keyLastUsedAt", "previousKeyValidUntil", "previousKeyLastUsedAt"] as const;

/**
 * Stores and partners over one Map by id (ids are unique across programs; their key records are keyed
 * by id alone): the same lifecycle as keyed-child.ts.
 */
const keyHolders = <T extends { programId: string; status: HolderStatus }, R extends KeyHolderRecord>(
  state: State,
  holders: Map<string, { holder: T; key: KeyState }>,
  idOf: (holder: T) => string,
  recordOf: (id: string, common: KeyHolderRecord, holder: T) => R,
): KeyHolderRepository<T, R> => ({
  async create(holder, apiKeyHash, claim, now = new Date()) {
    const id = idOf(holder);
    const seen = claim && liveClaim(state, claim, now);
    if (seen) return seen;
    if (!state.programs.has(holder.programId)) return false;
    if (holders.has(id)) throw new Error(`The conditional request failed: ${id} exists.`);
    holders.set(id, { holder: copy(holder), key: { hash: apiKeyHash } });
    if (claim) keepClaim(state, claim, now);
    return true;
  },
  async replace(holder) {
    const stored = holders.get(idOf(holder));
    if (stored?.holder.programId !== holder.programId) return false;
    const kept = Object.fromEntries(
      ["programId", "createdAt", "apiKeyPrefix", ...KEY_VIEW_FIELDS].flatMap((name) =>
        name in stored.holder ? [[name, (stored.holder as Record<string, unknown>)[name]]] : [],
      ),
    );
    const fields = Object.fromEntries(
      Object.entries(copy(holder)).filter(([name]) => !(KEY_VIEW_FIELDS as readonly string[]).includes(name)),
    );
    stored.holder = { ...fields, ...kept } as T;
    return true;
  },
  async setKey(holder, next, apiKeyPrefix, expectedHash) {
    const stored = holders.get(idOf(holder));
    if (stored?.holder.programId !== holder.programId || stored.key.hash !== expectedHash) return false;
    stored.key = copy(next);
    const shown = stored.holder as Record<string, unknown>;
    for (const name of KEY_VIEW_FIELDS) delete shown[name];
    Object.assign(shown, { apiKeyPrefix, ...keyView(next) });
    return true;
  },
  async recordKeyUse(holder, id, which, hash, at) {
    const stored = holders.get(id);
    if (stored?.holder.programId !== holder.programId) return;
    if (stored.key[which === "current" ? "hash" : "previousHash"] !== hash) return;
    stored.key[which === "current" ? "lastUsedAt" : "previousLastUsedAt"] = at.toISOString();
    Object.assign(stored.holder, {
      [which === "current" ? "keyLastUsedAt" : "previousKeyLastUsedAt"]: at.toISOString(),
    });
  },
  async remove(programId, id) {
    if (holders.get(id)?.holder.programId !== programId) return false;
    holders.delete(id);
    return true;
  },
  async keyRecord(id) {
    const stored = holders.get(id);
    return (
      stored &&
      copy(
        recordOf(
          id,
          { programId: stored.holder.programId, status: stored.holder.status, key: stored.key },
          stored.holder,
        ),
      )
    );
  },
});

const storeRepository = (state: State): StoreRepository => {
  /** A program's stores in id order. */
  const storesOf = (programId: string) =>
    [...state.stores.values()]
      .map((s) => s.holder)
      .filter((s) => s.programId === programId)
      .sort((a, b) => byText(a.storeId, b.storeId));
  return {
    ...keyHolders(
      state,
      state.stores,
      (store) => store.storeId,
      (storeId, common, store) => ({ storeId, ...common, ...(store.limits ? { limits: store.limits } : {}) }),
    ),
    async get(programId, storeId) {
      const stored = state.stores.get(storeId)?.holder;
      return stored?.programId === programId ? copy(stored) : undefined;
    },
    async list(programId, page) {
      return pageOf(key("stores", programId), copy(storesOf(programId)), (s) => s.storeId, page);
    },
    async passStores(programId) {
      return copy(storesOf(programId).slice(0, MAX_PASS_LOCATIONS));
    },
    async places(programId) {
      return storePlaces(copy(storesOf(programId)));
    },
  };
};

const partnerRepository = (state: State): PartnerRepository => {
  const get = async (programId: string, partnerId: string) => {
    const stored = state.partners.get(partnerId)?.holder;
    return stored?.programId === programId ? copy(stored) : undefined;
  };
  return {
    ...keyHolders(
      state,
      state.partners,
      (partner) => partner.partnerId,
      (partnerId, common) => ({ partnerId, ...common }),
    ),
    get,
    read: get,
    async list(programId, page) {
      const partners = [...state.partners.values()]
        .map((p) => p.holder)
        .filter((p) => p.programId === programId);
      return pageOf(key("partners", programId), copy(partners), (p) => p.partnerId, page);
    },
  };
};

/** Fixed windows counted in a Map, as rate-counter.ts counts them in items. */
const rateCounter = (state: State): RateCounter => ({
  async take(scope, limit, windowSeconds, now) {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const counted = key(scope, String(windowStart));
    const uses = state.rates.get(counted) ?? 0;
    if (uses >= limit) return { retryAfterSeconds: windowStart + windowSeconds - nowSeconds };
    state.rates.set(counted, uses + 1);
    return {};
  },
});

// ---------------------------------------------------------------------------------------------
// Members, their ledger, purchases and claims

/**
 * The item at a transaction id, unless it is a claim of its own that has expired (epoch seconds, as
 * DynamoDB's `expiresAt < :now`): such an id is free to claim again, and its claim is no longer live.
 */
const liveAt = (state: State, transactionId: string, now: Date): TransactionItem | undefined => {
  const item = state.transactions.get(transactionId);
  return item?.expiresAt !== undefined && item.expiresAt < epochSeconds(now) ? undefined : item;
};

/** The transaction id whose Idempotency-Key a write claims: a claim's, or a new purchase's holding one. */
const claimedTransaction = (write: MemberWrite): string | undefined => {
  if (write.kind === "idempotency") return write.transactionId;
  if (write.kind === "purchase" && write.idempotency) return write.record.transactionId;
  return undefined;
};

/** What identifies the stored item a write touches: one commit may touch each at most once. */
const itemOf = (write: MemberWrite): string => {
  switch (write.kind) {
    case "member":
      return key("member", write.member.memberId);
    case "ledger":
      return key("ledger", write.memberId, String(write.entry.seq));
    case "purchase":
      return key("transaction", write.record.transactionId);
    case "spend":
      return key("spend", write.memberId, write.day);
    case "idempotency":
      return key("transaction", write.transactionId);
    case "email":
      return key("email", write.email.emailId);
  }
};

/** Whether a write's condition holds in the current state. */
const conditionHolds = (state: State, write: MemberWrite, now: Date): boolean => {
  switch (write.kind) {
    case "member": {
      const stored = state.members.get(write.member.memberId);
      if (write.expectedVersion === null) return stored === undefined;
      return stored?.programId === write.member.programId && stored.version === write.expectedVersion;
    }
    case "ledger":
      return !state.ledgers.get(write.memberId)?.has(write.entry.seq);
    case "purchase": {
      const stored = state.transactions.get(write.record.transactionId);
      if (write.expectedRefundedCents !== null) {
        return stored?.purchase?.refundedCents === write.expectedRefundedCents;
      }
      // A purchase holding a claim may take the place of an expired claim; otherwise the id is new.
      return write.idempotency ? liveAt(state, write.record.transactionId, now) === undefined : !stored;
    }
    case "spend":
      return true;
    case "idempotency":
      return liveAt(state, write.transactionId, now) === undefined;
    case "email":
      return !state.outbox.some((e) => e.emailId === write.email.emailId);
  }
};

const apply = (state: State, write: MemberWrite, now: Date): void => {
  switch (write.kind) {
    case "member":
      state.members.set(write.member.memberId, copy(write.member));
      return;
    case "ledger": {
      const ledger = state.ledgers.get(write.memberId) ?? new Map<number, LedgerEntry>();
      ledger.set(write.entry.seq, copy(write.entry));
      state.ledgers.set(write.memberId, ledger);
      return;
    }
    case "purchase": {
      const { record } = write;
      const stored = state.transactions.get(record.transactionId)?.purchase;
      if (write.expectedRefundedCents !== null && stored) {
        // A refund changes only what refunds count; the rest of the record (and its claim) stays.
        stored.refundedCents = record.refundedCents;
        stored.pointsRefunded = record.pointsRefunded;
        stored.stampsRefunded = record.stampsRefunded;
        return;
      }
      state.transactions.set(record.transactionId, {
        purchase: copy(record),
        ...(write.idempotency ? { claim: copy(write.idempotency) } : {}),
      });
      return;
    }
    case "spend": {
      const days =
        state.spendDays.get(write.memberId) ?? new Map<string, { cents: number; purchases: number }>();
      const day = days.get(write.day) ?? { cents: 0, purchases: 0 };
      days.set(write.day, { cents: day.cents + write.cents, purchases: day.purchases + write.purchases });
      state.spendDays.set(write.memberId, days);
      return;
    }
    case "idempotency":
      keepClaim(state, write, now);
      return;
    case "email":
      state.outbox.push(copy(write.email));
      return;
  }
};

const memberRepository = (state: State): MemberRepository => {
  const inProgram = (programId: string, memberId: string) => {
    const member = state.members.get(memberId);
    return member?.programId === programId ? member : undefined;
  };
  const entriesOf = (memberId: string) => [...(state.ledgers.get(memberId)?.values() ?? [])];
  const historyOf = (memberId: string, page: PageRequest) =>
    pageOf(key("history", memberId), entriesOf(memberId), seqKey, page, true);
  const withProfile = (member: Member) => {
    const profile = state.profiles.get(member.memberId);
    return { member: copy(member), ...(profile ? { profile: copy(profile) } : {}) };
  };

  return {
    async get(programId, memberId) {
      return copy(inProgram(programId, memberId));
    },
    async load(memberId) {
      return copy(state.members.get(memberId));
    },
    async profile(memberId) {
      return copy(state.profiles.get(memberId));
    },
    async card(memberId) {
      const member = state.members.get(memberId);
      return member && withProfile(member);
    },
    async snapshot(programId, memberId, historyLimit) {
      const member = inProgram(programId, memberId);
      if (!member) return undefined;
      const history = historyLimit > 0 ? historyOf(memberId, { limit: historyLimit }) : { items: [] };
      return { ...withProfile(member), history };
    },
    async idByCardCode(programId, cardCode) {
      return state.cardCodes.get(key(programId, cardCode));
    },
    async idByEmailHash(programId, emailHash) {
      return state.emails.get(key(programId, emailHash));
    },
    async idByReferralCode(programId, referralCode) {
      return state.referralCodes.get(key(programId, referralCode));
    },
    async spend(memberId, fromDay, toDay) {
      const days = [...(state.spendDays.get(memberId) ?? [])];
      return Object.fromEntries(
        days.filter(([day]) => day >= fromDay && day <= toDay).map(([day, { cents }]) => [day, cents]),
      );
    },
    async history(memberId, page) {
      return historyOf(memberId, page);
    },
    async ledger(memberId) {
      return copy(entriesOf(memberId).sort((a, b) => a.seq - b.seq));
    },
    async purchase(transactionId) {
      return copy(state.transactions.get(transactionId)?.purchase);
    },
    async idempotency(transactionId, now) {
      return copy(liveAt(state, transactionId, now)?.claim);
    },

    async enroll({ member, profile, emailHash, email: welcome }) {
      const { memberId, programId } = member;
      const email = key(programId, emailHash);
      const taken = state.emails.get(email);
      if (taken !== undefined) return { kind: "email_taken", memberId: taken };
      const cardCode = key(programId, member.cardCode);
      const referralCode = key(programId, member.referralCode);
      if (
        state.cardCodes.has(cardCode) ||
        state.referralCodes.has(referralCode) ||
        state.members.has(memberId) ||
        state.profiles.has(memberId)
      ) {
        return { kind: "code_taken" };
      }
      state.emails.set(email, memberId);
      state.cardCodes.set(cardCode, memberId);
      state.referralCodes.set(referralCode, memberId);
      state.members.set(memberId, copy(member));
      state.profiles.set(memberId, copy(profile));
      if (welcome) state.outbox.push(copy(welcome));
      return { kind: "enrolled" };
    },

    async commit(writes, now): Promise<CommitResult> {
      // What DynamoDB refuses outright (a ValidationException), not a failed condition.
      const items = writes.map(itemOf);
      if (writes.length === 0 || writes.length > MAX_COMMIT_WRITES) {
        throw new Error(`A transaction holds 1 to ${MAX_COMMIT_WRITES} writes, not ${writes.length}.`);
      }
      if (new Set(items).size !== items.length) {
        throw new Error("Transaction request cannot include multiple operations on one item.");
      }
      // The key the request claims: held by a live claim or a purchase, it is taken, whatever else fails.
      const claimed = writes.map(claimedTransaction).find((id) => id !== undefined);
      const holder = claimed === undefined ? undefined : liveAt(state, claimed, now);
      if (holder) {
        return { kind: "idempotency_key_taken", ...(holder.claim ? { record: copy(holder.claim) } : {}) };
      }
      if (!writes.every((w) => conditionHolds(state, w, now))) return { kind: "changed" };
      for (const write of writes) apply(state, write, now);
      return { kind: "committed" };
    },

    async listPage(programId, page) {
      // Profiles by enrolment, oldest first, as GSI1 lists them; a profile whose member is gone is left out.
      const profiles = [...state.profiles.values()].filter((p) => p.programId === programId);
      const listed = pageOf(
        key("members", programId),
        profiles,
        (p) => `${p.enrolledAt}#${p.memberId}`,
        page,
      );
      return {
        items: listed.items.flatMap((profile) => {
          const member = state.members.get(profile.memberId);
          return member?.programId === programId ? [{ member: copy(member), profile }] : [];
        }),
        ...(listed.nextCursor ? { nextCursor: listed.nextCursor } : {}),
      };
    },

    async due(shard, now, cursor): Promise<Page<string>> {
      const due = [...state.members.values()].filter(
        (m) =>
          m.status === "active" &&
          m.dueAt !== undefined &&
          m.dueAt < now.toISOString() &&
          m.memberId.slice(-1) === shard,
      );
      const page = pageOf(
        key("due", shard),
        due,
        (m) => `${m.dueAt}#${m.memberId}`,
        cursor === undefined ? { limit: 100 } : { limit: 100, cursor },
      );
      return { ...page, items: page.items.map((m) => m.memberId) };
    },
  };
};

// ---------------------------------------------------------------------------------------------
// Offers

/** Offers over a Map, their due time worked out as offer-repository.ts indexes it (deliveryDueAt). */
const offerRepository = (state: State): OfferRepository => ({
  async create(offer, timeZone, claim, now = new Date()) {
    const seen = claim && liveClaim(state, claim, now);
    if (seen) return seen;
    const at = key(offer.programId, offer.offerId);
    if (state.offers.has(at))
      throw new Error(`The conditional request failed: offer ${offer.offerId} exists.`);
    state.offers.set(at, { offer: copy(offer), timeZone });
    if (claim) keepClaim(state, claim, now);
    return undefined;
  },
  async get(programId, offerId) {
    return copy(state.offers.get(key(programId, offerId))?.offer);
  },
  async list(programId, page) {
    const offers = [...state.offers.values()].map((o) => o.offer).filter((o) => o.programId === programId);
    return pageOf(key("offers", programId), offers, (o) => `${o.createdAt}#${o.offerId}`, page, true);
  },
  async live(programId, today) {
    return [...state.offers.values()]
      .map((o) => o.offer)
      .filter((o) => o.programId === programId && o.status === "active" && isLive(o, today))
      .sort((a, b) => byText(`${a.validTo}#${a.offerId}`, `${b.validTo}#${b.offerId}`))
      .map(copy);
  },
  async replace(offer, expectedVersion, timeZone) {
    const at = key(offer.programId, offer.offerId);
    if (state.offers.get(at)?.offer.version !== expectedVersion) return false;
    state.offers.set(at, { offer: copy(offer), timeZone });
    return true;
  },
  async due(now) {
    return [...state.offers.values()]
      .flatMap(({ offer, timeZone }) => {
        const dueAt = deliveryDueAt(offer, timeZone);
        return dueAt !== undefined && dueAt <= now.toISOString() ? [{ offer, dueAt }] : [];
      })
      .sort((a, b) => byText(a.dueAt, b.dueAt))
      .map(({ offer }) => ({ programId: offer.programId, offerId: offer.offerId }));
  },
});

// ---------------------------------------------------------------------------------------------
// Apple Wallet device registrations

const registrationRepository = (state: State, limits: RegistrationLimits): RegistrationRepository => {
  const registrationKey = (memberId: string, passTypeId: string, deviceLibraryIdentifier: string) =>
    key(memberId, passTypeId, deviceLibraryIdentifier);
  /** Without the registration time, as the port gives registrations. */
  const asGiven = ({ registeredAt: _, ...registration }: DeviceRegistration & { registeredAt: string }) =>
    copy(registration);
  /** In sort-key order (`REG#<passTypeId>#<device>`), as DynamoDB gives them. */
  const ofMember = (memberId: string) =>
    [...state.registrations.values()]
      .filter((r) => r.memberId === memberId)
      .sort((a, b) =>
        byText(
          `${a.passTypeId}#${a.deviceLibraryIdentifier}`,
          `${b.passTypeId}#${b.deviceLibraryIdentifier}`,
        ),
      );

  /** The member's device count moved; moving its version too (registration-repository.ts). */
  const countDevices = (memberId: string, delta: number): void => {
    const member = state.members.get(memberId);
    const devices = member?.devices;
    if (!member || devices === undefined || devices + delta < 0) {
      throw new Error(`The conditional request failed: member ${memberId} cannot count ${delta} device(s).`);
    }
    state.members.set(memberId, { ...member, devices: devices + delta, version: member.version + 1 });
  };

  return {
    async register(registration, now, counted) {
      const at = registrationKey(
        registration.memberId,
        registration.passTypeId,
        registration.deviceLibraryIdentifier,
      );
      const stored = state.registrations.get(at);
      if (stored) {
        state.registrations.set(at, { ...copy(registration), registeredAt: stored.registeredAt });
        return "updated";
      }
      // One transaction in DynamoDB: every check first, then every change.
      const window = registrationWindow(now);
      const rate = key(registration.memberId, window.hour);
      const newThisHour = state.registrationRates.get(rate) ?? 0;
      if (newThisHour >= limits.maxNewPerHour) return "rate_limited";
      const present = ofMember(registration.memberId)
        .filter((r) => r.passTypeId === registration.passTypeId)
        .sort(byRegistrationTime);
      const excess = present.length + 1 - limits.maxDevices;
      const evicted = present.slice(0, Math.max(0, Math.min(excess, MAX_EVICTIONS_PER_REGISTRATION)));
      const delta = 1 - evicted.length;
      if (counted && delta !== 0) countDevices(registration.memberId, delta);
      for (const old of evicted)
        state.registrations.delete(
          registrationKey(old.memberId, old.passTypeId, old.deviceLibraryIdentifier),
        );
      state.registrationRates.set(rate, newThisHour + 1);
      state.registrations.set(at, { ...copy(registration), registeredAt: now.toISOString() });
      return "created";
    },
    async unregister(deviceLibraryIdentifier, passTypeId, memberId, counted) {
      const at = registrationKey(memberId, passTypeId, deviceLibraryIdentifier);
      if (!state.registrations.has(at)) return false;
      if (counted) countDevices(memberId, -1);
      state.registrations.delete(at);
      return true;
    },
    async removeAll(memberId) {
      const all = ofMember(memberId);
      if (state.members.get(memberId)?.devices !== undefined && all.length > 0)
        countDevices(memberId, -all.length);
      for (const r of all)
        state.registrations.delete(registrationKey(r.memberId, r.passTypeId, r.deviceLibraryIdentifier));
      state.pushed.delete(memberId);
      return all.length;
    },
    async serialsOnDevice(deviceLibraryIdentifier, passTypeId) {
      return [...state.registrations.values()]
        .filter((r) => r.deviceLibraryIdentifier === deviceLibraryIdentifier && r.passTypeId === passTypeId)
        .map((r) => r.memberId)
        .sort(byText);
    },
    async passUpdatedAt(memberIds) {
      const found = new Map<string, number>();
      for (const memberId of memberIds) {
        const member = state.members.get(memberId);
        if (member) found.set(memberId, member.passUpdatedAt);
      }
      return found;
    },
    async devicesOf(memberId) {
      return ofMember(memberId).map(asGiven);
    },
    async pushTargets(memberId, passTypeId) {
      const devices = ofMember(memberId)
        .filter((r) => r.passTypeId === passTypeId)
        .sort(byRegistrationTime)
        .slice(-limits.maxDevices)
        .map(asGiven);
      const pushed = state.pushed.get(memberId);
      return { devices, ...(pushed ? { pushed: copy(pushed) } : {}) };
    },
    async markPushed(memberId, mark) {
      const noted = state.pushed.get(memberId);
      if (noted && noted.passUpdatedAt > mark.passUpdatedAt) return;
      state.pushed.set(memberId, { passUpdatedAt: mark.passUpdatedAt, tokens: [...new Set(mark.tokens)] });
    },
  };
};

/**
 * The repositories over one in-memory state: a store is created only in a program that exists,
 * enrollments and commits see each other, registrations move the member's device count.
 */
export const memoryRepositories = (limits: RegistrationLimits = REGISTRATION_LIMITS) => {
  const state = emptyState();
  return {
    programs: programRepository(state),
    stores: storeRepository(state),
    members: memberRepository(state),
    partners: partnerRepository(state),
    registrations: registrationRepository(state, limits),
    rates: rateCounter(state),
    offers: offerRepository(state),
    /** Only what enrollment writes with: `add`; `emails()` shows the outbox. */
    mail: {
      async add(email: OutboxEmail) {
        state.outbox.push(copy(email));
      },
      emails: (): OutboxEmail[] => copy(state.outbox),
    },
  };
};
