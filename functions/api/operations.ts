import { z } from "zod";
import { Program } from "../domain/program.js";
import { Store } from "../domain/store.js";
import { joinOperations } from "./join-operations.js";
import { loyaltyOperations } from "./loyalty-operations.js";
import { offerOperations } from "./offer-operations.js";
import {
  KeyRotation,
  Paging,
  ProgramCreated,
  ProgramInput,
  ProgramPage,
  ProgramParams,
  ProgramPatch,
  RotatedKey,
  StoreCreated,
  StoreInput,
  StorePage,
  StoreParams,
  StorePatch,
} from "./schemas.js";
import { type FunctionName, operation } from "./types.js";
import { walletOperations } from "./wallet-operations.js";

/**
 * The public HTTP contract of Carnet, one entry per operation (design.md, "HTTP contract"); the
 * bodies and parameters it names are in schemas.ts. Request validation, routing (local server and
 * API Gateway), the CDK routes and /openapi.json are all derived from it.
 */

export const operations = {
  health: operation({
    operationId: "health",
    fn: "health",
    method: "GET",
    path: "/health",
    tag: "Health and docs",
    summary: "Liveness check",
    auth: "none",
    success: { status: 200, description: "The API is up", schema: z.object({ status: z.literal("ok") }) },
  }),
  openapi: operation({
    operationId: "openapi",
    fn: "openapi",
    method: "GET",
    path: "/openapi.json",
    tag: "Health and docs",
    summary: "This OpenAPI 3.1 document",
    auth: "none",
    success: { status: 200, description: "The OpenAPI document", schema: z.record(z.string(), z.unknown()) },
  }),
  createProgram: operation({
    operationId: "createProgram",
    fn: "programs",
    method: "POST",
    path: "/v1/programs",
    tag: "Programs",
    summary: "Create a loyalty program",
    description:
      "Root admin key only. A program created without rules earns 1 point per euro spent. The answer holds the program's own merchant key, shown once. With an Idempotency-Key, a retry whose first answer was lost gets the same program with a new merchant key (the key is never stored, so it cannot be shown twice; the key of the last answer is the one that works).",
    auth: "admin",
    body: ProgramInput,
    idempotency: "optional",
    success: { status: 201, description: "The program, with its merchant key", schema: ProgramCreated },
  }),
  listPrograms: operation({
    operationId: "listPrograms",
    fn: "programs",
    method: "GET",
    path: "/v1/programs",
    tag: "Programs",
    summary: "List programs, newest first",
    description: "The root admin key lists every program; a merchant key lists its own program only.",
    auth: "merchant",
    query: Paging,
    success: { status: 200, description: "One page of programs", schema: ProgramPage },
  }),
  getProgram: operation({
    operationId: "getProgram",
    fn: "programs",
    method: "GET",
    path: "/v1/programs/{programId}",
    tag: "Programs",
    summary: "Read a program",
    auth: "merchant",
    params: ProgramParams,
    success: { status: 200, description: "The program", schema: Program },
  }),
  updateProgram: operation({
    operationId: "updateProgram",
    fn: "programs",
    method: "PATCH",
    path: "/v1/programs/{programId}",
    tag: "Programs",
    summary: "Change a program's name, branding, contact or rules",
    description:
      "Each top-level field given replaces the stored one whole: `rules`, `branding` and `contact` are documents validated in full.",
    auth: "merchant",
    params: ProgramParams,
    body: ProgramPatch,
    success: { status: 200, description: "The changed program", schema: Program },
    errors: [409],
  }),
  rotateMerchantKey: operation({
    operationId: "rotateMerchantKey",
    fn: "programs",
    method: "POST",
    path: "/v1/programs/{programId}/key",
    tag: "Programs",
    summary: "Give a program a new merchant key",
    description:
      "The root admin key or the program's merchant key. The new key is shown once. The replaced key is refused at once, or accepted for `graceSeconds` more (at most 7 days) while scripts switch over. Also how a merchant key whose creation answer was lost is recovered (with the root admin key). Not idempotent: a lost answer is recovered by rotating again.",
    auth: "merchant",
    params: ProgramParams,
    body: KeyRotation,
    success: { status: 201, description: "The new merchant key", schema: RotatedKey },
    errors: [409],
  }),
  createStore: operation({
    operationId: "createStore",
    fn: "stores",
    method: "POST",
    path: "/v1/programs/{programId}/stores",
    tag: "Stores",
    summary: "Add a store to a program",
    description:
      "The answer holds the store's API key for the store API, shown once; only its hash is stored. With an Idempotency-Key, a retry whose first answer was lost gets the same store with a new key (the key of the last answer is the one that works).",
    auth: "merchant",
    params: ProgramParams,
    body: StoreInput,
    idempotency: "optional",
    success: { status: 201, description: "The store, with its API key", schema: StoreCreated },
  }),
  listStores: operation({
    operationId: "listStores",
    fn: "stores",
    method: "GET",
    path: "/v1/programs/{programId}/stores",
    tag: "Stores",
    summary: "List a program's stores",
    auth: "merchant",
    params: ProgramParams,
    query: Paging,
    success: { status: 200, description: "One page of stores", schema: StorePage },
  }),
  getStore: operation({
    operationId: "getStore",
    fn: "stores",
    method: "GET",
    path: "/v1/programs/{programId}/stores/{storeId}",
    tag: "Stores",
    summary: "Read a store",
    auth: "merchant",
    params: StoreParams,
    success: { status: 200, description: "The store", schema: Store },
  }),
  updateStore: operation({
    operationId: "updateStore",
    fn: "stores",
    method: "PATCH",
    path: "/v1/programs/{programId}/stores/{storeId}",
    tag: "Stores",
    summary: "Change a store's settings, disable or enable it, set its key's limits",
    description:
      '`status: "disabled"` refuses the store\'s key at once (401 key_disabled) until `status: "active"` again. `limits` caps what the key may do: `maxPurchaseCents` (a larger purchase is a 422 purchase_over_limit) and `purchasesPerMinute` (beyond it, 429 store_rate_limited with Retry-After); `null` removes them.',
    auth: "merchant",
    params: StoreParams,
    body: StorePatch,
    success: { status: 200, description: "The changed store", schema: Store },
  }),
  deleteStore: operation({
    operationId: "deleteStore",
    fn: "stores",
    method: "DELETE",
    path: "/v1/programs/{programId}/stores/{storeId}",
    tag: "Stores",
    summary: "Delete a store: its key never works again",
    description:
      "The store's purchases stay in the members' ledgers and can still be refunded by the program's other stores.",
    auth: "merchant",
    params: StoreParams,
    success: { status: 204, description: "Deleted", schema: z.null() },
  }),
  rotateStoreKey: operation({
    operationId: "rotateStoreKey",
    fn: "stores",
    method: "POST",
    path: "/v1/programs/{programId}/stores/{storeId}/key",
    tag: "Stores",
    summary: "Give a store a new key",
    description:
      "The new key is shown once. The replaced key is refused at once (a till sold second-hand), or accepted for `graceSeconds` more (at most 7 days) while the tills switch over. Not idempotent: a lost answer is recovered by rotating again.",
    auth: "merchant",
    params: StoreParams,
    body: KeyRotation,
    success: { status: 201, description: "The new key", schema: RotatedKey },
    errors: [409],
  }),
  ...loyaltyOperations,
  ...offerOperations,
  ...walletOperations,
  ...joinOperations,
} as const;

export type Operations = typeof operations;
export type OperationId = keyof Operations;
export const allOperations = Object.values(operations);

/** The operations one Lambda function serves. */
export type OperationsOf<F extends FunctionName> = {
  [K in OperationId as Operations[K]["fn"] extends F ? K : never]: Operations[K];
};

export const operationsOf = <F extends FunctionName>(fn: F): OperationsOf<F> =>
  Object.fromEntries(
    Object.entries(operations).filter(([, op]) => op.fn === fn),
  ) as unknown as OperationsOf<F>;
