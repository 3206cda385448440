import { notFound } from "../../domain/errors.js";
import { accrue } from "../../domain/loyalty/engine.js";
import { newId } from "../../shared/ids.js";
import { type NewPartner, partnerService } from "../partners.js";
import { type IdempotencyClaim, outcomeWrites } from "../writes.js";
import { type LoyaltyContext, summary } from "./context.js";

/** Partner merchants: adding one (with its key), and its accruals to members. */

export type { NewPartner };

/** Points, or an amount converted at the partner's rate: exactly one is given. */
export interface Accrual {
  member: string;
  points?: number | undefined;
  amountCents?: number | undefined;
  /** The partner's own reference for this accrual. */
  reference: string;
}

export interface PartnerCaller {
  partnerId: string;
  programId: string;
}

export const partnerUseCases = (c: LoyaltyContext) => ({
  createPartner: (programId: string, input: NewPartner) =>
    partnerService(c.partners, c.now).create(programId, input),

  async accrue(caller: PartnerCaller, input: Accrual, claim: IdempotencyClaim) {
    const p = await c.program(caller.programId);
    const partner = await c.partners.get(caller.programId, caller.partnerId);
    if (!partner) throw notFound("partner", caller.partnerId);
    return c.writer.write(claim, c.queueOf(caller.programId, input.member), async () => {
      const reference = await c.memberIdOf(caller.programId, input.member);
      const m = c.named(await c.memberOf(caller.programId, reference.memberId), reference);
      const outcome = accrue(m, await c.ctx(p), {
        partnerId: partner.partnerId,
        pointsPerEuro: partner.pointsPerEuro,
        points: input.points,
        amountCents: input.amountCents,
        reference: input.reference,
      });
      return {
        body: {
          accrualId: newId("txn"),
          reference: input.reference,
          pointsCredited: outcome.points,
          member: summary(outcome.member),
        },
        writes: outcomeWrites(outcome, m.version),
      };
    });
  },
});
