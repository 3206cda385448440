import { endOfMonthAfter } from "./calendar.js";
import { type Counts, countsOf } from "./counts.js";
import type { Lot } from "./member.js";

/**
 * Points expiry, FIFO. When the program's points expire (`rules.expiry.months`), every credit lands
 * in a lot named by its expiry day: the last day of the month `months` after the credit's month
 * (points earned any day of November 2026 with 12 months expire after 30 November 2027 — the usual
 * "end of month" rule, which keeps at most months + 1 lots per member). Every debit consumes the
 * oldest lots first. With expiry on, the balance always equals the sum of the lots.
 *
 * Functions here return the lot deltas, keyed by expiry day, that the ledger entry records.
 */

export type LotDelta = Counts;

export const lotExpiry = (creditDay: string, months: number): string => endOfMonthAfter(creditDay, months);

/** Lots to debit `points` from, oldest first. Never takes more than the lots hold. */
export const debitFifo = (lots: readonly Lot[], points: number): LotDelta => {
  const delta = new Map<string, number>();
  let left = points;
  for (const lot of lots) {
    if (left <= 0) break;
    const take = Math.min(lot.points, left);
    delta.set(lot.expiresOn, -take);
    left -= take;
  }
  return countsOf(delta);
};

/** Lots whose last day is before `today`: all their points expire. */
export const expiredLots = (lots: readonly Lot[], today: string): LotDelta =>
  Object.fromEntries(lots.filter((l) => l.expiresOn < today).map((l) => [l.expiresOn, -l.points]));

export const sumDelta = (delta: LotDelta): number => Object.values(delta).reduce((s, v) => s + v, 0);

/** A lot delta turned around (what one member's debit becomes as the other's credit). */
export const negate = (delta: LotDelta): LotDelta =>
  Object.fromEntries(Object.entries(delta).map(([k, v]) => [k, -v]));
