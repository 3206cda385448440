import { z } from "zod";

/**
 * `cards@example.com`, `Carnet <cards@example.com>` or `"Café Lumière, Paris" <cards@example.com>`: the
 * name (optional, in quotes or not) and the address, as config/mail.ts reads them.
 */
export const MAIL_FROM_PATTERN =
  /^\s*(?:(?:"(?<quoted>[^"\r\n]*)"|(?<name>[^"<>\r\n]*?))\s*<(?<address>[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>|(?<bare>[^<>\s@"]+@[^<>\s@"]+\.[^<>\s@"]+))\s*$/;

/**
 * The process configuration, read from the environment once. The same names are used locally, in
 * tests and in AWS (design.md, "Configuration"). A missing or malformed variable fails at start with
 * one message naming every problem, never later in the middle of a request.
 */
const Env = z
  .object({
    CARNET_TABLE_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name (3 to 255 letters, digits, _ . -)")
      .default("carnet"),
    DYNAMODB_ENDPOINT: z.url("must be the URL of DynamoDB Local, e.g. http://localhost:8000").optional(),
    AWS_REGION: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as eu-west-1")
      .default("eu-west-1"),
    CARNET_ADMIN_KEY: z
      .string()
      .min(24, "must be at least 24 characters (generate one with `openssl rand -base64 32`)")
      .optional(),
    CARNET_ADMIN_KEY_SECRET_ARN: z
      .string()
      .startsWith("arn:", "must be a Secrets Manager ARN (arn:aws:secretsmanager:…)")
      .optional(),
    PUBLIC_URL: z
      .url("must be the URL customers reach Carnet at, e.g. https://loyalty.example.com")
      .optional(),
    /** The secret behind card links and pass authentication tokens (≥ 32 characters). */
    CARNET_PASS_SECRET: z
      .string()
      .min(32, "must be at least 32 characters (generate one with `openssl rand -base64 32`)")
      .optional(),
    CARNET_PASS_SECRET_ARN: z
      .string()
      .startsWith("arn:", "must be a Secrets Manager ARN (arn:aws:secretsmanager:…)")
      .optional(),
    APPLE_PASS_TYPE_ID: z
      .string()
      .regex(/^[A-Za-z0-9.-]{3,255}$/, "must be a pass type identifier such as pass.com.example.loyalty")
      .default("pass.dev.carnet.local"),
    APPLE_TEAM_ID: z
      .string()
      .regex(/^[A-Z0-9]{10}$/, "must be the 10-character Apple team identifier")
      .default("DEVTEAM000"),
    /** Paths to PEM files, or the PEM text itself. */
    APPLE_PASS_CERT: z.string().min(1).optional(),
    APPLE_PASS_KEY: z.string().min(1).optional(),
    APPLE_PASS_KEY_PASSPHRASE: z.string().optional(),
    APPLE_WWDR_CERT: z.string().min(1).optional(),
    /** In AWS: a Secrets Manager secret holding {"passCert","passKey","wwdrCert","passKeyPassphrase"?} as PEM. */
    APPLE_PASS_SECRET_ARN: z
      .string()
      .startsWith("arn:", "must be a Secrets Manager ARN (arn:aws:secretsmanager:…)")
      .optional(),
    /** Set by `npm start` and the tests when the certificates are Carnet's development ones. */
    APPLE_CERTS_DEVELOPMENT: z.enum(["0", "1"], "must be 0 or 1").default("0"),
    APNS_URL: z.url("must be the APNs URL, e.g. https://api.push.apple.com").optional(),
    APNS_CA_FILE: z.string().min(1).optional(),
    /** Google Wallet: the issuer id (digits) of the Google Pay & Wallet Console; unset: Google Wallet off. */
    GOOGLE_WALLET_ISSUER_ID: z
      .string()
      .regex(/^\d{6,25}$/, "must be the numeric issuer id of the Google Pay & Wallet Console")
      .optional(),
    /** The service account's key: the path of its JSON key file, or the JSON text itself. */
    GOOGLE_WALLET_SA_JSON: z.string().min(1).optional(),
    /** In AWS: a Secrets Manager secret holding the service account's JSON key. */
    GOOGLE_WALLET_SA_SECRET_ARN: z
      .string()
      .startsWith("arn:", "must be a Secrets Manager ARN (arn:aws:secretsmanager:…)")
      .optional(),
    GOOGLE_WALLET_API_URL: z
      .url("must be the Google Wallet REST base, e.g. https://walletobjects.googleapis.com/walletobjects/v1")
      .default("https://walletobjects.googleapis.com/walletobjects/v1"),
    GOOGLE_OAUTH_TOKEN_URL: z
      .url("must be the OAuth token endpoint, e.g. https://oauth2.googleapis.com/token")
      .default("https://oauth2.googleapis.com/token"),
    /**
     * How long a process may serve what rarely changes (programs and rules, store and partner keys,
     * a program's pass stores) from memory before reading it again; 0 turns the caches off.
     */
    CARNET_CACHE_SECONDS: z.coerce
      .number("must be a number of seconds from 0 (off) to 3600")
      .int("must be a whole number of seconds from 0 (off) to 3600")
      .min(0, "must be from 0 (off) to 3600 seconds")
      .max(3600, "must be from 0 (off) to 3600 seconds")
      .default(30),
    /**
     * Who emails come from (the mail function needs it): an address, or a name and an address. Each
     * email shows the program's organization as the sender's name at this address (config/mail.ts).
     */
    MAIL_FROM: z
      .string()
      .regex(
        MAIL_FROM_PATTERN,
        'must be an address such as cards@example.com, or a name and an address such as "Carnet <cards@example.com>"',
      )
      .optional(),
    /** An SMTP server to send emails through (npm start: its local mail catcher); unset: Amazon SES. */
    SMTP_URL: z
      .url({
        protocol: /^smtps?$/,
        error: "must be an SMTP URL such as smtp://user:password@smtp.example.com:587 (or smtps://…:465)",
      })
      .optional(),
    CARNET_MAX_BODY_BYTES: z.coerce
      .number("must be a number of bytes, e.g. 65536")
      .int("must be a whole number of bytes, e.g. 65536")
      .positive("must be a positive number of bytes, e.g. 65536")
      .default(64 * 1024),
  })
  .refine(
    (e) =>
      e.GOOGLE_WALLET_ISSUER_ID === undefined ||
      e.GOOGLE_WALLET_SA_JSON !== undefined ||
      e.GOOGLE_WALLET_SA_SECRET_ARN !== undefined,
    {
      message:
        "is missing while GOOGLE_WALLET_ISSUER_ID is set: set it to the path of the service account's JSON key (or, in AWS, set GOOGLE_WALLET_SA_SECRET_ARN), or unset GOOGLE_WALLET_ISSUER_ID to run without Google Wallet",
      path: ["GOOGLE_WALLET_SA_JSON"],
    },
  )
  .refine(
    (e) =>
      e.GOOGLE_WALLET_ISSUER_ID !== undefined ||
      (e.GOOGLE_WALLET_SA_JSON === undefined && e.GOOGLE_WALLET_SA_SECRET_ARN === undefined),
    {
      message:
        "is missing while a Google service account is set: set it to the issuer id of the Google Pay & Wallet Console",
      path: ["GOOGLE_WALLET_ISSUER_ID"],
    },
  )
  .refine((e) => e.CARNET_ADMIN_KEY !== undefined || e.CARNET_ADMIN_KEY_SECRET_ARN !== undefined, {
    message:
      "is missing: set it to the root admin key (generate one with `openssl rand -base64 32`), or in AWS set CARNET_ADMIN_KEY_SECRET_ARN",
    path: ["CARNET_ADMIN_KEY"],
  });

export type Config = z.output<typeof Env>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * The configuration in `env`, checked: every problem is named with its variable and what to do, in
 * one ConfigError.
 */
export const parseConfig = (env: NodeJS.ProcessEnv): Config => {
  const result = Env.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "environment"} ${i.message}`);
    throw new ConfigError(`Carnet is not configured: ${problems.join("; ")}.`);
  }
  return result.data;
};

let cached: Config | undefined;

/**
 * The configuration of this process, parsed from its environment once. Every function's composition
 * root calls it at cold start (module load), so a missing or wrong setting stops the function from
 * starting, with the message of parseConfig in its log, instead of failing requests one by one.
 */
export const configAtStart = (): Config => {
  cached ??= parseConfig(process.env);
  return cached;
};

/** For tests that change the environment between cases. */
export const resetConfigForTests = (): void => {
  cached = undefined;
};
