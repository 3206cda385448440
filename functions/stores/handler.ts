import { apiFunction } from "../api/functions.js";
import { storeService } from "../app/stores.js";
import { httpSettings, processParts } from "../composition/process.js";

/** The merchant API's stores: add one (with its key), list, read. */
const parts = processParts();
const { programs } = parts.repositories;
const stores = storeService(parts.repositories.stores);

export const handler = apiFunction(
  "stores",
  {
    createStore: ({ params, body }) => stores.create(params.programId, body),
    listStores: ({ params, query }) =>
      stores.list(params.programId, query, async () => (await programs.get(params.programId)) !== undefined),
    getStore: ({ params }) => stores.get(params.programId, params.storeId),
  },
  httpSettings(parts),
);
