import type { StoreRepository } from "../domain/ports.js";
import { changedStore, newStore, type Store, type StoreSettings } from "../domain/store.js";
import { keyHolderUseCases } from "./key-holders.js";
import type { IdempotencyClaim } from "./writes.js";

/** The store use cases, over any StoreRepository: a store's life and its key's (key-holders.ts). */
export const storeService = (stores: StoreRepository, now: () => Date = () => new Date()) => {
  const holders = keyHolderUseCases(
    {
      what: "store",
      key: "sk",
      idPrefix: "sto",
      idField: "storeId",
      holders: stores,
      read: (programId, storeId) => stores.get(programId, storeId),
      changed: changedStore,
    },
    now,
  );
  return {
    ...holders,
    /** A new store with its key, shown once; with a claim, a retry gets the same store. */
    create: (
      programId: string,
      input: StoreSettings,
      claim?: IdempotencyClaim,
    ): Promise<Store & { apiKey: string }> =>
      holders.create(programId, ({ id, ...ids }, at) => newStore(input, { storeId: id, ...ids }, at), claim),
  };
};
