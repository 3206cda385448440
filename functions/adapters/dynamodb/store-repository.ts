import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Page, StoreKeyRecord, StoreRepository } from "../../domain/ports.js";
import { Store } from "../../domain/store.js";
import { dynamo, tableName } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { createWithKey, readKeyRecord } from "./keyed-child.js";
import { entityOf } from "./program-repository.js";
import { keys, STORE_PREFIX } from "./table.js";

export const dynamoStoreRepository = (): StoreRepository => ({
  create: (store, apiKeyHash) =>
    createWithKey(
      store.programId,
      { ...keys.store(store.programId, store.storeId), entity: "store", ...store },
      {
        ...keys.storeKey(store.storeId),
        entity: "storeKey",
        storeId: store.storeId,
        programId: store.programId,
        apiKeyHash,
      },
    ),

  async get(programId, storeId) {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName(), Key: keys.store(programId, storeId), ConsistentRead: true }),
    );
    return Item ? entityOf(Store, Item) : undefined;
  },

  async list(programId, { limit, cursor }): Promise<Page<Store>> {
    const partition = keys.program(programId).PK;
    const start = decodeCursor(cursor, {
      attributes: ["PK", "SK"],
      partition: { PK: partition },
      prefixes: { SK: STORE_PREFIX },
    });
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :store)",
        ExpressionAttributeValues: { ":pk": partition, ":store": STORE_PREFIX },
        ConsistentRead: true,
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
    return {
      items: (result.Items ?? []).map((item) => entityOf(Store, item)),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  },

  async keyRecord(storeId): Promise<StoreKeyRecord | undefined> {
    const record = await readKeyRecord(keys.storeKey(storeId));
    return record && { storeId, ...record };
  },
});
