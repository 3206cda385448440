import { type Ctx, finish, type Outcome } from "./change.js";
import type { Member } from "./member.js";
import { begin } from "./opening.js";

/**
 * A reissued card: the member's card generation moves on, so every card link and every copy of the
 * pass's authentication token made for an earlier generation is refused (shared/pass-tokens.ts). The
 * caller unregisters the old pass's devices (which keeps `devices` right). Balances are untouched.
 */
export const reissueCard = (member: Member, ctx: Ctx): Outcome => {
  const { change } = begin(member, ctx);
  change.set({ passAuthGeneration: member.passAuthGeneration + 1 });
  return finish(change);
};
