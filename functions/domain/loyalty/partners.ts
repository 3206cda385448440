import { refused } from "../errors.js";
import { type Ctx, finish, type Outcome } from "./change.js";
import { basePointsNumerator, roundFraction } from "./earn.js";
import { negate } from "./lots.js";
import type { Member } from "./member.js";
import { assertActive, begin } from "./opening.js";
import { autoConvert } from "./rewards.js";

/**
 * Points that do not come from a purchase at the program's tills: accruals by partner merchants (within
 * a daily cap per member) and transfers between two members of the program (within a daily cap too).
 */

export interface AccrualInput {
  partnerId: string;
  /** The partner's rate for accruals given as an amount; points per currency unit. */
  pointsPerEuro: number;
  points?: number | undefined;
  amountCents?: number | undefined;
  reference: string;
}

/** Points credited by a partner merchant, within the program's per-member daily cap for all partners. */
export const accrue = (member: Member, ctx: Ctx, input: AccrualInput): Outcome & { points: number } => {
  const { change } = begin(member, ctx, { validCard: true });
  const points =
    input.points ??
    roundFraction(
      basePointsNumerator(
        { pointsPerEuro: input.pointsPerEuro, minimumBasketCents: 0, rounding: "floor", bands: [] },
        input.amountCents ?? 0,
      ),
      10_000n,
      "floor",
    );
  if (points <= 0) throw refused("no_points", "This accrual is worth no points.");
  const cap = change.rules.partners.dailyCapPointsPerMember;
  const today = change.today;
  const used = member.partnerDay?.day === today ? member.partnerDay.points : 0;
  if (used + points > cap) {
    throw refused(
      "daily_cap_exceeded",
      `Partners may credit at most ${cap} points a day to a member; ${cap - used} are left today.`,
      { cap, remainingToday: cap - used },
    );
  }
  change.post({
    type: "partner",
    points,
    lots: change.creditLots(points),
    partnerId: input.partnerId,
    reference: input.reference,
    ...(input.amountCents !== undefined ? { amountCents: input.amountCents } : {}),
  });
  change.set({ partnerDay: { day: today, points: used + points } });
  autoConvert(change, { partnerId: input.partnerId, reference: input.reference });
  return { ...finish(change), points };
};

/** A transfer's own refusals: the receiver must be active, transfers allowed, another member, enough points. */
const checkTransfer = (ctx: Ctx, from: Member, to: Member, points: number): void => {
  assertActive(to);
  const rules = ctx.program.rules.transfers;
  if (!rules.enabled) throw refused("transfers_disabled", "This program does not allow point transfers.");
  if (from.memberId === to.memberId)
    throw refused("same_member", "A member cannot transfer points to themselves.");
  if (points < rules.minPoints) {
    throw refused("transfer_too_small", `Transfers start at ${rules.minPoints} points.`, {
      minPoints: rules.minPoints,
    });
  }
};

/**
 * Moves points between two members of one program. The sender's oldest lots go, and arrive with their
 * own expiry days: a transfer never extends a point's life.
 */
export const transfer = (
  from: Member,
  to: Member,
  ctx: Ctx,
  points: number,
  transferId: string,
): { from: Outcome; to: Outcome } => {
  const { change: sender } = begin(from, ctx, { check: () => checkTransfer(ctx, from, to, points) });
  const { change: receiver } = begin(to, ctx);
  const rules = ctx.program.rules.transfers;
  const today = sender.today;
  const sent = from.transferDay?.day === today ? from.transferDay.points : 0;
  if (sent + points > rules.maxPointsPerDay) {
    throw refused(
      "daily_cap_exceeded",
      `A member may send at most ${rules.maxPointsPerDay} points a day; ${rules.maxPointsPerDay - sent} are left today.`,
      { cap: rules.maxPointsPerDay, remainingToday: rules.maxPointsPerDay - sent },
    );
  }
  if (sender.member.points < points) {
    throw refused("insufficient_points", `The member has ${sender.member.points} points.`, {
      points: sender.member.points,
    });
  }
  const lots = sender.debitLots(points);
  sender.post({
    type: "transfer_out",
    points: -points,
    lots,
    counterpartMemberId: to.memberId,
    transactionId: transferId,
  });
  sender.set({ transferDay: { day: today, points: sent + points } });
  receiver.post({
    type: "transfer_in",
    points,
    lots: negate(lots),
    counterpartMemberId: from.memberId,
    transactionId: transferId,
  });
  autoConvert(receiver, { transactionId: transferId });
  return { from: finish(sender), to: finish(receiver) };
};
