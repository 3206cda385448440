import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { HttpError } from "../../functions/http/errors.js";
import { httpFunction, unmatchedRouteHandler } from "../../functions/http/handler.js";
import { operation } from "../../functions/http/operation.js";
import { assertWellFormedTarget } from "../../functions/http/request.js";
import { percentDecode, routeTable } from "../../functions/http/routing.js";

/**
 * A request whose path or query does not read one way only is refused with 400 malformed_request
 * before routing, authentication or any read: by the check on rawPath and rawQueryString, and by
 * every Lambda handler built on it.
 */

const eventOf = (
  method: string,
  rawPath: string,
  rawQueryString = "",
  overrides: Partial<APIGatewayProxyEventV2> = {},
): APIGatewayProxyEventV2 => ({
  version: "2.0",
  routeKey: "$default",
  rawPath,
  rawQueryString,
  headers: {},
  requestContext: {
    accountId: "1",
    apiId: "a",
    domainName: "localhost",
    domainPrefix: "localhost",
    http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" },
    requestId: "r",
    routeKey: "$default",
    stage: "$default",
    time: "",
    timeEpoch: 0,
  },
  isBase64Encoded: false,
  ...overrides,
});

const refusalOf = (event: APIGatewayProxyEventV2): HttpError | undefined => {
  try {
    assertWellFormedTarget(event);
    return undefined;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
};

describe("the check of a request's path and query", () => {
  it.each([
    ["an invalid percent-escape", "/passkit/v1/devices/%zz/registrations/p/s"],
    ["a lone '%'", "/v1/programs/%"],
    ["a '%' with one hex digit", "/v1/programs/prg_%4"],
    ["an escape that is not UTF-8", "/passkit/v1/devices/%ff/registrations/p/s"],
    ["an overlong UTF-8 form of '/'", "/v1/programs/%c0%af"],
    ["an encoded slash", "/passkit/v1/devices/a%2Fb/registrations/p/s"],
    ["an encoded slash in lower case", "/passkit/v1/devices/a%2fb/registrations/p/s"],
    ["an encoded backslash", "/passkit/v1/devices/a%5Cb/registrations/p/s"],
    ["a raw backslash", "/passkit/v1/devices/a\\b/registrations/p/s"],
    ["an encoded NUL", "/v1/programs/prg_0123456789abcdef%00"],
    ["a raw NUL (a proxy decoded the path)", "/v1/programs/prg_0123456789abcdef\u0000"],
    ["an encoded '%' (double encoding)", "/passkit/v1/devices/%25zz/registrations/p/s"],
    ["an encoded newline", "/passkit/v1/devices/a%0Ab/registrations/p/s"],
    ["the replacement character", "/passkit/v1/devices/a%EF%BF%BDb/registrations/p/s"],
  ])("refuses a path with %s", (_, rawPath) => {
    // Act
    const refusal = refusalOf(eventOf("POST", rawPath));

    // Assess
    expect(refusal?.status).toBe(400);
    expect(refusal?.code).toBe("malformed_request");
    expect(refusal?.message).toMatch(/^The path /);
  });

  it.each([
    ["an invalid percent-escape", "cursor=%zz"],
    ["a lone '%'", "limit=%"],
    ["an escape that is not UTF-8", "q=%ff"],
    ["an escape in the name", "%zz=1"],
    ["an encoded NUL", "limit=1%00"],
    ["an encoded NUL in a name", "a%00=1"],
    ["a raw NUL", "limit=1\u0000"],
  ])("refuses a query with %s", (_, rawQueryString) => {
    // Act
    const refusal = refusalOf(eventOf("GET", "/v1/programs", rawQueryString));

    // Assess
    expect(refusal?.status).toBe(400);
    expect(refusal?.code).toBe("malformed_request");
    expect(refusal?.message).toMatch(/^The query string /);
  });

  it("refuses a NUL that only API Gateway's parsed query shows", () => {
    // Act
    const refusal = refusalOf(
      eventOf("GET", "/v1/programs", "", { queryStringParameters: { a: "x\u0000" } }),
    );

    // Assess
    expect(refusal?.code).toBe("malformed_request");
  });

  it.each([
    ["a plain path", "/v1/programs/prg_0123456789abcdef/stores", "limit=5&cursor=abc"],
    ["the root", "/", ""],
    ["escapes of ordinary characters", "/passkit/v1/devices/abc%41/registrations/p/s", ""],
    ["UTF-8 escapes", "/v1/caf%C3%A9", "q=caf%C3%A9"],
    ["an encoded '%' in the query", "/v1/programs", "q=100%25&r=a+b&flag&=x"],
    ["an encoded slash in the query", "/v1/programs", "next=%2Fv1%2Fprograms"],
  ])("lets %s through", (_, rawPath, rawQueryString) => {
    // Act
    const refusal = refusalOf(eventOf("GET", rawPath, rawQueryString));

    // Assess
    expect(refusal).toBeUndefined();
  });

  it("says what is wrong without echoing control characters", () => {
    // Act
    const badEscape = refusalOf(eventOf("GET", "/v1/programs/%zz"));
    const notUtf8 = refusalOf(eventOf("GET", "/v1/programs/x\u0001%ff"));

    // Assess
    expect(badEscape?.message).toContain("'%zz'");
    expect(notUtf8?.message).toContain("UTF-8");
    expect(notUtf8?.message).toContain("'x?%ff'");
  });
});

describe("path parameters", () => {
  it("decodes strictly: nothing is decoded 'as far as it goes'", () => {
    // Act
    const decoded = ["abc", "a%41", "caf%C3%A9", "%zz", "%", "%4", "%ff", "%c0%af", "%ed%a0%80"].map(
      percentDecode,
    );

    // Assess
    expect(decoded).toEqual([
      "abc",
      "aA",
      "café",
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("are matched on the path as sent and decoded once: an encoded slash never splits a segment", () => {
    // Prepare
    const routes = routeTable([
      operation({
        operationId: "thing",
        fn: "things",
        method: "GET",
        path: "/things/{thingId}/parts",
        summary: "",
        tag: "t",
        auth: "none",
        success: { status: 200, description: "", schema: z.object({}) },
      }),
    ]);

    // Act
    const once = routes.match("GET", "/things/a%2541/parts");
    const slash = routes.match("GET", "/things/a%2Fb/parts");
    const split = routes.match("GET", "/things/a/b/parts");

    // Assess: %2541 is '%41' decoded once, never 'A'
    expect(once).toMatchObject({ kind: "found", pathParameters: { thingId: "a%41" } });
    expect(slash).toMatchObject({ kind: "found", pathParameters: { thingId: "a/b" } });
    expect(split).toEqual({ kind: "not_found" });
  });
});

// ---------------------------------------------------------------------------------------------
// Through a Lambda handler, as API Gateway invokes it

const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: "carnet-unit",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:local:000000000000:function:carnet-unit",
  memoryLimitInMB: "128",
  awsRequestId: "unit",
  logGroupName: "/aws/lambda/carnet-unit",
  logStreamName: "unit",
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

const things = {
  registerThing: operation({
    operationId: "registerThing",
    fn: "things",
    method: "POST",
    path: "/things/{thingId}/owners/{ownerId}",
    summary: "",
    tag: "t",
    auth: "store",
    params: z.strictObject({ thingId: z.string().min(1), ownerId: z.string().min(1) }),
    success: { status: 200, description: "", schema: z.object({}) },
  }),
};

/** A handler whose key store and implementation record whether they were reached. */
const thingsHandler = () => {
  const keyRecord = vi.fn(async () => undefined);
  const implementation = vi.fn(async ({ params }: { params: Record<string, string> }) => ({ params }));
  const handler = httpFunction(
    things,
    { registerThing: implementation as never },
    routeTable(Object.values(things)),
    {
      keys: { stores: { keyRecord, recordKeyUse: vi.fn(async () => undefined) } as never },
      maxBodyBytes: 1024,
    },
  );
  return { handler, keyRecord, implementation };
};

const STORE_KEY = `sk.sto_0123456789abcdef.${"A".repeat(43)}`;

const invoke = async (handler: ReturnType<typeof thingsHandler>["handler"], rawPath: string, extra = {}) => {
  const event = eventOf("POST", rawPath, "", {
    routeKey: "POST /things/{thingId}/owners/{ownerId}",
    headers: { authorization: `Bearer ${STORE_KEY}` },
    ...extra,
  });
  const result = await handler(event, context);
  return { status: result.statusCode, body: JSON.parse(result.body ?? "null") };
};

describe("a Lambda handler given an API Gateway event", () => {
  it.each([
    ["%zz", "/things/%zz/owners/o"],
    ["%ff", "/things/%ff/owners/o"],
    ["%2F", "/things/a%2Fb/owners/o"],
    ["%5C", "/things/a%5Cb/owners/o"],
    ["%00", "/things/a%00/owners/o"],
    ["%25zz", "/things/%25zz/owners/o"],
  ])("refuses a path parameter with %s before authentication or the operation", async (_, rawPath) => {
    // Prepare
    const { handler, keyRecord, implementation } = thingsHandler();

    // Act
    const response = await invoke(handler, rawPath);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("malformed_request");
    expect(keyRecord).not.toHaveBeenCalled();
    expect(implementation).not.toHaveBeenCalled();
  });

  it("refuses a malformed query string before authentication", async () => {
    // Prepare
    const { handler, keyRecord } = thingsHandler();

    // Act
    const response = await invoke(handler, "/things/t/owners/o", { rawQueryString: "x=%zz" });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("malformed_request");
    expect(keyRecord).not.toHaveBeenCalled();
  });

  it("reads path parameters from rawPath, decoded once, and not from API Gateway's pathParameters", async () => {
    // Prepare: the same operation, open to anyone
    const open = {
      ...things.registerThing,
      auth: "none" as const,
    };
    const implementation = vi.fn(async ({ params }: { params: Record<string, string> }) => ({ params }));
    const handler = httpFunction(
      { registerThing: open },
      { registerThing: implementation as never },
      routeTable([open]),
      { keys: {}, maxBodyBytes: 1024 },
    );

    // Act
    const response = await invoke(handler as never, "/things/abc%41/owners/caf%C3%A9", {
      pathParameters: { thingId: "something-else", ownerId: "%zz" },
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.params).toEqual({ thingId: "abcA", ownerId: "café" });
  });

  it("refuses a path that does not fit the route API Gateway chose", async () => {
    // Prepare
    const { handler, keyRecord } = thingsHandler();

    // Act
    const response = await invoke(handler, "/things/t/owners/o/extra");

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("malformed_request");
    expect(keyRecord).not.toHaveBeenCalled();
  });

  it("refuses a malformed path on the $default route instead of answering 404", async () => {
    // Prepare
    const handler = unmatchedRouteHandler(routeTable(Object.values(things)));

    // Act
    const malformed = await handler(eventOf("GET", "/nowhere/%zz"), context);
    const unknown = await handler(eventOf("GET", "/nowhere/at-all"), context);

    // Assess
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body ?? "").error.code).toBe("malformed_request");
    expect(unknown.statusCode).toBe(404);
  });
});
