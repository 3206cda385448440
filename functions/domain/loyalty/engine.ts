import { DomainError, notFound, refused } from "../errors.js";
import type { Program } from "../program.js";
import type { Rules } from "../rules.js";
import { addDays, addMonths, localDay, startOfDay } from "./calendar.js";
import { basePointsNumerator, earnPoints, roundFraction } from "./earn.js";
import { debitFifo, expiredLots, type LotDelta, lotExpiry, negate, sumDelta } from "./lots.js";
import {
  applyDeltas,
  balanceOf,
  type ClosedVoucher,
  type LedgerEntry,
  type LineItem,
  MAX_ACTIVE_VOUCHERS,
  MAX_CLOSED_VOUCHERS,
  type Member,
  type Voucher,
} from "./member.js";
import type { PurchaseRecord } from "./records.js";
import { tierFor, tierMultiplier } from "./tiers.js";

export type { PurchaseRecord };

/**
 * The loyalty engine: every operation on a member as a pure function of the member, the program and
 * the clock. Each returns the member's next state and the ledger entries that explain the change;
 * storage writes both in one transaction, conditioned on the version this was computed from, and
 * recomputes from scratch when it lost a race. Nothing here does I/O.
 */

export type ProgramRules = Pick<Program, "programId" | "rules" | "timeZone" | "currency">;

export interface Ctx {
  program: ProgramRules;
  now: Date;
  ids: { voucher(): string };
}

/** The member's spend per day (program time zone) over the tier window ending today. */
export type SpendWindow = Record<string, number>;

export type LedgerDraft = Omit<LedgerEntry, "seq" | "balanceAfter" | "at" | "stamps" | "lots"> & {
  stamps?: Record<string, number>;
  lots?: LotDelta;
};

/** A change being built: the member's state so far and the entries posted to reach it. */
class Change {
  readonly entries: LedgerEntry[] = [];
  readonly vouchersIssued: Voucher[] = [];
  member: Member;

  constructor(
    readonly before: Member,
    readonly ctx: Ctx,
  ) {
    this.member = before;
  }

  get today(): string {
    return localDay(this.ctx.now, this.ctx.program.timeZone);
  }

  get rules(): Rules {
    return this.ctx.program.rules;
  }

  post(draft: LedgerDraft): LedgerEntry {
    const { stamps = {}, lots = {}, ...rest } = draft;
    const balance = applyDeltas(balanceOf(this.member), { points: draft.points, stamps, lots });
    if (balance.points < 0) throw new Error(`ledger entry would make the balance negative: ${draft.type}`);
    const entry: LedgerEntry = {
      ...rest,
      seq: this.member.ledgerSeq + 1,
      at: this.ctx.now.toISOString(),
      stamps,
      lots,
      balanceAfter: balance.points,
    };
    this.member = { ...this.member, ...balance, ledgerSeq: entry.seq };
    this.entries.push(entry);
    return entry;
  }

  /** Lot deltas for a credit of `points` on `day`: one lot, or none when points never expire. */
  creditLots(points: number, day: string = this.today): LotDelta {
    const months = this.rules.expiry.months;
    return months === null || points <= 0 ? {} : { [lotExpiry(day, months)]: points };
  }

  debitLots(points: number): LotDelta {
    return this.rules.expiry.months === null ? {} : debitFifo(this.member.lots, points);
  }

  newVoucher(
    v: Pick<Voucher, "title" | "kind" | "valueCents" | "description" | "source" | "sourceId">,
    validDays: number,
  ): Voucher {
    const voucher: Voucher = {
      ...v,
      voucherId: this.ctx.ids.voucher(),
      issuedAt: this.ctx.now.toISOString(),
      validTo: addDays(this.today, validDays),
    };
    this.vouchersIssued.push(voucher);
    return voucher;
  }

  closeVoucher(voucherId: string, status: ClosedVoucher["status"]): void {
    this.member = {
      ...this.member,
      vouchers: this.member.vouchers.filter((v) => v.voucherId !== voucherId),
      closedVouchers: [
        { voucherId, status, at: this.ctx.now.toISOString() },
        ...this.member.closedVouchers,
      ].slice(0, MAX_CLOSED_VOUCHERS),
    };
  }

  set(patch: Partial<Member>): void {
    this.member = { ...this.member, ...patch };
  }
}

export interface Outcome {
  member: Member;
  entries: LedgerEntry[];
  vouchersIssued: Voucher[];
}

const assertActive = (member: Member): void => {
  if (member.status !== "active") throw notFound("member", member.memberId);
};

// ---------------------------------------------------------------------------------------------
// What the card shows, and when the member next needs the sweep

