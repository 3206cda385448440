import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type StreamPoller, type StreamPollerOptions, startStreamPoller } from "../../local/stream-poller.js";

/**
 * One function's reader of a test table's stream, as its event source mapping in AWS: from the
 * stream's start (a fresh table), polled every 50 ms, with the function's filter and handler.
 */
export const startTestStream = (
  dynamo: DynamoDBClient,
  table: { tableName: string; endpoint: string },
  reader: { name: string } & Pick<StreamPollerOptions, "filter" | "handle">,
): Promise<StreamPoller> =>
  startStreamPoller({
    dynamo,
    endpoint: table.endpoint,
    tableName: table.tableName,
    startAt: "TRIM_HORIZON",
    intervalMs: 50,
    handle: reader.handle,
    filter: reader.filter,
    onError: (error) => console.error(`stream poller (${reader.name}):`, error),
  });
