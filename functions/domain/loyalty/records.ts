import { z } from "zod";
import { type Counts, NameCounts } from "./counts.js";
import { Day } from "./member.js";

/**
 * What the loyalty engine reads and writes besides the member: the record of a purchase (for its
 * refunds) and the member's recent spend (for the tier). Ports store them; the engine computes them.
 */

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
  /** Stamps by stamp category (names kept as data: counts.ts). */
  stampsEarned: NameCounts(z.number().int().nonnegative()),
  refundedCents: z.number().int().nonnegative(),
  pointsRefunded: z.number().int().nonnegative(),
  stampsRefunded: z.boolean(),
});
export type PurchaseRecord = z.output<typeof PurchaseRecord>;

/**
 * The member's spend per day (program time zone) over the tier window ending today. Keyed by days
 * (`YYYY-MM-DD`), never by client text; read with `countOf` all the same.
 */
export type SpendWindow = Counts;
