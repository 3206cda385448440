import { z } from "zod";
import { type PassCertificates, PassConfigError, pemFrom } from "../adapters/apple/pass-factory.js";
import { config } from "./env.js";
import { secretOnce } from "./secrets.js";

/**
 * The Pass Type ID certificate, its key and Apple's WWDR certificate: from APPLE_PASS_CERT /
 * APPLE_PASS_KEY / APPLE_WWDR_CERT (paths or PEM text; `npm start` and the tests point them at
 * development certificates), or in AWS from the Secrets Manager secret APPLE_PASS_SECRET_ARN, a JSON
 * document {"passCert","passKey","wwdrCert","passKeyPassphrase"?}. Read once per process.
 */
const Stored = z.object({
  passCert: z.string().includes("-----BEGIN"),
  passKey: z.string().includes("-----BEGIN"),
  wwdrCert: z.string().includes("-----BEGIN"),
  passKeyPassphrase: z.string().optional(),
});

const fromEnvironment = (): string | undefined => {
  const env = config();
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

const parse = (text: string): PassCertificates => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PassConfigError("the Apple certificate secret is not JSON");
  }
  const stored = Stored.safeParse(json);
  if (!stored.success) {
    throw new PassConfigError(
      'the Apple certificate secret needs "passCert", "passKey" and "wwdrCert" as PEM text',
    );
  }
  const { passCert, passKey, wwdrCert, passKeyPassphrase } = stored.data;
  return {
    signerCert: passCert,
    signerKey: passKey,
    wwdr: wwdrCert,
    ...(passKeyPassphrase !== undefined ? { signerKeyPassphrase: passKeyPassphrase } : {}),
  };
};

export const appleCertificatesOnce = secretOnce(
  "Apple Wallet (set APPLE_PASS_CERT, APPLE_PASS_KEY and APPLE_WWDR_CERT, or APPLE_PASS_SECRET_ARN)",
  () => ({ inline: fromEnvironment(), arn: config().APPLE_PASS_SECRET_ARN }),
  parse,
);
