import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { MAX_PASS_LOCATIONS } from "../../domain/pass/apple-card.js";
import type { Page, PageRequest, StoreRepository } from "../../domain/ports.js";
import { Store, StoreLimits } from "../../domain/store.js";
import { storePlaces } from "../../domain/stores/places.js";
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
  /** Recently read (read-cache.ts): every active store of a program, indexed for the card's store choice. */
  const recentPlaces = table.cache("storePlaces", 1_000, async (programId) => {
    const stores: Store[] = [];
    let cursor: string | undefined;
    do {
      // Pages of 1,000 (well under Query's 1 MB): a program of 10,000 stores is 10 requests, once per
      // process per CARNET_CACHE_SECONDS.
      const page = await listStores(table, programId, { limit: 1_000, ...(cursor ? { cursor } : {}) });
      stores.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return { places: storePlaces(stores) };
  });
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
    changed: (programId) => {
      recentPassStores.forget(programId);
      recentPlaces.forget(programId);
    },
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

    async places(programId) {
      return (await recentPlaces.get(programId))?.places ?? storePlaces([]);
    },
  };
};
