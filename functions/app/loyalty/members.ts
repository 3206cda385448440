import { DomainError, notFound } from "../../domain/errors.js";
import { currentView, reissueCard, renew, transfer } from "../../domain/loyalty/engine.js";
import type { LedgerEntry, Member, MemberProfile } from "../../domain/loyalty/member.js";
import type { Page, PageRequest } from "../../domain/ports.js";
import type { Program } from "../../domain/program.js";
import { newId } from "../../shared/ids.js";
import { type IdempotencyClaim, outcomeWrites } from "../writes.js";
import { cardLinkEmail, emailHash, type LoyaltyContext, type MemberReference, summary } from "./context.js";

/** The merchant API's member reads and changes: read, find, history, renew, transfer. */

/**
 * A member as the merchant API shows it, read at `asOf`: the member with time applied (expired points
 * and vouchers gone even before the sweep wrote it), its profile, its newest ledger entries and its
 * card link. The API presents it (api/member-view.ts).
 */
export interface MemberRead {
  program: Program;
  member: Member;
  profile: MemberProfile | undefined;
  history: Page<LedgerEntry>;
  cardUrl: string | undefined;
  asOf: Date;
}

export interface Transfer {
  toMemberId: string;
  points: number;
}

/** Ledger entries shown with a member; the rest is paged through `history`. */
const HISTORY_ON_MEMBER = 10;

export const memberUseCases = (c: LoyaltyContext) => {
  /** The member, its profile and recent history in one read, with its card link. */
  const read = async (p: Program, reference: MemberReference): Promise<MemberRead> => {
    const { memberId } = reference;
    const snapshot = await c.members.snapshot(p.programId, memberId, HISTORY_ON_MEMBER);
    if (!snapshot) throw notFound("member", memberId);
    const cardUrl = await c.cardUrl?.(snapshot.member);
    const context = await c.ctx(p);
    return {
      program: p,
      member: currentView(c.named(snapshot.member, reference), context),
      profile: snapshot.profile,
      history: snapshot.history,
      cardUrl,
      asOf: context.now,
    };
  };

  return {
    async get(programId: string, memberId: string): Promise<MemberRead> {
      return read(await c.program(programId), { memberId });
    },

    async find(
      programId: string,
      query: { email?: string | undefined; cardCode?: string | undefined },
    ): Promise<MemberRead> {
      const p = await c.program(programId);
      const byEmail = async () => {
        const memberId = await c.members.idByEmailHash(programId, emailHash(query.email ?? ""));
        return memberId === undefined ? undefined : { memberId };
      };
      const reference =
        query.email !== undefined
          ? await byEmail()
          : await c.memberIdOf(programId, query.cardCode ?? "").catch((e: unknown) => {
              if (e instanceof DomainError && e.kind === "not_found") return undefined;
              throw e;
            });
      if (!reference)
        throw new DomainError("not_found", "member_not_found", "No member of this program matches.");
      return read(p, reference);
    },

    async history(programId: string, memberId: string, page: PageRequest): Promise<Page<LedgerEntry>> {
      if (!(await c.members.get(programId, memberId))) throw notFound("member", memberId);
      return c.members.history(memberId, page);
    },

    async renew(
      programId: string,
      memberId: string,
      claim: IdempotencyClaim | undefined,
    ): Promise<MemberRead> {
      const p = await c.program(programId);
      await c.writer.write(
        claim,
        memberId,
        async () => {
          const m = await c.memberOf(programId, memberId);
          const outcome = renew(m, await c.ctx(p));
          return { body: { memberId }, writes: outcomeWrites(outcome, m.version) };
        },
        200,
      );
      return read(p, { memberId });
    },

    /**
     * Reissues the member's card (a forwarded email gave it to someone else): the card generation
     * moves on, so the old links and the old pass's token are refused, then the old pass's devices
     * are unregistered. The answer carries the new card link. Not idempotent: each call reissues.
     */
    /**
     * A new card generation (new link, new pass token; the old ones refused), and, in the same commit,
     * an email to the member with the new link (the old email's link no longer works).
     */
    async reissueCard(programId: string, memberId: string): Promise<MemberRead> {
      const p = await c.program(programId);
      await c.writer.write(
        undefined,
        memberId,
        async () => {
          const [m, profile] = await Promise.all([
            c.memberOf(programId, memberId),
            c.members.profile(memberId),
          ]);
          const email =
            c.outbox && profile
              ? cardLinkEmail(c.now(), m, profile.email, profile.locale ?? p.locale, "reissued")
              : undefined;
          return {
            body: { memberId },
            writes: [
              ...outcomeWrites(reissueCard(m, await c.ctx(p)), m.version),
              ...(email ? [{ kind: "email" as const, email }] : []),
            ],
          };
        },
        200,
      );
      await c.registrations?.removeAll(memberId);
      return read(p, { memberId });
    },

    async transfer(programId: string, fromId: string, input: Transfer, claim: IdempotencyClaim | undefined) {
      const p = await c.program(programId);
      return c.writer.write(claim, fromId, async () => {
        const [from, to] = await Promise.all([
          c.memberOf(programId, fromId),
          c.memberOf(programId, input.toMemberId),
        ]);
        const transferId = newId("txn");
        const outcome = transfer(from, to, await c.ctx(p), input.points, transferId);
        return {
          body: {
            transferId,
            points: input.points,
            from: summary(outcome.from.member),
            to: summary(outcome.to.member),
          },
          writes: [...outcomeWrites(outcome.from, from.version), ...outcomeWrites(outcome.to, to.version)],
        };
      });
    },
  };
};
