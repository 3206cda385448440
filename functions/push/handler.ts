import { readFileSync } from "node:fs";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { createApnsClient } from "../adapters/apple/apns.js";
import type { GoogleSyncReport } from "../app/google-wallet.js";
import {
  batchDeadline,
  type ChangeRecord,
  type FanOutReport,
  type PushSender,
  pushFanOut,
} from "../app/push.js";
import { googleWalletOver } from "../composition/google.js";
import { processParts } from "../composition/process.js";
import { logger } from "../shared/logger.js";

/**
 * The table's stream consumer (DynamoDB Streams event source in AWS; local/stream-poller.ts under
 * `npm start` and in the tests): member changes → APNs pushes and Google Wallet object updates,
 * program changes → Google Wallet class updates. Each batch works within a deadline
 * derived from the invocation's remaining time (batchDeadline), and with ReportBatchItemFailures
 * (infra/stateless-stack.ts) a batch resumes at the first record of the first member it left
 * unfinished: never whole, and never pushing again what was delivered.
 */

/** Without a Lambda context (npm start, the tests): the time a batch has, as the push function's timeout. */
const LOCAL_BATCH_MS = 60_000;

/** Pushes that would go nowhere: development certificates and no APNS_URL. They are logged instead. */
const recordingSender = (): PushSender => ({
  push: async (tokens) => {
    logger.info("push recorded, not sent (development certificates; set APNS_URL to send)", {
      devices: tokens.length,
    });
    return tokens.map((token) => ({ token, outcome: "delivered" as const }));
  },
});

const parts = processParts();
/** Google Wallet's live updates, when the deployment has Google Wallet (else the log says how to turn it on). */
const google = googleWalletOver(parts);

const senderFromConfig = async (): Promise<{ sender: PushSender; target: string }> => {
  const { env } = parts;
  if (env.APPLE_CERTS_DEVELOPMENT === "1" && env.APNS_URL === undefined) {
    return { sender: recordingSender(), target: "recorded only" };
  }
  const url = env.APNS_URL ?? "https://api.push.apple.com";
  const certs = await parts.appleCertificates();
  return {
    sender: createApnsClient({
      url,
      topic: env.APPLE_PASS_TYPE_ID,
      cert: certs.signerCert,
      key: certs.signerKey,
      chain: certs.wwdr,
      ...(env.APNS_CA_FILE ? { ca: readFileSync(env.APNS_CA_FILE, "utf8") } : {}),
    }),
    target: url,
  };
};

let fanOut: Promise<ReturnType<typeof pushFanOut>> | undefined;

/** Built on the first batch; a failure (e.g. the certificate secret unreadable) is retried by the next. */
const fanOutOnce = () => {
  fanOut ??= senderFromConfig()
    .then(({ sender, target }) => {
      logger.info("push fan-out ready", { target });
      return pushFanOut({
        registrations: parts.repositories.registrations,
        sender,
        passTypeId: parts.env.APPLE_PASS_TYPE_ID,
        log: logger,
      });
    })
    .catch((error: unknown) => {
      fanOut = undefined;
      throw error;
    });
  return fanOut;
};

const toChange = (record: DynamoDBRecord): ChangeRecord => {
  const image = (value: unknown) =>
    value ? (unmarshall(value as Record<string, AttributeValue>) as Record<string, unknown>) : undefined;
  const newImage = image(record.dynamodb?.NewImage);
  const oldImage = image(record.dynamodb?.OldImage);
  return {
    sequenceNumber: record.dynamodb?.SequenceNumber ?? "",
    eventName: (record.eventName ?? "MODIFY") as ChangeRecord["eventName"],
    ...(newImage ? { newImage } : {}),
    ...(oldImage ? { oldImage } : {}),
  };
};

export type ChangesReport = FanOutReport & { google?: GoogleSyncReport };

/**
 * One batch of stream records: Apple pushes and Google Wallet updates side by side, with both reports
 * (the local poller prints them). `deadline` (epoch ms): when to stop starting work (batchDeadline).
 * The batch resumes at the earlier of the two places where Apple's fan-out and Google's updates left
 * something unfinished; Apple notes what it pushed from there on, so nothing is pushed twice.
 */
export const handleChanges = async (
  records: readonly DynamoDBRecord[],
  deadline = batchDeadline(Date.now(), LOCAL_BATCH_MS),
): Promise<ChangesReport> => {
  const changes = records.map(toChange);
  const googleWork = google?.handle(changes, { deadline });
  const report: ChangesReport = await (await fanOutOnce()).handle(changes, {
    deadline,
    ...(googleWork ? { handOver: googleWork.then((r) => r.resumeAt) } : {}),
  });
  if (googleWork) {
    report.google = await googleWork;
    if (report.google.members + report.google.classes + report.google.failed > 0)
      logger.info("google batch", { ...report.google });
  }
  if (report.members > 0) logger.info("push batch", { ...report, google: undefined });
  return report;
};

export const handler = async (
  event: DynamoDBStreamEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
): Promise<DynamoDBBatchResponse> => {
  const report = await handleChanges(
    event.Records,
    batchDeadline(Date.now(), context.getRemainingTimeInMillis()),
  );
  return { batchItemFailures: report.retryFrom ? [{ itemIdentifier: report.retryFrom }] : [] };
};
