import { notFound, rateLimited, refused } from "../../domain/errors.js";
import {
  type Ctx,
  purchase,
  redeemReward,
  redeemVoucher,
  referrerReward,
  refund,
} from "../../domain/loyalty/engine.js";
import type { LineItem, Member } from "../../domain/loyalty/member.js";
import type { MemberWrite } from "../../domain/ports.js";
import type { StoreLimits } from "../../domain/store.js";
import { newId } from "../../shared/ids.js";
import { rateScopes } from "../../shared/keys.js";
import { claimedTransactionId, type IdempotencyClaim, outcomeWrites } from "../writes.js";
import { type LoyaltyContext, summary } from "./context.js";

/** The store API: purchases, refunds and redemptions, each under the till's Idempotency-Key. */

export interface StoreCaller {
  storeId: string;
  programId: string;
  /** What the merchant capped on the store's key (read with the key). */
  limits?: StoreLimits | undefined;
}

export interface Purchase {
  /** The card's barcode value or the member id. */
  member: string;
  amountCents: number;
  currency: string;
  channel: "in_store" | "online";
  items: LineItem[];
  /** ISO date-time; now when absent. */
  occurredAt?: string | undefined;
  paidWithMemberCard: boolean;
}

export interface Refund {
  /** The purchase refunded. */
  transactionId: string;
  amountCents: number;
}

/** A voucher on the card, or a reward of the catalogue bought with points: exactly one is given. */
export interface Redemption {
  member: string;
  voucherId?: string | undefined;
  rewardId?: string | undefined;
}

