import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The dependency rule of `npm run check` (.dependency-cruiser.cjs), run on small trees laid out like
 * functions/: a wrong-way import must be caught, a right-way one must not.
 */
const rules = createRequire(import.meta.url)("../../.dependency-cruiser.cjs") as {
  forbidden: unknown[];
  options: Record<string, unknown>;
};

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A tree of TypeScript files, each importing the others named; the rule's verdict on it. */
const violationsIn = async (files: Record<string, string[]>): Promise<string[]> => {
  const root = mkdtempSync(join(tmpdir(), "carnet-deps-"));
  roots.push(root);
  for (const [path, imports] of Object.entries(files)) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    const lines = imports.map((target, i) => {
      const from = dirname(path)
        .split("/")
        .map(() => "..")
        .join("/");
      return `import { x as x${i} } from "${from}/${target.replace(/\.ts$/, ".js")}";`;
    });
    writeFileSync(join(root, path), `${lines.join("\n")}\nexport const x = ${imports.length};\n`);
  }
  const result = await cruise(["functions"], {
    baseDir: root,
    validate: true,
    ruleSet: { forbidden: rules.forbidden } as never,
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  } as never);
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
};

describe("the dependency rule", () => {
  it("lets dependencies point one way: handler → use case → domain, adapter → domain port", async () => {
    // Act
    const violations = await violationsIn({
      "functions/shared/ids.ts": [],
      "functions/domain/ports.ts": ["functions/shared/ids.ts"],
      "functions/app/purchase.ts": ["functions/domain/ports.ts"],
      "functions/adapters/dynamodb/members.ts": ["functions/domain/ports.ts"],
      "functions/composition/process.ts": ["functions/adapters/dynamodb/members.ts"],
      "functions/store-api/handler.ts": ["functions/app/purchase.ts", "functions/composition/process.ts"],
    });

    // Assess
    expect(violations).toEqual([]);
  });

  it.each([
    [
      "the domain importing an adapter",
      "functions/domain/engine.ts",
      "functions/adapters/dynamodb/members.ts",
      "domain-is-pure",
    ],
    [
      "a use case importing config",
      "functions/app/purchase.ts",
      "functions/config/env.ts",
      "use-cases-see-only-the-domain",
    ],
    [
      "an adapter reading config",
      "functions/adapters/dynamodb/client.ts",
      "functions/config/env.ts",
      "adapters-implement-ports",
    ],
    [
      "config importing an adapter",
      "functions/config/apple.ts",
      "functions/adapters/apple/pass.ts",
      "config-reads-the-environment-only",
    ],
    [
      "the HTTP layer importing the operation table",
      "functions/http/handler.ts",
      "functions/api/operations.ts",
      "http-is-generic",
    ],
    [
      "the contract importing a use case's code",
      "functions/api/operations.ts",
      "functions/app/schemas.ts",
      "contract-uses-use-case-types-only",
    ],
    [
      "one handler importing another",
      "functions/members/handler.ts",
      "functions/stores/handler.ts",
      "handlers-are-independent",
    ],
    [
      "shared importing the domain",
      "functions/shared/keys.ts",
      "functions/domain/ports.ts",
      "shared-is-the-floor",
    ],
  ])("refuses %s", async (_what, from, to, rule) => {
    // Act
    const violations = await violationsIn({ [from]: [to], [to]: [] });

    // Assess
    expect(violations).toContain(`${rule}: ${from} → ${to}`);
  });

  it("refuses a cycle", async () => {
    // Act
    const violations = await violationsIn({
      "functions/app/a.ts": ["functions/app/b.ts"],
      "functions/app/b.ts": ["functions/app/a.ts"],
    });

    // Assess
    expect(violations.some((v) => v.startsWith("no-circular:"))).toBe(true);
  });
});
