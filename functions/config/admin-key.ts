import { hashKey } from "../shared/api-keys.js";
import { config } from "./env.js";
import { secretOnce } from "./secrets.js";

/**
 * The SHA-256 of the root admin key: from CARNET_ADMIN_KEY, or in AWS from the Secrets Manager secret
 * named by CARNET_ADMIN_KEY_SECRET_ARN, fetched once per process (cold start), never per request.
 */
export const adminKeyHashOnce = secretOnce(
  "the admin key",
  () => ({ inline: config().CARNET_ADMIN_KEY, arn: config().CARNET_ADMIN_KEY_SECRET_ARN }),
  hashKey,
);
