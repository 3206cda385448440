import { expireOffers } from "../offers/holding.js";
import { type Ctx, cardView, finish, type Outcome } from "./change.js";
import type { Member } from "./member.js";
import { begin } from "./opening.js";
import type { SpendWindow } from "./records.js";
import { issueStampVouchers } from "./rewards.js";

/**
 * Time without an operation: `settle`, the scheduled sweep's work on one member when something fell
 * due, and `currentView`, the member as of now for a read that writes nothing.
 */

/**
 * The scheduled sweep's work on one member; `undefined` when nothing is due. What `finish` does to
 * offers and stores shows in `cardView` (held offer ids, the card's stores), so an offer that ended
 * or was given, or a new choice of stores, is written like an expired voucher is.
 */
export const settle = (member: Member, ctx: Ctx, spend: SpendWindow | undefined): Outcome | undefined => {
  if (member.status !== "active") return undefined;
  const { change } = begin(member, ctx, { spend });
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

/**
 * The member as of now without writing anything (what GET shows before the sweep has run): what time
 * did, offers past their last day off the card included; nothing given, nothing chosen.
 */
export const currentView = (member: Member, ctx: Ctx): Member => {
  if (member.status !== "active") return member;
  const { change } = begin(member, { ...ctx, ids: { voucher: () => "vch_pending" } });
  expireOffers(change);
  return change.member;
};
