import { type DynamoTable, dynamoTable } from "../adapters/dynamodb/client.js";
import { type DynamoRepositories, dynamoRepositories } from "../adapters/dynamodb/repositories.js";
import { adminKeyHash } from "../config/admin-key.js";
import { type AppleCertificates, appleCertificates } from "../config/apple-certificates.js";
import { type Config, ConfigError, configAtStart } from "../config/env.js";
import { passSecret } from "../config/pass-secret.js";
import type { KeyStores } from "../http/auth.js";
import type { HttpSettings } from "../http/handler.js";
import { logger } from "../shared/logger.js";

/**
 * What every function of this process shares, built once from the configuration: the table (one
 * client, one set of read caches, so that under `npm start`, where every function runs in one
 * process, a change made through one is seen at once by the others), the repositories over it and
 * the secrets. Each function's handler.ts is its composition root and starts from here.
 */
export interface ProcessParts {
  env: Config;
  table: DynamoTable;
  repositories: DynamoRepositories;
  adminKeyHash: () => Promise<string>;
  passSecret: () => Promise<Buffer>;
  /** The Apple certificates, read on first use (the wallet signs passes with them, pushes go out with them). */
  appleCertificates: () => Promise<AppleCertificates>;
  /** Where customers reach this deployment: PUBLIC_URL (set by `npm start`, the tests and the CDK stack). */
  publicUrl: string;
}

let parts: ProcessParts | undefined;

/**
 * The configuration, checked at cold start (module load): a missing or wrong setting stops the
 * function with one log line naming the variable and what to do, before any request is taken.
 */
export const processParts = (): ProcessParts => {
  if (parts) return parts;
  let env: Config;
  try {
    env = configAtStart();
  } catch (error) {
    if (error instanceof ConfigError) logger.error(error.message);
    throw error;
  }
  const table = dynamoTable({
    tableName: env.CARNET_TABLE_NAME,
    region: env.AWS_REGION,
    endpoint: env.DYNAMODB_ENDPOINT,
    cacheSeconds: env.CARNET_CACHE_SECONDS,
  });
  parts = {
    env,
    table,
    repositories: dynamoRepositories(table),
    adminKeyHash: adminKeyHash(env),
    passSecret: passSecret(env),
    appleCertificates: appleCertificates(env),
    publicUrl: (env.PUBLIC_URL ?? "http://localhost:3000").replace(/\/$/, ""),
  };
  return parts;
};

/** For tests that start functions again in one process with another environment. */
export const forgetProcessPartsForTests = (): void => {
  parts = undefined;
};

/** The HTTP settings of a function: the key stores its operations authenticate with. */
export const httpSettings = (p: ProcessParts, keys: Omit<KeyStores, "adminKeyHash"> = {}): HttpSettings => ({
  keys: { adminKeyHash: p.adminKeyHash, programs: p.repositories.programs, ...keys },
  maxBodyBytes: p.env.CARNET_MAX_BODY_BYTES,
});
