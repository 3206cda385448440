import { refused } from "../errors.js";
import { recordRefund } from "../stores/activity.js";
import { type Ctx, finish, type Outcome } from "./change.js";
import { countOf, countsOf, hasCount } from "./counts.js";
import { roundFraction } from "./earn.js";
import type { Member } from "./member.js";
import { begin } from "./opening.js";
import type { PurchaseRecord, SpendWindow } from "./records.js";
import { reviewTier } from "./time.js";

/**
 * A refund of a recorded purchase, in full or in part: points and stamps taken back, the tier
 * reviewed, the amount taken off the spend of the purchase's month in the member's activity.
 */

export interface RefundOutcome extends Outcome {
  record: PurchaseRecord;
  pointsTakenBack: number;
  /** Points the refund should have taken back but the member had already spent: not recovered. */
  pointsNotRecovered: number;
}

/**
 * Takes back the points of a purchase in proportion to the refunded amount: after refunds totalling
 * R of an amount A, the purchase has given back floor(earned × R / A) points, and all of them once R
 * = A — so refunds never take back more than the purchase earned, whatever their number. Points
 * already spent cannot be taken back (the balance never goes negative): the shortfall is reported.
 * Stamps are taken back when the purchase is refunded in full (those still on the card).
 */
export const refund = (
  member: Member,
  ctx: Ctx,
  record: PurchaseRecord,
  amountCents: number,
  spend: SpendWindow,
  ids: { transactionId: string; storeId: string },
): RefundOutcome => {
  const { change } = begin(member, ctx, { check: () => checkRefundable(record, amountCents) });
  const refundedCents = record.refundedCents + amountCents;
  const owedTotal =
    refundedCents === record.amountCents
      ? record.pointsEarned
      : roundFraction(
          BigInt(record.pointsEarned) * BigInt(refundedCents),
          BigInt(record.amountCents),
          "floor",
        );
  const owed = owedTotal - record.pointsRefunded;
  const take = Math.min(owed, change.member.points);
  const full = refundedCents === record.amountCents;
  // Stamp categories are the merchant's names, counted in a Map whatever they are (counts.ts).
  const stamps = new Map<string, number>();
  if (full && !record.stampsRefunded) {
    for (const [category, n] of Object.entries(record.stampsEarned)) {
      const back = Math.min(n, countOf(change.member.stamps, category));
      if (back > 0) stamps.set(category, -back);
    }
  }
  change.post({
    type: "refund",
    points: -take,
    lots: change.debitLots(take),
    stamps: countsOf(stamps),
    transactionId: ids.transactionId,
    storeId: ids.storeId,
    reference: record.transactionId,
    amountCents,
    currency: record.currency,
  });
  const spendAfter = hasCount(spend, record.spendDay)
    ? { ...spend, [record.spendDay]: Math.max(0, countOf(spend, record.spendDay) - amountCents) }
    : spend;
  reviewTier(change, spendAfter);
  // The refund counts against the month the purchase was spent in: "spent at least" offers read months.
  if (change.member.activity !== undefined) {
    change.set({
      activity: recordRefund(change.member.activity, { day: record.spendDay, cents: amountCents }),
    });
  }
  return {
    ...finish(change),
    pointsTakenBack: take,
    pointsNotRecovered: owed - take,
    record: {
      ...record,
      refundedCents,
      pointsRefunded: record.pointsRefunded + owed,
      stampsRefunded: record.stampsRefunded || full,
    },
  };
};

/** Refunds of a purchase never add up to more than its amount. */
const checkRefundable = (record: PurchaseRecord, amountCents: number): void => {
  const left = record.amountCents - record.refundedCents;
  if (amountCents > left) {
    throw refused("refund_exceeds_purchase", `Only ${left} cents of this purchase are left to refund.`, {
      refundableCents: left,
    });
  }
};
