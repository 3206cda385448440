import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { beforeAll } from "vitest";
import { processParts } from "../../functions/composition/process.js";

/** One request sent to DynamoDB: its command (e.g. "GetItemCommand") and, for a transaction, its item count. */
export interface SentRequest {
  command: string;
  /** For a TransactWriteItems: how many items it commits. */
  items?: number;
}

export const commandsOf = (sent: readonly SentRequest[]): string[] => sent.map((s) => s.command);

let counters = 0;

/**
 * The DynamoDB requests sent through one client, counted at the initialize step (one per request,
 * whatever the SDK's retries): by default the process's shared client, which the handlers use (call
 * after useApi()). `counted(run)` gives the requests `run` caused, in order, and how many were on
 * their way at once at most. The test helpers (allItems, the table set-up) use clients of their own
 * and are not counted.
 */
export const useDynamoRequests = (
  client: () => DynamoDBDocumentClient = () => processParts().table.client,
) => {
  let sent: SentRequest[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  beforeAll(() => {
    client().middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { TransactItems?: unknown[] };
        sent.push({
          command: String(context.commandName),
          ...(input.TransactItems ? { items: input.TransactItems.length } : {}),
        });
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: "initialize", name: `countRequestsOfTest${++counters}` },
    );
  });
  return async <T>(
    run: () => Promise<T>,
  ): Promise<{ result: T; sent: SentRequest[]; mostInFlight: number }> => {
    sent = [];
    mostInFlight = 0;
    const result = await run();
    const mine = sent;
    sent = [];
    return { result, sent: mine, mostInFlight };
  };
};
