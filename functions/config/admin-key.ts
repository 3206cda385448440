import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { hashKey } from "../shared/api-keys.js";
import { config } from "./env.js";

let adminKeyHash: Promise<string> | undefined;

/**
 * The SHA-256 of the root admin key: from CARNET_ADMIN_KEY, or in AWS from the Secrets Manager secret
 * named by CARNET_ADMIN_KEY_SECRET_ARN, fetched once per process (cold start), never per request.
 */
export const adminKeyHashOnce = (): Promise<string> => {
  adminKeyHash ??= (async () => {
    const { CARNET_ADMIN_KEY, CARNET_ADMIN_KEY_SECRET_ARN, AWS_REGION } = config();
    if (CARNET_ADMIN_KEY !== undefined) return hashKey(CARNET_ADMIN_KEY);
    const client = new SecretsManagerClient({ region: AWS_REGION });
    const secret = await client.send(new GetSecretValueCommand({ SecretId: CARNET_ADMIN_KEY_SECRET_ARN }));
    if (!secret.SecretString) throw new Error("The admin key secret has no string value.");
    return hashKey(secret.SecretString);
  })().catch((error: unknown) => {
    adminKeyHash = undefined; // a failed fetch is retried by the next request
    throw error;
  });
  return adminKeyHash;
};
