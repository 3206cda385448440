import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford's base32, lower case: no i, l, o, u

/** `bytes` random bytes written in Crockford base32 (5 bits a character). */
export const randomBase32 = (bytes: number): string => {
  const buf = randomBytes(bytes);
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

/** Opaque identifiers: a type prefix and 80 random bits, e.g. `prg_5g2k9x0m3q7w1z8c`. */
export const newId = (prefix: "prg" | "sto" | "mbr" | "prt" | "ofr" | "txn" | "vch"): string =>
  `${prefix}_${randomBase32(10)}`;

/** The syntax every id accepts on the way in; anything else is a 404 without a database read. */
export const ID_PATTERN = /^[a-z]{3}_[0-9a-z]{16}$/;
