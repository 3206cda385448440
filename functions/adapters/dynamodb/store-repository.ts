import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { MAX_PASS_LOCATIONS } from "../../domain/pass/apple-card.js";
import type { Page, PageRequest, StoreKeyRecord, StoreRepository } from "../../domain/ports.js";
import { Store } from "../../domain/store.js";
import { dynamo, tableName } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { createWithKey, readKeyRecord } from "./keyed-child.js";
import { entityOf } from "./program-repository.js";
import { readCache } from "./read-cache.js";
import { keys, STORE_PREFIX } from "./table.js";

/** A page of a program's stores, in id order: one Query of the program's partition. */
const listStores = async (programId: string, { limit, cursor }: PageRequest): Promise<Page<Store>> => {
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
};

/** Recently read (read-cache.ts): store key records, and the stores each program's passes show. */
const recentKeyRecords = readCache(10_000, (storeId) => readKeyRecord(keys.storeKey(storeId)));
const recentPassStores = readCache(1_000, async (programId) => ({
  stores: (await listStores(programId, { limit: MAX_PASS_LOCATIONS })).items,
}));

export const dynamoStoreRepository = (): StoreRepository => ({
  create: async (store, apiKeyHash) => {
    const created = await createWithKey(
      store.programId,
      { ...keys.store(store.programId, store.storeId), entity: "store", ...store },
      {
        ...keys.storeKey(store.storeId),
        entity: "storeKey",
        storeId: store.storeId,
        programId: store.programId,
        apiKeyHash,
      },
    );
    recentPassStores.forget(store.programId);
    return created;
  },

  async get(programId, storeId) {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName(), Key: keys.store(programId, storeId), ConsistentRead: true }),
    );
    return Item ? entityOf(Store, Item) : undefined;
  },

  list: listStores,

  async passStores(programId) {
    return (await recentPassStores.get(programId))?.stores ?? [];
  },

  async keyRecord(storeId): Promise<StoreKeyRecord | undefined> {
    const record = await recentKeyRecords.get(storeId);
    return record && { storeId, ...record };
  },
});
