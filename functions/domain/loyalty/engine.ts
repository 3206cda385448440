/**
 * The loyalty engine: every operation on a member as a pure function of the member, the program and
 * the clock. Each returns the member's next state and the ledger entries that explain the change;
 * storage writes both in one transaction, conditioned on the version this was computed from, and
 * recomputes from scratch when it lost a race. Nothing here does I/O: ids and `now` come in `Ctx`.
 *
 * This module is the engine's public face. Read it in this order:
 * - change.ts: the context, the `Change` an operation builds, and `finish` (its `Outcome`);
 * - time.ts: what time does on its own (expiry, tier review); opening.ts: `begin`, how every
 *   operation starts; sweep.ts: `settle` and `currentView`;
 * - enrollment.ts, rewards.ts (stamp cards, auto-conversion), purchase.ts (+ referral), refund.ts,
 *   redemption.ts, partners.ts (partner accruals, transfers), offers/assign.ts (an offer's fan-out
 *   step, its withdrawal, favourite stores): the operations; offers/holding.ts: what `finish` does
 *   with offers on every change.
 */

export {
  chooseFavourites,
  type ReceiveResult,
  receiveOffer,
  withdrawOffer,
} from "../offers/assign.js";
export { reissueCard } from "./card.js";
export { type Ctx, cardView, type LedgerDraft, nextDue, type Outcome, type ProgramRules } from "./change.js";
export { enroll, type NewMember, renew } from "./enrollment.js";
export { type AccrualInput, accrue, transfer } from "./partners.js";
export {
  MAX_PURCHASE_AGE_DAYS,
  type PurchaseInput,
  type PurchaseOutcome,
  purchase,
  referrerReward,
} from "./purchase.js";
export type { PurchaseRecord, SpendWindow } from "./records.js";
export { type RedemptionOutcome, redeemReward, redeemVoucher } from "./redemption.js";
export { type RefundOutcome, refund } from "./refund.js";
export { MAX_CONVERSIONS_PER_OPERATION } from "./rewards.js";
export { currentView, settle } from "./sweep.js";
export { windowSpend } from "./time.js";
