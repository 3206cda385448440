import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { MAX_PASS_LOCATIONS } from "../../domain/pass/apple-card.js";
import type { Page, PageRequest, StoreRepository } from "../../domain/ports.js";
import { Store, StoreLimits } from "../../domain/store.js";
import { keys, STORE_PREFIX } from "../../shared/keys.js";
import type { DynamoTable } from "./client.js";
import { prefixPage } from "./cursor.js";
import { entityOf } from "./entity.js";
import { keyHolderRepository } from "./keyed-child.js";

/** A page of a program's stores, in id order: one Query of the program's partition. */
const listStores = (table: DynamoTable, programId: string, page: PageRequest): Promise<Page<Store>> =>
  prefixPage(table, { partition: keys.program(programId).PK, prefix: STORE_PREFIX }, page, (item) =>
    entityOf(Store, item),
  );

export const dynamoStoreRepository = (table: DynamoTable): StoreRepository => {
  /** Recently read (read-cache.ts): the stores each program's passes show. */
  const recentPassStores = table.cache("passStores", 1_000, async (programId) => ({
    stores: (await listStores(table, programId, { limit: MAX_PASS_LOCATIONS })).items,
  }));
  const holders = keyHolderRepository(table, {
    entity: "store",
    idOf: (store: Store) => store.storeId,
    itemKey: keys.store,
    keyRecordKey: keys.storeKey,
    recordExtras: (store) => ({ limits: store.limits }),
    recordOf: (storeId, common, item) => {
      const limits = StoreLimits.safeParse(item.limits);
      return { storeId, ...common, ...(limits.success ? { limits: limits.data } : {}) };
    },
    changed: (programId) => recentPassStores.forget(programId),
  });
  return {
    ...holders,

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
  };
};
