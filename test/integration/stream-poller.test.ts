import { PutItemCommand } from "@aws-sdk/client-dynamodb";
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
