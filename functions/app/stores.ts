import { notFound } from "../domain/errors.js";
import type { Page, PageRequest, StoreRepository } from "../domain/ports.js";
import {
  changedStore,
  newStore,
  type Store,
  type StoreChanges,
  type StoreSettings,
} from "../domain/store.js";
import { issueKey } from "../shared/api-keys.js";
import { newId } from "../shared/ids.js";
import { createdBefore, creationClaim, type RotatedKey, rotateKey } from "./keys.js";
import type { IdempotencyClaim } from "./writes.js";

/** The store use cases, over any StoreRepository. */
export const storeService = (stores: StoreRepository, now: () => Date = () => new Date()) => {
  const get = async (programId: string, storeId: string): Promise<Store> => {
    const store = await stores.get(programId, storeId);
    if (!store) throw notFound("store", storeId);
    return store;
  };
  return {
    /** A new store with its key, shown once; with a claim, a retry gets the same store (creationClaim). */
    async create(
      programId: string,
      input: StoreSettings,
      claim?: IdempotencyClaim,
    ): Promise<Store & { apiKey: string }> {
      const storeId = newId("sto");
      const key = issueKey("sk", storeId);
      const at = now();
      const store = newStore(input, { storeId, programId, apiKeyPrefix: key.prefix }, at);
      const result = await stores.create(store, key.hash, creationClaim(claim, { storeId }, at), at);
      if (result === false) throw notFound("program", programId);
      if (result === true || !claim) return { ...store, apiKey: key.key };
      const earlier = createdBefore(result, claim, "storeId");
      const { apiKey } = await this.rotateKey(programId, earlier, 0);
      return { ...(await get(programId, earlier)), apiKey };
    },

    get,

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

    /** Changes a store's settings, status (a disabled store's key is refused) or limits. */
    async update(programId: string, storeId: string, changes: StoreChanges): Promise<Store> {
      const next = changedStore(await get(programId, storeId), changes, now());
      if (!(await stores.replace(next))) throw notFound("store", storeId);
      return next;
    },

    /** A new key for the store; the old one refused at once or after `graceSeconds`. */
    async rotateKey(programId: string, storeId: string, graceSeconds: number): Promise<RotatedKey> {
      const store = await get(programId, storeId);
      return rotateKey(
        "sk",
        storeId,
        {
          read: async () => (await stores.keyRecord(storeId))?.key,
          write: (next, prefix, expected) => stores.setKey(store, next, prefix, expected),
        },
        graceSeconds,
        now,
        () => notFound("store", storeId),
      );
    },

    /** Deletes the store and its key: the key never works again. Its purchases stay in the ledger. */
    async remove(programId: string, storeId: string): Promise<void> {
      if (!(await stores.remove(programId, storeId))) throw notFound("store", storeId);
    },
  };
};
