import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { z } from "zod";
import { ConfigError } from "./env.js";

/** Where a secret comes from: given inline in the environment, or a Secrets Manager ARN in AWS. */
export interface SecretSource {
  inline: string | undefined;
  arn: string | undefined;
  region: string;
}

/**
 * A secret of this process: given inline in the environment (locally, in tests), or in AWS read from
 * Secrets Manager by ARN. Read once per process (on first use), never per request; a failed read is
 * retried by the next caller.
 */
export const secretOnce = <T>(
  what: string,
  { inline, arn, region }: SecretSource,
  derive: (value: string) => T,
): (() => Promise<T>) => {
  let cached: Promise<T> | undefined;
  return () => {
    cached ??= (async () => {
      if (inline !== undefined) return derive(inline);
      if (arn === undefined) throw new ConfigError(`${what} is not configured.`);
      const client = new SecretsManagerClient({ region });
      try {
        const secret = await client.send(new GetSecretValueCommand({ SecretId: arn }));
        if (!secret.SecretString) throw new Error(`The secret for ${what} has no string value.`);
        return derive(secret.SecretString);
      } finally {
        client.destroy();
      }
    })().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
};

/**
 * A secret's JSON text checked against its schema: a ConfigError saying `what` is not JSON, or what it
 * needs (`needs`), never the parser's own message (which could quote the secret).
 */
export const jsonSecret = <S extends z.ZodType>(
  text: string,
  schema: S,
  what: string,
  needs: string,
): z.output<S> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${what} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`${what} needs ${needs}`);
  return parsed.data;
};
