import { claimOf, loyaltyOverDynamo } from "../app/deps.js";
import { httpFunction } from "../http/handler.js";

const { service, keys } = loyaltyOverDynamo();

export const handler = httpFunction(
  "partners",
  {
    createPartner: ({ params, body }) => service.createPartner(params.programId, body),
    recordAccrual: ({ params, body, principal, idempotencyKey }) => {
      if (principal.kind !== "partner") throw new Error("recordAccrual needs a partner principal");
      const claim = claimOf(`PARTNER#${principal.partnerId}`, idempotencyKey, {
        operationId: "recordAccrual",
        params,
        body,
      });
      if (!claim) throw new Error("recordAccrual needs an Idempotency-Key");
      return service.accrue(principal, body, claim);
    },
  },
  keys,
);
