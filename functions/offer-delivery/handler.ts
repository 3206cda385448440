import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { BatchReport } from "../app/offers.js";
import { offersOver } from "../composition/offers.js";
import { processParts } from "../composition/process.js";
import { logger } from "../shared/logger.js";
import { eachInParallel } from "../shared/parallel.js";

/**
 * The offer worker: the table's stream (DynamoDB Streams event source in AWS, filtered by
 * stream-filter.ts; local/stream-poller.ts under `npm start` and in the tests) hands it the offers
 * whose delivery is under way, and app/offers.ts runs one batch of each (`runBatch`: one page of
 * members, then the offer written with the next cursor). That write is the offer's next record, so
 * a delivery goes on batch by batch and resumes where it stopped. An invocation that has time left
 * runs the next batch at once rather than wait for that record (each stream hop costs up to a second
 * in AWS): the records of the batches it ran come back stale, but the last one's, which carries on.
 *
 * A batch that fails (a member that could not be written, DynamoDB unreachable) leaves its offer as it
 * was; the invocation reports that offer's first record (ReportBatchItemFailures), so the batch is
 * handed over again from there and the batch runs again. Records of other offers after it come back
 * too, and are stale by then (their offers moved on): nothing is done twice.
 */

/** Offers of one invocation worked on at once (each batch writes up to 10 members at once). */
export const OFFERS_IN_PARALLEL = 4;
/**
 * How long an invocation goes on with an offer's next batches before it leaves them to the stream: no
 * batch starts after it. A batch of 100 members takes well under a second in AWS (seconds on DynamoDB
 * Local), so this leaves most of the function's minute to the last batch started.
 */
export const BATCHES_FOR_MS = 20_000;

const parts = processParts();
const offers = offersOver(parts);

/** The offer and version a stream record names, when it hands a delivery over (sending, withdrawing). */
export const offerBatchOf = (
  record: DynamoDBRecord,
): { programId: string; offerId: string; version: number } | undefined => {
  const image = record.dynamodb?.NewImage;
  if (!image || (record.eventName !== "INSERT" && record.eventName !== "MODIFY")) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>) as Record<string, unknown>;
  const { entity, programId, offerId, version, delivery } = item;
  const state = (delivery as { state?: unknown } | undefined)?.state;
  if (entity !== "offer" || (state !== "sending" && state !== "withdrawing")) return undefined;
  if (typeof programId !== "string" || typeof offerId !== "string" || typeof version !== "number")
    return undefined;
  return { programId, offerId, version };
};

export interface OfferBatchReport {
  /** One per offer named by the records: the batch of its newest version. */
  batches: BatchReport[];
  failed: number;
  /** The sequence number to hand the records over again from, when an offer's batch failed. */
  retryFrom?: string;
}

/**
 * One batch of stream records: per offer they name, the delivery batch of the newest version named,
 * then its next ones while `deadline` (epoch ms) has not passed.
 */
export const handleOfferRecords = async (
  records: readonly DynamoDBRecord[],
  deadline = Date.now() + BATCHES_FOR_MS,
): Promise<OfferBatchReport> => {
  // Per offer: its newest version (an older one is stale already) and its first record (to retry from).
  const named = new Map<string, { programId: string; offerId: string; version: number; first: number }>();
  records.forEach((record, index) => {
    const batch = offerBatchOf(record);
    if (!batch) return;
    const key = `${batch.programId}/${batch.offerId}`;
    const seen = named.get(key);
    if (!seen) named.set(key, { ...batch, first: index });
    else if (batch.version > seen.version) seen.version = batch.version;
  });
  const report: OfferBatchReport = { batches: [], failed: 0 };
  let firstFailed: number | undefined;
  await eachInParallel(
    [...named.values()],
    OFFERS_IN_PARALLEL,
    async ({ programId, offerId, version, first }) => {
      try {
        for (let next = version; ; next++) {
          const batch = await offers.runBatch(programId, offerId, next);
          report.batches.push(batch);
          const more =
            batch.outcome === "ran" && (batch.state === "sending" || batch.state === "withdrawing");
          if (!more || Date.now() >= deadline) break;
        }
      } catch (error) {
        report.failed++;
        firstFailed = Math.min(firstFailed ?? first, first);
        logger.warn("offer: batch failed; it runs again from the same members", {
          offerId,
          programId,
          version,
          error: error as Error,
        });
      }
    },
  );
  const retryFrom = firstFailed === undefined ? undefined : records[firstFailed]?.dynamodb?.SequenceNumber;
  if (retryFrom) report.retryFrom = retryFrom;
  return report;
};

export const handler = async (
  event: DynamoDBStreamEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
): Promise<DynamoDBBatchResponse> => {
  // Half the time left at most: the last batch started, and the answer, fit in the other half.
  const budget = Math.min(BATCHES_FOR_MS, Math.floor(context.getRemainingTimeInMillis() / 2));
  const report = await handleOfferRecords(event.Records, Date.now() + budget);
  return { batchItemFailures: report.retryFrom ? [{ itemIdentifier: report.retryFrom }] : [] };
};
