import type { MemberRepository } from "../domain/ports.js";
import type { Program } from "../domain/program.js";
import { eachInParallel } from "../shared/parallel.js";
import type { LoyaltyService } from "./loyalty/index.js";

export interface SweepReport {
  /** Members found due (their `dueAt` has passed). */
  due: number;
  /** Members whose state changed and was written (points or vouchers expired, tier reviewed…). */
  settled: number;
  failed: number;
  ms: number;
  /** Emails whose retry was due, put back to `pending` for the mail function (app/mail.ts, requeueDueEmails). */
  emailsRequeued?: number;
  /**
   * Offer deliveries handed to the offer worker again (app/offers.ts, resumeDue): scheduled offers whose
   * first day has come, and deliveries stalled for STALLED_DELIVERY_MS.
   */
  offersResumed?: number;
}

/**
 * The scheduled sweep: every member whose `dueAt` has passed (GSI2, 32 shards) is settled — expired
 * points leave FIFO with an `expire` ledger entry, expired vouchers leave the card, the tier is
 * reviewed as spend leaves the window. Operations already apply the same lazily, so the sweep only
 * makes the stored balance (and the card on the phone) catch up without waiting for the next visit.
 * Idempotent and safe to run concurrently with purchases (version-conditioned writes).
 */
export const runSweep = async (
  service: Pick<LoyaltyService, "settle">,
  members: Pick<MemberRepository, "due">,
  shards: readonly string[],
  now: () => Date = () => new Date(),
  concurrency = 8,
  onErrors?: (errors: unknown[]) => void,
): Promise<SweepReport> => {
  const started = performance.now();
  const programs = new Map<string, Program | undefined>();
  const report = { due: 0, settled: 0, failed: 0 };
  const errors: unknown[] = [];
  await eachInParallel(shards, concurrency, async (shard) => {
    let cursor: string | undefined;
    do {
      const page = await members.due(shard, now(), cursor);
      for (const memberId of page.items) {
        report.due++;
        try {
          if (await service.settle(memberId, programs)) report.settled++;
        } catch (error) {
          report.failed++;
          errors.push(error);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
  });
  if (errors.length > 0) onErrors?.(errors);
  return { ...report, ms: Math.round(performance.now() - started) };
};