export const storeApi = (c: LoyaltyContext) => {
  /** The referrer's reward for a referee's first purchase, when the referrer is still a member. */
  const referralWrites = async (
    context: Ctx,
    referee: Member,
    referral: { referrerId: string; referrerPoints: number; refereePoints: number },
    transactionId: string,
  ) => {
    const referrer = await c.members.get(context.program.programId, referral.referrerId);
    const reward = referrer
      ? referrerReward(referrer, context, referee.memberId, referral.referrerPoints, transactionId)
      : undefined;
    return {
      writes: referrer && reward ? outcomeWrites(reward, referrer.version) : [],
      bonus: { refereePoints: referral.refereePoints, referrerPoints: reward ? referral.referrerPoints : 0 },
    };
  };

  /**
   * The store key's limits, checked before anything is read: a purchase larger than the store may
   * record is refused (422), and beyond its purchases per minute every request is refused (429) until
   * the next minute — retries count, so a till that retries a refused purchase should wait Retry-After.
   */
  const withinLimits = async (caller: StoreCaller, input: Purchase) => {
    const { maxPurchaseCents, purchasesPerMinute } = caller.limits ?? {};
    if (maxPurchaseCents !== undefined && input.amountCents > maxPurchaseCents) {
      throw refused(
        "purchase_over_limit",
        `This store may record purchases of at most ${maxPurchaseCents} cents; the program's merchant can raise the store's limit.`,
        { maxPurchaseCents },
      );
    }
    if (purchasesPerMinute !== undefined) {
      if (!c.rates) throw new Error("a store key with a rate limit needs a RateCounter (LoyaltyDeps.rates)");
      const { retryAfterSeconds } = await c.rates.take(
        rateScopes.storePurchases(caller.storeId),
        purchasesPerMinute,
        60,
        c.now(),
      );
      if (retryAfterSeconds !== undefined) {
        throw rateLimited(
          "store_rate_limited",
          `This store may send ${purchasesPerMinute} purchases per minute; try again in ${retryAfterSeconds} s.`,
          retryAfterSeconds,
        );
      }
    }
  };

  return {
    async purchase(caller: StoreCaller, input: Purchase, claim: IdempotencyClaim) {
      await withinLimits(caller, input);
      const p = await c.program(caller.programId);
      // The purchase's id comes from its Idempotency-Key, so its record holds the claim (writes.ts).
      const transactionId = claimedTransactionId(claim);
      return c.writer.write(claim, c.queueOf(caller.programId, input.member), async () => {
        const at = c.now();
        const reference = await c.memberIdOf(caller.programId, input.member);
        const { memberId } = reference;
        const [read, spend] = await Promise.all([
          c.memberOf(caller.programId, memberId),
          c.spendOf(p, memberId, at),
        ]);
        const m = c.named(read, reference);
        const context = await c.ctx(p);
        const outcome = purchase(
          m,
          context,
          {
            amountCents: input.amountCents,
            currency: input.currency,
            channel: input.channel,
            items: input.items,
            occurredAt: input.occurredAt ? new Date(input.occurredAt) : at,
            paidWithMemberCard: input.paidWithMemberCard,
          },
          spend,
          { transactionId, storeId: caller.storeId },
        );
        const writes: MemberWrite[] = [
          ...outcomeWrites(outcome, m.version),
          { kind: "purchase", record: outcome.record, expectedRefundedCents: null },
          { kind: "spend", memberId, day: outcome.record.spendDay, cents: input.amountCents, purchases: 1 },
        ];
        const referral =
          outcome.referral && (await referralWrites(context, m, outcome.referral, transactionId));
        if (referral) writes.push(...referral.writes);
        return {
          body: {
            transactionId,
            member: summary(outcome.member),
            pointsEarned: outcome.pointsEarned,
            vouchersIssued: outcome.vouchersIssued,
            ...(referral ? { referralBonus: referral.bonus } : {}),
          },
          writes,
        };
      });
    },

    async refund(caller: StoreCaller, input: Refund, claim: IdempotencyClaim) {
      const p = await c.program(caller.programId);
      return c.writer.write(claim, `refund:${input.transactionId}`, async () => {
        const record = await c.members.purchase(input.transactionId);
        if (record?.programId !== caller.programId) throw notFound("transaction", input.transactionId);
        const [m, spend] = await Promise.all([
          c.members.get(caller.programId, record.memberId),
          c.spendOf(p, record.memberId, c.now()),
        ]);
        if (m?.status !== "active") {
          throw refused(
            "member_erased",
            "The member of this purchase has been erased; nothing to take back.",
          );
        }
        const transactionId = newId("txn");
        const outcome = refund(m, await c.ctx(p), record, input.amountCents, spend, {
          transactionId,
          storeId: caller.storeId,
        });
        return {
          body: {
            transactionId,
            refundOf: record.transactionId,
            amountCents: input.amountCents,
            refundableCentsLeft: outcome.record.amountCents - outcome.record.refundedCents,
            pointsTakenBack: outcome.pointsTakenBack,
            pointsNotRecovered: outcome.pointsNotRecovered,
            member: summary(outcome.member),
          },
          writes: [
            ...outcomeWrites(outcome, m.version),
            { kind: "purchase", record: outcome.record, expectedRefundedCents: record.refundedCents },
            {
              kind: "spend",
              memberId: m.memberId,
              day: record.spendDay,
              cents: -input.amountCents,
              purchases: 0,
            },
          ],
        };
      });
    },

    async redeem(caller: StoreCaller, input: Redemption, claim: IdempotencyClaim) {
      const p = await c.program(caller.programId);
      return c.writer.write(claim, c.queueOf(caller.programId, input.member), async () => {
        const reference = await c.memberIdOf(caller.programId, input.member);
        const m = c.named(await c.memberOf(caller.programId, reference.memberId), reference);
        const ids = { transactionId: newId("txn"), storeId: caller.storeId };
        const outcome =
          input.voucherId !== undefined
            ? redeemVoucher(m, await c.ctx(p), input.voucherId, ids)
            : redeemReward(m, await c.ctx(p), input.rewardId ?? "", ids);
        return {
          body: {
            redemptionId: ids.transactionId,
            voucher: { ...outcome.voucher, status: "redeemed" as const },
            pointsSpent: outcome.pointsSpent,
            member: summary(outcome.member),
          },
          writes: outcomeWrites(outcome, m.version),
        };
      });
    },
  };
};
