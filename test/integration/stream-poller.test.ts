import { BatchWriteItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import { startStreamPoller } from "../../local/stream-poller.js";
import { useTestTable } from "../support/table.js";

/** The local stand-in for Lambda's stream event source, on DynamoDB Local's real stream. */

const table = useTestTable();
const dynamo = localDynamoClient(table.endpoint);
afterAll(() => dynamo.destroy());

const put = (id: string) =>
  dynamo.send(
    new PutItemCommand({
      TableName: table.tableName,
      Item: { PK: { S: `T#${id}` }, SK: { S: "T" }, id: { S: id }, empty: { M: {} }, list: { L: [] } },
    }),
  );

const idOf = (record: DynamoDBRecord) =>
  (unmarshall(record.dynamodb?.NewImage as never) as { id: string }).id;

describe("the stream poller", () => {
  it("hands every write over in order, and a failed batch again from the failed record only", async () => {
    // Prepare: three writes already in the stream; the function fails once, at the second record
    for (const id of ["a", "b", "c"]) await put(id);
    const calls: string[][] = [];
    const poller = await startStreamPoller({
      dynamo,
      endpoint: table.endpoint,
      tableName: table.tableName,
      startAt: "TRIM_HORIZON",
      intervalMs: 20,
      handle: async (records) => {
        calls.push(records.map(idOf));
        return calls.length === 1 ? { retryFrom: records[1]?.dynamodb?.SequenceNumber } : {};
      },
    });

    // Act
    await poller.drained();
    await poller.stop();

    // Assess
    expect(calls).toEqual([
      ["a", "b", "c"],
      ["b", "c"],
    ]);
  });

  it("gives images as Lambda does, empty maps included", async () => {
    let image: Record<string, unknown> | undefined;
    const poller = await startStreamPoller({
      dynamo,
      endpoint: table.endpoint,
      tableName: table.tableName,
      startAt: "LATEST",
      intervalMs: 20,
      handle: async (records) => {
        for (const r of records) image = unmarshall(r.dynamodb?.NewImage as never);
        return {};
      },
    });
    await put("d");
    await poller.drained();
    await poller.stop();
    expect(image).toEqual({ PK: "T#d", SK: "T", id: "d", empty: {}, list: [] });
  });
});

describe("the stream poller with a filter (as npm start and the e2e tests run the push function)", () => {
  /** Writes `count` items in batches of 25, none of which the filter below keeps. */
  const putSkipped = async (count: number) => {
    for (let from = 0; from < count; from += 25) {
      const items = Array.from({ length: Math.min(25, count - from) }, (_, i) => ({
        PutRequest: {
          Item: { PK: { S: `S#${from + i}` }, SK: { S: "S" }, id: { S: `skipped-${from + i}` } },
        },
      }));
      await dynamo.send(new BatchWriteItemCommand({ RequestItems: { [table.tableName]: items } }));
    }
  };

  // BUG (local/stream-poller.ts): a GetRecords page whose records the filter all leaves out makes
  // pollShard report no work, so drained() counts that round as quiet although it consumed records.
  // Two such pages in a row (more than 200 left-out records ahead) and drained() resolves while the
  // records behind them are still unread. pollShard should report work whenever a page had records.
  it("has handled a kept record behind more than two pages of left-out ones once drained", async () => {
    // Prepare: the loop polls rarely, so that drained()'s own rounds do the reading
    const handled: string[] = [];
    const poller = await startStreamPoller({
      dynamo,
      endpoint: table.endpoint,
      tableName: table.tableName,
      startAt: "LATEST",
      intervalMs: 3_000,
      filter: (record) => record.dynamodb?.NewImage?.keep?.S === "yes",
      handle: async (records) => {
        handled.push(...records.map(idOf));
        return {};
      },
    });
    await putSkipped(250);
    await dynamo.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { PK: { S: "T#kept" }, SK: { S: "T" }, id: { S: "kept" }, keep: { S: "yes" } },
      }),
    );

    // Act
    await poller.drained();
    const atDrained = [...handled];
    await poller.stop();

    // Assess
    expect(atDrained).toEqual(["kept"]);
  });
});
