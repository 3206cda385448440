import { apiFunction } from "../api/functions.js";
import { claimFor } from "../app/writes.js";
import { loyaltyOver } from "../composition/loyalty.js";
import { httpSettings, processParts } from "../composition/process.js";

/** Partner merchants: the merchant adds them; a partner credits points with its own key. */
const parts = processParts();
const loyalty = loyaltyOver(parts);

export const handler = apiFunction(
  "partners",
  {
    createPartner: ({ params, body }) => loyalty.createPartner(params.programId, body),
    recordAccrual: (r) => loyalty.accrue(r.principal, r.body, claimFor(r.principal, r)),
  },
  httpSettings(parts, { partners: parts.repositories.partners }),
);
