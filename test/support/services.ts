import { randomUUID } from "node:crypto";
import { dynamoRepositories } from "../../functions/adapters/dynamodb/repositories.js";
import { memberView } from "../../functions/api/member-view.js";
import { ProgramInput, PurchaseBody } from "../../functions/api/schemas.js";
import { type LoyaltyDeps, type LoyaltyService, loyaltyService } from "../../functions/app/loyalty/index.js";
import { programService } from "../../functions/app/programs.js";
import { storeService } from "../../functions/app/stores.js";
import { claimFor } from "../../functions/app/writes.js";
import { testTable } from "./table.js";

/**
 * The loyalty use cases called directly (no HTTP) over DynamoDB, for integration tests and the
 * benchmark, over the process's test table (testTable). Needs DYNAMODB_ENDPOINT and CARNET_TABLE_NAME
 * set first (useTestTable does).
 */
export const repositories = () => {
  const { programs, members, partners, stores } = dynamoRepositories(testTable());
  return { programs, members, partners, stores };
};

export const directService = (options: Pick<LoyaltyDeps, "now" | "serialise"> = {}) =>
  loyaltyService({ ...repositories(), ...options });

/** A program (from a ProgramInput, e.g. `{ rules }`) with one store, and a way to enroll members. */
export const openShopDirect = async (service: LoyaltyService, input: Record<string, unknown> = {}) => {
  const program = await programService(dynamoRepositories(testTable()).programs).create(
    ProgramInput.parse({ name: "Direct", organizationName: "Café", ...input }),
  );
  const store = await storeService(dynamoRepositories(testTable()).stores).create(program.programId, {
    name: "Main",
    latitude: 48.85,
    longitude: 2.35,
  });
  const caller = { storeId: store.storeId, programId: program.programId };
  /** A new member, as the merchant API shows it. */
  const enroll = async () =>
    memberView(
      await service.enroll(program.programId, {
        email: `${randomUUID()}@example.com`,
        marketingConsent: false,
      }),
    );
  return { program, caller, enroll };
};

/** A till's purchase body, validated as the API would. */
export const purchaseOf = (member: string, amountCents: number, coffees = 0) =>
  PurchaseBody.parse({
    member,
    amountCents,
    currency: "EUR",
    items: coffees > 0 ? [{ name: "Coffee", category: "coffee", quantity: coffees, unitCents: 100 }] : [],
  });

/**
 * A till's claim on an Idempotency-Key (a fresh one unless given), made as the store API's handler
 * makes it (app/writes.ts, claimFor).
 */
export const storeClaim = (storeId: string, body: unknown, key: string = randomUUID()) =>
  claimFor(
    { kind: "store", storeId },
    { operationId: "recordPurchase", params: { storeId }, body, idempotencyKey: key },
  );
