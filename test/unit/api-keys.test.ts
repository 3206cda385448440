import { describe, expect, it } from "vitest";
import { hashKey, issueKey, keyMatches, keyOwner } from "../../functions/shared/api-keys.js";
import { ID_PATTERN, newId } from "../../functions/shared/ids.js";

describe("api keys", () => {
  it("issues a key that names its owner and matches only its own hash", () => {
    // Act
    const issued = issueKey("sk", "sto_0123456789abcdef");
    const other = issueKey("sk", "sto_0123456789abcdef");

    // Assess
    expect(keyOwner("sk", issued.key)).toBe("sto_0123456789abcdef");
    expect(keyMatches(issued.key, issued.hash)).toBe(true);
    expect(keyMatches(other.key, issued.hash)).toBe(false);
    expect(issued.hash).toBe(hashKey(issued.key));
    expect(issued.hash).not.toContain(issued.key.split(".")[2]);
    expect(issued.key.startsWith(issued.prefix)).toBe(true);
  });

  it("does not take a key of one kind for another kind", () => {
    // Prepare
    const storeKey = issueKey("sk", "sto_0123456789abcdef");

    // Act
    const owner = keyOwner("mk", storeKey.key);

    // Assess
    expect(owner).toBeUndefined();
  });

  it.each([
    "",
    "mk",
    "mk.prg_x",
    "mk.prg_x.short",
    "mk..AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "mk.a.b.c",
    `mk.not-an-id.${"A".repeat(43)}`,
    `mk.prg_0123456789abcde.${"A".repeat(43)}`, // an id one character short
    `mk.prg_0123456789abcdef.${"A".repeat(42)}`, // a secret one character short
    `mk.sto_0123456789abcdef.${"A".repeat(43)}`, // a merchant key naming a store
    `mk.PRG_0123456789ABCDEF.${"A".repeat(43)}`,
  ])("finds no owner in the malformed key %j", (key) => {
    // Act
    const owner = keyOwner("mk", key);

    // Assess
    expect(owner).toBeUndefined();
  });

  it("never matches a malformed stored hash", () => {
    // Act
    const matches = keyMatches("anything", "not-a-hash");

    // Assess
    expect(matches).toBe(false);
  });
});

describe("ids", () => {
  it("are prefixed, 80 random bits, and distinct", () => {
    // Act
    const ids = Array.from({ length: 1000 }, () => newId("mbr"));

    // Assess
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(ID_PATTERN);
    expect(ids[0]).toMatch(/^mbr_/);
  });
});
