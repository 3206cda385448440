import { notFound } from "../../domain/errors.js";
import { accrue } from "../../domain/loyalty/engine.js";
import { issueKey } from "../../shared/api-keys.js";
import { newId } from "../../shared/ids.js";
import { type IdempotencyClaim, outcomeWrites } from "../writes.js";
import { type LoyaltyContext, summary } from "./context.js";

/** Partner merchants: adding one (with its key), and its accruals to members. */

export interface NewPartner {
  name: string;
  /** Rate for accruals given as an amount. */
  pointsPerEuro: number;
}

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
  async createPartner(programId: string, input: NewPartner) {
    const partnerId = newId("prt");
    const key = issueKey("pk", partnerId);
    const partner = {
      partnerId,
      programId,
      name: input.name,
      pointsPerEuro: input.pointsPerEuro,
      apiKeyPrefix: key.prefix,
      createdAt: c.now().toISOString(),
    };
    if (!(await c.partners.create(partner, key.hash))) throw notFound("program", programId);
    return { ...partner, apiKey: key.key };
  },

  async accrue(caller: PartnerCaller, input: Accrual, claim: IdempotencyClaim) {
    const p = await c.program(caller.programId);
    const partner = await c.partners.get(caller.programId, caller.partnerId);
    if (!partner) throw notFound("partner", caller.partnerId);
    return c.writer.write(claim, c.queueOf(caller.programId, input.member), async () => {
      const reference = await c.memberIdOf(caller.programId, input.member);
      const m = c.named(await c.memberOf(caller.programId, reference.memberId), reference);
      const outcome = accrue(m, c.ctx(p), {
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
