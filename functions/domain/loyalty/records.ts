import { z } from "zod";
import { Day } from "./member.js";

/** The stored record of a purchase: what refunds need to know about it. */
export const PurchaseRecord = z.object({
  transactionId: z.string(),
  programId: z.string(),
  memberId: z.string(),
  storeId: z.string(),
  amountCents: z.number().int().nonnegative(),
  currency: z.string(),
  occurredAt: z.iso.datetime(),
  spendDay: Day.meta({ description: "The day the spend counts for (program time zone)" }),
  pointsEarned: z.number().int().nonnegative(),
  stampsEarned: z.record(z.string(), z.number().int().nonnegative()),
  refundedCents: z.number().int().nonnegative(),
  pointsRefunded: z.number().int().nonnegative(),
  stampsRefunded: z.boolean(),
});
export type PurchaseRecord = z.output<typeof PurchaseRecord>;
