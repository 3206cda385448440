import { z } from "zod";
import { Program } from "../domain/program.js";
import { Store } from "../domain/store.js";
import { loyaltyOperations } from "./loyalty-operations.js";
import {
  Paging,
  ProgramCreated,
  ProgramInput,
  ProgramPage,
  ProgramParams,
  ProgramPatch,
  StoreCreated,
  StoreInput,
  StorePage,
  StoreParams,
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
      "Root admin key only. A program created without rules earns 1 point per euro spent. The answer holds the program's own merchant key, shown once.",
    auth: "admin",
    body: ProgramInput,
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
  createStore: operation({
    operationId: "createStore",
    fn: "stores",
    method: "POST",
    path: "/v1/programs/{programId}/stores",
    tag: "Stores",
    summary: "Add a store to a program",
    description:
      "The answer holds the store's API key for the store API, shown once; only its hash is stored.",
    auth: "merchant",
    params: ProgramParams,
    body: StoreInput,
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
  ...loyaltyOperations,
  ...walletOperations,
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
