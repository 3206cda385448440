import { PassConfigError, passFactory, passTemplatesDir } from "../adapters/apple/pass-factory.js";
import { dynamoMemberRepository } from "../adapters/dynamodb/member-repository.js";
import { dynamoPartnerRepository } from "../adapters/dynamodb/partner-repository.js";
import { dynamoProgramRepository } from "../adapters/dynamodb/program-repository.js";
import { dynamoRegistrationRepository } from "../adapters/dynamodb/registration-repository.js";
import { dynamoStoreRepository } from "../adapters/dynamodb/store-repository.js";
import { appleCertificatesOnce } from "../config/apple-certificates.js";
import { ConfigError, config } from "../config/env.js";
import { passSecretOnce } from "../config/pass-secret.js";
import { DomainError } from "../domain/errors.js";
import type { PassFactory } from "../domain/ports.js";
import { logger } from "../shared/logger.js";
import { cardLinkFor } from "../shared/pass-tokens.js";
import { type LoyaltyService, loyaltyService } from "./loyalty.js";
import { walletService } from "./wallet.js";
import type { IdempotencyClaim } from "./writes.js";
import { requestHash } from "./writes.js";

/** The loyalty service over DynamoDB, and the key stores its handlers authenticate with. */
export const loyaltyOverDynamo = () => {
  const programs = dynamoProgramRepository();
  const partners = dynamoPartnerRepository();
  const service: LoyaltyService = loyaltyService({
    programs,
    members: dynamoMemberRepository(),
    partners,
    cardUrl: async (programId, memberId) =>
      `${publicUrl()}/c/${cardLinkFor(await passSecretOnce(), programId, memberId, new Date())}`,
  });
  return { service, keys: { programs, stores: dynamoStoreRepository(), partners } };
};

/** An idempotency claim for a request: per caller, and bound to the operation, its path and its body. */
export const claimOf = (
  scope: string,
  clientKey: string | undefined,
  request: { operationId: string; params: unknown; body: unknown },
): IdempotencyClaim | undefined =>
  clientKey === undefined ? undefined : { scope, clientKey, requestHash: requestHash(request) };

/** Where customers reach this deployment: PUBLIC_URL (set by `npm start`, the tests and the CDK stack). */
export const publicUrl = (): string => (config().PUBLIC_URL ?? "http://localhost:3000").replace(/\/$/, "");

/** Apple Wallet's customer side over DynamoDB, with the pass factory built on first use. */
export const walletOverDynamo = () => {
  const { APPLE_PASS_TYPE_ID } = config();
  return walletService({
    programs: dynamoProgramRepository(),
    stores: dynamoStoreRepository(),
    members: dynamoMemberRepository(),
    registrations: dynamoRegistrationRepository(),
    passes: applePassesOnce,
    secret: passSecretOnce,
    passTypeId: APPLE_PASS_TYPE_ID,
  });
};

let passes: Promise<PassFactory> | undefined;

/**
 * The pass factory of this process: certificates read and checked once. Missing or wrong
 * certificates are a 503 naming what to fix, never a 500; the next request tries again.
 */
export const applePassesOnce = (): Promise<PassFactory> => {
  passes ??= (async () => {
    const env = config();
    try {
      return passFactory(
        await appleCertificatesOnce(),
        { passTypeId: env.APPLE_PASS_TYPE_ID, teamId: env.APPLE_TEAM_ID },
        passTemplatesDir(),
      );
    } catch (error) {
      const problem = error instanceof PassConfigError || error instanceof ConfigError;
      if (!problem) throw error;
      logger.error("Apple Wallet is not configured", { problem: (error as Error).message });
      throw new DomainError(
        "unavailable",
        "apple_wallet_unavailable",
        `Apple Wallet passes are not available on this deployment: ${(error as Error).message}.`,
      );
    }
  })().catch((error: unknown) => {
    passes = undefined;
    throw error;
  });
  return passes;
};
