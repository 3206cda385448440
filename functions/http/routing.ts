import type { OperationDef } from "./operation.js";

/**
 * Path templates as API Gateway reads them: `{name}` stands for exactly one non-empty segment,
 * everything else must match to the letter (no trailing-slash folding). Matching is done on the
 * path as sent (`rawPath`, still percent-encoded), so an encoded `/` (`%2F`) never splits a segment;
 * each parameter is then percent-decoded exactly once, here and nowhere else.
 */
interface CompiledRoute {
  op: OperationDef;
  pattern: RegExp;
  names: string[];
}

const compile = (op: OperationDef): CompiledRoute => {
  const names: string[] = [];
  const source = op.path
    .split("/")
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param?.[1]) {
        names.push(param[1]);
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { op, pattern: new RegExp(`^${source}$`), names };
};

export type RouteMatch =
  | { kind: "found"; op: OperationDef; pathParameters: Record<string, string> }
  | { kind: "method_not_allowed"; allowed: string[] }
  | { kind: "not_found" };

/**
 * Strict percent-decoding of one path segment or query component: every `%` must start two hex
 * digits and the bytes they make must be UTF-8 (overlong forms and surrogates included in "not").
 * Undefined when it is not so; nothing is ever decoded "as far as it goes".
 */
export const percentDecode = (raw: string): string | undefined => {
  if (!raw.includes("%")) return raw;
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
};

/**
 * The parameters of a matched path, each decoded once. A segment that does not decode is given as
 * it was sent: such a request never reaches an operation (request.ts, assertWellFormedTarget).
 */
const parametersOf = (route: CompiledRoute, match: RegExpExecArray): Record<string, string> =>
  Object.fromEntries(
    route.names.map((name, i) => {
      const raw = match[i + 1] ?? "";
      return [name, percentDecode(raw) ?? raw];
    }),
  );

/** One operation's path template, to read its parameters out of a raw path. */
export interface OperationRoute {
  /** The path's parameters, decoded once; undefined when the path does not fit the template. */
  parameters(rawPath: string): Record<string, string> | undefined;
}

export const operationRoute = (op: OperationDef): OperationRoute => {
  const route = compile(op);
  return {
    parameters: (rawPath) => {
      const match = route.pattern.exec(rawPath);
      return match ? parametersOf(route, match) : undefined;
    },
  };
};

/** A request's method and path to the operation that takes it, among every operation of an API. */
export interface RouteTable {
  /** `path` is the raw path (API Gateway's `rawPath`): percent-encoded as sent. */
  match(method: string, path: string): RouteMatch;
}

export const routeTable = (operations: readonly OperationDef[]): RouteTable => {
  const routes = operations.map(compile);
  return { match: (method, path) => matchIn(routes, method, path) };
};

const matchIn = (routes: readonly CompiledRoute[], method: string, path: string): RouteMatch => {
  const allowed: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.op.method !== method.toUpperCase()) {
      allowed.push(route.op.method);
      continue;
    }
    return { kind: "found", op: route.op, pathParameters: parametersOf(route, match) };
  }
  return allowed.length > 0 ? { kind: "method_not_allowed", allowed } : { kind: "not_found" };
};
