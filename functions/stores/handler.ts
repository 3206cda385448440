import { apiFunction } from "../api/functions.js";
import { storeService } from "../app/stores.js";
import { claimFor } from "../app/writes.js";
import { httpSettings, processParts } from "../composition/process.js";
import { noContent } from "../http/operation.js";

/** The merchant API's stores: add one (with its key), list, read, change, disable, delete, rotate its key. */
const parts = processParts();
const { programs } = parts.repositories;
const stores = storeService(parts.repositories.stores);

export const handler = apiFunction(
  "stores",
  {
    createStore: (r) =>
      stores.create(
        r.params.programId,
        r.body,
        claimFor({ kind: "merchant", programId: r.params.programId }, r),
      ),
    listStores: ({ params, query }) =>
      stores.list(params.programId, query, async () => (await programs.get(params.programId)) !== undefined),
    getStore: ({ params }) => stores.get(params.programId, params.storeId),
    updateStore: ({ params, body }) => stores.update(params.programId, params.storeId, body),
    deleteStore: async ({ params }) => {
      await stores.remove(params.programId, params.storeId);
      return noContent();
    },
    rotateStoreKey: ({ params, body }) =>
      stores.rotateKey(params.programId, params.storeId, body.graceSeconds),
  },
  httpSettings(parts),
);
