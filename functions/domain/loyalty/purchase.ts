import { refused } from "../errors.js";
import type { Rules } from "../rules.js";
import { recordPurchase } from "../stores/activity.js";
import { localDay } from "./calendar.js";
import { type Change, type Ctx, finish, type Outcome } from "./change.js";
import { type Counts, countOf, countsOf } from "./counts.js";
import { earnPoints } from "./earn.js";
import type { LineItem, Member } from "./member.js";
import { begin } from "./opening.js";
import type { PurchaseRecord, SpendWindow } from "./records.js";
import { autoConvert, issueStampVouchers } from "./rewards.js";
import { tierMultiplier } from "./tiers.js";
import { reviewTier } from "./time.js";

/**
 * A purchase at a till, step by step: points and stamps earned, full stamp cards turned into vouchers,
 * the referral closed on a referee's first purchase, points auto-converted, the tier reviewed with the
 * new spend, the purchase counted and recorded (for refunds) and added to the member's activity (where
 * and what they buy: the card's stores, offer segments). Also the referrer's side of a referral.
 */

export interface PurchaseInput {
  amountCents: number;
  currency: string;
  channel: "in_store" | "online";
  items: LineItem[];
  occurredAt: Date;
  paidWithMemberCard: boolean;
}

export interface PurchaseOutcome extends Outcome {
  pointsEarned: number;
  referral?: { referrerId: string; referrerPoints: number; refereePoints: number };
  record: PurchaseRecord;
}

/** How far back a till may date a purchase (offline tills catching up), and how far ahead (clock skew). */
export const MAX_PURCHASE_AGE_DAYS = 30;
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

type Till = { transactionId: string; storeId: string };

/** A purchase at a till, credited to the member; `spend` is the member's spend window before it. */
export const purchase = (
  member: Member,
  ctx: Ctx,
  input: PurchaseInput,
  spend: SpendWindow,
  ids: Till,
): PurchaseOutcome => {
  const { change } = begin(member, ctx, {
    check: () => checkPurchase(ctx, input),
    validCard: true,
    // The tier the member walks in with: reviewed first, so a lapsed tier's multiplier does not apply.
    spend: ctx.program.rules.tiers.levels.length > 0 ? spend : undefined,
  });
  const spendDay = localDay(input.occurredAt, ctx.program.timeZone);
  const till = { transactionId: ids.transactionId, storeId: ids.storeId };

  const earned = earn(change, input, spendDay, till);
  issueStampVouchers(change, till);
  const referral = closeReferral(change, till);
  autoConvert(change, till);
  reviewTier(change, { ...spend, [spendDay]: countOf(spend, spendDay) + input.amountCents });
  countPurchase(change, input.occurredAt);
  change.set({
    activity: recordPurchase(change.member.activity, {
      storeId: ids.storeId,
      day: spendDay,
      amountCents: input.amountCents,
      items: input.items,
    }),
  });
  return {
    ...finish(change),
    pointsEarned: earned.points,
    ...(referral ? { referral } : {}),
    record: purchaseRecord(change, input, spendDay, till, earned),
  };
};

/** A purchase's own refusals: another currency, a date in the future or too long ago. */
const checkPurchase = ({ program, now }: Ctx, input: PurchaseInput): void => {
  if (input.currency !== program.currency) {
    throw refused(
      "currency_mismatch",
      `This program counts in ${program.currency}; the purchase is in ${input.currency}.`,
    );
  }
  if (input.occurredAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw refused("occurred_in_future", "occurredAt is in the future.");
  }
  if (input.occurredAt.getTime() < now.getTime() - MAX_PURCHASE_AGE_DAYS * 86_400_000) {
    throw refused("occurred_too_long_ago", `occurredAt is more than ${MAX_PURCHASE_AGE_DAYS} days ago.`);
  }
};

/**
 * Stamps the basket earns on each stamp card: one per item of the card's category. Categories are
 * the merchant's names, whatever they are (`constructor` and `__proto__` included): counted in a Map.
 */
