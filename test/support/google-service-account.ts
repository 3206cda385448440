import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { ServiceAccount } from "../../functions/adapters/google/wallet-api.js";
import type { StandInServiceAccount } from "../../local/google-wallet-standin.js";

/**
 * A service account made up for a test: an RSA 2048 key pair (the private key in PKCS#8 PEM, as in
 * the JSON key files Google's console downloads), the account as Carnet holds it, and as the Google
 * Wallet stand-in knows it (its public key).
 */
export const testServiceAccount = (
  name = "carnet-wallet",
): { serviceAccount: ServiceAccount; standIn: StandInServiceAccount; publicKeyPem: string } => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const client_email = `${name}@carnet-test.iam.gserviceaccount.com`;
  return {
    serviceAccount: {
      client_email,
      private_key: privateKey,
      private_key_id: randomBytes(20).toString("hex"),
    },
    standIn: { client_email, publicKeyPem: publicKey },
    publicKeyPem: publicKey,
  };
};
