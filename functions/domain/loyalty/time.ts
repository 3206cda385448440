import { addDays } from "./calendar.js";
import type { Change } from "./change.js";
import { countOf } from "./counts.js";
import { expiredLots, sumDelta } from "./lots.js";
import type { Member } from "./member.js";
import type { SpendWindow } from "./records.js";
import { tierFor } from "./tiers.js";

/**
 * What time does to a member on its own: points expire (FIFO lots), vouchers expire, a change of the
 * expiry rule takes effect, and the tier is reviewed over the spend window. `begin` (opening.ts)
 * applies it at the start of every operation; the scheduled sweep applies it through `settle`.
 */

/** The member's spend over the tier window ending `today` (days outside it are ignored). */
export const windowSpend = (spend: SpendWindow, today: string, windowDays: number): number => {
  const from = addDays(today, -windowDays + 1);
  let total = 0;
  for (const [day, cents] of Object.entries(spend)) if (day >= from && day <= today) total += cents;
  return total;
};

/** Re-evaluates the tier from the window's spend and notes when the window next loses a day of spend. */
export const reviewTier = (change: Change, spend: SpendWindow): void => {
  const { windowDays, levels } = change.rules.tiers;
  const today = change.today;
  // Without tiers there is no window to keep: its spend is not read (app/loyalty/context.ts, spendOf),
  // so it is 0 rather than whatever the operation at hand adds to an empty window.
  const total = levels.length === 0 ? 0 : windowSpend(spend, today, windowDays);
  const tierId = levels.length === 0 ? null : tierFor(levels, total, change.member.tierId);
  const from = addDays(today, -windowDays + 1);
  const [oldest] = Object.keys(spend)
    .filter((d) => d >= from && d <= today && countOf(spend, d) > 0)
    .sort();
  const patch: Partial<Member> = { tierId, windowSpendCents: total };
  if (tierId !== change.member.tierId) patch.tierSince = change.ctx.now.toISOString();
  change.set(patch);
  const { tierReviewOn: _, ...rest } = change.member;
  change.member =
    tierId !== null && oldest !== undefined ? { ...rest, tierReviewOn: addDays(oldest, windowDays) } : rest;
};

/**
 * Applies what time has done since the member last changed: expired points (FIFO lots whose last day
 * has passed), expired vouchers, a change of the expiry rule, and — given the spend window — the tier.
 * Run first by every operation (lazily) and by the scheduled sweep.
 */
export const applyTime = (change: Change, spend?: SpendWindow): void => {
  const { member, today } = change;
  const months = change.rules.expiry.months;
  const lotsTotal = member.lots.reduce((s, l) => s + l.points, 0);
  if (months === null && member.lots.length > 0) {
    change.post({
      type: "adjust",
      points: 0,
      lots: Object.fromEntries(member.lots.map((l) => [l.expiresOn, -l.points])),
      note: "points no longer expire",
    });
  } else if (months !== null && lotsTotal < member.points) {
    change.post({
      type: "adjust",
      points: 0,
      lots: change.creditLots(member.points - lotsTotal),
      note: "points now expire; the existing balance expires as if earned today",
    });
  }
  const expired = expiredLots(change.member.lots, today);
  if (Object.keys(expired).length > 0) {
    change.post({ type: "expire", points: sumDelta(expired), lots: expired });
  }
  const gone = change.member.vouchers.filter((v) => v.validTo < today);
  if (gone.length > 0) {
    for (const v of gone) change.closeVoucher(v.voucherId, "expired");
    change.post({ type: "voucher", points: 0, vouchersExpired: gone.map((v) => v.voucherId) });
  }
  if (spend !== undefined) reviewTier(change, spend);
};
