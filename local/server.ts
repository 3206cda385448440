import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { routes } from "../functions/api/functions.js";
import type { FunctionName } from "../functions/api/types.js";
import { errorResponse, HttpError } from "../functions/http/errors.js";
import type { HttpHandler } from "../functions/http/handler.js";

/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): each request becomes the event
 * API Gateway would send, for the same Lambda handler AWS runs, chosen by the same route table.
 * It passes the path and query on as sent, malformed or not: refusing what does not read one way
 * only is the handler's job (functions/http/request.ts), so that the Lambda does the same in AWS.
 */

/** API Gateway's own limit on a request body: above it, the request never reaches a function. */
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

const TEXT_TYPES =
  /^(text\/|application\/(?:[\w.+-]+\+)?(?:json|xml)|application\/x-www-form-urlencoded|application\/javascript)/i;

const handlerModules: Record<FunctionName, () => Promise<{ handler: HttpHandler }>> = {
  health: () => import("../functions/health/handler.js"),
  openapi: () => import("../functions/openapi/handler.js"),
  programs: () => import("../functions/programs/handler.js"),
  stores: () => import("../functions/stores/handler.js"),
  members: () => import("../functions/members/handler.js"),
  "store-api": () => import("../functions/store-api/handler.js"),
  partners: () => import("../functions/partners/handler.js"),
  offers: () => import("../functions/offers/handler.js"),
  wallet: () => import("../functions/wallet/handler.js"),
  join: () => import("../functions/join/handler.js"),
  "not-found": () => import("../functions/not-found/handler.js"),
};

/** The request body; past API Gateway's limit it is drained and refused, as API Gateway would. */
const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= API_GATEWAY_MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > API_GATEWAY_MAX_BODY) {
        fail(
          new HttpError(
            413,
            "payload_too_large",
            `The body is over API Gateway's limit of ${API_GATEWAY_MAX_BODY} bytes.`,
          ),
        );
      } else {
        done(Buffer.concat(chunks));
      }
    });
    req.on("error", fail);
  });

/** Headers as API Gateway gives them: lower-case names, repeated values joined by commas. */
const headersOf = (req: IncomingMessage): Record<string, string> => {
  return Object.fromEntries(
    Object.entries(req.headers).flatMap(([name, value]) =>
      value === undefined || name === "cookie"
        ? []
        : [[name, Array.isArray(value) ? value.join(",") : value]],
    ),
  );
};

/**
 * The query as API Gateway gives it: repeated values joined by commas. Built with own properties
 * (Object.fromEntries), so a parameter named `__proto__` or `constructor` is an ordinary name here
 * too, refused by the operation's schema as in AWS instead of vanishing.
 */
const queryOf = (search: URLSearchParams): Record<string, string> | undefined => {
  const names = [...new Set(search.keys())];
  return names.length > 0
    ? Object.fromEntries(names.map((name) => [name, search.getAll(name).join(",")]))
    : undefined;
};

/**
 * The request target's path and query exactly as sent: no dot-segment resolution, no `\` read as
 * `/`, no escape decoded or repaired (a WHATWG URL would do all three). Node's parser admits only
 * printable ASCII; anything else is percent-encoded byte by byte all the same. An absolute-form
 * target (`GET http://host/path`) is cut to its path.
 */
export const targetOf = (url: string): { rawPath: string; rawQueryString: string } => {
  const origin = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url)?.[0] ?? "";
  const target = url.slice(origin.length).split("#")[0] ?? "";
  const encoded = Array.from(Buffer.from(target, "latin1"), (byte) =>
    byte > 0x20 && byte < 0x7f
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
  ).join("");
  const at = encoded.indexOf("?");
  const rawPath = at < 0 ? encoded : encoded.slice(0, at);
  return {
    rawPath: rawPath.startsWith("/") ? rawPath : `/${rawPath}`,
    rawQueryString: at < 0 ? "" : encoded.slice(at + 1),
  };
};

