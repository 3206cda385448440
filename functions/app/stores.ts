import { notFound } from "../domain/errors.js";
import type { Page, PageRequest, StoreRepository } from "../domain/ports.js";
import { newStore, type Store, type StoreSettings } from "../domain/store.js";
import { issueKey } from "../shared/api-keys.js";
import { newId } from "../shared/ids.js";

/** The store use cases, over any StoreRepository. */
export const storeService = (stores: StoreRepository, now: () => Date = () => new Date()) => ({
  async create(programId: string, input: StoreSettings): Promise<Store & { apiKey: string }> {
    const storeId = newId("sto");
    const key = issueKey("sk", storeId);
    const store = newStore(input, { storeId, programId, apiKeyPrefix: key.prefix }, now());
    if (!(await stores.create(store, key.hash))) throw notFound("program", programId);
    return { ...store, apiKey: key.key };
  },

  async get(programId: string, storeId: string): Promise<Store> {
    const store = await stores.get(programId, storeId);
    if (!store) throw notFound("store", storeId);
    return store;
  },

  /** Stores of a program; a program that does not exist is a 404, not an empty list. */
  async list(
    programId: string,
    page: PageRequest,
    programExists: () => Promise<boolean>,
  ): Promise<Page<Store>> {
    const result = await stores.list(programId, page);
    if (result.items.length === 0 && page.cursor === undefined && !(await programExists())) {
      throw notFound("program", programId);
    }
    return result;
  },
});
