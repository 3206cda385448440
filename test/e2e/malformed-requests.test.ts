import { randomBytes } from "node:crypto";
import { request } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { HttpHandler } from "../../functions/http/handler.js";
import { logger } from "../../functions/shared/logger.js";
import { useApi } from "../support/api.js";
import { useDynamoRequests } from "../support/dynamo-requests.js";
import { enrollMember, openShop } from "../support/loyalty.js";
import { expectRejectedWithoutWrite } from "../support/no-write.js";
import { openPass } from "../support/pkpass.js";
import { allItems } from "../support/table.js";

/**
 * Malformed requests are stopped at the door: a path or query that does not read one way only is a
 * 400 malformed_request, with nothing read and nothing written — through HTTP and the local server,
 * and through an API Gateway event straight into the Lambda handler, as AWS sends it.
 */

const { call, table, url } = useApi();
const counted = useDynamoRequests();

const PASS_TYPE_ID = "pass.dev.carnet.local";
const REGISTRATION_ROUTE =
  "POST /passkit/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}";

let memberId = "";
let passToken = "";

beforeAll(async () => {
  // Prepare: a member with a pass, so that every registration below is otherwise valid
  const shop = await openShop(call, {}, "Malformed requests");
  const member = (await enrollMember(call, shop)) as unknown as { memberId: string; cardUrl: string };
  memberId = member.memberId;
  const download = await fetch(`${member.cardUrl}/pass.pkpass`);
  expect(download.status).toBe(200);
  passToken = openPass(Buffer.from(await download.arrayBuffer())).pass.authenticationToken;
});

afterEach(() => {
  vi.restoreAllMocks();
});

const registerAt = (device: string) =>
  call("POST", `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${memberId}`, {
    key: null,
    headers: { authorization: `ApplePass ${passToken}` },
    body: { pushToken: randomBytes(32).toString("hex") },
  });

/** Refused with 400 malformed_request, not one item written and not one DynamoDB request sent. */
const expectStoppedAtTheDoor = async (run: () => Promise<{ status: number; body: any }>) => {
  const { sent } = await counted(() =>
    expectRejectedWithoutWrite(table, run, 400, "malformed_request").then(() => undefined),
  );
  expect(sent).toEqual([]);
};

