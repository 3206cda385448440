import type { Member } from "../loyalty/member.js";
import type { Program } from "../program.js";

/**
 * When a change to a member's Google Wallet card notifies the holder. Google shows at most 3 notifying
 * field updates (a PATCH with `notifyPreference: NOTIFY_ON_UPDATE`) per pass per 24 hours, and
 * throttles an issuer it finds spammy, so Carnet notifies only for news the holder cares about (a
 * voucher earned, a higher tier reached) and keeps its own budget per object: the epoch seconds of the
 * notifying updates it sent, stored with the object. A change that deserves a notification while the
 * budget is spent is still sent, silently: the card is right, only the buzz is dropped (coalesced).
 * Messages are never sent as `TEXT_AND_NOTIFY` (google-card.ts), so this budget is the only way a
 * Carnet card notifies.
 */

/** What the Google card last showed that notifications are decided from (stored per object in the table). */
export interface GoogleShown {
  tierId: string | null;
  voucherIds: string[];
}

export const shownOf = (member: Member): GoogleShown => ({
  tierId: member.tierId,
  voucherIds: member.vouchers.map((v) => v.voucherId),
});

/** `offer` is kept for offers (planned): nothing returns it yet. */
export type NotifyReason = "voucher_earned" | "tier_reached" | "offer";

/**
 * Why this change deserves a notification, or undefined for a silent update: a voucher id not shown
 * before (earned), a tier higher in program.rules.tiers.levels order than the shown one (reached; a
 * lower tier or losing a tier is silent). Points, stamps, expiry, validity changes alone are silent.
 * The first sync after the object's insert (`shown` undefined) is silent: the insert was the holder's
 * own doing. So is every change to an erased member's card, and a shown tier the program no longer has
 * (its levels changed: no way to tell up from down, and silence is the safe side).
 */
export const notifyReason = (
  shown: GoogleShown | undefined,
  member: Member,
  program: Program,
): NotifyReason | undefined => {
  if (shown === undefined || member.status !== "active") return undefined;
  const before = new Set(shown.voucherIds);
  if (member.vouchers.some((v) => !before.has(v.voucherId))) return "voucher_earned";
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
 * inside the window.
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
  const reason = notifyReason(shown, member, program);
  if (reason === undefined) return { notify: false, sentAt: kept };
  if (kept.length >= NOTIFICATIONS_PER_WINDOW)
    return { notify: false, reason, coalesced: true, sentAt: kept };
  return { notify: true, reason, sentAt: [...kept, nowSeconds].sort((a, b) => a - b) };
};
