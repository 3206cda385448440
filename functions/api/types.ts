import type { OperationDef } from "../http/operation.js";

/** The Lambda functions of the API, one per capability (functions/<name>/handler.ts). */
export type FunctionName =
  | "health"
  | "openapi"
  | "programs"
  | "stores"
  | "members"
  | "store-api"
  | "partners"
  | "offers"
  | "wallet"
  | "join"
  | "not-found";

/** An operation of Carnet's contract: served by one of its functions. */
export type CarnetOperation = OperationDef & { fn: FunctionName };

export const operation = <const O extends CarnetOperation>(def: O): O => def;
