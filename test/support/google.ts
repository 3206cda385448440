import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { resetConfigForTests } from "../../functions/config/env.js";
import { type GoogleWalletStandIn, startGoogleWalletStandIn } from "../../local/google-wallet-standin.js";

export const TEST_GOOGLE_ISSUER_ID = "3388000000022334455";

/**
 * Google Wallet for a test file, as a deployment configures it: a service account of its own (a key
 * pair made for the file, its JSON key file written where GOOGLE_WALLET_SA_JSON points) and the local
 * Google Wallet stand-in named by GOOGLE_WALLET_API_URL / GOOGLE_OAUTH_TOKEN_URL, which verifies the
 * account's token assertions with its public key. Call it before the handlers are first used (before
 * usePushes).
 */
export const useGoogleWallet = () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const account = {
    type: "service_account",
    private_key_id: randomBytes(8).toString("hex"),
    private_key: privateKey,
    client_email: `carnet-test-${randomBytes(4).toString("hex")}@carnet-test.iam.gserviceaccount.com`,
  };
  const dir = mkdtempSync(join(tmpdir(), "carnet-google-"));
  const file = join(dir, "service-account.json");
  writeFileSync(file, JSON.stringify(account), { mode: 0o600 });
  let standIn: GoogleWalletStandIn | undefined;

  beforeAll(async () => {
    standIn = await startGoogleWalletStandIn({
      issuerId: TEST_GOOGLE_ISSUER_ID,
      serviceAccounts: [{ client_email: account.client_email, publicKeyPem: publicKey }],
    });
    Object.assign(process.env, {
      GOOGLE_WALLET_ISSUER_ID: TEST_GOOGLE_ISSUER_ID,
      GOOGLE_WALLET_SA_JSON: file,
      GOOGLE_WALLET_API_URL: standIn.apiUrl,
      GOOGLE_OAUTH_TOKEN_URL: standIn.tokenUrl,
    });
    resetConfigForTests();
  });
  afterAll(async () => {
    await standIn?.close();
    for (const name of [
      "GOOGLE_WALLET_ISSUER_ID",
      "GOOGLE_WALLET_SA_JSON",
      "GOOGLE_WALLET_API_URL",
      "GOOGLE_OAUTH_TOKEN_URL",
    ])
      delete process.env[name];
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    standIn: (): GoogleWalletStandIn => {
      if (!standIn) throw new Error("the Google Wallet stand-in is not started yet");
      return standIn;
    },
    issuerId: TEST_GOOGLE_ISSUER_ID,
    clientEmail: account.client_email,
    keyId: account.private_key_id,
    publicKey: createPublicKey(publicKey),
  };
};
