import { apiFunction } from "../api/functions.js";
import { claimFor } from "../app/writes.js";
import { loyaltyOver } from "../composition/loyalty.js";
import { httpSettings, processParts } from "../composition/process.js";

/** The store API: a till credits purchases, refunds them and redeems vouchers, with its own key. */
const parts = processParts();
const loyalty = loyaltyOver(parts);

export const handler = apiFunction(
  "store-api",
  {
    recordPurchase: (r) => loyalty.purchase(r.principal, r.body, claimFor(r.principal, r)),
    recordRefund: (r) => loyalty.refund(r.principal, r.body, claimFor(r.principal, r)),
    redeem: (r) => loyalty.redeem(r.principal, r.body, claimFor(r.principal, r)),
  },
  httpSettings(parts, { stores: parts.repositories.stores }),
);
