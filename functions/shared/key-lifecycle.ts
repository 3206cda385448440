import { keyMatches } from "./api-keys.js";

/**
 * The lifecycle of an API key (a program's merchant key, a store's or a partner's key): what is
 * stored about it, whether a presented key is accepted, how it is rotated, and when its use is
 * recorded. Pure: the repositories store a KeyState, authentication (http/auth.ts) asks `acceptedKey`.
 */

/** The longest grace period a rotation may give the key it replaces: one week. */
export const MAX_KEY_GRACE_SECONDS = 7 * 24 * 60 * 60;

/**
 * A key's last use is written at most this often (once per key per quarter hour), so that recording
 * it costs one write per key per interval, not one per request. `lastUsedAt` is exact to this.
 */
export const KEY_USE_RECORDED_EVERY_MS = 15 * 60 * 1000;

/** What is stored about a holder's key: hashes only, never a key. */
export interface KeyState {
  /** SHA-256 of the current key. */
  hash: string;
  /** SHA-256 of the key the last rotation replaced, accepted until `previousValidUntil`. */
  previousHash?: string | undefined;
  previousValidUntil?: string | undefined;
  /** When the current key was last accepted (to KEY_USE_RECORDED_EVERY_MS). */
  lastUsedAt?: string | undefined;
  /** When the previous key was last accepted, during its grace period. */
  previousLastUsedAt?: string | undefined;
}

/** Which of a holder's keys a presented key is: its current one, its previous one in grace, or neither. */
export type AcceptedKey = "current" | "previous" | undefined;

export const acceptedKey = (key: KeyState, presented: string, now: Date): AcceptedKey => {
  if (keyMatches(presented, key.hash)) return "current";
  const graceEnds = key.previousValidUntil === undefined ? Number.NaN : Date.parse(key.previousValidUntil);
  if (
    key.previousHash !== undefined &&
    graceEnds > now.getTime() &&
    keyMatches(presented, key.previousHash)
  ) {
    return "previous";
  }
  return undefined;
};

/**
 * The state after a rotation to the key hashed `nextHash`: the replaced key is refused at once
 * (`graceSeconds` 0) or accepted until `graceSeconds` from now. A key still in grace from an earlier
 * rotation is dropped: at most two keys are ever accepted.
 */
export const rotatedKey = (key: KeyState, nextHash: string, graceSeconds: number, now: Date): KeyState =>
  graceSeconds > 0
    ? {
        hash: nextHash,
        previousHash: key.hash,
        previousValidUntil: new Date(now.getTime() + graceSeconds * 1000).toISOString(),
        ...(key.lastUsedAt === undefined ? {} : { previousLastUsedAt: key.lastUsedAt }),
      }
    : { hash: nextHash };

/** Whether accepting this key now should record its use (not recorded within the interval). */
export const useToRecord = (key: KeyState, accepted: "current" | "previous", now: Date): boolean => {
  const last = accepted === "current" ? key.lastUsedAt : key.previousLastUsedAt;
  return last === undefined || now.getTime() - Date.parse(last) >= KEY_USE_RECORDED_EVERY_MS;
};

/** What a holder's public view shows of its key (never a hash). */
export const keyView = (key: KeyState) => ({
  ...(key.lastUsedAt === undefined ? {} : { keyLastUsedAt: key.lastUsedAt }),
  ...(key.previousValidUntil === undefined ? {} : { previousKeyValidUntil: key.previousValidUntil }),
  ...(key.previousLastUsedAt === undefined ? {} : { previousKeyLastUsedAt: key.previousLastUsedAt }),
});
