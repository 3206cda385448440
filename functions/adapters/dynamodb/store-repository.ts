import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { MAX_PASS_LOCATIONS } from "../../domain/pass/apple-card.js";
import type { Page, PageRequest, StoreKeyRecord, StoreRepository } from "../../domain/ports.js";
import { Store } from "../../domain/store.js";
import { keys, STORE_PREFIX } from "../../shared/keys.js";
import type { DynamoTable } from "./client.js";
import { prefixPage } from "./cursor.js";
import { entityOf } from "./entity.js";
import { createWithKey, readKeyRecord } from "./keyed-child.js";

/** A page of a program's stores, in id order: one Query of the program's partition. */
const listStores = (table: DynamoTable, programId: string, page: PageRequest): Promise<Page<Store>> =>
  prefixPage(table, { partition: keys.program(programId).PK, prefix: STORE_PREFIX }, page, (item) =>
    entityOf(Store, item),
  );

export const dynamoStoreRepository = (table: DynamoTable): StoreRepository => {
  /** Recently read (read-cache.ts): store key records, and the stores each program's passes show. */
  const recentKeyRecords = table.cache("storeKeys", 10_000, (storeId) =>
    readKeyRecord(table, keys.storeKey(storeId)),
  );
  const recentPassStores = table.cache("passStores", 1_000, async (programId) => ({
    stores: (await listStores(table, programId, { limit: MAX_PASS_LOCATIONS })).items,
  }));
  return {
    create: async (store, apiKeyHash) => {
      const created = await createWithKey(
        table,
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
      const { Item } = await table.client.send(
        new GetCommand({ TableName: table.name, Key: keys.store(programId, storeId), ConsistentRead: true }),
      );
      return Item ? entityOf(Store, Item) : undefined;
    },

    list: (programId, page) => listStores(table, programId, page),

    async passStores(programId) {
      return (await recentPassStores.get(programId))?.stores ?? [];
    },

    async keyRecord(storeId): Promise<StoreKeyRecord | undefined> {
      const record = await recentKeyRecords.get(storeId);
      return record && { storeId, ...record };
    },
  };
};
