import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiGatewayEvent } from "../../local/server.js";

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
