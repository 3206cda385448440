import {
  type HttpHandler,
  type HttpSettings,
  httpFunction,
  type Implementations,
  unmatchedRouteHandler,
} from "../http/handler.js";
import { routeTable } from "../http/routing.js";
import { allOperations, type OperationsOf, operationsOf } from "./operations.js";
import type { FunctionName } from "./types.js";

/** Carnet's route table: every operation, as API Gateway and the local server route them. */
export const routes = routeTable(allOperations);

/**
 * The HTTP handler of one of Carnet's functions: one implementation for each operation the
 * operation table gives that function (a missing or extra one is a compile error).
 */
export const apiFunction = <F extends FunctionName>(
  fn: F,
  implementations: Implementations<OperationsOf<F>>,
  settings: HttpSettings,
): HttpHandler => httpFunction(operationsOf(fn), implementations, routes, settings);

/** API Gateway's `$default` route: 404 route_not_found, or 405 with `Allow` for a known path. */
export const unmatchedRoutes = (): HttpHandler => unmatchedRouteHandler(routes);
