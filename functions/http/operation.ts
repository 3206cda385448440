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

/**
 * One operation of the public HTTP contract. The same definition drives request validation, the
 * local server's routing, the CDK routes and the OpenAPI document, so none can drift from another.
 */
export interface OperationDef {
  operationId: string;
  /** The Lambda function that serves it (functions/<fn>/handler.ts). */
  fn: string;
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
  /**
   * The body may also come as an HTML form post (`application/x-www-form-urlencoded`): `decode` turns
   * the form's fields into the JSON body's shape, which the same `body` schema then validates. An
   * invalid form is not an error response: the implementation gets an InvalidForm and answers with the
   * form again, showing what was wrong.
   */
  form?: FormSpec;
}

export interface FormSpec {
  decode: (fields: URLSearchParams) => unknown;
  /** What the form's fields are, for the OpenAPI document (name → description). */
  fields: Record<string, string>;
}

/** An HTML form post that the operation's schema refused: its issues, and the fields as sent. */
export class InvalidForm {
  constructor(
    readonly issues: readonly z.core.$ZodIssue[],
    readonly fields: URLSearchParams,
  ) {}
}

export const operation = <const O extends OperationDef>(def: O): O => def;

export const routeKeyOf = (op: Pick<OperationDef, "method" | "path">): string => `${op.method} ${op.path}`;

export interface Anonymous {
  kind: "anonymous";
}
export interface Admin {
  kind: "admin";
}
export interface MerchantKey {
  kind: "merchant";
  programId: string;
}
export interface StoreKey {
  kind: "store";
  storeId: string;
  programId: string;
  /** What the merchant capped on this store's key, as read with it (domain/store.ts, StoreLimits). */
  limits?: { maxPurchaseCents?: number | undefined; purchasesPerMinute?: number | undefined } | undefined;
}
export interface PartnerKey {
  kind: "partner";
  partnerId: string;
  programId: string;
}
export interface ApplePassToken {
  kind: "applePass";
  token: string;
}

/** Who is calling, for each kind of authentication an operation requires. */
export interface PrincipalByAuth {
  none: Anonymous;
  admin: Admin;
  merchant: Admin | MerchantKey;
  store: StoreKey;
  partner: PartnerKey;
  applePass: ApplePassToken;
}

export type Principal = PrincipalByAuth[AuthRequirement];

type Out<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/** The header as the operation takes it: a string when required, possibly absent when optional. */
type IdempotencyKeyOf<O extends OperationDef> = O["idempotency"] extends "required"
  ? string
  : O["idempotency"] extends "optional"
    ? string | undefined
    : undefined;

/** An operation that takes form posts may be given an InvalidForm instead of a valid body. */
type BodyOf<O extends OperationDef> = O["form"] extends FormSpec
  ? Out<O["body"]> | InvalidForm
  : Out<O["body"]>;

export interface Request<O extends OperationDef> {
  operationId: O["operationId"];
  params: Out<O["params"]>;
  query: Out<O["query"]>;
  body: BodyOf<O>;
  /** How the body came: JSON, or an HTML form post (operations with `form` only); "none" without a body. */
  bodyFormat: "json" | "form" | "none";
  /** A form post's fields as sent (decoded once, by the HTTP layer), valid or not; undefined otherwise. */
  formFields: URLSearchParams | undefined;
  /** The caller, as the operation's `auth` allows: a store operation's caller is always a store. */
  principal: PrincipalByAuth[O["auth"]];
  /** The `Idempotency-Key` header, validated, when the operation takes one. */
  idempotencyKey: IdempotencyKeyOf<O>;
  event: APIGatewayProxyEventV2;
}

/**
 * A response an implementation builds itself: a pass, an HTML page, a 204 or a 304. Anything else an
 * implementation returns is the JSON success body, with the status of the definition.
 */
export class RawReply {
  constructor(readonly response: APIGatewayProxyStructuredResultV2) {}
}

/** 204 No Content: what a deletion answers. */
export const noContent = (): RawReply =>
  new RawReply({ statusCode: 204, headers: { "cache-control": "no-store" } });

/** What an implementation returns: the success body (its status comes from the definition), or a RawReply. */
export type Reply<O extends OperationDef> = z.input<O["success"]["schema"]> | RawReply;

export type Implementation<O extends OperationDef> = (request: Request<O>) => Promise<Reply<O>>;
