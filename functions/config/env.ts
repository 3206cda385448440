import { z } from "zod";

/**
 * The process configuration, read from the environment once. The same names are used locally, in
 * tests and in AWS (design.md, "Configuration"). A missing or malformed variable fails at start with
 * one message naming every problem, never later in the middle of a request.
 */
const Env = z
  .object({
    CARNET_TABLE_NAME: z.string().min(3).max(255).default("carnet"),
    DYNAMODB_ENDPOINT: z.url().optional(),
    AWS_REGION: z.string().min(1).default("eu-west-1"),
    CARNET_ADMIN_KEY: z
      .string()
      .min(24, "must be at least 24 characters (generate one with `openssl rand -base64 32`)")
      .optional(),
    CARNET_ADMIN_KEY_SECRET_ARN: z.string().startsWith("arn:").optional(),
    PUBLIC_URL: z.url().optional(),
    CARNET_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(64 * 1024),
  })
  .refine((e) => e.CARNET_ADMIN_KEY !== undefined || e.CARNET_ADMIN_KEY_SECRET_ARN !== undefined, {
    message: "set CARNET_ADMIN_KEY (or, in AWS, CARNET_ADMIN_KEY_SECRET_ARN)",
    path: ["CARNET_ADMIN_KEY"],
  });

export type Config = z.output<typeof Env>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const parseConfig = (env: NodeJS.ProcessEnv): Config => {
  const result = Env.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`);
    throw new ConfigError(`Carnet is not configured: ${problems.join("; ")}`);
  }
  return result.data;
};

let cached: Config | undefined;

/** The configuration of this process, parsed on first use and kept. */
export const config = (): Config => {
  cached ??= parseConfig(process.env);
  return cached;
};

/** For tests that change the environment between cases. */
export const resetConfigForTests = (): void => {
  cached = undefined;
};