/**
 * The client's address as API Gateway reports it (`requestContext.http.sourceIp`): the connection's.
 * Tests that stand for many clients (per-address limits) set `trustForwardedFor`, and then the first
 * X-Forwarded-For address counts, as it would behind a proxy that sets it.
 */
const sourceIpOf = (req: IncomingMessage, trustForwardedFor: boolean): string => {
  const forwarded = trustForwardedFor ? req.headers["x-forwarded-for"] : undefined;
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  return first || (req.socket.remoteAddress ?? "127.0.0.1");
};

export const toApiGatewayEvent = (
  req: IncomingMessage,
  body: Buffer,
  trustForwardedFor = false,
): { event: APIGatewayProxyEventV2; fn: FunctionName } => {
  const method = (req.method ?? "GET").toUpperCase();
  const { rawPath, rawQueryString } = targetOf(req.url ?? "/");
  const match = routes.match(method, rawPath);
  const routeKey = match.kind === "found" ? `${match.op.method} ${match.op.path}` : "$default";
  const headers = headersOf(req);
  const contentType = headers["content-type"] ?? "";
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  const cookies = req.headers.cookie?.split(/;\s*/).filter(Boolean);
  const queryStringParameters = queryOf(new URLSearchParams(rawQueryString));
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(match.kind === "found" && Object.keys(match.pathParameters).length > 0
      ? { pathParameters: match.pathParameters }
      : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: (headers.host ?? "localhost").split(".")[0] ?? "localhost",
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: sourceIpOf(req, trustForwardedFor),
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: !isText,
  };
  return { event, fn: match.kind === "found" ? (match.op.fn as FunctionName) : "not-found" };
};

const contextFor = (fn: string, requestId: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `carnet-local-${fn}`,
  functionVersion: "$LATEST",
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:carnet-local-${fn}`,
  memoryLimitInMB: "1024",
  awsRequestId: requestId,
  logGroupName: `/aws/lambda/carnet-local-${fn}`,
  logStreamName: "local",
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

const send = (res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies && result.cookies.length > 0) headers["set-cookie"] = result.cookies;
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
  headers["content-length"] = String(body.length);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
};

export interface LocalServerOptions {
  port: number;
  host?: string;
  /** Called once per request, for the dev server's access log. */
  onRequest?: (line: { method: string; path: string; status: number; ms: number }) => void;
  /** Until this resolves, requests are answered 503 (the dev server is still starting its database). */
  ready?: Promise<void>;
  /** Take the client's address from X-Forwarded-For (tests standing for many clients); never under npm start. */
  trustForwardedFor?: boolean;
}

export interface LocalServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export const startLocalServer = (options: LocalServerOptions): Promise<LocalServer> => {
  let isReady = options.ready === undefined;
  options.ready?.then(
    () => {
      isReady = true;
    },
    () => undefined,
  );
  const server = createServer(async (req, res) => {
    const started = performance.now();
    let result: APIGatewayProxyStructuredResultV2;
    try {
      if (!isReady)
        throw new HttpError(503, "starting", "Carnet is still starting; try again in a moment.", undefined, {
          "retry-after": "1",
        });
      const body = await readBody(req);
      const { event, fn } = toApiGatewayEvent(req, body, options.trustForwardedFor);
      const { handler } = await handlerModules[fn]();
      result = await handler(event, contextFor(fn, event.requestContext.requestId));
    } catch (error) {
      result = errorResponse(
        error instanceof HttpError ? error : new HttpError(502, "bad_gateway", "The function failed."),
      );
      if (!(error instanceof HttpError)) console.error(error);
    }
    send(res, result);
    options.onRequest?.({
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0] ?? "/",
      status: result.statusCode ?? 200,
      ms: Math.round(performance.now() - started),
    });
  });
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", fail);
      const { port } = server.address() as AddressInfo;
      done({
        url: `http://${options.host === "0.0.0.0" ? "localhost" : (options.host ?? "127.0.0.1")}:${port}`,
        server,
        close: () =>
          new Promise<void>((closed) => {
            server.close(() => closed());
            server.closeAllConnections();
          }),
      });
    });
  });
};
