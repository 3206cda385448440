import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ID_PATTERN } from "./ids.js";

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

/** The kind of id each kind of key belongs to. */
const OWNER_PREFIX: Record<KeyKind, string> = { mk: "prg_", sk: "sto_", pk: "prt_" };

/**
 * The owner a presented key claims to belong to, or undefined when it is not a key of that kind: the
 * owner must be an id of the key's kind (a store key names a `sto_` id), so that a key of the wrong
 * shape is refused without a read.
 */
export const keyOwner = (kind: KeyKind, key: string): string | undefined => {
  const parts = key.split(".");
  const owner = parts[1] ?? "";
  if (
    parts.length !== 3 ||
    parts[0] !== kind ||
    !owner.startsWith(OWNER_PREFIX[kind]) ||
    !ID_PATTERN.test(owner) ||
    !/^[A-Za-z0-9_-]{43}$/.test(parts[2] ?? "")
  ) {
    return undefined;
  }
  return owner;
};

/** Compares a presented key with a stored hash in constant time. */
export const keyMatches = (presented: string, storedHash: string): boolean => {
  const a = Buffer.from(hashKey(presented), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
};
