import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API keys: `<kind>.<ownerId>.<secret>`, with 256 random bits of secret. The owner id in the key lets
 * the server find the one stored hash to compare with, in constant time, without an index of keys.
 * Only the SHA-256 of the whole key is stored (a fast hash is right for 256-bit random secrets).
 */
export type KeyKind = "mk" | "sk" | "pk"; // merchant (program) key, store key, partner key

export interface IssuedKey {
  key: string;
  hash: string;
  prefix: string;
}

export const hashKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

export const issueKey = (kind: KeyKind, ownerId: string): IssuedKey => {
  const key = `${kind}.${ownerId}.${randomBytes(32).toString("base64url")}`;
  return { key, hash: hashKey(key), prefix: key.slice(0, kind.length + ownerId.length + 6) };
};

/** The owner a presented key claims to belong to, or undefined when it is not a key of that kind. */
export const keyOwner = (kind: KeyKind, key: string): string | undefined => {
  const parts = key.split(".");
  if (parts.length !== 3 || parts[0] !== kind || !parts[1] || !/^[A-Za-z0-9_-]{43}$/.test(parts[2] ?? "")) {
    return undefined;
  }
  return parts[1];
};

/** Compares a presented key with a stored hash in constant time. */
export const keyMatches = (presented: string, storedHash: string): boolean => {
  const a = Buffer.from(hashKey(presented), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
};
