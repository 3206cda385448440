import { randomUUID } from "node:crypto";
import { dynamoMemberRepository } from "../../functions/adapters/dynamodb/member-repository.js";
import { dynamoPartnerRepository } from "../../functions/adapters/dynamodb/partner-repository.js";
import { dynamoProgramRepository } from "../../functions/adapters/dynamodb/program-repository.js";
import { dynamoStoreRepository } from "../../functions/adapters/dynamodb/store-repository.js";
import { type LoyaltyDeps, type LoyaltyService, loyaltyService } from "../../functions/app/loyalty.js";
import { PurchaseBody } from "../../functions/app/schemas.js";
import { requestHash } from "../../functions/app/writes.js";
import { ProgramInput } from "../../functions/domain/program.js";
import { programService } from "../../functions/programs/service.js";
import { storeService } from "../../functions/stores/service.js";

/**
 * The loyalty use cases called directly (no HTTP) over DynamoDB, for integration tests and the
 * benchmark. Needs DYNAMODB_ENDPOINT and CARNET_TABLE_NAME set first (useTestTable does).
 */
export const repositories = () => ({
  programs: dynamoProgramRepository(),
  members: dynamoMemberRepository(),
  partners: dynamoPartnerRepository(),
});

export const directService = (options: Pick<LoyaltyDeps, "now" | "serialise"> = {}) =>
  loyaltyService({ ...repositories(), ...options });

/** A program (from a ProgramInput, e.g. `{ rules }`) with one store, and a way to enroll members. */
export const openShopDirect = async (service: LoyaltyService, input: Record<string, unknown> = {}) => {
  const program = await programService(dynamoProgramRepository()).create(
    ProgramInput.parse({ name: "Direct", organizationName: "Café", ...input }),
  );
  const store = await storeService(dynamoStoreRepository()).create(program.programId, {
    name: "Main",
    latitude: 48.85,
    longitude: 2.35,
  });
  const caller = { storeId: store.storeId, programId: program.programId };
  const enroll = () =>
    service.enroll(program.programId, { email: `${randomUUID()}@example.com`, marketingConsent: false });
  return { program, caller, enroll };
};

/** A till's purchase body (validated as the API would) and its claim on a fresh Idempotency-Key. */
export const purchaseOf = (member: string, amountCents: number, coffees = 0) =>
  PurchaseBody.parse({
    member,
    amountCents,
    currency: "EUR",
    items: coffees > 0 ? [{ name: "Coffee", category: "coffee", quantity: coffees, unitCents: 100 }] : [],
  });

export const claimFor = (storeId: string, body: unknown, key: string = randomUUID()) => ({
  scope: `STORE#${storeId}`,
  clientKey: key,
  requestHash: requestHash(body),
});
