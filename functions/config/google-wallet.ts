import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { type Config, ConfigError } from "./env.js";
import { jsonSecret, secretOnce } from "./secrets.js";

/**
 * Google Wallet's settings: the issuer id and the service account that calls the Wallet REST API and
 * signs the save links. The key comes from GOOGLE_WALLET_SA_JSON (the path of the JSON key file Google's
 * console downloads, or its text; `npm start` points it at a development account) or, in AWS, from the
 * Secrets Manager secret GOOGLE_WALLET_SA_SECRET_ARN holding that JSON. Read once per process, on first
 * use. Without an issuer id Google Wallet is off: `googleWalletSettings` says why, and everything else
 * runs (the card page hides the Google button).
 */
export interface GoogleServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

export interface GoogleWalletSettings {
  issuerId: string;
  apiUrl: string;
  tokenUrl: string;
  serviceAccount: () => Promise<GoogleServiceAccount>;
}

export type GoogleWalletSetup = { on: true; settings: GoogleWalletSettings } | { on: false; reason: string };

/** What to set to turn Google Wallet on: said once in the log of a process without it. */
export const GOOGLE_WALLET_OFF =
  "Google Wallet is off: set GOOGLE_WALLET_ISSUER_ID and GOOGLE_WALLET_SA_JSON (the service account's JSON key; in AWS GOOGLE_WALLET_SA_SECRET_ARN) to offer 'Add to Google Wallet'";

const Key = z.object({
  client_email: z.string().includes("@", "must be the service account's email"),
  private_key: z.string().includes("-----BEGIN", "must be a PEM private key"),
  private_key_id: z.string().optional(),
});

const parse = (text: string): GoogleServiceAccount => {
  const { client_email, private_key, private_key_id } = jsonSecret(
    text,
    Key,
    "the Google service account key",
    '"client_email" and "private_key" (the JSON key file of a service account)',
  );
  return { client_email, private_key, ...(private_key_id ? { private_key_id } : {}) };
};

/** The key's JSON: the text itself, or the file it names. */
const inline = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  if (value.trimStart().startsWith("{")) return value;
  if (!existsSync(value))
    throw new ConfigError(`GOOGLE_WALLET_SA_JSON names '${value}', which does not exist`);
  return readFileSync(value, "utf8");
};

export const googleWalletSettings = (env: Config): GoogleWalletSetup => {
  const issuerId = env.GOOGLE_WALLET_ISSUER_ID;
  if (issuerId === undefined) return { on: false, reason: GOOGLE_WALLET_OFF };
  let source: (() => Promise<GoogleServiceAccount>) | undefined;
  return {
    on: true,
    settings: {
      issuerId,
      apiUrl: env.GOOGLE_WALLET_API_URL.replace(/\/$/, ""),
      tokenUrl: env.GOOGLE_OAUTH_TOKEN_URL,
      // A wrong path or key fails here, on first use (a 503 naming it), not at start: like Apple's.
      serviceAccount: async () => {
        source ??= secretOnce(
          "Google Wallet (set GOOGLE_WALLET_SA_JSON or GOOGLE_WALLET_SA_SECRET_ARN)",
          {
            inline: inline(env.GOOGLE_WALLET_SA_JSON),
            arn: env.GOOGLE_WALLET_SA_SECRET_ARN,
            region: env.AWS_REGION,
          },
          parse,
        );
        return source();
      },
    },
  };
};
