import { z } from "zod";
import { Cents, Currency, Points } from "../money.js";
import { addCounts, type Counts, NameCounts } from "./counts.js";

/**
 * A member of one program, as stored: the projection the card is drawn from. `points`, `stamps` and
 * `lots` are a projection of the member's ledger (see ledger.ts): every change to them is a ledger
 * entry written in the same transaction, and folding the ledger gives them back exactly.
 */

export const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day as YYYY-MM-DD");
const Iso = z.iso.datetime();
const Int = z.number().int();

/** Points credited within one month that expire together, FIFO (see lots.ts). */
export const Lot = z.object({ expiresOn: Day, points: Int.positive() });
export type Lot = z.output<typeof Lot>;

export const Voucher = z
  .object({
    voucherId: z.string(),
    title: z.string(),
    kind: z.enum(["amount", "gift"]),
    valueCents: Cents.optional(),
    description: z.string().optional(),
    source: z.enum(["reward", "stamps", "offer"]),
    sourceId: z.string().meta({ description: "The rewardId, the stamp card's category, or the offerId" }),
    issuedAt: Iso,
    validTo: Day.meta({ description: "Last day the voucher can be redeemed (program time zone)" }),
  })
  .meta({ id: "Voucher" });
export type Voucher = z.output<typeof Voucher>;

const ClosedVoucher = z.object({
  voucherId: z.string(),
  status: z.enum(["redeemed", "expired"]),
  at: Iso,
});
export type ClosedVoucher = z.output<typeof ClosedVoucher>;

const DayCounter = z.object({ day: Day, points: Int.nonnegative() });

/** What a member holds of an offer (domain/offers): a copy, so the card is drawn from the member alone. */
export const MemberOffer = z
  .object({
    offerId: z.string(),
    title: z.string(),
    description: z.string(),
    validFrom: Day,
    validTo: Day,
    storeIds: z.array(z.string()).optional(),
    /** A `topCategory` offer: shown as "for you". */
    forYou: z.boolean().optional(),
    /** The voucher it gave, if any (on the member's `vouchers` until redeemed or expired). */
    voucherId: z.string().optional(),
    assignedAt: Iso,
  })
  .meta({ id: "MemberOffer" });
export type MemberOffer = z.output<typeof MemberOffer>;

/** The last offers that left a member's card (ended or expired), kept so they are never given again. */
export const MAX_CLOSED_OFFERS = 50;

/**
 * Where and what a member buys, kept bounded on the member (domain/stores/activity.ts): the input of
 * the card's store choice and of offer segments. A heuristic summary, not money: the ledger stays
 * the record of every purchase.
 */
export const StoreVisits = z.object({ storeId: z.string(), visits: Int.positive(), lastDay: Day });
export type StoreVisits = z.output<typeof StoreVisits>;
export const CategoryUse = z.object({ category: z.string(), items: Int.positive(), lastDay: Day });
export type CategoryUse = z.output<typeof CategoryUse>;
export const MonthSpend = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/), cents: Int });
export type MonthSpend = z.output<typeof MonthSpend>;
export const Activity = z.object({
  /** ≤ MAX_ACTIVITY_STORES, the most relevant first. */
  stores: z.array(StoreVisits),
  /** ≤ MAX_ACTIVITY_CATEGORIES item categories (the merchant's names, kept as data). */
  categories: z.array(CategoryUse),
  /** Spend per calendar month (program time zone), newest first, ≤ MAX_ACTIVITY_MONTHS. */
  months: z.array(MonthSpend),
});
export type Activity = z.output<typeof Activity>;
export const MAX_ACTIVITY_STORES = 10;
export const MAX_ACTIVITY_CATEGORIES = 20;
export const MAX_ACTIVITY_MONTHS = 13;
export const emptyActivity = (): Activity => ({ stores: [], categories: [], months: [] });

/** At most this many favourite stores a member pins from the card page ("My stores"). */
export const MAX_FAVOURITE_STORES = 3;

export const MAX_ACTIVE_VOUCHERS = 50;
export const MAX_CLOSED_VOUCHERS = 50;

