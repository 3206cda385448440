import { describe, expect, it } from "vitest";
import { routes } from "../../functions/api/functions.js";
import { buildOpenApiDocument } from "../../functions/api/openapi.js";
import { allOperations } from "../../functions/api/operations.js";

describe("routing", () => {
  it("finds the operation and its path parameters", () => {
    // Act
    const match = routes.match("get", "/v1/programs/prg_0123456789abcdef/stores/sto_0123456789abcdef");

    // Assess
    expect(match).toMatchObject({
      kind: "found",
      op: { operationId: "getStore" },
      pathParameters: { programId: "prg_0123456789abcdef", storeId: "sto_0123456789abcdef" },
    });
  });

  it("tells a known path with another method from an unknown path", () => {
    // Act
    const wrongMethod = routes.match("DELETE", "/v1/programs");
    const unknown = routes.match("GET", "/v1/nothing");
    const trailingSlash = routes.match("GET", "/v1/programs/");

    // Assess
    expect(wrongMethod).toEqual({ kind: "method_not_allowed", allowed: ["POST", "GET"] });
    expect(unknown).toEqual({ kind: "not_found" });
    expect(trailingSlash).toEqual({ kind: "not_found" });
  });

  it("has one operation per method and path", () => {
    // Act
    const keys = allOperations.map((op) => `${op.method} ${op.path}`);

    // Assess
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("OpenAPI document", () => {
  it("describes every operation of the contract, generated from its schemas", () => {
    // Act
    const doc = buildOpenApiDocument("https://api.example.com") as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      servers: { url: string }[];
    };

    // Assess
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: "https://api.example.com" }]);
    for (const op of allOperations) {
      const entry = doc.paths[op.path]?.[op.method.toLowerCase()];
      expect(entry?.operationId, `${op.method} ${op.path}`).toBe(op.operationId);
      expect(Object.keys(entry?.responses ?? {})).toContain(String(op.success.status));
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        "Program",
        "ProgramInput",
        "ProgramPatch",
        "Rules",
        "Store",
        "StoreInput",
        "Error",
      ]),
    );
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("documents the rules document with its defaults and the required program fields", () => {
    // Act
    const doc = buildOpenApiDocument() as { components: { schemas: Record<string, any> } };

    // Assess
    const input = doc.components.schemas.ProgramInput;
    expect(input.required).toEqual(expect.arrayContaining(["name", "organizationName"]));
    expect(input.additionalProperties).toBe(false);
    expect(doc.components.schemas.Rules.properties.earn).toEqual({ $ref: "#/components/schemas/EarnRules" });
    expect(doc.components.schemas.EarnRules.properties.pointsPerEuro).toMatchObject({
      type: "number",
      default: 1,
    });
  });
});
