import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { logger } from "../shared/logger.js";
import {
  assertCanReachProgram,
  assertIsOwner,
  authenticate,
  type KeyStores,
  missingKeyStores,
} from "./auth.js";
import { errorResponse, HttpError, jsonResponse, toHttpError } from "./errors.js";
import { type Implementation, type OperationDef, RawReply, type Request, routeKeyOf } from "./operation.js";
import {
  assertWellFormedTarget,
  idempotencyKey,
  parseBody,
  parseParams,
  parseQuery,
  pathNotOfRoute,
} from "./request.js";
import { type OperationRoute, operationRoute, type RouteTable } from "./routing.js";

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** One implementation per operation of a table of operations. */
export type Implementations<Ops extends Record<string, OperationDef>> = {
  [K in keyof Ops]: Implementation<Ops[K]>;
};

/** What every HTTP function is given by its composition root. */
export interface HttpSettings {
  /** Where callers' keys are checked (only what the function's operations need). */
  keys: KeyStores;
  /** Larger bodies are a 413 (CARNET_MAX_BODY_BYTES). */
  maxBodyBytes: number;
}

/** The one place where any error becomes a response; a 5xx is logged with its stack, a 4xx is not. */
const errorMapping = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    const error = toHttpError(request.error);
    if (error.status >= 500) {
      logger.error("request failed", { routeKey: request.event.routeKey, error: request.error as Error });
    } else {
      logger.debug("request rejected", { routeKey: request.event.routeKey, code: error.code });
    }
    request.response = errorResponse(error);
  },
});

const wrap = (
  base: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>,
): HttpHandler =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorMapping())
    .handler(async (event) => {
      // The door: a path or query that does not read one way only goes no further (request.ts).
      assertWellFormedTarget(event);
      return base(event);
    });

/**
 * A Lambda handler for one capability: it refuses a path or query that does not read one way only
 * (400 malformed_request, before anything else), routes by the event's routeKey to one of
 * `operations`, reads the path parameters out of rawPath (decoded once), checks the caller, validates params, query and body against the operation's schemas, and calls the
 * implementation with typed input. The implementation only calls the use cases. `routes` is the whole
 * API's route table, so that a path served by another function is a 405, not a 404.
 */
export const httpFunction = <Ops extends Record<string, OperationDef>>(
  operations: Ops,
  implementations: Implementations<Ops>,
  routes: RouteTable,
  settings: HttpSettings,
): HttpHandler => {
  const table = new Map<
    string,
    { op: OperationDef; route: OperationRoute; run: Implementation<OperationDef> }
  >();
  for (const [operationId, op] of Object.entries(operations)) {
    const missing = missingKeyStores(op.auth, settings.keys);
    if (missing) throw new Error(`${operationId} authenticates with ${missing}, which was not given`);
    table.set(routeKeyOf(op), {
      op,
      route: operationRoute(op),
      run: implementations[operationId] as Implementation<OperationDef>,
    });
  }
  return wrap(async (received) => {
    const entry = table.get(received.routeKey);
    if (!entry) return unmatched(routes, received);
    const { op, route, run } = entry;
    // Path parameters are read from rawPath and decoded once, by the route, locally as in AWS:
    // API Gateway's own pathParameters (whose decoding is its own) are not used.
    const pathParameters = route.parameters(received.rawPath);
    if (!pathParameters) throw pathNotOfRoute(op.path);
    const event = { ...received, pathParameters };
    const { principal, recordUse } = await authenticate(event, op.auth, settings.keys);
    const params = parseParams(event, op.params) as Record<string, string>;
    if (params.programId !== undefined) assertCanReachProgram(principal, params.programId);
    assertIsOwner(principal, params);
    const idempotency = idempotencyKey(event, op.idempotency);
    const query = parseQuery(event, op.query);
    const { body, format, fields } = op.body
      ? parseBody(event, op.body, settings.maxBodyBytes, op.form)
      : { body: {}, format: "none" as const, fields: undefined };
    const request = {
      operationId: op.operationId,
      params,
      query,
      body,
      bodyFormat: format,
      formFields: fields,
      principal,
      idempotencyKey: idempotency,
      event,
    } as Request<OperationDef>;
    const result = await run(request);
    // Only a request that succeeded records its key's use: a refused one writes nothing at all.
    await recordUse();
    return result instanceof RawReply ? result.response : jsonResponse(op.success.status, result);
  });
};

/** An event no operation takes: 405 with `Allow` when the path exists for other methods, else 404. */
const unmatched = (routes: RouteTable, event: APIGatewayProxyEventV2): never => {
  const match = routes.match(event.requestContext.http.method, event.rawPath);
  if (match.kind === "method_not_allowed" || match.kind === "found") {
    const allowed = match.kind === "found" ? [match.op.method] : match.allowed;
    throw new HttpError(
      405,
      "method_not_allowed",
      `${event.requestContext.http.method} is not allowed on ${event.rawPath.slice(0, 200)}; use ${allowed.join(", ")}.`,
      undefined,
      { allow: allowed.join(", ") },
    );
  }
  throw new HttpError(
    404,
    "route_not_found",
    `There is no ${event.requestContext.http.method} ${event.rawPath.slice(0, 200)}; see /openapi.json.`,
  );
};

/** The handler of API Gateway's `$default` route: every request that no operation takes. */
export const unmatchedRouteHandler = (routes: RouteTable): HttpHandler =>
  wrap(async (event) => unmatched(routes, event));
