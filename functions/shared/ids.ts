import { createHash, randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford's base32, lower case: no i, l, o, u

/** Bytes written in Crockford base32 (5 bits a character). */
const base32 = (buf: Uint8Array): string => {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
};

/** `bytes` random bytes written in Crockford base32. */
export const randomBase32 = (bytes: number): string => base32(randomBytes(bytes));

/** Opaque identifiers: a type prefix and 80 random bits, e.g. `prg_5g2k9x0m3q7w1z8c`. */
export const newId = (prefix: "prg" | "sto" | "mbr" | "prt" | "ofr" | "txn" | "vch" | "eml"): string =>
  `${prefix}_${randomBase32(10)}`;

/**
 * An id that a name always gives the same way: 80 bits of SHA-256 of the name, in the same syntax as
 * `newId`. A purchase's transaction id comes from its Idempotency-Key this way (writes.ts), so a retry
 * names the same purchase record.
 */
export const derivedId = (prefix: "txn", name: string): string =>
  `${prefix}_${base32(createHash("sha256").update(name, "utf8").digest().subarray(0, 10))}`;

/** The syntax every id accepts on the way in; anything else is a 404 without a database read. */
export const ID_PATTERN = /^[a-z]{3}_[0-9a-z]{16}$/;
