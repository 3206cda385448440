import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { type DeliveryReport, emailRefKey } from "../app/mail.js";
import { mailOver } from "../composition/mail.js";
import { processParts } from "../composition/process.js";
import type { EmailRef } from "../domain/ports.js";
import { logger } from "../shared/logger.js";

/**
 * The mail function: the table's stream (DynamoDB Streams event source in AWS, filtered by
 * stream-filter.ts; local/stream-poller.ts under `npm start` and in the tests) hands it the `email`
 * items that became `pending`, and app/mail.ts claims, renders, sends and settles each one. Its
 * configuration (MAIL_FROM, SMTP_URL) is checked at cold start, here, when the module loads.
 *
 * A batch is handed over again (ReportBatchItemFailures, from its first unfinished record) only for
 * the emails it could not claim: an unexpected error, or the batch's deadline. Everything claimed is
 * settled by the batch itself, so a retried batch never sends twice (its claims fail) and never loses
 * what was not yet claimed.
 */

/** Without a Lambda context (npm start, the tests): the time a batch has, as the mail function's timeout. */
const LOCAL_BATCH_MS = 120_000;
/**
 * What a batch keeps after its last claim: one send's longest run (SMTP: 10 s to connect, 10 s to be
 * greeted, 30 s of silence; SES: 5 s + 20 s) and the write of its result, so that the invocation never
 * times out with an email claimed and unsettled (it would stay `sending`, never sent).
 */
export const MAIL_DEADLINE_MARGIN_MS = 60_000;

const parts = processParts();
const mail = mailOver(parts);
logger.info("mail function ready", { target: mail.target, from: mail.settings.fromAddress });

/** The email a stream record names, when the record hands one over (`pending` after the write). */
export const emailRefOf = (record: DynamoDBRecord): EmailRef | undefined => {
  const image = record.dynamodb?.NewImage;
  if (!image || (record.eventName !== "INSERT" && record.eventName !== "MODIFY")) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>) as Record<string, unknown>;
  const { entity, status, memberId, createdAt, emailId } = item;
  if (entity !== "email" || status !== "pending") return undefined;
  if (typeof memberId !== "string" || typeof createdAt !== "string" || typeof emailId !== "string")
    return undefined;
  return { memberId, createdAt, emailId };
};

export type EmailBatchReport = DeliveryReport & {
  /** The sequence number to hand the batch over again from, when an email was left unclaimed. */
  retryFrom?: string;
};

/** One batch of stream records. `deadline` (epoch ms): no email is claimed after it. */
export const handleEmails = async (
  records: readonly DynamoDBRecord[],
  deadline = Date.now() + LOCAL_BATCH_MS - MAIL_DEADLINE_MARGIN_MS,
): Promise<EmailBatchReport> => {
  const named = records.flatMap((record) => {
    const ref = emailRefOf(record);
    return ref ? [{ ref, sequenceNumber: record.dynamodb?.SequenceNumber }] : [];
  });
  const report: EmailBatchReport = await mail.delivery.deliver(
    named.map(({ ref }) => ref),
    { deadline },
  );
  const unfinished = new Set(report.unfinished.map(emailRefKey));
  const first = named.find(({ ref }) => unfinished.has(emailRefKey(ref)));
  if (first?.sequenceNumber) report.retryFrom = first.sequenceNumber;
  if (named.length > 0)
    logger.info("mail batch", {
      emails: named.length,
      sent: report.sent,
      retried: report.retried,
      failed: report.failed,
      skipped: report.skipped,
      unfinished: report.unfinished.length,
    });
  return report;
};

export const handler = async (
  event: DynamoDBStreamEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
): Promise<DynamoDBBatchResponse> => {
  const remaining = context.getRemainingTimeInMillis();
  const report = await handleEmails(
    event.Records,
    Date.now() + remaining - Math.min(MAIL_DEADLINE_MARGIN_MS, Math.floor(remaining / 2)),
  );
  return { batchItemFailures: report.retryFrom ? [{ itemIdentifier: report.retryFrom }] : [] };
};
