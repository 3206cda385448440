import type { Rules } from "../rules.js";
import type { Change, LedgerDraft } from "./change.js";
import { countOf, countsOf } from "./counts.js";
import { MAX_ACTIVE_VOUCHERS, type Voucher } from "./member.js";

/**
 * How stamps and points become vouchers on their own: full stamp cards ("buy N, get 1 free") and, with
 * `autoConvert`, points reaching the cheapest reward's cost. Both stop when the card is full of vouchers.
 */

export type Reward = Rules["rewards"]["catalogue"][number];

/** Full stamp cards become vouchers ("buy N, get 1 free"), as long as the member has room for them. */
export const issueStampVouchers = (change: Change, details: Partial<LedgerDraft> = {}): void => {
  for (const card of change.rules.stamps.cards) {
    const issued: Voucher[] = [];
    while (
      countOf(change.member.stamps, card.category) - issued.length * card.stampsRequired >=
        card.stampsRequired &&
      change.member.vouchers.length + issued.length < MAX_ACTIVE_VOUCHERS
    ) {
      issued.push(
        change.newVoucher(
          { title: card.rewardTitle, kind: "gift", source: "stamps", sourceId: card.category },
          card.voucherValidDays,
        ),
      );
    }
    if (issued.length > 0) {
      change.set({ vouchers: [...change.member.vouchers, ...issued] });
      change.post({
        ...details,
        type: "voucher",
        points: 0,
        stamps: countsOf([[card.category, -issued.length * card.stampsRequired]]),
        vouchersIssued: issued,
      });
    }
  }
};

/** A new voucher for a reward of the catalogue. */
export const rewardVoucher = (change: Change, reward: Reward): Voucher =>
  change.newVoucher(
    {
      title: reward.title,
      kind: reward.voucher.kind,
      ...(reward.voucher.kind === "amount"
        ? { valueCents: reward.voucher.valueCents }
        : { description: reward.voucher.description }),
      source: "reward",
      sourceId: reward.rewardId,
    },
    reward.validDays,
  );

/**
 * Vouchers one operation converts at most (the rest converts at the next operation): keeps every
 * transaction far below DynamoDB's 100 items, even when a referral rewards two members at once.
 */
export const MAX_CONVERSIONS_PER_OPERATION = 10;

/** With `autoConvert`, points become vouchers of the cheapest reward as soon as they reach its cost. */
export const autoConvert = (change: Change, details: Partial<LedgerDraft>): void => {
  const { catalogue, autoConvert: on } = change.rules.rewards;
  if (!on || catalogue.length === 0) return;
  const cheapest = [...catalogue].sort((a, b) => a.pointsCost - b.pointsCost)[0] as Reward;
  for (
    let converted = 0;
    converted < MAX_CONVERSIONS_PER_OPERATION &&
    change.member.points >= cheapest.pointsCost &&
    change.member.vouchers.length < MAX_ACTIVE_VOUCHERS;
    converted++
  ) {
    const voucher = rewardVoucher(change, cheapest);
    const lots = change.debitLots(cheapest.pointsCost);
    change.set({ vouchers: [...change.member.vouchers, voucher] });
    change.post({
      ...details,
      type: "convert",
      points: -cheapest.pointsCost,
      lots,
      rewardId: cheapest.rewardId,
      vouchersIssued: [voucher],
    });
  }
};
