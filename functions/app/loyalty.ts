import { createHash } from "node:crypto";
import { DomainError, notFound, refused } from "../domain/errors.js";
import { addDays, localDay } from "../domain/loyalty/calendar.js";
import {
  accrue,
  type Ctx,
  currentView,
  enroll,
  purchase,
  redeemReward,
  redeemVoucher,
  referrerReward,
  refund,
  renew,
  type SpendWindow,
  settle,
  transfer,
} from "../domain/loyalty/engine.js";
import type { LedgerEntry, Member, MemberProfile } from "../domain/loyalty/member.js";
import { tierName } from "../domain/loyalty/tiers.js";
import type {
  MemberRepository,
  MemberWrite,
  Page,
  PageRequest,
  PartnerRepository,
  ProgramRepository,
} from "../domain/ports.js";
import type { Program } from "../domain/program.js";
import { issueKey } from "../shared/api-keys.js";
import {
  isValidCardCode,
  newCardCode,
  newReferralCode,
  normaliseCardCode,
  normaliseReferralCode,
  REFERRAL_CODE_PATTERN,
} from "../shared/codes.js";
import { ID_PATTERN, newId } from "../shared/ids.js";
import type {
  AccrualBody,
  EnrollmentBody,
  PartnerBody,
  PurchaseBody,
  RedemptionBody,
  RefundBody,
  TransferBody,
} from "./schemas.js";
import { claimedTransactionId, type IdempotencyClaim, memberWriter, outcomeWrites } from "./writes.js";

/**
 * Carnet's loyalty use cases: enrollment, the store API (purchases, refunds, redemptions), partner
 * accruals, transfers, renewals, member reads and the due-work sweep. Each reads what it needs, asks
 * the pure engine (functions/domain/loyalty) for the change and commits it through the member writer.
 */

export interface LoyaltyDeps {
  programs: Pick<ProgramRepository, "recent">;
  members: MemberRepository;
  partners: PartnerRepository;
  now?: () => Date;
  /** See WriterOptions.serialise. */
  serialise?: boolean;
  /** The customer's card link (`/c/{token}`), shown as `cardUrl`. */
  cardUrl?: (programId: string, memberId: string) => Promise<string>;
}

export interface StoreCaller {
  storeId: string;
  programId: string;
}

/** A member as a till names it: its id, and the card code it was named by, if any. */
interface MemberReference {
  memberId: string;
  cardCode?: string;
}

export const emailHash = (email: string): string =>
  createHash("sha256").update(email.trim().toLowerCase(), "utf8").digest("hex");

const summary = (m: Member) => ({ memberId: m.memberId, points: m.points, stamps: m.stamps, tier: m.tierId });

const HISTORY_ON_MEMBER = 10;