describe("malformed requests through HTTP", () => {
  it.each([
    ["an invalid percent-escape", "%zz"],
    ["an escape that is not UTF-8", "%ff"],
    ["a lone '%'", "dev%"],
    ["an encoded slash", "a%2Fb"],
    ["an encoded slash in lower case", "a%2fb"],
    ["an encoded backslash", "a%5Cb"],
    ["an encoded NUL", "dev%00"],
    ["an encoded '%' that would decode to '%zz'", "%25zz"],
  ])("refuses to register a device id with %s", async (_, device) => {
    await expectStoppedAtTheDoor(() => registerAt(device));
  });

  it.each([
    ["an invalid percent-escape", "/v1/programs?cursor=%zz"],
    ["an encoded NUL", "/v1/programs?limit=1%00"],
    ["an escape that is not UTF-8", "/v1/programs?limit=%ff"],
  ])("refuses a query with %s before the key is checked", async (_, path) => {
    await expectStoppedAtTheDoor(() => call("GET", path, { key: "not-the-admin-key-at-all-0123" }));
  });

  it("refuses a malformed path that no route takes, rather than answering 404", async () => {
    await expectStoppedAtTheDoor(() => call("GET", "/nowhere/%zz", { key: null }));
  });

  it("refuses a raw backslash in a path segment, which a URL parser would have read as '/'", async () => {
    // Act
    const response = await new Promise<{ status: number; body: any }>((done, fail) => {
      const { hostname, port } = new URL(url());
      const req = request(
        {
          hostname,
          port,
          method: "GET",
          path: `/passkit/v1/devices/a\\b/registrations/${PASS_TYPE_ID}`,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            done({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }),
          );
        },
      );
      req.on("error", fail);
      req.end();
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("malformed_request");
  });

  it("still registers a well-formed device id, decoded once, and the '%zz' device stays unreachable", async () => {
    // Prepare
    const device = `device-${randomBytes(6).toString("hex")}`;

    // Act: the last character sent encoded (%41 is 'A')
    const { result: registered, sent } = await counted(() => registerAt(`${device}%41`));
    const listed = await call("GET", `/passkit/v1/devices/${device}A/registrations/${PASS_TYPE_ID}`, {
      key: null,
    });
    const doubleEncoded = await call("GET", `/passkit/v1/devices/%25zz/registrations/${PASS_TYPE_ID}`, {
      key: null,
    });

    // Assess
    expect(registered.status).toBe(201);
    expect(sent.length).toBeGreaterThan(0); // the counter sees what a request reads and writes
    expect(listed.status).toBe(200);
    expect(listed.body.serialNumbers).toEqual([memberId]);
    expect(doubleEncoded.status).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------
// An API Gateway event into the Lambda handler, as AWS sends it (which may decode the path first)

const context = (fn: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `carnet-${fn}`,
  functionVersion: "$LATEST",
  invokedFunctionArn: `arn:aws:lambda:eu-west-1:000000000000:function:carnet-${fn}`,
  memoryLimitInMB: "1024",
  awsRequestId: randomBytes(8).toString("hex"),
  logGroupName: `/aws/lambda/carnet-${fn}`,
  logStreamName: "test",
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

const apiGatewayEvent = (
  routeKey: string,
  rawPath: string,
  extra: Partial<APIGatewayProxyEventV2> = {},
): APIGatewayProxyEventV2 => {
  const method = routeKey === "$default" ? "GET" : (routeKey.split(" ")[0] ?? "GET");
  return {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString: "",
    headers: { host: "api.example.com", "content-type": "application/json" },
    requestContext: {
      accountId: "000000000000",
      apiId: "api",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "203.0.113.9", userAgent: "iPhone" },
      requestId: randomBytes(8).toString("hex"),
      routeKey,
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
    ...extra,
  };
};

const invoke = async (
  handler: HttpHandler,
  fn: string,
  event: APIGatewayProxyEventV2,
): Promise<{ status: number; body: any }> => {
  const result: APIGatewayProxyStructuredResultV2 = await handler(event, context(fn));
  return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? "null") };
};

describe("malformed requests through an API Gateway event into the Lambda handler", () => {
  /** A registration event as API Gateway builds it, with its own (decoded) path parameters. */
  const registration = (rawPath: string, device: string) =>
    apiGatewayEvent(REGISTRATION_ROUTE, rawPath, {
      headers: {
        host: "api.example.com",
        "content-type": "application/json",
        authorization: `ApplePass ${passToken}`,
      },
      pathParameters: {
        deviceLibraryIdentifier: device,
        passTypeIdentifier: PASS_TYPE_ID,
        serialNumber: memberId,
      },
      body: JSON.stringify({ pushToken: randomBytes(32).toString("hex") }),
    });

  it.each([
    ["an invalid percent-escape", "%zz", "%zz"],
    ["%25zz, decoded to '%zz' by API Gateway", "%zz", "%zz"],
    ["%25zz, left encoded", "%25zz", "%zz"],
    ["an encoded slash", "a%2Fb", "a/b"],
    ["a NUL byte that API Gateway decoded", "dev\u0000", "dev\u0000"],
    ["a backslash that API Gateway decoded", "a\\b", "a\\b"],
    ["an escape that is not UTF-8", "%ff", "\uFFFD"],
    ["U+FFFD, what API Gateway may make of %ff", "\uFFFD", "\uFFFD"],
  ])("refuses a registration path with %s", async (_, segment, device) => {
    // Prepare
    const { handler } = await import("../../functions/wallet/handler.js");
    const rawPath = `/passkit/v1/devices/${segment}/registrations/${PASS_TYPE_ID}/${memberId}`;

    // Act & Assess
    await expectStoppedAtTheDoor(() => invoke(handler, "wallet", registration(rawPath, device)));
  });

  it("refuses a malformed query string", async () => {
    // Prepare
    const { handler } = await import("../../functions/wallet/handler.js");
    const device = `device-${randomBytes(6).toString("hex")}`;
    const event = registration(
      `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${memberId}`,
      device,
    );

    // Act & Assess
    await expectStoppedAtTheDoor(() => invoke(handler, "wallet", { ...event, rawQueryString: "x=%zz" }));
  });

  it("refuses a malformed path on the $default route", async () => {
    // Prepare
    const { handler } = await import("../../functions/not-found/handler.js");

    // Act & Assess
    await expectStoppedAtTheDoor(() =>
      invoke(handler, "not-found", apiGatewayEvent("$default", "/passkit/v1/devices/%zz")),
    );
  });

  it("registers the device named by rawPath, whatever API Gateway's pathParameters say", async () => {
    // Prepare
    const { handler } = await import("../../functions/wallet/handler.js");
    const device = `device-${randomBytes(6).toString("hex")}`;
    const rawPath = `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${memberId}`;

    // Act
    const response = await handler(registration(rawPath, "someone-else"), context("wallet"));

    // Assess
    expect(response.statusCode).toBe(201);
    const devices = (await allItems(table.endpoint, table.tableName)).map((item) => JSON.stringify(item));
    expect(devices.some((item) => item.includes(device))).toBe(true);
    expect(devices.some((item) => item.includes("someone-else"))).toBe(false);
  });
});

describe("PassKit device logs", () => {
  it("answers a 60 KB log request with 200 and logs 10 truncated lines and one summary", async () => {
    // Prepare
    const warn = vi.spyOn(logger, "warn");
    const logs = Array.from({ length: 100 }, (_, i) => `${i} ${"Could not download pass ".repeat(25)}`);

    // Act
    const response = await call("POST", "/passkit/v1/log", { key: null, body: { logs } });

    // Assess
    expect(response.status).toBe(200);
    const lines = warn.mock.calls.filter(([line]) => String(line).startsWith("PassKit device log"));
    expect(lines).toHaveLength(11);
    for (const [, fields] of lines.slice(0, 10)) {
      expect(String((fields as { deviceMessage: string }).deviceMessage).length).toBeLessThanOrEqual(501);
    }
    expect(lines[10]).toEqual([
      "PassKit device log: messages left out",
      { leftOut: 90, received: 100, limit: 10 },
    ]);
  });
});
