import { randomBytes } from "node:crypto";
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import { ensureTable } from "../../local/table.js";

const client = localDynamoClient(inject("dynamoEndpoint"));
const created: string[] = [];
const newName = () => {
  const name = `carnet-ensure-${randomBytes(4).toString("hex")}`;
  created.push(name);
  return name;
};

afterAll(async () => {
  for (const TableName of created)
    await client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
  client.destroy();
});

const indexes = async (TableName: string) => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName }));
  return Object.fromEntries(
    (Table?.GlobalSecondaryIndexes ?? []).map((i) => [
      i.IndexName,
      [i.Projection?.ProjectionType, i.IndexStatus],
    ]),
  );
};

describe("ensureTable", () => {
  it("creates a new table with GSI1 (all attributes) and GSI2 (keys only)", async () => {
    // Prepare
    const name = newName();

    // Act
    const made = await ensureTable(client, name);

    // Assess
    expect(made).toBe(true);
    expect(await indexes(name)).toEqual({ GSI1: ["ALL", "ACTIVE"], GSI2: ["KEYS_ONLY", "ACTIVE"] });
  });

  it("adds the indexes a table from an older version lacks, keeping the table", async () => {
    // Prepare: the table as the first version created it, with GSI1 only
    const name = newName();
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: ["PK", "SK", "GSI1PK", "GSI1SK"].map((n) => ({
          AttributeName: n,
          AttributeType: "S",
        })),
        KeySchema: [
          { AttributeName: "PK", KeyType: "HASH" },
          { AttributeName: "SK", KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: "GSI1",
            KeySchema: [
              { AttributeName: "GSI1PK", KeyType: "HASH" },
              { AttributeName: "GSI1SK", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      }),
    );

    // Act
    const made = await ensureTable(client, name);

    // Assess
    expect(made).toBe(false);
    expect(await indexes(name)).toEqual({ GSI1: ["ALL", "ACTIVE"], GSI2: ["KEYS_ONLY", "ACTIVE"] });
  });
});
