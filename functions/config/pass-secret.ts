import { config } from "./env.js";
import { secretOnce } from "./secrets.js";

/**
 * The secret behind card links and Apple pass authentication tokens: CARNET_PASS_SECRET, or in AWS
 * the Secrets Manager secret named by CARNET_PASS_SECRET_ARN. Changing it revokes every emailed link
 * and every pass's authentication token at once (devices then stop receiving updates).
 */
export const passSecretOnce = secretOnce(
  "the pass secret (set CARNET_PASS_SECRET, at least 32 characters, or CARNET_PASS_SECRET_ARN)",
  () => ({ inline: config().CARNET_PASS_SECRET, arn: config().CARNET_PASS_SECRET_ARN }),
  (value) => Buffer.from(value, "utf8"),
);
