import { describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";
import { expectRejectedWithoutWrite } from "../support/no-write.js";

const { call, table } = useApi();

const valid = { name: "Errors test", organizationName: "Shop" };

/** Every rejected request must leave the table exactly as it was. */
const expectNoWrite = (run: () => Promise<{ status: number; body: any }>, status: number, code: string) =>
  expectRejectedWithoutWrite(table, run, status, code);

describe("every client mistake gets its own 4xx and writes nothing", () => {
  it.each([
    [
      "malformed JSON",
      { raw: '{"name": "x",', headers: { "content-type": "application/json" } },
      400,
      "malformed_json",
    ],
    ["an unknown field", { body: { ...valid, owner: "me" } }, 400, "unknown_field"],
    ["a wrong type", { body: { ...valid, name: 42 } }, 422, "validation_failed"],
    [
      "an invalid rules document",
      { body: { ...valid, rules: { earn: { pointsPerEuro: -2 } } } },
      422,
      "validation_failed",
    ],
    [
      "a body over 64 KiB",
      { body: { ...valid, organizationName: "x".repeat(70 * 1024) } },
      413,
      "payload_too_large",
    ],
    [
      "a body that is not JSON",
      { raw: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } },
      415,
      "unsupported_media_type",
    ],
    ["an empty body", { raw: "", headers: { "content-type": "application/json" } }, 400, "missing_body"],
    ["no Authorization header", { body: valid, key: null }, 401, "missing_credentials"],
    ["a wrong admin key", { body: valid, key: "wrong-key-wrong-key-wrong-key" }, 401, "invalid_credentials"],
    [
      "a Basic Authorization header",
      { body: valid, key: null, headers: { authorization: "Basic dXNlcjpwYXNz" } },
      401,
      "invalid_credentials",
    ],
  ])("POST /v1/programs with %s", async (_, options, status, code) => {
    await expectNoWrite(() => call("POST", "/v1/programs", options as never), status, code);
  });

  it("says how to authenticate when credentials are missing", async () => {
    // Act
    const response = await call("GET", "/v1/programs", { key: null });

    // Assess
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers a body over API Gateway's 10 MB limit without reaching a function", async () => {
    await expectNoWrite(
      () =>
        call("POST", "/v1/programs", {
          raw: Buffer.alloc(11 * 1024 * 1024, 32),
          headers: { "content-type": "application/json" },
        }),
      413,
      "payload_too_large",
    );
  });

  it.each([
    ["an unknown route", "GET", "/v1/nothing", 404, "route_not_found"],
    ["a route with a trailing slash", "GET", "/v1/programs/", 404, "route_not_found"],
    ["a method the path does not take", "DELETE", "/v1/programs", 405, "method_not_allowed"],
    ["an unknown program id", "GET", "/v1/programs/prg_0000000000000000", 404, "program_not_found"],
    ["a program id that cannot exist", "GET", "/v1/programs/not-an-id", 404, "program_not_found"],
    ["a program id holding encoded slashes", "GET", "/v1/programs/..%2F..%2Fetc", 400, "malformed_request"],
    [
      "an unknown store id",
      "GET",
      "/v1/programs/prg_0000000000000000/stores/sto_0000000000000000",
      404,
      "store_not_found",
    ],
    ["a PATCH of an unknown program", "PATCH", "/v1/programs/prg_0000000000000000", 404, "program_not_found"],
    ["an unknown query parameter", "GET", "/v1/programs?sort=name", 400, "unknown_parameter"],
    ["a query parameter named __proto__", "GET", "/v1/programs?__proto__=x", 400, "unknown_parameter"],
    ["a query parameter named constructor", "GET", "/v1/programs?constructor=x", 400, "unknown_parameter"],
    ["a page size of zero", "GET", "/v1/programs?limit=0", 400, "invalid_parameter"],
    ["a forged cursor", "GET", "/v1/programs?cursor=eyJQSyI6IngifQ", 400, "invalid_cursor"],
  ])("%s", async (_, method, path, status, code) => {
    await expectNoWrite(
      () => call(method, path, method === "PATCH" ? { body: { name: "x" } } : {}),
      status,
      code,
    );
  });

  it("lists the allowed methods on a 405", async () => {
    // Act
    const response = await call("PUT", "/v1/programs");

    // Assess
    expect(response.headers.get("allow")).toBe("POST, GET");
  });

  it("an empty PATCH changes nothing", async () => {
    // Prepare
    const program = (await call("POST", "/v1/programs", { body: valid })).body;

    // Act & Assess
    await expectNoWrite(
      () => call("PATCH", `/v1/programs/${program.programId}`, { body: {} }),
      422,
      "validation_failed",
    );
  });

  it("a PATCH trying to change the id or version changes nothing", async () => {
    // Prepare
    const program = (await call("POST", "/v1/programs", { body: valid })).body;

    // Act & Assess
    await expectNoWrite(
      () =>
        call("PATCH", `/v1/programs/${program.programId}`, {
          body: { programId: "prg_1111111111111111", version: 9 },
        }),
      400,
      "unknown_field",
    );
  });
});

describe("health and docs", () => {
  it("reports health without a key", async () => {
    // Act
    const response = await call("GET", "/health", { key: null });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok" });
  });

  it("serves the OpenAPI 3.1 document of every route", async () => {
    // Act
    const response = await call("GET", "/openapi.json", { key: null });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe("3.1.0");
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining([
        "/health",
        "/openapi.json",
        "/v1/programs",
        "/v1/programs/{programId}",
        "/v1/programs/{programId}/stores",
      ]),
    );
  });
});
