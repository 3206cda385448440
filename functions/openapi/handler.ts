import { apiFunction } from "../api/functions.js";
import { buildOpenApiDocument } from "../api/openapi.js";
import { httpSettings, processParts } from "../composition/process.js";

/** The OpenAPI document of the contract, built once per process. */
const parts = processParts();
let document: Record<string, unknown> | undefined;

export const handler = apiFunction(
  "openapi",
  {
    openapi: async () => {
      document ??= buildOpenApiDocument(parts.env.PUBLIC_URL);
      return document;
    },
  },
  httpSettings(parts),
);
