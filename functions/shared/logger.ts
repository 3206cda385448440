import { Logger } from "@aws-lambda-powertools/logger";

/** One structured logger per process (POWERTOOLS_LOG_LEVEL, POWERTOOLS_SERVICE_NAME from the env). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "carnet" });
