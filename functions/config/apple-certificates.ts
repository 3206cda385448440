import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { type Config, ConfigError } from "./env.js";
import { jsonSecret, secretOnce } from "./secrets.js";

/**
 * The Pass Type ID certificate, its key and Apple's WWDR certificate: from APPLE_PASS_CERT /
 * APPLE_PASS_KEY / APPLE_WWDR_CERT (paths or PEM text; `npm start` and the tests point them at
 * development certificates), or in AWS from the Secrets Manager secret APPLE_PASS_SECRET_ARN, a JSON
 * document {"passCert","passKey","wwdrCert","passKeyPassphrase"?}. Read once per process, on first
 * use: a deployment without Apple Wallet still serves everything else (passes answer 503).
 */
export interface AppleCertificates {
  signerCert: string;
  signerKey: string;
  signerKeyPassphrase?: string;
  wwdr: string;
}

/** A PEM value from the environment: the PEM text itself, or the path of a file holding it. */
export const pemFrom = (name: string, value: string | undefined): string => {
  if (value === undefined) throw new ConfigError(`${name} is not set`);
  if (value.includes("-----BEGIN")) return value.replace(/\\n/g, "\n");
  if (!existsSync(value)) throw new ConfigError(`${name} names '${value}', which does not exist`);
  const text = readFileSync(value, "utf8");
  if (!text.includes("-----BEGIN")) throw new ConfigError(`${name}: '${value}' is not a PEM file`);
  return text;
};

const Stored = z.object({
  passCert: z.string().includes("-----BEGIN"),
  passKey: z.string().includes("-----BEGIN"),
  wwdrCert: z.string().includes("-----BEGIN"),
  passKeyPassphrase: z.string().optional(),
});

const fromEnvironment = (env: Config): string | undefined => {
  if (!env.APPLE_PASS_CERT && !env.APPLE_PASS_KEY && !env.APPLE_WWDR_CERT) return undefined;
  return JSON.stringify({
    passCert: pemFrom("APPLE_PASS_CERT", env.APPLE_PASS_CERT),
    passKey: pemFrom("APPLE_PASS_KEY", env.APPLE_PASS_KEY),
    wwdrCert: pemFrom("APPLE_WWDR_CERT", env.APPLE_WWDR_CERT),
    ...(env.APPLE_PASS_KEY_PASSPHRASE !== undefined
      ? { passKeyPassphrase: env.APPLE_PASS_KEY_PASSPHRASE }
      : {}),
  });
};

const parse = (text: string): AppleCertificates => {
  const { passCert, passKey, wwdrCert, passKeyPassphrase } = jsonSecret(
    text,
    Stored,
    "the Apple certificate secret",
    '"passCert", "passKey" and "wwdrCert" as PEM text',
  );
  return {
    signerCert: passCert,
    signerKey: passKey,
    wwdr: wwdrCert,
    ...(passKeyPassphrase !== undefined ? { signerKeyPassphrase: passKeyPassphrase } : {}),
  };
};

export const appleCertificates = (env: Config): (() => Promise<AppleCertificates>) => {
  const what =
    "Apple Wallet (set APPLE_PASS_CERT, APPLE_PASS_KEY and APPLE_WWDR_CERT, or APPLE_PASS_SECRET_ARN)";
  let source: ReturnType<typeof secretOnce<AppleCertificates>> | undefined;
  // The files are read on first use, like the secret: a wrong path is a 503 naming it, not a failed start.
  return () => {
    source ??= secretOnce(
      what,
      { inline: fromEnvironment(env), arn: env.APPLE_PASS_SECRET_ARN, region: env.AWS_REGION },
      parse,
    );
    return source();
  };
};
