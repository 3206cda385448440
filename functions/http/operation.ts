import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { z } from "zod";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call an operation:
 * - `none`: anyone;
 * - `admin`: the root admin key only;
 * - `merchant`: the root admin key, or the merchant key of the program named in the path (a
 *   merchant key for another program gets 404, so nothing about other programs leaks);
 * - `store`: the key of the store named in the path (`sk.<storeId>.…`);
 * - `partner`: the key of the partner named in the path (`pk.<partnerId>.…`);
 * - `applePass`: a pass's `Authorization: ApplePass <authenticationToken>` (Apple's PassKit web
 *   service); the header is read here, the token is checked against the pass by the service.
 */
export type AuthRequirement = "none" | "admin" | "merchant" | "store" | "partner" | "applePass";

/** The Lambda functions of the API, one per capability (functions/<name>/handler.ts). */
export type FunctionName =
  | "health"
  | "openapi"
  | "programs"
  | "stores"
  | "members"
  | "store-api"
  | "partners"
  | "wallet"
  | "not-found";

/**
 * One operation of the public HTTP contract. The same definition drives request validation, the
 * local server's routing, the CDK routes and the OpenAPI document, so none can drift from another.
 */
export interface OperationDef {
  operationId: string;
  fn: FunctionName;
  method: Method;
  /** API Gateway path template, e.g. /v1/programs/{programId}. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  auth: AuthRequirement;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  success: { status: number; description: string; schema: z.ZodType; contentType?: string };
  /** Other non-error answers, e.g. 204 or 304, with their meaning. */
  otherResponses?: Record<number, string>;
  /** Error statuses the operation documents besides the common ones. */
  errors?: number[];
  /** Whether the `Idempotency-Key` header is required, accepted, or (absent) not taken. */
  idempotency?: "required" | "optional";
}

export const operation = <const O extends OperationDef>(def: O): O => def;

export const routeKeyOf = (op: Pick<OperationDef, "method" | "path">): string => `${op.method} ${op.path}`;

export type Principal =
  | { kind: "anonymous" }
  | { kind: "admin" }
  | { kind: "merchant"; programId: string }
  | { kind: "store"; storeId: string; programId: string }
  | { kind: "partner"; partnerId: string; programId: string }
  | { kind: "applePass"; token: string };

type Out<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface Request<O extends OperationDef> {
  params: Out<O["params"]>;
  query: Out<O["query"]>;
  body: Out<O["body"]>;
  principal: Principal;
  /** The `Idempotency-Key` header, validated, when the operation takes one. */
  idempotencyKey: string | undefined;
  event: APIGatewayProxyEventV2;
}

/**
 * A response an implementation builds itself: a pass, an HTML page, a 204 or a 304. Anything else an
 * implementation returns is the JSON success body, with the status of the definition.
 */
export class RawReply {
  constructor(readonly response: APIGatewayProxyStructuredResultV2) {}
}

/** What an implementation returns: the success body (its status comes from the definition), or a RawReply. */
export type Reply<O extends OperationDef> = z.input<O["success"]["schema"]> | RawReply;

export type Implementation<O extends OperationDef> = (request: Request<O>) => Promise<Reply<O>>;
