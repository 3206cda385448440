import type { OperationDef } from "./operation.js";

/**
 * Path templates as API Gateway reads them: `{name}` stands for exactly one non-empty segment,
 * everything else must match to the letter (no trailing-slash folding).
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

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** A request's method and path to the operation that takes it, among every operation of an API. */
export interface RouteTable {
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
    const pathParameters = Object.fromEntries(
      route.names.map((name, i) => [name, decode(match[i + 1] ?? "")]),
    );
    return { kind: "found", op: route.op, pathParameters };
  }
  return allowed.length > 0 ? { kind: "method_not_allowed", allowed } : { kind: "not_found" };
};
