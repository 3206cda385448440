import { localDay } from "../loyalty/calendar.js";
import type { Member } from "../loyalty/member.js";
import { liveOffersOf } from "../offers/holding.js";
import type { Program } from "../program.js";

/**
 * When a change to a member's Google Wallet card notifies the holder. Google shows at most 3 notifying
 * field updates (a PATCH with `notifyPreference: NOTIFY_ON_UPDATE`) per pass per 24 hours, and
 * throttles an issuer it finds spammy, so Carnet notifies only for news the holder cares about (a
 * voucher earned, an offer appearing on the card, a higher tier reached) and keeps its own budget per
 * object: the epoch seconds of the
 * notifying updates it sent, stored with the object. A change that deserves a notification while the
 * budget is spent is still sent, silently: the card is right, only the buzz is dropped (coalesced).
 * Messages are never sent as `TEXT_AND_NOTIFY` (google-card.ts), so this budget is the only way a
 * Carnet card notifies.
 */

/** What the Google card last showed that notifications are decided from (stored per object in the table). */
export interface GoogleShown {
  tierId: string | null;
  voucherIds: string[];
  /**
   * The live offers the card showed. Absent on objects stored before offers were on cards: what they
   * showed is unknown, and treating it as none would notify the holder of every offer they already
   * have, so no offer notifies until a sync has recorded them.
   */
  offerIds?: string[];
}

/** What the card shows of a member today (a day in the program's time zone): offers live today only. */
export const shownOf = (member: Member, today: string): GoogleShown => ({
  tierId: member.tierId,
  voucherIds: member.vouchers.map((v) => v.voucherId),
  offerIds: liveOffersOf(member, today).map((o) => o.offerId),
});

export type NotifyReason = "voucher_earned" | "offer" | "tier_reached";

/**
 * Why this change deserves a notification, or undefined for a silent update: a voucher id not shown
 * before (earned), an offer live `today` that the card did not show (it starts today, or was just
 * given), a tier higher in program.rules.tiers.levels order than the shown one (reached; a lower tier
 * or losing a tier is silent). Points, stamps, expiry, validity changes alone are silent, and so is an
 * offer ending. An update notifies once whatever its news, so the order only names the reason: a
 * voucher is value in hand (an offer that comes with a voucher is named after the voucher), an offer
 * is news that lapses, a tier is status.
 * The first sync after the object's insert (`shown` undefined) is silent: the insert was the holder's
 * own doing. So is every change to an erased member's card, a shown tier the program no longer has
 * (its levels changed: no way to tell up from down, and silence is the safe side), and any offer
 * while the offers shown are unknown (`offerIds` absent: stored before offers were on cards).
 */
export const notifyReason = (
  shown: GoogleShown | undefined,
  member: Member,
  program: Program,
  today: string,
): NotifyReason | undefined => {
  if (shown === undefined || member.status !== "active") return undefined;
  const before = new Set(shown.voucherIds);
  if (member.vouchers.some((v) => !before.has(v.voucherId))) return "voucher_earned";
  if (shown.offerIds !== undefined) {
    const offersBefore = new Set(shown.offerIds);
    if (liveOffersOf(member, today).some((o) => !offersBefore.has(o.offerId))) return "offer";
  }
  const levels = program.rules.tiers.levels;
  const rank = (tierId: string | null) =>
    tierId === null ? -1 : levels.findIndex((level) => level.tierId === tierId);
  const now = rank(member.tierId);
  const then = rank(shown.tierId);
  if (shown.tierId !== null && then === -1) return undefined;
  if (now > then) return "tier_reached";
  return undefined;
};

export const NOTIFICATIONS_PER_WINDOW = 3;
/**
 * Google's 24 hours plus a 10-minute margin: Carnet's clock and Google's may disagree a little, and a
 * notification Google counts in its window must never be counted out of Carnet's. With the margin, a
 * notifying update goes out only once the third-last one is more than 24 h 10 min old by Carnet's
 * clock, which also covers Carnet's own clocks (two Lambdas) differing by up to 10 minutes.
 */
export const NOTIFICATION_CLOCK_MARGIN_SECONDS = 10 * 60;
export const NOTIFICATION_WINDOW_SECONDS = 24 * 3600 + NOTIFICATION_CLOCK_MARGIN_SECONDS;

/** The sends still inside the window at `nowSeconds`, oldest first, at most NOTIFICATIONS_PER_WINDOW (the latest). */
const inWindow = (sentAt: readonly number[], nowSeconds: number): number[] =>
  sentAt
    .filter((at) => Number.isFinite(at) && at > nowSeconds - NOTIFICATION_WINDOW_SECONDS)
    .sort((a, b) => a - b)
    .slice(-NOTIFICATIONS_PER_WINDOW);

/** The budget: epoch seconds of the notifying updates sent, oldest first (≤ NOTIFICATIONS_PER_WINDOW kept). */
export const budgetLeft = (sentAt: readonly number[], nowSeconds: number): number =>
  Math.max(0, NOTIFICATIONS_PER_WINDOW - inWindow(sentAt, nowSeconds).length);

export interface NotificationDecision {
  notify: boolean;
  /** Why a notification was due (also when it was coalesced into a silent update). */
  reason?: NotifyReason;
  /** A notification was due but the budget is spent: the update goes out silently. */
  coalesced?: boolean;
  /** The budget to store: the sends inside the window, with this one when it notifies. */
  sentAt: number[];
}

/**
 * Decide: { notify: true, reason, sentAt: <new list including now, pruned to the window> } or
 * { notify: false, reason?: (when one was due but the budget is spent: coalesced into a silent
 * update), sentAt: <pruned list> }. A send recorded in the future (another clock ahead) counts as
 * inside the window. The offers live are those of `nowSeconds`' day in the program's time zone.
 */
export const decideNotification = (input: {
  shown: GoogleShown | undefined;
  member: Member;
  program: Program;
  sentAt: readonly number[];
  nowSeconds: number;
}): NotificationDecision => {
  const { shown, member, program, sentAt, nowSeconds } = input;
  const kept = inWindow(sentAt, nowSeconds);
  const today = localDay(new Date(nowSeconds * 1000), program.timeZone);
  const reason = notifyReason(shown, member, program, today);
  if (reason === undefined) return { notify: false, sentAt: kept };
  if (kept.length >= NOTIFICATIONS_PER_WINDOW)
    return { notify: false, reason, coalesced: true, sentAt: kept };
  return { notify: true, reason, sentAt: [...kept, nowSeconds].sort((a, b) => a - b) };
};
