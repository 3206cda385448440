import { z } from "zod";

/** A partner merchant of a program: it credits points to the program's members with its own key. */
export const Partner = z
  .object({
    partnerId: z.string(),
    programId: z.string(),
    name: z.string(),
    pointsPerEuro: z.number().meta({ description: "Rate for accruals given as an amount" }),
    apiKeyPrefix: z.string().meta({ description: "The first characters of the partner's key" }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Partner" });
export type Partner = z.output<typeof Partner>;
