import { changedPartner, type Partner } from "../domain/partner.js";
import type { PartnerRepository } from "../domain/ports.js";
import { keyHolderUseCases } from "./key-holders.js";
import type { IdempotencyClaim } from "./writes.js";

export interface NewPartner {
  name: string;
  /** Rate for accruals given as an amount. */
  pointsPerEuro: number;
}

/** The merchant's partner use cases, over any PartnerRepository: a partner's life and its key's (key-holders.ts). */
export const partnerService = (partners: PartnerRepository, now: () => Date = () => new Date()) => {
  const holders = keyHolderUseCases(
    {
      what: "partner",
      key: "pk",
      idPrefix: "prt",
      idField: "partnerId",
      holders: partners,
      read: (programId, partnerId) => partners.read(programId, partnerId),
      changed: changedPartner,
    },
    now,
  );
  return {
    ...holders,
    /** A new partner with its key, shown once; with a claim, a retry gets the same partner. */
    create: (
      programId: string,
      input: NewPartner,
      claim?: IdempotencyClaim,
    ): Promise<Partner & { apiKey: string }> =>
      holders.create(
        programId,
        ({ id, programId: owner, apiKeyPrefix }, at) => ({
          partnerId: id,
          programId: owner,
          name: input.name,
          pointsPerEuro: input.pointsPerEuro,
          status: "active",
          apiKeyPrefix,
          createdAt: at.toISOString(),
        }),
        claim,
      ),
  };
};
