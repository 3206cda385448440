import { claimOf, loyaltyOverDynamo } from "../app/deps.js";
import { httpFunction } from "../http/handler.js";

const { service, keys } = loyaltyOverDynamo();

export const handler = httpFunction(
  "members",
  {
    enrollMember: ({ params, body }) => service.enroll(params.programId, body),
    findMember: ({ params, query }) => service.find(params.programId, query),
    getMember: ({ params }) => service.get(params.programId, params.memberId),
    memberHistory: ({ params, query }) => service.history(params.programId, params.memberId, query),
    transferPoints: ({ params, body, idempotencyKey }) =>
      service.transfer(
        params.programId,
        params.memberId,
        body,
        claimOf(`MERCHANT#${params.programId}`, idempotencyKey, {
          operationId: "transferPoints",
          params,
          body,
        }),
      ),
    renewCard: ({ params, idempotencyKey }) =>
      service.renew(
        params.programId,
        params.memberId,
        claimOf(`MERCHANT#${params.programId}`, idempotencyKey, {
          operationId: "renewCard",
          params,
          body: {},
        }),
      ),
  },
  keys,
);
