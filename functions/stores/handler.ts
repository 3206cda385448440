import { dynamoProgramRepository } from "../adapters/dynamodb/program-repository.js";
import { dynamoStoreRepository } from "../adapters/dynamodb/store-repository.js";
import { httpFunction } from "../http/handler.js";
import { storeService } from "./service.js";

const programRepository = dynamoProgramRepository();
const stores = storeService(dynamoStoreRepository());

export const handler = httpFunction(
  "stores",
  {
    createStore: ({ params, body }) => stores.create(params.programId, body),
    listStores: ({ params, query }) =>
      stores.list(
        params.programId,
        query,
        async () => (await programRepository.get(params.programId)) !== undefined,
      ),
    getStore: ({ params }) => stores.get(params.programId, params.storeId),
  },
  { programs: programRepository },
);
