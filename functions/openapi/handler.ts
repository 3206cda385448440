import { dynamoProgramRepository } from "../adapters/dynamodb/program-repository.js";
import { buildOpenApiDocument } from "../api/openapi.js";
import { config } from "../config/env.js";
import { httpFunction } from "../http/handler.js";

let document: Record<string, unknown> | undefined;

export const handler = httpFunction(
  "openapi",
  {
    openapi: async () => {
      document ??= buildOpenApiDocument(config().PUBLIC_URL);
      return document;
    },
  },
  { programs: dynamoProgramRepository() },
);
