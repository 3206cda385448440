import { randomInt } from "node:crypto";
import { randomBase32 } from "./ids.js";

/**
 * Codes people read, scan and type.
 *
 * Card code (the barcode value): 16 digits, 15 random and a Luhn check digit — about 50 random bits,
 * so codes cannot be guessed, digits only so that Code 128 and PDF417 stay compact and a till's
 * numeric keypad can type it, and the check digit catches a mistyped digit or swapped neighbours
 * before any lookup. Shown grouped by four; spaces and dashes are ignored on the way in.
 */
export const CARD_CODE_PATTERN = /^\d{16}$/;

export const luhnCheckDigit = (digits: string): number => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
};

export const isValidCardCode = (code: string): boolean =>
  CARD_CODE_PATTERN.test(code) && luhnCheckDigit(code.slice(0, 15)) === Number(code[15]);

export const newCardCode = (): string => {
  let body = String(randomInt(1, 10)); // no leading zero: spreadsheets keep the code intact
  for (let i = 1; i < 15; i++) body += String(randomInt(0, 10));
  return body + String(luhnCheckDigit(body));
};

/** A card code as typed or scanned: spaces and dashes removed. */
export const normaliseCardCode = (input: string): string => input.replace(/[\s-]/g, "");

/** Referral codes: 8 upper-case Crockford base32 characters (40 bits), easy to read out and type. */
export const REFERRAL_CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{8}$/;
export const newReferralCode = (): string => randomBase32(5).toUpperCase();

/** Crockford base32 read leniently: lower case accepted, O→0, I/L→1. */
export const normaliseReferralCode = (input: string): string =>
  input.trim().toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1").replace(/-/g, "");
