import { type LoyaltyDeps, loyaltyContext } from "./context.js";
import { enrollment } from "./enrollment.js";
import { memberUseCases } from "./members.js";
import { partnerUseCases } from "./partners.js";
import { settlement } from "./settle.js";
import { storeApi } from "./store-api.js";

/**
 * Carnet's loyalty use cases: enrollment, member reads and changes, the store API (purchases,
 * refunds, redemptions), partners and their accruals, and settling a member for the sweep. Each reads
 * what it needs, asks the pure engine (functions/domain/loyalty) for the change and commits it
 * through the member writer (app/writes.ts). One module per group, all on one shared context.
 */
export const loyaltyService = (deps: LoyaltyDeps) => {
  const context = loyaltyContext(deps);
  return {
    ...enrollment(context),
    ...memberUseCases(context),
    ...storeApi(context),
    ...partnerUseCases(context),
    ...settlement(context),
  };
};

export type LoyaltyService = ReturnType<typeof loyaltyService>;
export type { LoyaltyDeps } from "./context.js";
export { emailHash } from "./context.js";
export type { Enrollment } from "./enrollment.js";
export type { MemberRead, Transfer } from "./members.js";
export type { Accrual, NewPartner, PartnerCaller } from "./partners.js";
export type { Purchase, Redemption, Refund, StoreCaller } from "./store-api.js";
