import { z } from "zod";
import { HolderStatus, keyViewFields } from "./credentials.js";

/** A partner merchant of a program: it credits points to the program's members with its own key. */
export const Partner = z
  .object({
    partnerId: z.string(),
    programId: z.string(),
    name: z.string(),
    pointsPerEuro: z.number().meta({ description: "Rate for accruals given as an amount" }),
    status: HolderStatus.default("active"),
    apiKeyPrefix: z.string().meta({ description: "The first characters of the partner's key" }),
    ...keyViewFields("the partner's"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime().optional(),
  })
  .meta({ id: "Partner" });
export type Partner = z.output<typeof Partner>;

/** What a merchant may change on a partner. */
export interface PartnerChanges {
  name?: string | undefined;
  pointsPerEuro?: number | undefined;
  status?: HolderStatus | undefined;
}

export const changedPartner = (partner: Partner, changes: PartnerChanges, now: Date): Partner => ({
  ...partner,
  ...(changes.name === undefined ? {} : { name: changes.name }),
  ...(changes.pointsPerEuro === undefined ? {} : { pointsPerEuro: changes.pointsPerEuro }),
  ...(changes.status === undefined ? {} : { status: changes.status }),
  updatedAt: now.toISOString(),
});
