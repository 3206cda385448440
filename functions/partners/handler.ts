import { apiFunction } from "../api/functions.js";
import { partnerService } from "../app/partners.js";
import { claimFor } from "../app/writes.js";
import { loyaltyOver } from "../composition/loyalty.js";
import { httpSettings, processParts } from "../composition/process.js";
import { noContent } from "../http/operation.js";

/** Partner merchants: the merchant adds, changes, disables and deletes them; a partner credits points with its own key. */
const parts = processParts();
const loyalty = loyaltyOver(parts);
const partners = partnerService(parts.repositories.partners);
const { programs } = parts.repositories;

export const handler = apiFunction(
  "partners",
  {
    createPartner: (r) =>
      partners.create(
        r.params.programId,
        r.body,
        claimFor({ kind: "merchant", programId: r.params.programId }, r),
      ),
    listPartners: ({ params, query }) =>
      partners.list(
        params.programId,
        query,
        async () => (await programs.get(params.programId)) !== undefined,
      ),
    getPartner: ({ params }) => partners.get(params.programId, params.partnerId),
    updatePartner: ({ params, body }) => partners.update(params.programId, params.partnerId, body),
    deletePartner: async ({ params }) => {
      await partners.remove(params.programId, params.partnerId);
      return noContent();
    },
    rotatePartnerKey: ({ params, body }) =>
      partners.rotateKey(params.programId, params.partnerId, body.graceSeconds),
    recordAccrual: (r) => loyalty.accrue(r.principal, r.body, claimFor(r.principal, r)),
  },
  httpSettings(parts, { partners: parts.repositories.partners }),
);