/** Everything a wallet pass shows; a change to it bumps `passUpdatedAt` (the pass update tag). */
export const cardView = (m: Member) => ({
  status: m.status,
  points: m.points,
  stamps: m.stamps,
  tierId: m.tierId,
  vouchers: m.vouchers.map((v) => v.voucherId),
  validUntil: m.validUntil,
  nextLot: m.lots[0] ?? null,
});

/** The earliest instant something changes on its own (a lot or voucher expires, the tier is reviewed). */
export const nextDue = (m: Member, timeZone: string): string | undefined => {
  if (m.status !== "active") return undefined;
  const days: string[] = [];
  const firstLot = m.lots[0];
  if (firstLot) days.push(addDays(firstLot.expiresOn, 1));
  for (const v of m.vouchers) days.push(addDays(v.validTo, 1));
  if (m.tierReviewOn !== undefined) days.push(m.tierReviewOn);
  if (days.length === 0) return undefined;
  days.sort();
  return startOfDay(days[0] as string, timeZone).toISOString();
};

const finish = (change: Change): Outcome => {
  const { before, ctx } = change;
  let member = change.member;
  const changed = JSON.stringify(cardView(before)) !== JSON.stringify(cardView(member));
  const nowSec = Math.floor(ctx.now.getTime() / 1000);
  const due = nextDue(member, ctx.program.timeZone);
  member = {
    ...member,
    version: before.version + 1,
    passUpdatedAt: changed ? Math.max(nowSec, before.passUpdatedAt + 1) : before.passUpdatedAt,
  };
  if (due === undefined) delete member.dueAt;
  else member.dueAt = due;
  return { member, entries: change.entries, vouchersIssued: change.vouchersIssued };
};

// ---------------------------------------------------------------------------------------------
// Time: expiry, vouchers, tier review

/** The member's spend over the tier window ending `today` (days outside it are ignored). */
export const windowSpend = (spend: SpendWindow, today: string, windowDays: number): number => {
  const from = addDays(today, -windowDays + 1);
  let total = 0;
  for (const [day, cents] of Object.entries(spend)) if (day >= from && day <= today) total += cents;
  return total;
};

/** Re-evaluates the tier from the window's spend and notes when the window next loses a day of spend. */
const reviewTier = (change: Change, spend: SpendWindow): void => {
  const { windowDays, levels } = change.rules.tiers;
  const today = change.today;
  const total = windowSpend(spend, today, windowDays);
  const tierId = levels.length === 0 ? null : tierFor(levels, total, change.member.tierId);
  const from = addDays(today, -windowDays + 1);
  const [oldest] = Object.keys(spend)
    .filter((d) => d >= from && d <= today && (spend[d] ?? 0) > 0)
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
const applyTime = (change: Change, spend?: SpendWindow): void => {
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

/** The scheduled sweep's work on one member; `undefined` when nothing is due. */
export const settle = (member: Member, ctx: Ctx, spend: SpendWindow | undefined): Outcome | undefined => {
  if (member.status !== "active") return undefined;
  const change = new Change(member, ctx);
  applyTime(change, spend);
  issueStampVouchers(change);
  const outcome = finish(change);
  const same =
    outcome.entries.length === 0 &&
    JSON.stringify(cardView(member)) === JSON.stringify(cardView(outcome.member)) &&
    member.dueAt === outcome.member.dueAt &&
    member.windowSpendCents === outcome.member.windowSpendCents &&
    member.tierReviewOn === outcome.member.tierReviewOn;
  return same ? undefined : outcome;
};

/** The member as of now without writing anything (what GET shows before the sweep has run). */
export const currentView = (member: Member, ctx: Ctx): Member => {
  if (member.status !== "active") return member;
  const change = new Change(member, { ...ctx, ids: { voucher: () => "vch_pending" } });
  applyTime(change);
  return change.member;
};

// ---------------------------------------------------------------------------------------------
// Enrollment, validity

export interface NewMember {
  memberId: string;
  cardCode: string;
  referralCode: string;
  referredBy?: string;
}

export const enroll = (ids: NewMember, program: ProgramRules, now: Date): Member => {
  const today = localDay(now, program.timeZone);
  const months = program.rules.validity.cardMonths;
  return {
    ...ids,
    programId: program.programId,
    status: "active",
    version: 1,
    ledgerSeq: 0,
    referralPending: ids.referredBy !== undefined,
    points: 0,
    stamps: {},
    lots: [],
    tierId: null,
    windowSpendCents: 0,
    vouchers: [],
    closedVouchers: [],
    validUntil: months === null ? null : addMonths(today, months),
    enrolledAt: now.toISOString(),
    purchases: 0,
    passUpdatedAt: Math.floor(now.getTime() / 1000),
    passAuthGeneration: 0,
    devices: 0,
  };
};

const assertCardValid = (change: Change): void => {
  const { validUntil } = change.member;
  if (validUntil !== null && validUntil < change.today) {
    throw refused(
      "card_expired",
      `This card was valid until ${validUntil}; renew it before crediting points.`,
      { validUntil },
    );
  }
};

/** Renews the card for `validity.cardMonths` from its end (or from today when it has lapsed). */
export const renew = (member: Member, ctx: Ctx): Outcome => {
  assertActive(member);
  const months = ctx.program.rules.validity.cardMonths;
  if (months === null) throw refused("card_never_expires", "Cards of this program never expire.");
  const change = new Change(member, ctx);
  applyTime(change);
  const from =
    member.validUntil !== null && member.validUntil > change.today ? member.validUntil : change.today;
  change.set({ validUntil: addMonths(from, months) });
  change.post({ type: "renewal", points: 0, note: `valid until ${change.member.validUntil}` });
  return finish(change);
};

// ---------------------------------------------------------------------------------------------
// Stamps and rewards

/** Full stamp cards become vouchers ("buy N, get 1 free"), as long as the member has room for them. */
const issueStampVouchers = (change: Change, details: Partial<LedgerDraft> = {}): void => {
  for (const card of change.rules.stamps.cards) {
    const issued: Voucher[] = [];
    while (
      (change.member.stamps[card.category] ?? 0) - issued.length * card.stampsRequired >=
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
        stamps: { [card.category]: -issued.length * card.stampsRequired },
        vouchersIssued: issued,
      });
    }
  }
};

