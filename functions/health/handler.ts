import { apiFunction } from "../api/functions.js";
import { httpSettings, processParts } from "../composition/process.js";

/** Liveness: answers as soon as the function started, which means its configuration is valid. */
export const handler = apiFunction(
  "health",
  { health: async () => ({ status: "ok" as const }) },
  httpSettings(processParts()),
);
