import { notFound } from "../domain/errors.js";
import { changedPartner, type Partner, type PartnerChanges } from "../domain/partner.js";
import type { Page, PageRequest, PartnerRepository } from "../domain/ports.js";
import { issueKey } from "../shared/api-keys.js";
import { newId } from "../shared/ids.js";
import { createdBefore, creationClaim, type RotatedKey, rotateKey } from "./keys.js";
import type { IdempotencyClaim } from "./writes.js";

export interface NewPartner {
  name: string;
  /** Rate for accruals given as an amount. */
  pointsPerEuro: number;
}

/** The merchant's partner use cases (adding one with its key, changing, disabling, deleting), over any PartnerRepository. */
export const partnerService = (partners: PartnerRepository, now: () => Date = () => new Date()) => {
  const get = async (programId: string, partnerId: string): Promise<Partner> => {
    const partner = await partners.read(programId, partnerId);
    if (!partner) throw notFound("partner", partnerId);
    return partner;
  };
  return {
    /** A new partner with its key, shown once; with a claim, a retry gets the same partner (creationClaim). */
    async create(
      programId: string,
      input: NewPartner,
      claim?: IdempotencyClaim,
    ): Promise<Partner & { apiKey: string }> {
      const partnerId = newId("prt");
      const key = issueKey("pk", partnerId);
      const at = now();
      const partner: Partner = {
        partnerId,
        programId,
        name: input.name,
        pointsPerEuro: input.pointsPerEuro,
        status: "active",
        apiKeyPrefix: key.prefix,
        createdAt: at.toISOString(),
      };
      const result = await partners.create(partner, key.hash, creationClaim(claim, { partnerId }, at), at);
      if (result === false) throw notFound("program", programId);
      if (result === true || !claim) return { ...partner, apiKey: key.key };
      const earlier = createdBefore(result, claim, "partnerId");
      const { apiKey } = await this.rotateKey(programId, earlier, 0);
      return { ...(await get(programId, earlier)), apiKey };
    },

    get,

    /** A program's partners; a program that does not exist is a 404, not an empty list. */
    async list(
      programId: string,
      page: PageRequest,
      programExists: () => Promise<boolean>,
    ): Promise<Page<Partner>> {
      const result = await partners.list(programId, page);
      if (result.items.length === 0 && page.cursor === undefined && !(await programExists())) {
        throw notFound("program", programId);
      }
      return result;
    },

    /** Changes a partner's name, rate or status (a disabled partner's key is refused). */
    async update(programId: string, partnerId: string, changes: PartnerChanges): Promise<Partner> {
      const next = changedPartner(await get(programId, partnerId), changes, now());
      if (!(await partners.replace(next))) throw notFound("partner", partnerId);
      return next;
    },

    /** A new key for the partner; the old one refused at once or after `graceSeconds`. */
    async rotateKey(programId: string, partnerId: string, graceSeconds: number): Promise<RotatedKey> {
      const partner = await get(programId, partnerId);
      return rotateKey(
        "pk",
        partnerId,
        {
          read: async () => (await partners.keyRecord(partnerId))?.key,
          write: (next, prefix, expected) => partners.setKey(partner, next, prefix, expected),
        },
        graceSeconds,
        now,
        () => notFound("partner", partnerId),
      );
    },

    /** Deletes the partner and its key: the key never works again. Its accruals stay in the ledger. */
    async remove(programId: string, partnerId: string): Promise<void> {
      if (!(await partners.remove(programId, partnerId))) throw notFound("partner", partnerId);
    },
  };
};
