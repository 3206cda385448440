import { setTimeout as sleep } from "node:timers/promises";
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll } from "vitest";
import type { DynamoTable } from "../../functions/adapters/dynamodb/client.js";
import { memberItem, profileItem } from "../../functions/adapters/dynamodb/member-repository.js";
import type { Member, MemberProfile } from "../../functions/domain/loyalty/member.js";
import type { OfferBatchReport } from "../../functions/offer-delivery/handler.js";
import { reachesOfferDelivery } from "../../functions/offer-delivery/stream-filter.js";
import { eachInParallel } from "../../functions/shared/parallel.js";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import type { StreamPoller } from "../../local/stream-poller.js";
import { startTestStream } from "./stream.js";

/**
 * The offer worker as in production, for a test file: the table's stream read by the local poller
 * with the worker's filter (functions/offer-delivery/stream-filter.ts) into the worker itself, so an
 * offer written as "sending" or "withdrawing" is delivered batch by batch, each batch's write handing
 * over the next. Call it after useTestTable (or useApi): the worker's handler is loaded on the
 * environment those set.
 */

/** Starts and stops the worker on a test table's stream (from its start: a fresh table). */
export const offerWorker = (table: { tableName: string; endpoint: string }) => {
  const dynamo = localDynamoClient(table.endpoint);
  let poller: StreamPoller | undefined;
  /** Every batch report, in the order the worker made them. */
  const reports: OfferBatchReport[] = [];
  return {
    reports,
    /** Reads the stream from its start: records handled already come back stale (their offers moved on). */
    async start() {
      if (poller) return;
      const { handleOfferRecords } = await import("../../functions/offer-delivery/handler.js");
      poller = await startTestStream(dynamo, table, {
        name: "offers",
        handle: async (records) => {
          const report = await handleOfferRecords(records);
          reports.push(report);
          return report;
        },
        filter: reachesOfferDelivery,
      });
    },
    async stop() {
      await poller?.stop();
      poller = undefined;
    },
    /**
     * Every change written so far has gone through the worker, and so have the batches they led to:
     * once this resolves, every delivery under way is finished (or failed for now).
     */
    drained: () => poller?.drained() ?? Promise.resolve(),
    close: () => dynamo.destroy(),
  };
};

/** The offer worker running for the whole test file. */
export const useOfferDelivery = (table: { tableName: string; endpoint: string }) => {
  const worker = offerWorker(table);
  beforeAll(() => worker.start());
  afterAll(async () => {
    await worker.stop();
    worker.close();
  });
  return worker;
};

/**
 * Members and their profiles written straight to the table as the member repository writes them,
 * 25 items a request (BatchWriteItem), `parallel` requests at once: a program of thousands of members
 * in seconds, where enrolling them one transaction each takes minutes on DynamoDB Local. Only what the
 * offer fan-out reads: no email, card-code or referral-code items (nobody can look these members up).
 */
export const seedMembers = async (
  table: DynamoTable,
  seeded: readonly { member: Member; profile: MemberProfile }[],
  parallel = 8,
): Promise<void> => {
  const items = seeded.flatMap(({ member, profile }) => [memberItem(member), profileItem(profile)]);
  const requests = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) =>
    items.slice(i * 25, i * 25 + 25),
  );
  await eachInParallel(requests, parallel, async (batch) => {
    let writes: Record<string, unknown>[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; writes && writes.length > 0; round++) {
      if (round > 10) throw new Error("DynamoDB kept leaving seeded members unwritten");
      if (round > 0) await sleep(20 * 2 ** round);
      const result = await table.client.send(
        new BatchWriteCommand({ RequestItems: { [table.name]: writes } }),
      );
      writes = result.UnprocessedItems?.[table.name] as Record<string, unknown>[] | undefined;
    }
  });
};