type Reward = Rules["rewards"]["catalogue"][number];

const rewardVoucher = (change: Change, reward: Reward): Voucher =>
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
const autoConvert = (change: Change, details: Partial<LedgerDraft>): void => {
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

// ---------------------------------------------------------------------------------------------
// Purchases and refunds

export interface PurchaseInput {
  amountCents: number;
  currency: string;
  channel: "in_store" | "online";
  items: LineItem[];
  occurredAt: Date;
  paidWithMemberCard: boolean;
}

export interface PurchaseOutcome extends Outcome {
  pointsEarned: number;
  referral?: { referrerId: string; referrerPoints: number; refereePoints: number };
  record: PurchaseRecord;
}

/** How far back a till may date a purchase (offline tills catching up), and how far ahead (clock skew). */
export const MAX_PURCHASE_AGE_DAYS = 30;
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const purchase = (
  member: Member,
  ctx: Ctx,
  input: PurchaseInput,
  spend: SpendWindow,
  ids: { transactionId: string; storeId: string },
): PurchaseOutcome => {
  assertActive(member);
  const { program, now } = ctx;
  if (input.currency !== program.currency) {
    throw refused(
      "currency_mismatch",
      `This program counts in ${program.currency}; the purchase is in ${input.currency}.`,
    );
  }
  if (input.occurredAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw refused("occurred_in_future", "occurredAt is in the future.");
  }
  if (input.occurredAt.getTime() < now.getTime() - MAX_PURCHASE_AGE_DAYS * 86_400_000) {
    throw refused("occurred_too_long_ago", `occurredAt is more than ${MAX_PURCHASE_AGE_DAYS} days ago.`);
  }
  const change = new Change(member, ctx);
  assertCardValid(change);
  // The tier the member walks in with: reviewed first, so a lapsed tier's multiplier does not apply.
  applyTime(change, change.rules.tiers.levels.length > 0 ? spend : undefined);
  const rules = change.rules;
  const spendDay = localDay(input.occurredAt, program.timeZone);
  const common = { transactionId: ids.transactionId, storeId: ids.storeId };

  const earned = earnPoints(rules, {
    amountCents: input.amountCents,
    lines: input.items.map((i) => ({ category: i.category, cents: i.quantity * i.unitCents })),
    channel: input.channel,
    paidWithMemberCard: input.paidWithMemberCard,
    occurredAt: input.occurredAt,
    tierMultiplier: tierMultiplier(rules.tiers.levels, change.member.tierId),
  });
  const stamps: Record<string, number> = {};
  for (const card of rules.stamps.cards) {
    const count = input.items.filter((i) => i.category === card.category).reduce((s, i) => s + i.quantity, 0);
    if (count > 0) stamps[card.category] = count;
  }
  change.post({
    ...common,
    type: "earn",
    points: earned.points,
    lots: change.creditLots(earned.points, spendDay),
    stamps,
    amountCents: input.amountCents,
    currency: input.currency,
    channel: input.channel,
    occurredAt: input.occurredAt.toISOString(),
    ...(input.items.length > 0 ? { items: input.items } : {}),
    ...(earned.campaignIds.length > 0 ? { campaignIds: earned.campaignIds } : {}),
  });
  issueStampVouchers(change, common);

  let referral: PurchaseOutcome["referral"];
  if (member.referralPending && member.referredBy !== undefined) {
    const { enabled, refereePoints, referrerPoints } = rules.referral;
    change.set({ referralPending: false });
    if (enabled) {
      referral = { referrerId: member.referredBy, referrerPoints, refereePoints };
      if (refereePoints > 0) {
        change.post({
          ...common,
          type: "referral",
          points: refereePoints,
          lots: change.creditLots(refereePoints),
          counterpartMemberId: member.referredBy,
        });
      }
    }
  }
  autoConvert(change, common);
  reviewTier(change, { ...spend, [spendDay]: (spend[spendDay] ?? 0) + input.amountCents });
  change.set({
    purchases: member.purchases + 1,
    lastPurchaseAt:
      member.lastPurchaseAt !== undefined && member.lastPurchaseAt > input.occurredAt.toISOString()
        ? member.lastPurchaseAt
        : input.occurredAt.toISOString(),
  });
  return {
    ...finish(change),
    pointsEarned: earned.points,
    ...(referral ? { referral } : {}),
    record: {
      ...common,
      programId: program.programId,
      memberId: member.memberId,
      amountCents: input.amountCents,
      currency: input.currency,
      occurredAt: input.occurredAt.toISOString(),
      spendDay,
      pointsEarned: earned.points,
      stampsEarned: stamps,
      refundedCents: 0,
      pointsRefunded: 0,
      stampsRefunded: false,
    },
  };
};

/** The referrer's side of a referral: their reward for the referee's first purchase. */
export const referrerReward = (
  referrer: Member,
  ctx: Ctx,
  refereeId: string,
  points: number,
  transactionId: string,
): Outcome | undefined => {
  if (referrer.status !== "active" || points <= 0) return undefined;
  const change = new Change(referrer, ctx);
  applyTime(change);
  change.post({
    type: "referral",
    points,
    lots: change.creditLots(points),
    counterpartMemberId: refereeId,
    transactionId,
  });
  autoConvert(change, { transactionId });
  return finish(change);
};

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
  assertActive(member);
  const left = record.amountCents - record.refundedCents;
  if (amountCents > left) {
    throw refused("refund_exceeds_purchase", `Only ${left} cents of this purchase are left to refund.`, {
      refundableCents: left,
    });
  }
  const change = new Change(member, ctx);
  applyTime(change);
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
  const stamps: Record<string, number> = {};
  const full = refundedCents === record.amountCents;
  if (full && !record.stampsRefunded) {
    for (const [category, n] of Object.entries(record.stampsEarned)) {
      const back = Math.min(n, change.member.stamps[category] ?? 0);
      if (back > 0) stamps[category] = -back;
    }
  }
  change.post({
    type: "refund",
    points: -take,
    lots: change.debitLots(take),
    stamps,
    transactionId: ids.transactionId,
    storeId: ids.storeId,
    reference: record.transactionId,
    amountCents,
    currency: record.currency,
  });
  const spendAfter = { ...spend };
  if (spendAfter[record.spendDay] !== undefined) {
    spendAfter[record.spendDay] = Math.max(0, (spendAfter[record.spendDay] ?? 0) - amountCents);
  }
  reviewTier(change, spendAfter);
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

// ---------------------------------------------------------------------------------------------
// Redemptions

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
  assertActive(member);
  const change = new Change(member, ctx);
  applyTime(change);
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

/** A reward of the catalogue bought with points at the till: the voucher is issued and used at once. */
export const redeemReward = (
  member: Member,
  ctx: Ctx,
  rewardId: string,
  ids: { transactionId: string; storeId: string },
): RedemptionOutcome => {
  assertActive(member);
  const reward = ctx.program.rules.rewards.catalogue.find((r) => r.rewardId === rewardId);
  if (!reward) throw notFound("reward", rewardId);
  const change = new Change(member, ctx);
  applyTime(change);
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

// ---------------------------------------------------------------------------------------------
// Partners and transfers

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
  assertActive(member);
  const change = new Change(member, ctx);
  assertCardValid(change);
  applyTime(change);
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
  assertActive(from);
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
  const sender = new Change(from, ctx);
  const receiver = new Change(to, ctx);
  applyTime(sender);
  applyTime(receiver);
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
