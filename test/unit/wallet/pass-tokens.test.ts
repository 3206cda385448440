import { describe, expect, it } from "vitest";
import {
  CARD_LINK_DAYS,
  cardLinkFor,
  passAuthMatches,
  passAuthToken,
  signCardLink,
  verifyCardLink,
} from "../../../functions/shared/pass-tokens.js";

const SECRET = Buffer.from("a-secret-of-at-least-thirty-two-characters");
const PROGRAM = "prg_0000000000000001";
const MEMBER = "mbr_0000000000000002";
const NOW = new Date("2026-06-15T10:00:00Z");
const HOLDER = { programId: PROGRAM, memberId: MEMBER, passAuthGeneration: 0 };

describe("card links", () => {
  it("name one member of one program until they expire", () => {
    const token = cardLinkFor(SECRET, HOLDER, NOW);
    expect(verifyCardLink(SECRET, token, NOW)).toEqual({
      ok: true,
      link: {
        programId: PROGRAM,
        memberId: MEMBER,
        generation: 0,
        expiresAt: NOW.getTime() / 1000 + CARD_LINK_DAYS * 86_400,
      },
    });
    const later = new Date(NOW.getTime() + CARD_LINK_DAYS * 86_400_000);
    expect(verifyCardLink(SECRET, token, later)).toMatchObject({ ok: false, reason: "expired" });
  });

  it.each([
    ["another member", (t: string) => t.replace(MEMBER, "mbr_0000000000000003")],
    ["another expiry", (t: string) => t.replace(/\.([0-9a-z]+)\.([^.]+)$/, ".zzzzzz.$2")],
    ["a changed signature", (t: string) => `${t.slice(0, -1)}${t.endsWith("A") ? "B" : "A"}`],
  ])("are refused as forged with %s", (_what, change) => {
    const token = change(cardLinkFor(SECRET, HOLDER, NOW));
    expect(verifyCardLink(SECRET, token, NOW)).toEqual({ ok: false, reason: "forged" });
  });

  it("are refused as forged under another secret", () => {
    const token = cardLinkFor(Buffer.from("another-secret-of-thirty-two-characters!"), HOLDER, NOW);
    expect(verifyCardLink(SECRET, token, NOW)).toEqual({ ok: false, reason: "forged" });
  });

  it.each([
    "",
    "abc",
    "a.b.c.d",
    `${PROGRAM}.${MEMBER}`,
    `${"x".repeat(300)}`,
    `${PROGRAM}.${MEMBER}.-1.sig`,
    `${PROGRAM}.${MEMBER}.0.abc.sig`,
    `${PROGRAM}.${MEMBER}.01.abc.sig`,
    `${PROGRAM}.${MEMBER}.1.2.3.sig`,
  ])("are refused as malformed: %j", (token) => {
    expect(verifyCardLink(SECRET, token, NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("carry nothing that needs escaping in a URL path", () => {
    const token = signCardLink(SECRET, {
      programId: PROGRAM,
      memberId: MEMBER,
      generation: 3,
      expiresAt: 2_000_000_000,
    });
    expect(encodeURIComponent(token)).toBe(token);
  });
});

describe("card links after a reissue", () => {
  it("name the member's card generation, and a link of another generation does not pass for it", () => {
    // Prepare
    const reissued = cardLinkFor(SECRET, { ...HOLDER, passAuthGeneration: 2 }, NOW);
    const first = cardLinkFor(SECRET, HOLDER, NOW);

    // Act
    const checked = verifyCardLink(SECRET, reissued, NOW);
    const relabelled = verifyCardLink(SECRET, reissued.replace(`${MEMBER}.2.`, `${MEMBER}.3.`), NOW);

    // Assess
    expect(checked).toMatchObject({ ok: true, link: { generation: 2 } });
    expect(verifyCardLink(SECRET, first, NOW)).toMatchObject({ ok: true, link: { generation: 0 } });
    expect(relabelled).toEqual({ ok: false, reason: "forged" });
  });
});

describe("the pass authentication token", () => {
  it("is long enough for Apple (≥ 16 characters) and specific to the member", () => {
    const token = passAuthToken(SECRET, MEMBER, 0);
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect(passAuthMatches(SECRET, MEMBER, 0, token)).toBe(true);
    expect(passAuthMatches(SECRET, "mbr_0000000000000003", 0, token)).toBe(false);
  });

  it("is revoked by bumping the member's generation", () => {
    const token = passAuthToken(SECRET, MEMBER, 0);
    expect(passAuthMatches(SECRET, MEMBER, 1, token)).toBe(false);
  });

  it("cannot be used as a card link, nor a card link signature as a token", () => {
    const link = cardLinkFor(SECRET, HOLDER, NOW);
    const signature = link.split(".").at(-1) ?? "";
    expect(passAuthMatches(SECRET, MEMBER, 0, signature)).toBe(false);
  });
});
