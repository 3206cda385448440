import { z } from "zod";
import { Day } from "../loyalty/member.js";
import { Cents, Points } from "../money.js";

/**
 * Offers: a merchant's promotion, sent to the members a target picks, shown on their cards (a back
 * field, the lock-screen text at the offer's stores, a Google message) and in their GET. The offer
 * itself lives in the program's partition; what a member holds is a copy (`MemberOffer`) on the
 * member, so a card is drawn from the member alone (data-model.md).
 */

/** Who an offer is for (evaluated on the member, its activity and its birth month). */
export const OfferTarget = z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("all") }).meta({ description: "Every active member" }),
    z
      .strictObject({ kind: z.literal("tier"), tier: z.string().min(1).max(64) })
      .meta({ description: "Members holding this tier (its tierId)" }),
    z
      .strictObject({
        kind: z.literal("purchasedWithinDays"),
        days: z.int().min(1).max(3650),
        category: z.string().trim().min(1).max(40).optional(),
      })
      .meta({
        description:
          "Members who bought in the last `days` days (program time zone, today included); with `category`, bought an item of that category",
      }),
    z
      .strictObject({ kind: z.literal("lapsedDays"), days: z.int().min(1).max(3650) })
      .meta({ description: "Members who have bought before, but not in the last `days` days" }),
    z
      .strictObject({ kind: z.literal("birthdayMonth") })
      .meta({ description: "Members whose birthday falls in the current month (program time zone)" }),
    z
      .strictObject({
        kind: z.literal("spentAtLeast"),
        cents: Cents.min(1),
        months: z.int().min(1).max(12),
      })
      .meta({
        description:
          "Members who spent at least `cents` (refunds deducted) in the current calendar month and the `months`−1 before it",
      }),
    z.strictObject({ kind: z.literal("topCategory"), category: z.string().trim().min(1).max(40) }).meta({
      description:
        "A personal 'for you' offer: members for whom this category is among their 3 most bought (by items, recency-weighted)",
    }),
  ])
  .meta({ id: "OfferTarget" });
export type OfferTarget = z.output<typeof OfferTarget>;

/** A voucher the offer gives each member it reaches (copied at assignment, like a reward's). */
export const OfferVoucher = z
  .strictObject({
    title: z.string().trim().min(1).max(60),
    kind: z.enum(["amount", "gift"]),
    valueCents: Cents.min(1).max(100_000_000).optional(),
    description: z.string().trim().min(1).max(200).optional(),
  })
  .refine((v) => v.kind !== "amount" || v.valueCents !== undefined, {
    message: "an amount voucher needs valueCents",
    path: ["valueCents"],
  })
  .meta({ id: "OfferVoucher" });
export type OfferVoucher = z.output<typeof OfferVoucher>;

/** Lengths a wallet shows: the title is a Google message header and the lock-screen text near a store. */
export const OFFER_TITLE_MAX = 40;
export const OFFER_DESCRIPTION_MAX = 300;
/** An offer without `validTo` lasts this many days from `validFrom`. */
export const DEFAULT_OFFER_DAYS = 30;
/** The longest an offer may run. */
export const MAX_OFFER_DAYS = 366;
/** At most this many stores named on one offer. */
export const MAX_OFFER_STORES = 100;

/** The fields a merchant sets on an offer: the API's request body (api/schemas.ts). */
export const offerSettings = {
  title: z.string().trim().min(1).max(OFFER_TITLE_MAX).meta({ example: "Double points on pastries" }),
  description: z
    .string()
    .trim()
    .min(1)
    .max(OFFER_DESCRIPTION_MAX)
    .meta({ example: "All week: every pastry earns twice the points." }),
  validFrom: Day.optional().meta({ description: "First day (program time zone); today when absent" }),
  validTo: Day.optional().meta({
    description: `Last day (program time zone); ${DEFAULT_OFFER_DAYS} days after validFrom when absent`,
  }),
  storeIds: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(MAX_OFFER_STORES)
    .optional()
    .meta({ description: "The stores where it applies; every store when absent" }),
  target: OfferTarget,
  voucher: OfferVoucher.optional(),
  bonusPoints: Points.min(1).max(100_000).optional().meta({
    description: "Points credited to each member the offer reaches (once, with a ledger entry)",
  }),
};

/** How far an offer's sending (or its withdrawal, once ended) has gone: visible progress. */
export const OfferDelivery = z
  .strictObject({
    state: z.enum(["scheduled", "sending", "sent", "withdrawing", "withdrawn"]),
    /** Where the next batch starts (opaque, the member listing's cursor); absent: from the start. */
    cursor: z.string().optional(),
    batches: z.int().nonnegative(),
    /** Members looked at. */
    scanned: z.int().nonnegative(),
    /** Members the target matched. */
    matched: z.int().nonnegative(),
    /** Cards that changed (the offer added, or removed when withdrawing). */
    updated: z.int().nonnegative(),
    /** Of those, cards with a wallet to push to (an Apple device registered or a Google object). */
    pushed: z.int().nonnegative(),
    /** Matched but not given: the member already holds `rules.offers.maxActivePerMember` offers. */
    skipped: z.int().nonnegative(),
    startedAt: z.iso.datetime().optional(),
    finishedAt: z.iso.datetime().optional(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "OfferDelivery" });
export type OfferDelivery = z.output<typeof OfferDelivery>;

/** A delivery about to start (or to start again, withdrawing the offer): nothing counted yet. */
export const freshDelivery = (state: OfferDelivery["state"], at: string): OfferDelivery => ({
  state,
  batches: 0,
  scanned: 0,
  matched: 0,
  updated: 0,
  pushed: 0,
  skipped: 0,
  updatedAt: at,
});

export const Offer = z
  .strictObject({
    offerId: z.string(),
    programId: z.string(),
    title: offerSettings.title,
    description: offerSettings.description,
    validFrom: Day,
    validTo: Day,
    storeIds: offerSettings.storeIds,
    target: OfferTarget,
    voucher: OfferVoucher.optional(),
    bonusPoints: offerSettings.bonusPoints,
    status: z.enum(["active", "ended"]),
    /** The members the target matched when the offer was created (counted before sending). */
    audience: z.int().nonnegative(),
    delivery: OfferDelivery,
    version: z.int().positive(),
    createdAt: z.iso.datetime(),
    endedAt: z.iso.datetime().optional(),
  })
  .meta({ id: "Offer" });
export type Offer = z.output<typeof Offer>;

export { MAX_CLOSED_OFFERS, MemberOffer } from "../loyalty/member.js";
