import { claimOf, loyaltyOverDynamo } from "../app/deps.js";
import type { IdempotencyClaim } from "../app/writes.js";
import { httpFunction } from "../http/handler.js";
import type { Principal } from "../http/operation.js";

const { service, keys } = loyaltyOverDynamo();

/** The calling store and its claim on the Idempotency-Key (required by every store operation). */
const storeCall = (
  principal: Principal,
  operationId: string,
  request: { params: unknown; body: unknown; idempotencyKey: string | undefined },
): [{ storeId: string; programId: string }, IdempotencyClaim] => {
  if (principal.kind !== "store") throw new Error(`${operationId} needs a store principal`);
  const claim = claimOf(`STORE#${principal.storeId}`, request.idempotencyKey, {
    operationId,
    params: request.params,
    body: request.body,
  });
  if (!claim) throw new Error(`${operationId} needs an Idempotency-Key`);
  return [{ storeId: principal.storeId, programId: principal.programId }, claim];
};

export const handler = httpFunction(
  "store-api",
  {
    recordPurchase: (r) => {
      const [store, claim] = storeCall(r.principal, "recordPurchase", r);
      return service.purchase(store, r.body, claim);
    },
    recordRefund: (r) => {
      const [store, claim] = storeCall(r.principal, "recordRefund", r);
      return service.refund(store, r.body, claim);
    },
    redeem: (r) => {
      const [store, claim] = storeCall(r.principal, "redeem", r);
      return service.redeem(store, r.body, claim);
    },
  },
  keys,
);
