import { dynamoMemberRepository } from "../adapters/dynamodb/member-repository.js";
import { dynamoPartnerRepository } from "../adapters/dynamodb/partner-repository.js";
import { dynamoProgramRepository } from "../adapters/dynamodb/program-repository.js";
import { dynamoStoreRepository } from "../adapters/dynamodb/store-repository.js";
import { type LoyaltyService, loyaltyService } from "./loyalty.js";
import type { IdempotencyClaim } from "./writes.js";
import { requestHash } from "./writes.js";

/** The loyalty service over DynamoDB, and the key stores its handlers authenticate with. */
export const loyaltyOverDynamo = () => {
  const programs = dynamoProgramRepository();
  const partners = dynamoPartnerRepository();
  const service: LoyaltyService = loyaltyService({ programs, members: dynamoMemberRepository(), partners });
  return { service, keys: { programs, stores: dynamoStoreRepository(), partners } };
};

/** An idempotency claim for a request: per caller, and bound to the operation, its path and its body. */
export const claimOf = (
  scope: string,
  clientKey: string | undefined,
  request: { operationId: string; params: unknown; body: unknown },
): IdempotencyClaim | undefined =>
  clientKey === undefined ? undefined : { scope, clientKey, requestHash: requestHash(request) };
