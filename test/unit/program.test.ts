import { describe, expect, it } from "vitest";
import { ProgramInput, ProgramPatch, StoreInput } from "../../functions/api/schemas.js";
import { applyProgramPatch, newProgram } from "../../functions/domain/program.js";

const minimal = { name: "Café Lumière Rewards", organizationName: "Café Lumière" };

describe("program", () => {
  it("fills in locale, currency, time zone, branding and rules when only names are given", () => {
    // Act
    const input = ProgramInput.parse(minimal);

    // Assess
    expect(input).toMatchObject({ locale: "en", currency: "EUR", timeZone: "UTC" });
    expect(input.branding.backgroundColor).toMatch(/^#[0-9a-f]{6}$/);
    expect(input.rules.earn.pointsPerEuro).toBe(1);
  });

  it("normalises colours to lower case", () => {
    // Act
    const input = ProgramInput.parse({ ...minimal, branding: { backgroundColor: "#AABBCC" } });

    // Assess
    expect(input.branding.backgroundColor).toBe("#aabbcc");
  });

  it.each([
    ["an empty name", { ...minimal, name: "  " }],
    ["a name over 64 characters", { ...minimal, name: "x".repeat(65) }],
    ["a locale that is not BCP 47", { ...minimal, locale: "not a locale!" }],
    ["an unknown time zone", { ...minimal, timeZone: "Mars/Olympus" }],
    ["a lower-case currency", { ...minimal, currency: "eur" }],
    ["a colour name", { ...minimal, branding: { backgroundColor: "red" } }],
    ["a logo over plain http", { ...minimal, branding: { logoUrl: "http://example.com/logo.png" } }],
    ["a javascript: logo", { ...minimal, branding: { logoUrl: "javascript:alert(1)" } }],
    ["a contact email that is not one", { ...minimal, contact: { email: "nope" } }],
    ["a missing organization name", { name: "x" }],
    ["an id chosen by the client", { ...minimal, programId: "prg_0000000000000000" }],
  ])("rejects %s", (_, input) => {
    // Act
    const result = ProgramInput.safeParse(input);

    // Assess
    expect(result.success).toBe(false);
  });

  it("replaces each patched field whole and bumps the version", () => {
    // Prepare
    const program = newProgram(
      ProgramInput.parse({ ...minimal, rules: { earn: { pointsPerEuro: 2 } } }),
      "prg_0000000000000000",
      new Date("2026-01-01T00:00:00Z"),
    );
    const patch = ProgramPatch.parse({ rules: { referral: { enabled: true } } });

    // Act
    const changed = applyProgramPatch(program, patch, new Date("2026-02-01T00:00:00Z"));

    // Assess
    expect(changed.rules.earn.pointsPerEuro).toBe(1);
    expect(changed.rules.referral.enabled).toBe(true);
    expect(changed.name).toBe(program.name);
    expect(changed.version).toBe(2);
    expect(changed.createdAt).toBe("2026-01-01T00:00:00.000Z");
    expect(changed.updatedAt).toBe("2026-02-01T00:00:00.000Z");
  });

  it("refuses an empty patch", () => {
    // Act
    const result = ProgramPatch.safeParse({});

    // Assess
    expect(result.success).toBe(false);
  });
});

describe("store", () => {
  it("accepts a store with coordinates and optional texts", () => {
    // Act
    const store = StoreInput.parse({
      name: "Bastille",
      latitude: 48.85,
      longitude: 2.37,
      relevantText: "Hello!",
    });

    // Assess
    expect(store).toEqual({ name: "Bastille", latitude: 48.85, longitude: 2.37, relevantText: "Hello!" });
  });

  it.each([
    ["a latitude beyond the pole", { name: "x", latitude: 91, longitude: 0 }],
    ["a longitude beyond the date line", { name: "x", latitude: 0, longitude: -181 }],
    ["coordinates as strings", { name: "x", latitude: "48.85", longitude: "2.37" }],
    [
      "a relevant text over 100 characters",
      { name: "x", latitude: 0, longitude: 0, relevantText: "y".repeat(101) },
    ],
    ["an unknown field", { name: "x", latitude: 0, longitude: 0, apiKey: "mine" }],
  ])("rejects %s", (_, input) => {
    // Act
    const result = StoreInput.safeParse(input);

    // Assess
    expect(result.success).toBe(false);
  });
});