export const Member = z.object({
  memberId: z.string(),
  programId: z.string(),
  status: z.enum(["active", "erased"]),
  version: Int.positive(),
  ledgerSeq: Int.nonnegative(),
  cardCode: z.string(),
  referralCode: z.string(),
  referredBy: z.string().optional(),
  referralPending: z.boolean(),
  points: Int.nonnegative(),
  /** Stamps by stamp category: names a merchant chose, kept as data (counts.ts). */
  stamps: NameCounts(Int.nonnegative()),
  lots: z.array(Lot),
  tierId: z.string().nullable(),
  tierSince: Iso.optional(),
  windowSpendCents: Int,
  tierReviewOn: Day.optional(),
  vouchers: z.array(Voucher),
  closedVouchers: z.array(ClosedVoucher),
  validUntil: Day.nullable(),
  enrolledAt: Iso,
  purchases: Int.nonnegative(),
  lastPurchaseAt: Iso.optional(),
  partnerDay: DayCounter.optional(),
  transferDay: DayCounter.optional(),
  passUpdatedAt: Int.nonnegative(),
  /** Bumped to revoke the Apple pass's authenticationToken (pass-tokens.ts). */
  passAuthGeneration: Int.nonnegative().default(0),
  /**
   * How many devices have the member's Apple pass registered for updates, kept exactly by the
   * registration transactions. The push fan-out skips members with none. Absent on members enrolled
   * before it was counted: they are always asked about (data-model.md 2.4.1).
   */
  devices: Int.nonnegative().optional(),
  /**
   * The card generation whose Google Wallet object exists (inserted when the member first opened
   * "Add to Google Wallet" for that card), kept by the Google save link's own transaction; absent: no
   * Google object, nothing to keep live (app/google-wallet.ts, data-model.md 2.4.2).
   */
  googleObject: Int.nonnegative().optional(),
  dueAt: Iso.optional(),
  /** Where and what the member buys (store choice, offer segments); absent before the first purchase. */
  activity: Activity.optional(),
  /** The stores the card carries (≤ 10, in order), as last chosen (domain/stores/choice.ts). */
  passStoreIds: z.array(z.string()).optional(),
  /** Stores the member pinned from the card page; they come first on the card. */
  favouriteStoreIds: z.array(z.string()).optional(),
  /** The store the member enrolled at, or the store the sign-up postcode pointed to: the choice's anchor before any purchase. */
  homeStoreId: z.string().optional(),
  /** 1–12, from the profile's birth date (birthday offers on the next card update). */
  birthMonth: Int.min(1).max(12).optional(),
  /** Offers on the card (≤ rules.offers.maxActivePerMember), live or starting later. */
  offers: z.array(MemberOffer).optional(),
  /** Offer ids that left the card (ended or expired), newest first, ≤ MAX_CLOSED_OFFERS. */
  closedOffers: z.array(z.string()).optional(),
});
export type Member = z.output<typeof Member>;

/** Personal data, kept apart from the member so that erasure removes it in one place. */
export const MemberProfile = z.object({
  memberId: z.string(),
  programId: z.string(),
  email: z.string(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  birthDate: Day.optional(),
  postcode: z.string().optional(),
  locale: z.string().optional(),
  marketingConsent: z.boolean(),
  /** When the member accepted the program's terms and privacy notice (the join form's consent). */
  termsAcceptedAt: Iso.optional(),
  enrolledAt: Iso,
  enrolledVia: z.enum(["staff", "form"]),
});
export type MemberProfile = z.output<typeof MemberProfile>;

export const LineItem = z
  .strictObject({
    sku: z.string().trim().min(1).max(64).optional(),
    name: z.string().trim().min(1).max(120),
    category: z.string().trim().min(1).max(40).optional(),
    quantity: z.number().int().min(1).max(999),
    unitCents: Cents.max(100_000_000),
  })
  .meta({ id: "LineItem" });
export type LineItem = z.output<typeof LineItem>;

export const LEDGER_TYPES = [
  "earn",
  "refund",
  "redeem",
  "convert",
  "voucher",
  "expire",
  "partner",
  "referral",
  "transfer_in",
  "transfer_out",
  "renewal",
  "adjust",
  "offer",
] as const;

/**
 * One immutable ledger entry. `points`, `stamps` and `lots` are signed deltas; `balanceAfter` is the
 * balance once the entry is applied. Everything else says why.
 */
export const LedgerEntry = z
  .object({
    seq: Int.positive(),
    type: z.enum(LEDGER_TYPES),
    at: Iso,
    points: Int,
    stamps: NameCounts(Int),
    lots: z.record(z.string(), Int),
    balanceAfter: Int.nonnegative(),
    transactionId: z.string().optional(),
    storeId: z.string().optional(),
    partnerId: z.string().optional(),
    reference: z.string().optional(),
    counterpartMemberId: z.string().optional(),
    amountCents: Cents.optional(),
    currency: Currency.optional(),
    channel: z.enum(["in_store", "online"]).optional(),
    occurredAt: Iso.optional(),
    items: z.array(LineItem).optional(),
    campaignIds: z.array(z.string()).optional(),
    vouchersIssued: z.array(Voucher).optional(),
    voucherRedeemed: z.string().optional(),
    vouchersExpired: z.array(z.string()).optional(),
    rewardId: z.string().optional(),
    offerId: z.string().optional(),
    note: z.string().optional(),
  })
  .meta({ id: "LedgerEntry" });
export type LedgerEntry = z.output<typeof LedgerEntry>;

/** The part of a member that the ledger determines. */
export interface Balance {
  points: number;
  stamps: Counts;
  lots: Lot[];
}

export const emptyBalance = (): Balance => ({ points: 0, stamps: {}, lots: [] });

/** Applies one entry's deltas to a balance: the projection rule, used when writing and when rebuilding. */
export const applyDeltas = (
  balance: Balance,
  delta: Pick<LedgerEntry, "points" | "stamps" | "lots">,
): Balance => {
  const lotMap = addCounts(Object.fromEntries(balance.lots.map((l) => [l.expiresOn, l.points])), delta.lots);
  return {
    points: balance.points + delta.points,
    stamps: addCounts(balance.stamps, delta.stamps),
    lots: Object.entries(lotMap)
      .map(([expiresOn, points]) => ({ expiresOn, points }))
      .sort((a, b) => a.expiresOn.localeCompare(b.expiresOn)),
  };
};

/** The balance rebuilt from the ledger alone, entries in any order of arrival (sorted by seq). */
export const rebuildBalance = (entries: readonly LedgerEntry[]): Balance =>
  [...entries].sort((a, b) => a.seq - b.seq).reduce(applyDeltas, emptyBalance());

export const balanceOf = (m: Pick<Member, "points" | "stamps" | "lots">): Balance => ({
  points: m.points,
  stamps: m.stamps,
  lots: m.lots,
});

export const PURCHASE_CHANNELS = ["in_store", "online"] as const;
export { Points };
