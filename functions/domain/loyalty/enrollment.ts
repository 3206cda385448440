import { refused } from "../errors.js";
import { addMonths, localDay } from "./calendar.js";
import { type Ctx, finish, type Outcome, type ProgramRules } from "./change.js";
import type { Member } from "./member.js";
import { begin } from "./opening.js";

/** A member's start, and the card's validity: `enroll` makes a new member, `renew` extends the card. */

export interface NewMember {
  memberId: string;
  cardCode: string;
  referralCode: string;
  referredBy?: string;
  /** The store the member enrolled at, or the sign-up postcode's (stores/choice.ts `homeStoreFor`). */
  homeStoreId?: string | undefined;
  /** 1–12, from the profile's birth date: birthday offers. */
  birthMonth?: number | undefined;
}

export const enroll = (ids: NewMember, program: ProgramRules, now: Date): Member => {
  const today = localDay(now, program.timeZone);
  const months = program.rules.validity.cardMonths;
  const { homeStoreId, birthMonth, ...rest } = ids;
  return {
    ...rest,
    ...(homeStoreId !== undefined ? { homeStoreId } : {}),
    ...(birthMonth !== undefined ? { birthMonth } : {}),
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

/** How long a renewal extends the card; refused when the program's cards never expire. */
const renewalMonths = (ctx: Ctx): number => {
  const months = ctx.program.rules.validity.cardMonths;
  if (months === null) throw refused("card_never_expires", "Cards of this program never expire.");
  return months;
};

/** Renews the card for `validity.cardMonths` from its end (or from today when it has lapsed). */
export const renew = (member: Member, ctx: Ctx): Outcome => {
  const { change, checked: months } = begin(member, ctx, { check: () => renewalMonths(ctx) });
  const from =
    member.validUntil !== null && member.validUntil > change.today ? member.validUntil : change.today;
  change.set({ validUntil: addMonths(from, months) });
  change.post({ type: "renewal", points: 0, note: `valid until ${change.member.validUntil}` });
  return finish(change);
};
