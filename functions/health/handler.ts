import { dynamoProgramRepository } from "../adapters/dynamodb/program-repository.js";
import { httpFunction } from "../http/handler.js";

export const handler = httpFunction(
  "health",
  { health: async () => ({ status: "ok" as const }) },
  { programs: dynamoProgramRepository() },
);
