import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isValidCardCode,
  luhnCheckDigit,
  newCardCode,
  newReferralCode,
  normaliseCardCode,
  normaliseReferralCode,
  REFERRAL_CODE_PATTERN,
} from "../../functions/shared/codes.js";

describe("card codes", () => {
  it("computes the Luhn check digit of a known number", () => {
    // Prepare: 7992739871 has the textbook check digit 3
    const body = "7992739871";

    // Act
    const digit = luhnCheckDigit(body);

    // Assess
    expect(digit).toBe(3);
  });

  it("draws 16-digit codes without a leading zero that pass their own check", () => {
    // Act
    const codes = Array.from({ length: 200 }, newCardCode);

    // Assess
    for (const code of codes) {
      expect(code).toMatch(/^[1-9]\d{15}$/);
      expect(isValidCardCode(code)).toBe(true);
    }
    expect(new Set(codes).size).toBe(200);
  });

  it("catches any single mistyped digit and any swap of two different neighbours", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (at, shift) => {
        // Prepare
        const code = newCardCode();
        const typo = code.slice(0, at) + String((Number(code[at]) + shift) % 10) + code.slice(at + 1);
        const i = Math.min(at, 14);
        const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);

        // Assess
        expect(isValidCardCode(typo)).toBe(false);
        const a = code[i] ?? "";
        const b = code[i + 1] ?? "";
        // Luhn misses only the 09 <-> 90 swap
        if (a !== b && !(a + b === "09" || a + b === "90")) expect(isValidCardCode(swapped)).toBe(false);
      }),
    );
  });

  it("reads a code typed with spaces or dashes", () => {
    expect(normaliseCardCode("4539 1488-0343 6467")).toBe("4539148803436467");
  });
});

describe("referral codes", () => {
  it("draws 8 upper-case Crockford base32 characters and reads them leniently", () => {
    // Act
    const code = newReferralCode();

    // Assess
    expect(code).toMatch(REFERRAL_CODE_PATTERN);
    expect(normaliseReferralCode(" ab1o-il2z ")).toBe("AB10112Z");
  });
});
