import { hashKey } from "../shared/api-keys.js";
import type { Config } from "./env.js";
import { secretOnce } from "./secrets.js";

/**
 * The SHA-256 of the root admin key: from CARNET_ADMIN_KEY, or in AWS from the Secrets Manager secret
 * named by CARNET_ADMIN_KEY_SECRET_ARN, fetched once per process, never per request.
 */
export const adminKeyHash = (env: Config): (() => Promise<string>) =>
  secretOnce(
    "the admin key",
    { inline: env.CARNET_ADMIN_KEY, arn: env.CARNET_ADMIN_KEY_SECRET_ARN, region: env.AWS_REGION },
    hashKey,
  );
