import { z } from "zod";
import { Program, ProgramInput, ProgramPatch } from "../domain/program.js";
import { Store, StoreInput } from "../domain/store.js";
import { operation } from "../http/operation.js";
import { ID_PATTERN } from "../shared/ids.js";
import { loyaltyOperations } from "./loyalty-operations.js";
import { walletOperations } from "./wallet-operations.js";

/**
 * The public HTTP contract of Carnet, one entry per operation (design.md, "HTTP contract"). Request
 * validation, routing (local server and API Gateway) and /openapi.json are all derived from it.
 */

const id = (example: string) => z.string().regex(ID_PATTERN).meta({ example });
const ProgramParams = z.strictObject({ programId: id("prg_5g2k9x0m3q7w1z8c") });
const StoreParams = ProgramParams.extend({ storeId: id("sto_8c1z7w3q0m9x2k5g") });

const Paging = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .meta({ description: "Items per page (1 to 100)" }),
  cursor: z
    .string()
    .max(1024)
    .optional()
    .meta({ description: "The nextCursor of the previous page; absent for the first page" }),
});

const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .optional()
        .meta({ description: "Pass as ?cursor= to get the next page; absent on the last" }),
    })
    .meta({ id });

export const ProgramCreated = Program.extend({
  merchantKey: z.string().meta({
    description: "The program's own merchant key. Shown this once; only its hash is stored.",
    example: "mk.prg_5g2k9x0m3q7w1z8c.Q2FybmV0IGRldmVsb3BtZW50IGtleSBleGFtcGxlIQ",
  }),
}).meta({ id: "ProgramCreated" });

export const StoreCreated = Store.extend({
  apiKey: z.string().meta({
    description: "The store's API key for the store API. Shown this once; only its hash is stored.",
    example: "sk.sto_8c1z7w3q0m9x2k5g.U3RvcmUga2V5IGV4YW1wbGUgLSBub3QgYSByZWFsIGtleQ",
  }),
}).meta({ id: "StoreCreated" });

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
    success: { status: 200, description: "One page of programs", schema: pageOf(Program, "ProgramPage") },
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
    success: { status: 200, description: "One page of stores", schema: pageOf(Store, "StorePage") },
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
