import { refreshOffers } from "../offers/holding.js";
import type { Offer } from "../offers/offer.js";
import type { Program } from "../program.js";
import type { Rules } from "../rules.js";
import { chooseStores } from "../stores/choice.js";
import type { StorePlaces } from "../stores/places.js";
import { addDays, localDay, startOfDay } from "./calendar.js";
import { type Counts, countsOf } from "./counts.js";
import { debitFifo, type LotDelta, lotExpiry } from "./lots.js";
import {
  applyDeltas,
  balanceOf,
  type ClosedVoucher,
  type LedgerEntry,
  MAX_CLOSED_VOUCHERS,
  type Member,
  type Voucher,
} from "./member.js";

/**
 * The engine's shared machinery: the context an operation runs in (`Ctx`), the `Change` it builds on
 * a member (posting ledger entries, issuing and closing vouchers) and `finish`, which turns a change
 * into the `Outcome` storage writes (offers refreshed and the card's stores chosen, next version,
 * pass update tag, next due instant).
 */

export type ProgramRules = Pick<Program, "programId" | "rules" | "timeZone" | "currency">;

export interface Ctx {
  program: ProgramRules;
  now: Date;
  ids: { voucher(): string };
  /**
   * The program's live offers, when the caller read them: every change of an active member then gives
   * it those whose target it matches (domain/offers/holding.ts). Absent: offers are only expired.
   */
  offers?: readonly Offer[] | undefined;
  /**
   * The program's open stores, when the caller has them: every change of an active member then
   * chooses the stores its card carries (domain/stores/choice.ts). Absent: `passStoreIds` stays.
   */
  places?: StorePlaces | undefined;
}

export type LedgerDraft = Omit<LedgerEntry, "seq" | "balanceAfter" | "at" | "stamps" | "lots"> & {
  stamps?: Counts;
  lots?: LotDelta;
};

/** A change being built: the member's state so far and the entries posted to reach it. */
export class Change {
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
    return months === null || points <= 0 ? {} : countsOf([[lotExpiry(day, months), points]]);
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

/** Everything a wallet pass shows; a change to it bumps `passUpdatedAt` (the pass update tag). */
export const cardView = (m: Member) => ({
  status: m.status,
  points: m.points,
  stamps: m.stamps,
  tierId: m.tierId,
  vouchers: m.vouchers.map((v) => v.voucherId),
  validUntil: m.validUntil,
  nextLot: m.lots[0] ?? null,
  stores: m.passStoreIds ?? null,
  offers: (m.offers ?? []).map((o) => o.offerId),
});

/**
 * The earliest instant something changes on its own (a lot, voucher or offer ends, the tier is
 * reviewed): the sweep settles the member then, so the card drops what ended without an operation.
 */
export const nextDue = (m: Member, timeZone: string): string | undefined => {
  if (m.status !== "active") return undefined;
  const days: string[] = [];
  const firstLot = m.lots[0];
  if (firstLot) days.push(addDays(firstLot.expiresOn, 1));
  for (const v of m.vouchers) days.push(addDays(v.validTo, 1));
  for (const o of m.offers ?? []) days.push(addDays(o.validTo, 1));
  if (m.tierReviewOn !== undefined) days.push(m.tierReviewOn);
  if (days.length === 0) return undefined;
  days.sort();
  return startOfDay(days[0] as string, timeZone).toISOString();
};

/**
 * What every change of an active member ends with, whatever the operation: its offers kept current
 * (ended ones off the card, the live ones it now matches given) and, given the program's stores,
 * the stores its card carries chosen again from its favourites, visits and home store.
 */
const keepCardCurrent = (change: Change): void => {
  const { ctx } = change;
  if (change.member.status !== "active") return;
  refreshOffers(change, ctx.offers);
  if (ctx.places !== undefined) {
    const { favouriteStoreIds, activity, homeStoreId } = change.member;
    const passStoreIds = chooseStores({
      places: ctx.places,
      favouriteStoreIds,
      visits: activity?.stores,
      homeStoreId,
      today: change.today,
    });
    if (JSON.stringify(passStoreIds) !== JSON.stringify(change.member.passStoreIds)) {
      change.set({ passStoreIds });
    }
  }
};

/**
 * The change as storage writes it: the card kept current, the next version, the pass update tag if
 * the card changed, `dueAt`.
 */
export const finish = (change: Change): Outcome => {
  keepCardCurrent(change);
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
