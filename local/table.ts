import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { TABLE_KEYS } from "../functions/adapters/dynamodb/table.js";

/**
 * A table kept on disk by an older version (CARNET_DATA_DIR) lacks the indexes added since: add each
 * missing one (DynamoDB creates one index per UpdateTable) and wait until it is ACTIVE.
 */
const addMissingIndexes = async (
  client: DynamoDBClient,
  tableName: string,
  existing: Set<string | undefined>,
) => {
  for (const index of TABLE_KEYS.globalIndexes) {
    if (existing.has(index.indexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: index.partitionKey, AttributeType: "S" },
          { AttributeName: index.sortKey, AttributeType: "S" },
        ],
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: "HASH" },
                { AttributeName: index.sortKey, KeyType: "RANGE" },
              ],
              Projection: { ProjectionType: index.projection },
            },
          },
        ],
      }),
    );
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const status = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === index.indexName)?.IndexStatus;
      if (status === "ACTIVE") break;
      if (Date.now() > deadline) {
        throw new Error(
          `the index ${index.indexName} of table ${tableName} is still ${status ?? "missing"} after 30 s`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
};

/**
 * Creates Carnet's table as the CDK stateful stack does (same keys, indexes, stream and TTL, from the
 * one definition in functions/adapters/dynamodb/table.ts). Returns false when it already existed.
 */
export const ensureTable = async (client: DynamoDBClient, tableName: string): Promise<boolean> => {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    await addMissingIndexes(
      client,
      tableName,
      new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName)),
    );
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const attributes = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
  for (const index of TABLE_KEYS.globalIndexes) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: "S" })),
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: "HASH" },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: TABLE_KEYS.globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: "HASH" },
          { AttributeName: index.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: index.projection },
      })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
    }),
  );
  return true;
};
