import { settle } from "../../domain/loyalty/engine.js";
import type { Program } from "../../domain/program.js";
import { outcomeWrites } from "../writes.js";
import type { LoyaltyContext } from "./context.js";

/**
 * Applying time to one member (expired points and vouchers, tier review), for the sweep. It goes
 * through the member writer like every other change: a lost race is read again and computed again,
 * with back-off, within the writer's budget.
 */
export const settlement = (c: LoyaltyContext) => ({
  /**
   * Idempotent: a member with nothing due is left untouched. Returns whether anything was written.
   * `programs` keeps the programs one sweep has read, so each is read once per sweep.
   */
  async settle(memberId: string, programs = new Map<string, Program | undefined>()): Promise<boolean> {
    return c.writer.write(undefined, memberId, async () => {
      const m = await c.members.load(memberId);
      if (m?.status !== "active") return { body: false, writes: [] };
      if (!programs.has(m.programId)) programs.set(m.programId, await c.programRecent(m.programId));
      const p = programs.get(m.programId);
      if (!p) return { body: false, writes: [] };
      const outcome = settle(m, await c.ctx(p), await c.spendOf(p, memberId, c.now()));
      return outcome
        ? { body: true, writes: outcomeWrites(outcome, m.version) }
        : { body: false, writes: [] };
    });
  },
});