const stampsFor = (rules: Rules, items: LineItem[]): Counts => {
  const perCategory = new Map<string, number>();
  for (const item of items) {
    if (item.category !== undefined) {
      perCategory.set(item.category, (perCategory.get(item.category) ?? 0) + item.quantity);
    }
  }
  return countsOf(
    rules.stamps.cards
      .map((card): [string, number] => [card.category, perCategory.get(card.category) ?? 0])
      .filter(([, count]) => count > 0),
  );
};

/** Posts the earn entry: the purchase's points (in a lot of the day of the spend) and its stamps. */
const earn = (
  change: Change,
  input: PurchaseInput,
  spendDay: string,
  till: Till,
): { points: number; stamps: Counts } => {
  const rules = change.rules;
  const earned = earnPoints(rules, {
    amountCents: input.amountCents,
    lines: input.items.map((i) => ({ category: i.category, cents: i.quantity * i.unitCents })),
    channel: input.channel,
    paidWithMemberCard: input.paidWithMemberCard,
    occurredAt: input.occurredAt,
    tierMultiplier: tierMultiplier(rules.tiers.levels, change.member.tierId),
  });
  const stamps = stampsFor(rules, input.items);
  change.post({
    ...till,
    type: "earn",
    points: earned.points,
    lots: change.creditLots(earned.points, spendDay),
    stamps,
    amountCents: input.amountCents,
    currency: input.currency,
    channel: input.channel,
    occurredAt: input.occurredAt.toISOString(),
    ...(input.items.length > 0 ? { items: input.items } : {}),
    ...(earned.campaignIds.length > 0 ? { campaignIds: earned.campaignIds } : {}),
  });
  return { points: earned.points, stamps };
};

/**
 * A referred member's first purchase closes their referral: they get their reward here, and the
 * referrer's is returned for `referrerReward` (another member, another write).
 */
const closeReferral = (change: Change, till: Till): PurchaseOutcome["referral"] => {
  const { before: member, rules } = change;
  if (!member.referralPending || member.referredBy === undefined) return undefined;
  const { enabled, refereePoints, referrerPoints } = rules.referral;
  change.set({ referralPending: false });
  if (!enabled) return undefined;
  if (refereePoints > 0) {
    change.post({
      ...till,
      type: "referral",
      points: refereePoints,
      lots: change.creditLots(refereePoints),
      counterpartMemberId: member.referredBy,
    });
  }
  return { referrerId: member.referredBy, referrerPoints, refereePoints };
};

/** One more purchase; the latest purchase moves only forward (tills may sync late). */
const countPurchase = (change: Change, occurredAt: Date): void => {
  const member = change.before;
  change.set({
    purchases: member.purchases + 1,
    lastPurchaseAt:
      member.lastPurchaseAt !== undefined && member.lastPurchaseAt > occurredAt.toISOString()
        ? member.lastPurchaseAt
        : occurredAt.toISOString(),
  });
};

/** What refunds of this purchase will need to know, nothing refunded yet. */
const purchaseRecord = (
  change: Change,
  input: PurchaseInput,
  spendDay: string,
  till: Till,
  earned: { points: number; stamps: Counts },
): PurchaseRecord => ({
  ...till,
  programId: change.ctx.program.programId,
  memberId: change.before.memberId,
  amountCents: input.amountCents,
  currency: input.currency,
  occurredAt: input.occurredAt.toISOString(),
  spendDay,
  pointsEarned: earned.points,
  stampsEarned: earned.stamps,
  refundedCents: 0,
  pointsRefunded: 0,
  stampsRefunded: false,
});

/** The referrer's side of a referral: their reward for the referee's first purchase. */
export const referrerReward = (
  referrer: Member,
  ctx: Ctx,
  refereeId: string,
  points: number,
  transactionId: string,
): Outcome | undefined => {
  if (referrer.status !== "active" || points <= 0) return undefined;
  const { change } = begin(referrer, ctx);
  change.post({
    type: "referral",
    points,
    lots: change.creditLots(points),
    counterpartMemberId: refereeId,
    transactionId,
  });
  autoConvert(change, { transactionId });
  return finish(change);
};
