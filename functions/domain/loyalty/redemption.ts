import { DomainError, notFound, refused } from "../errors.js";
import { type Ctx, finish, type Outcome } from "./change.js";
import type { Member, Voucher } from "./member.js";
import { begin } from "./opening.js";
import { type Reward, rewardVoucher } from "./rewards.js";

/** Redemptions at the till: a voucher already on the card, or a reward of the catalogue bought with points. */

export interface RedemptionOutcome extends Outcome {
  voucher: Voucher;
  pointsSpent: number;
}

/** A voucher on the card, redeemed once at the till. */
export const redeemVoucher = (
  member: Member,
  ctx: Ctx,
  voucherId: string,
  ids: { transactionId: string; storeId: string },
): RedemptionOutcome => {
  const { change } = begin(member, ctx);
  const voucher = change.member.vouchers.find((v) => v.voucherId === voucherId);
  if (!voucher) {
    const closed = change.member.closedVouchers.find((v) => v.voucherId === voucherId);
    if (closed?.status === "redeemed") {
      throw new DomainError(
        "conflict",
        "voucher_already_redeemed",
        `Voucher '${voucherId}' was redeemed at ${closed.at}.`,
      );
    }
    if (closed?.status === "expired") throw refused("voucher_expired", `Voucher '${voucherId}' has expired.`);
    throw notFound("voucher", voucherId);
  }
  change.closeVoucher(voucherId, "redeemed");
  change.post({ type: "redeem", points: 0, voucherRedeemed: voucherId, ...ids });
  return { ...finish(change), voucher, pointsSpent: 0 };
};

/** The reward of the program's catalogue, or `not_found`. */
const catalogueReward = (ctx: Ctx, rewardId: string): Reward => {
  const reward = ctx.program.rules.rewards.catalogue.find((r) => r.rewardId === rewardId);
  if (!reward) throw notFound("reward", rewardId);
  return reward;
};

/** A reward of the catalogue bought with points at the till: the voucher is issued and used at once. */
export const redeemReward = (
  member: Member,
  ctx: Ctx,
  rewardId: string,
  ids: { transactionId: string; storeId: string },
): RedemptionOutcome => {
  const { change, checked: reward } = begin(member, ctx, { check: () => catalogueReward(ctx, rewardId) });
  if (change.member.points < reward.pointsCost) {
    throw refused(
      "insufficient_points",
      `'${reward.title}' costs ${reward.pointsCost} points; the member has ${change.member.points}.`,
      { pointsCost: reward.pointsCost, points: change.member.points },
    );
  }
  const voucher = rewardVoucher(change, reward);
  change.closeVoucher(voucher.voucherId, "redeemed");
  change.post({
    type: "redeem",
    points: -reward.pointsCost,
    lots: change.debitLots(reward.pointsCost),
    rewardId,
    vouchersIssued: [voucher],
    voucherRedeemed: voucher.voucherId,
    ...ids,
  });
  return { ...finish(change), voucher, pointsSpent: reward.pointsCost };
};
