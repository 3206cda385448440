import { unmatchedRoutes } from "../api/functions.js";

/** API Gateway's `$default` route: 404 route_not_found, or 405 with `Allow` for a known path. */
export const handler = unmatchedRoutes();