export const loyaltyService = ({
  programs,
  members,
  partners,
  now = () => new Date(),
  serialise = true,
  cardUrl,
}: LoyaltyDeps) => {
  const writer = memberWriter({ members, now, serialise });

  /** Programs change rarely: as recently read (data-model.md §10), so most requests read none. */
  const program = async (programId: string): Promise<Program> => {
    const p = await programs.recent(programId);
    if (!p) throw notFound("program", programId);
    return p;
  };

  const ctx = (p: Program): Ctx => ({ program: p, now: now(), ids: { voucher: () => newId("vch") } });

  const noSuchMember = () =>
    new DomainError("not_found", "member_not_found", "No member of this program has this card code or id.");

  /**
   * The member a till names: a member id, or the card's barcode value (spaces and dashes ignored).
   * A card code's member id may come from memory (it never changes owner); `named` then checks that
   * the member read still holds that code.
   */
  const memberIdOf = async (programId: string, reference: string): Promise<MemberReference> => {
    if (ID_PATTERN.test(reference) && reference.startsWith("mbr_")) return { memberId: reference };
    const code = normaliseCardCode(reference);
    if (/^\d{16}$/.test(code)) {
      if (!isValidCardCode(code)) {
        throw refused(
          "invalid_card_code",
          "This card code's check digit does not match: it was probably mistyped.",
        );
      }
      const id = await members.idByCardCode(programId, code);
      if (id) return { memberId: id, cardCode: code };
    }
    throw noSuchMember();
  };

  /** The member read for a reference, if it still holds the card code the reference named. */
  const named = (m: Member, reference: MemberReference): Member => {
    if (reference.cardCode !== undefined && m.cardCode !== reference.cardCode) throw noSuchMember();
    return m;
  };

  /**
   * The in-process queue a request waits in: the member as the till names it (card code or id). The
   * idempotency check comes first, so a replay never depends on the member still being found.
   */
  const queueOf = (programId: string, reference: string) => `${programId}:${normaliseCardCode(reference)}`;

  const memberOf = async (programId: string, memberId: string): Promise<Member> => {
    const m = await members.get(programId, memberId);
    if (m?.status !== "active") throw notFound("member", memberId);
    return m;
  };

  /** The member's spend per day over the tier window (read only when the program has tiers). */
  const spendOf = async (p: Program, memberId: string, at: Date): Promise<SpendWindow> => {
    if (p.rules.tiers.levels.length === 0) return {};
    const today = localDay(at, p.timeZone);
    return members.spend(memberId, addDays(today, -p.rules.tiers.windowDays + 1), today);
  };

  const view = (
    p: Program,
    stored: Member,
    profile: MemberProfile | undefined,
    history: Page<LedgerEntry>,
    link: string | undefined,
  ) => {
    const c = ctx(p);
    const m = currentView(stored, c);
    const today = localDay(c.now, p.timeZone);
    const lot = m.lots[0];
    const { warnDays } = p.rules.expiry;
    const { renewalReminderDays } = p.rules.validity;
    return {
      memberId: m.memberId,
      programId: m.programId,
      status: m.status,
      cardCode: m.cardCode,
      ...(link ? { cardUrl: link } : {}),
      referralCode: m.referralCode,
      ...(m.referredBy ? { referredBy: m.referredBy } : {}),
      email: profile?.email,
      firstName: profile?.firstName,
      lastName: profile?.lastName,
      points: m.points,
      stamps: m.stamps,
      stampCards: p.rules.stamps.cards.map((card) => ({
        category: card.category,
        stamps: m.stamps[card.category] ?? 0,
        stampsRequired: card.stampsRequired,
        rewardTitle: card.rewardTitle,
      })),
      tier:
        m.tierId === null
          ? null
          : { tierId: m.tierId, name: tierName(p.rules.tiers.levels, m.tierId), since: m.tierSince ?? null },
      windowSpendCents: m.windowSpendCents,
      vouchers: m.vouchers,
      pointsExpiring: lot ? { points: lot.points, after: lot.expiresOn } : null,
      expiringSoon: lot !== undefined && lot.expiresOn <= addDays(today, warnDays),
      card: {
        validUntil: m.validUntil,
        expired: m.validUntil !== null && m.validUntil < today,
        renewalDue: m.validUntil !== null && m.validUntil <= addDays(today, renewalReminderDays),
      },
      purchases: m.purchases,
      lastPurchaseAt: m.lastPurchaseAt ?? null,
      enrolledAt: m.enrolledAt,
      version: m.version,
      history: { items: history.items, ...(history.nextCursor ? { nextCursor: history.nextCursor } : {}) },
    };
  };

  /** The member as the merchant API shows it: member, profile and recent history in one read. */
  const memberView = async (p: Program, reference: MemberReference) => {
    const { memberId } = reference;
    const [snapshot, link] = await Promise.all([
      members.snapshot(p.programId, memberId, HISTORY_ON_MEMBER),
      cardUrl?.(p.programId, memberId),
    ]);
    if (!snapshot) throw notFound("member", memberId);
    return view(p, named(snapshot.member, reference), snapshot.profile, snapshot.history, link);
  };

  return {
    // -------------------------------------------------------------------------------- members

    async enroll(programId: string, body: EnrollmentBody) {
      const p = await program(programId);
      let referredBy: string | undefined;
      if (body.referralCode !== undefined) {
        const code = normaliseReferralCode(body.referralCode);
        const referrer = REFERRAL_CODE_PATTERN.test(code)
          ? await members.idByReferralCode(programId, code)
          : undefined;
        if (!referrer)
          throw refused("unknown_referral_code", "No member of this program has this referral code.");
        referredBy = referrer;
      }
      const at = now();
      for (let attempt = 0; attempt < 5; attempt++) {
        const member = enroll(
          {
            memberId: newId("mbr"),
            cardCode: newCardCode(),
            referralCode: newReferralCode(),
            ...(referredBy ? { referredBy } : {}),
          },
          p,
          at,
        );
        const profile: MemberProfile = {
          memberId: member.memberId,
          programId,
          email: body.email,
          ...(body.firstName ? { firstName: body.firstName } : {}),
          ...(body.lastName ? { lastName: body.lastName } : {}),
          ...(body.birthDate ? { birthDate: body.birthDate } : {}),
          locale: body.locale ?? p.locale,
          marketingConsent: body.marketingConsent,
          enrolledAt: member.enrolledAt,
          enrolledVia: "staff",
        };
        const result = await members.enroll({ member, profile, emailHash: emailHash(body.email) });
        if (result.kind === "enrolled") {
          return view(p, member, profile, { items: [] }, await cardUrl?.(p.programId, member.memberId));
        }
        if (result.kind === "email_taken") {
          throw new DomainError(
            "conflict",
            "member_already_enrolled",
            "This email is already a member of this program.",
            { memberId: result.memberId },
          );
        }
      }
      throw new Error("could not draw unique card and referral codes in 5 attempts");
    },

    async get(programId: string, memberId: string) {
      return memberView(await program(programId), { memberId });
    },

    async find(programId: string, query: { email?: string | undefined; cardCode?: string | undefined }) {
      const p = await program(programId);
      const byEmail = async () => {
        const memberId = await members.idByEmailHash(programId, emailHash(query.email ?? ""));
        return memberId === undefined ? undefined : { memberId };
      };
      const reference =
        query.email !== undefined
          ? await byEmail()
          : await memberIdOf(programId, query.cardCode ?? "").catch((e: unknown) => {
              if (e instanceof DomainError && e.kind === "not_found") return undefined;
              throw e;
            });
      if (!reference)
        throw new DomainError("not_found", "member_not_found", "No member of this program matches.");
      return memberView(p, reference);
    },

    async history(programId: string, memberId: string, page: PageRequest) {
      if (!(await members.get(programId, memberId))) throw notFound("member", memberId);
      return members.history(memberId, page);
    },

    async renew(programId: string, memberId: string, claim: IdempotencyClaim | undefined) {
      const p = await program(programId);
      await writer.write(
        claim,
        memberId,
        async () => {
          const m = await memberOf(programId, memberId);
          const outcome = renew(m, ctx(p));
          return { body: { memberId }, writes: outcomeWrites(outcome, m.version) };
        },
        200,
      );
      return memberView(p, { memberId });
    },

    async transfer(
      programId: string,
      fromId: string,
      body: TransferBody,
      claim: IdempotencyClaim | undefined,
    ) {
      const p = await program(programId);
      return writer.write(claim, fromId, async () => {
        const [from, to] = await Promise.all([
          memberOf(programId, fromId),
          memberOf(programId, body.toMemberId),
        ]);
        const transferId = newId("txn");
        const outcome = transfer(from, to, ctx(p), body.points, transferId);
        return {
          body: {
            transferId,
            points: body.points,
            from: summary(outcome.from.member),
            to: summary(outcome.to.member),
          },
          writes: [...outcomeWrites(outcome.from, from.version), ...outcomeWrites(outcome.to, to.version)],
        };
      });
    },

    // -------------------------------------------------------------------------------- store API

    async purchase(caller: StoreCaller, body: PurchaseBody, claim: IdempotencyClaim) {
      const p = await program(caller.programId);
      // The purchase's id comes from its Idempotency-Key, so its record holds the claim (writes.ts).
      const transactionId = claimedTransactionId(claim);
      return writer.write(claim, queueOf(caller.programId, body.member), async () => {
        const at = now();
        const reference = await memberIdOf(caller.programId, body.member);
        const { memberId } = reference;
        const [read, spend] = await Promise.all([
          memberOf(caller.programId, memberId),
          spendOf(p, memberId, at),
        ]);
        const m = named(read, reference);
        const c = ctx(p);
        const outcome = purchase(
          m,
          c,
          {
            amountCents: body.amountCents,
            currency: body.currency,
            channel: body.channel,
            items: body.items,
            occurredAt: body.occurredAt ? new Date(body.occurredAt) : at,
            paidWithMemberCard: body.paidWithMemberCard,
          },
          spend,
          { transactionId, storeId: caller.storeId },
        );
        const writes: MemberWrite[] = [
          ...outcomeWrites(outcome, m.version),
          { kind: "purchase", record: outcome.record, expectedRefundedCents: null },
          { kind: "spend", memberId, day: outcome.record.spendDay, cents: body.amountCents, purchases: 1 },
        ];
        let referralBonus: { refereePoints: number; referrerPoints: number } | undefined;
        if (outcome.referral) {
          const { referrerId, referrerPoints, refereePoints } = outcome.referral;
          const referrer = await members.get(caller.programId, referrerId);
          const reward = referrer
            ? referrerReward(referrer, c, memberId, referrerPoints, transactionId)
            : undefined;
          if (referrer && reward) writes.push(...outcomeWrites(reward, referrer.version));
          referralBonus = { refereePoints, referrerPoints: reward ? referrerPoints : 0 };
        }
        return {
          body: {
            transactionId,
            member: summary(outcome.member),
            pointsEarned: outcome.pointsEarned,
            vouchersIssued: outcome.vouchersIssued,
            ...(referralBonus ? { referralBonus } : {}),
          },
          writes,
        };
      });
    },

    async refund(caller: StoreCaller, body: RefundBody, claim: IdempotencyClaim) {
      const p = await program(caller.programId);
      return writer.write(claim, `refund:${body.transactionId}`, async () => {
        const record = await members.purchase(body.transactionId);
        if (record?.programId !== caller.programId) throw notFound("transaction", body.transactionId);
        const [m, spend] = await Promise.all([
          members.get(caller.programId, record.memberId),
          spendOf(p, record.memberId, now()),
        ]);
        if (m?.status !== "active") {
          throw refused(
            "member_erased",
            "The member of this purchase has been erased; nothing to take back.",
          );
        }
        const transactionId = newId("txn");
        const outcome = refund(m, ctx(p), record, body.amountCents, spend, {
          transactionId,
          storeId: caller.storeId,
        });
        return {
          body: {
            transactionId,
            refundOf: record.transactionId,
            amountCents: body.amountCents,
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
              cents: -body.amountCents,
              purchases: 0,
            },
          ],
        };
      });
    },

    async redeem(caller: StoreCaller, body: RedemptionBody, claim: IdempotencyClaim) {
      const p = await program(caller.programId);
      return writer.write(claim, queueOf(caller.programId, body.member), async () => {
        const reference = await memberIdOf(caller.programId, body.member);
        const m = named(await memberOf(caller.programId, reference.memberId), reference);
        const ids = { transactionId: newId("txn"), storeId: caller.storeId };
        const outcome =
          "voucherId" in body && body.voucherId !== undefined
            ? redeemVoucher(m, ctx(p), body.voucherId, ids)
            : redeemReward(m, ctx(p), body.rewardId ?? "", ids);
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

    // -------------------------------------------------------------------------------- partners

    async createPartner(programId: string, body: PartnerBody) {
      const partnerId = newId("prt");
      const key = issueKey("pk", partnerId);
      const partner = {
        partnerId,
        programId,
        name: body.name,
        pointsPerEuro: body.pointsPerEuro,
        apiKeyPrefix: key.prefix,
        createdAt: now().toISOString(),
      };
      if (!(await partners.create(partner, key.hash))) throw notFound("program", programId);
      return { ...partner, apiKey: key.key };
    },

    async accrue(
      caller: { partnerId: string; programId: string },
      body: AccrualBody,
      claim: IdempotencyClaim,
    ) {
      const p = await program(caller.programId);
      const partner = await partners.get(caller.programId, caller.partnerId);
      if (!partner) throw notFound("partner", caller.partnerId);
      return writer.write(claim, queueOf(caller.programId, body.member), async () => {
        const reference = await memberIdOf(caller.programId, body.member);
        const m = named(await memberOf(caller.programId, reference.memberId), reference);
        const outcome = accrue(m, ctx(p), {
          partnerId: partner.partnerId,
          pointsPerEuro: partner.pointsPerEuro,
          points: body.points,
          amountCents: body.amountCents,
          reference: body.reference,
        });
        return {
          body: {
            accrualId: newId("txn"),
            reference: body.reference,
            pointsCredited: outcome.points,
            member: summary(outcome.member),
          },
          writes: outcomeWrites(outcome, m.version),
        };
      });
    },

    // -------------------------------------------------------------------------------- sweep

    /**
     * Applies time to one member (expired points and vouchers, tier review). Idempotent: a member with
     * nothing due is left untouched. Returns whether anything was written.
     */
    async settle(memberId: string, programCache = new Map<string, Program | undefined>()): Promise<boolean> {
      for (let attempt = 0; attempt < 5; attempt++) {
        const m = await members.load(memberId);
        if (m?.status !== "active") return false;
        if (!programCache.has(m.programId)) programCache.set(m.programId, await programs.recent(m.programId));
        const p = programCache.get(m.programId);
        if (!p) return false;
        const outcome = settle(m, ctx(p), await spendOf(p, memberId, now()));
        if (!outcome) return false;
        if ((await members.commit(outcomeWrites(outcome, m.version), now())).kind === "committed")
          return true;
      }
      return false;
    },
  };
};

export type LoyaltyService = ReturnType<typeof loyaltyService>;
