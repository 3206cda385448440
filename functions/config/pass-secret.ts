import type { Config } from "./env.js";
import { secretOnce } from "./secrets.js";

/**
 * The secret behind card links and Apple pass authentication tokens: CARNET_PASS_SECRET, or in AWS
 * the Secrets Manager secret named by CARNET_PASS_SECRET_ARN. Changing it revokes every emailed link
 * and every pass's authentication token at once (devices then stop receiving updates).
 */
export const passSecret = (env: Config): (() => Promise<Buffer>) =>
  secretOnce(
    "the pass secret (set CARNET_PASS_SECRET, at least 32 characters, or CARNET_PASS_SECRET_ARN)",
    { inline: env.CARNET_PASS_SECRET, arn: env.CARNET_PASS_SECRET_ARN, region: env.AWS_REGION },
    (value) => Buffer.from(value, "utf8"),
  );
