import type { APIGatewayProxyEventV2 } from "aws-lambda";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { operations } from "../../functions/api/operations.js";
import { HttpError } from "../../functions/http/errors.js";
import { InvalidForm } from "../../functions/http/operation.js";
import { parseBody, parseParams, parseQuery } from "../../functions/http/request.js";

const event = (overrides: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 => ({
  version: "2.0",
  routeKey: "POST /v1/programs",
  rawPath: "/v1/programs",
  rawQueryString: "",
  headers: { "content-type": "application/json" },
  requestContext: {
    accountId: "1",
    apiId: "a",
    domainName: "localhost",
    domainPrefix: "localhost",
    http: {
      method: "POST",
      path: "/v1/programs",
      protocol: "HTTP/1.1",
      sourceIp: "127.0.0.1",
      userAgent: "test",
    },
    requestId: "r",
    routeKey: "POST /v1/programs",
    stage: "$default",
    time: "",
    timeEpoch: 0,
  },
  isBase64Encoded: false,
  ...overrides,
});

const Body = z.strictObject({ name: z.string().min(1), count: z.number().int() });

const errorOf = (run: () => unknown): HttpError => {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error("expected an HttpError");
};

describe("request body", () => {
  it("gives the validated body", () => {
    // Act
    const body = parseBody(event({ body: '{"name":"a","count":1}' }), Body, 1024);

    // Assess
    expect(body).toEqual({ body: { name: "a", count: 1 }, format: "json" });
  });

  it.each([
    ["no body", {}, 400, "missing_body"],
    [
      "a body over the limit",
      { body: JSON.stringify({ name: "x".repeat(2000), count: 1 }) },
      413,
      "payload_too_large",
    ],
    [
      "a form post",
      { body: "name=a", headers: { "content-type": "application/x-www-form-urlencoded" } },
      415,
      "unsupported_media_type",
    ],
    ["no content type", { body: '{"name":"a","count":1}', headers: {} }, 415, "unsupported_media_type"],
    ["malformed JSON", { body: '{"name":"a",' }, 400, "malformed_json"],
    ["an unknown field", { body: '{"name":"a","count":1,"admin":true}' }, 400, "unknown_field"],
    ["a wrong type", { body: '{"name":"a","count":"1"}' }, 422, "validation_failed"],
    ["a fractional integer", { body: '{"name":"a","count":1.5}' }, 422, "validation_failed"],
    ["a JSON array", { body: "[]" }, 422, "validation_failed"],
    ["JSON null", { body: "null" }, 422, "validation_failed"],
  ])("answers %s with its own 4xx", (_, overrides, status, code) => {
    // Act
    const error = errorOf(() => parseBody(event(overrides as Partial<APIGatewayProxyEventV2>), Body, 1024));

    // Assess
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
  });

  it("counts the limit in bytes of the decoded body, base64 or not", () => {
    // Prepare
    const raw = JSON.stringify({ name: "é".repeat(400), count: 1 }); // 800+ bytes in UTF-8

    // Act
    const error = errorOf(() =>
      parseBody(event({ body: Buffer.from(raw).toString("base64"), isBase64Encoded: true }), Body, 600),
    );

    // Assess
    expect(error.status).toBe(413);
  });

  it("accepts application/json with a charset and vendor +json types", () => {
    // Act
    const a = parseBody(
      event({
        body: '{"name":"a","count":1}',
        headers: { "content-type": "application/json; charset=utf-8" },
      }),
      Body,
      1024,
    );
    const b = parseBody(
      event({ body: '{"name":"a","count":1}', headers: { "content-type": "application/merge-patch+json" } }),
      Body,
      1024,
    );

    // Assess
    expect(a).toEqual(b);
    expect(a.body).toEqual({ name: "a", count: 1 });
  });

  it("turns any hostile body for program creation into a 4xx, never a crash", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify({ name: v, organizationName: v, rules: v })),
        ),
        (body) => {
          // Act
          let status = 200;
          try {
            parseBody(event({ body }), operations.createProgram.body, 64 * 1024);
          } catch (error) {
            if (!(error instanceof HttpError)) throw error;
            status = error.status;
          }

          // Assess
          expect(status === 200 || (status >= 400 && status < 500)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("query and path", () => {
  it("applies paging defaults and bounds", () => {
    // Act
    const defaults = parseQuery(event({}), operations.listPrograms.query);
    const tooMany = errorOf(() =>
      parseQuery(event({ queryStringParameters: { limit: "1000" } }), operations.listPrograms.query),
    );
    const unknown = errorOf(() =>
      parseQuery(event({ queryStringParameters: { sort: "name" } }), operations.listPrograms.query),
    );

    // Assess
    expect(defaults).toEqual({ limit: 20 });
    expect(tooMany.code).toBe("invalid_parameter");
    expect(unknown.code).toBe("unknown_parameter");
  });

  it("refuses query parameters where an operation takes none", () => {
    // Act
    const error = errorOf(() => parseQuery(event({ queryStringParameters: { debug: "1" } }), undefined));

    // Assess
    expect(error.status).toBe(400);
    expect(error.code).toBe("unknown_parameter");
  });

  it("answers an id that cannot exist with the resource's 404", () => {
    // Act
    const error = errorOf(() =>
      parseParams(
        event({ pathParameters: { programId: "prg_0000000000000000", storeId: "../../etc" } }),
        operations.getStore.params,
      ),
    );

    // Assess
    expect(error.status).toBe(404);
    expect(error.code).toBe("store_not_found");
  });
});

describe("an HTML form post, for an operation that takes them", () => {
  const { body: schema, form } = operations.signUp;
  const formEvent = (body: string) =>
    event({ body, headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" } });

  it("is decoded the operation's way and validated by the same schema as JSON", () => {
    // Act
    const parsed = parseBody(
      formEvent("firstName=Zo%C3%A9&email=zoe%40example.com&consent=true&lang=fr&website=&utm_source=poster"),
      schema,
      4096,
      form,
    );

    // Assess
    expect(parsed).toEqual({
      format: "form",
      body: {
        firstName: "Zoé",
        email: "zoe@example.com",
        consent: true,
        marketingConsent: false,
        locale: "fr",
      },
      fields: expect.any(URLSearchParams),
    });
    expect(parsed.fields?.get("utm_source")).toBe("poster");
  });

  it("comes back as an InvalidForm with the issues and the fields as sent, not as an error", () => {
    // Act
    const parsed = parseBody(
      formEvent("firstName=&email=not-an-email&marketingConsent=true"),
      schema,
      4096,
      form,
    );

    // Assess
    expect(parsed.format).toBe("form");
    expect(parsed.body).toBeInstanceOf(InvalidForm);
    const invalid = parsed.body as InvalidForm;
    expect(invalid.issues.map((i) => i.path[0]).sort()).toEqual(["consent", "email", "firstName"]);
    expect(invalid.fields.get("email")).toBe("not-an-email");
  });

  it.each([
    ["a bad percent-escape", "email=%zz"],
    ["escapes that are not UTF-8", "email=%C3%28"],
    ["a NUL byte", "email=a%00b"],
  ])("refuses %s with 400 malformed_form", (_, body) => {
    // Act
    const error = errorOf(() => parseBody(formEvent(body), schema, 4096, form));

    // Assess
    expect([error.status, error.code]).toEqual([400, "malformed_form"]);
  });

  it("still refuses other media types, naming both it takes", () => {
    // Act
    const error = errorOf(() =>
      parseBody(event({ body: "x", headers: { "content-type": "text/plain" } }), schema, 4096, form),
    );

    // Assess
    expect([error.status, error.code]).toEqual([415, "unsupported_media_type"]);
    expect(error.message).toContain("application/x-www-form-urlencoded");
  });
});
