import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { targetOf, toApiGatewayEvent } from "../../local/server.js";

/** What the local API Gateway stand-in makes of real HTTP requests, echoed back as JSON. */
let server: Server;
let base = "";
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const made = toApiGatewayEvent(req, Buffer.concat(chunks));
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(made));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

const echo = async (path: string, init: RequestInit = {}) =>
  (await (await fetch(`${base}${path}`, init)).json()) as { event: APIGatewayProxyEventV2; fn: string };

describe("local API Gateway events (HTTP API, payload 2.0)", () => {
  it("names the route, its function and its path parameters as API Gateway does", async () => {
    // Act
    const { event, fn } = await echo("/v1/programs/prg_0123456789abcdef/stores?limit=5&x=1&x=2", {
      headers: { "X-Custom": "Yes", cookie: "a=1; b=2" },
    });

    // Assess
    expect(fn).toBe("stores");
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /v1/programs/{programId}/stores",
      rawPath: "/v1/programs/prg_0123456789abcdef/stores",
      rawQueryString: "limit=5&x=1&x=2",
      pathParameters: { programId: "prg_0123456789abcdef" },
      queryStringParameters: { limit: "5", x: "1,2" },
      cookies: ["a=1", "b=2"],
      isBase64Encoded: false,
      requestContext: {
        http: { method: "GET", path: "/v1/programs/prg_0123456789abcdef/stores" },
        stage: "$default",
      },
    });
    expect(event.headers["x-custom"]).toBe("Yes");
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
  });

  it("sends a request no operation takes to the $default route", async () => {
    // Act
    const { event, fn } = await echo("/nowhere", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });

    // Assess
    expect(fn).toBe("not-found");
    expect(event.routeKey).toBe("$default");
    expect(event.pathParameters).toBeUndefined();
  });

  it("passes the path and query on exactly as sent, malformed or not, for the handler to judge", async () => {
    // Prepare: node:http, because fetch would read '\\' as '/' and resolve '..'
    const sendRaw = (path: string) =>
      new Promise<{ event: APIGatewayProxyEventV2; fn: string }>((done, fail) => {
        const { hostname, port } = new URL(base);
        const req = request({ hostname, port, path }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => done(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
        });
        req.on("error", fail);
        req.end();
      });

    // Act
    const odd = await sendRaw("/v1/a\\b/%zz/%2e%2e/../x?q=%zz&r=a+b");
    const slash = await sendRaw("/passkit/v1/devices/a%2Fb/registrations/pass.x");

    // Assess
    expect(odd.event).toMatchObject({
      rawPath: "/v1/a\\b/%zz/%2e%2e/../x",
      rawQueryString: "q=%zz&r=a+b",
      queryStringParameters: { q: "%zz", r: "a b" },
      requestContext: { http: { path: "/v1/a\\b/%zz/%2e%2e/../x" } },
    });
    expect(odd.fn).toBe("not-found");
    expect(slash.fn).toBe("wallet");
    expect(slash.event).toMatchObject({
      routeKey: "GET /passkit/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}",
      rawPath: "/passkit/v1/devices/a%2Fb/registrations/pass.x",
      pathParameters: { deviceLibraryIdentifier: "a/b", passTypeIdentifier: "pass.x" },
    });
  });

  it("cuts an absolute-form request target to its path", () => {
    // Act
    const target = targetOf("http://example.com:3000/v1/programs?limit=5");
    const bare = targetOf("http://example.com");

    // Assess
    expect(target).toEqual({ rawPath: "/v1/programs", rawQueryString: "limit=5" });
    expect(bare).toEqual({ rawPath: "/", rawQueryString: "" });
  });

  it("passes JSON as text and binary bodies base64-encoded", async () => {
    // Act
    const json = await echo("/v1/programs", {
      method: "POST",
      body: '{"a":"é"}',
      headers: { "content-type": "application/json" },
    });
    const binary = await echo("/v1/programs", {
      method: "POST",
      body: Buffer.from([0, 1, 2, 255]),
      headers: { "content-type": "application/octet-stream" },
    });

    // Assess
    expect(json.event).toMatchObject({ body: '{"a":"é"}', isBase64Encoded: false });
    expect(binary.event).toMatchObject({
      body: Buffer.from([0, 1, 2, 255]).toString("base64"),
      isBase64Encoded: true,
    });
  });
});
