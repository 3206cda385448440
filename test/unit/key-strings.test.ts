import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Key and scope strings ("PROGRAM#…", "MEMBER#…", "STORE#…", "TXN#…") are spelled in one module,
 * functions/shared/keys.ts: a key spelled anywhere else could drift from it and miss the data.
 */
const KEYS_MODULE = "functions/shared/keys.ts";
/** A string or template literal that starts like a key: capitals, then `#`. */
const KEY_LITERAL = /["'`][A-Z][A-Z0-9_]*#/g;

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });

describe("key strings", () => {
  it("are spelled only in shared/keys.ts", () => {
    // Prepare
    const root = join(import.meta.dirname, "..", "..");
    const files = sources(join(root, "functions")).map((path) => relative(root, path));

    // Act
    const elsewhere = files
      .filter((file) => file !== KEYS_MODULE)
      .flatMap((file) =>
        (readFileSync(join(root, file), "utf8").match(KEY_LITERAL) ?? []).map(
          (literal) => `${file}: ${literal}`,
        ),
      );

    // Assess
    expect(files).toContain(KEYS_MODULE);
    expect(elsewhere).toEqual([]);
  });
});
