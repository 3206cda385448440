import { notFound, refused } from "../errors.js";
import { Change, type Ctx } from "./change.js";
import type { Member } from "./member.js";
import type { SpendWindow } from "./records.js";
import { applyTime } from "./time.js";

/**
 * How every operation starts, in one place (`begin`): the member must be active; the request's own
 * refusals come next; then the change starts from the member, refuses a lapsed card when the
 * operation credits points, and applies what time has done since the member last changed.
 */

export interface Opening<T> {
  /**
   * The operation's refusals of the request (currency, limits, an unknown reward…), run once the
   * member is known to be active and before anything else; what it returns is handed back as `checked`.
   */
  check?: () => T;
  /** Refuse a card past its `validUntil` (operations that credit points). */
  validCard?: boolean;
  /** The spend window, when the tier is to be reviewed along with the rest of time. */
  spend?: SpendWindow | undefined;
}

export interface Begun<T> {
  change: Change;
  checked: T;
}

export const assertActive = (member: Member): void => {
  if (member.status !== "active") throw notFound("member", member.memberId);
};

export const assertCardValid = (change: Change): void => {
  const { validUntil } = change.member;
  if (validUntil !== null && validUntil < change.today) {
    throw refused(
      "card_expired",
      `This card was valid until ${validUntil}; renew it before crediting points.`,
      { validUntil },
    );
  }
};

/** The opening every operation shares; its checks run in the order written here. */
export const begin = <T = undefined>(member: Member, ctx: Ctx, opening: Opening<T> = {}): Begun<T> => {
  assertActive(member);
  // Without `check`, T is its default `undefined`, which is what `?.()` gives.
  const checked = opening.check?.() as T;
  const change = new Change(member, ctx);
  if (opening.validCard) assertCardValid(change);
  applyTime(change, opening.spend);
  return { change, checked };
};
