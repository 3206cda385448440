import { conflict, DomainError } from "../domain/errors.js";
import type { CreationClaim, IdempotencyRecord } from "../domain/ports.js";
import { issueKey, type KeyKind } from "../shared/api-keys.js";
import { type KeyState, MAX_KEY_GRACE_SECONDS, rotatedKey } from "../shared/key-lifecycle.js";
import { claimedTransactionId, type IdempotencyClaim, keyReused } from "./writes.js";

/** A new key, shown once: what a rotation answers. */
export interface RotatedKey {
  apiKey: string;
  apiKeyPrefix: string;
  /** Until when the replaced key is still accepted; absent, it is refused at once. */
  previousKeyValidUntil?: string;
}

/** Where one holder's key lives: read it now, or replace it if it is still the one read. */
export interface KeySlot {
  read(): Promise<KeyState | undefined>;
  write(next: KeyState, apiKeyPrefix: string, expectedHash: string): Promise<boolean>;
}

/**
 * Rotates a holder's key (a program's merchant key, a store's, a partner's): a new key is drawn and
 * only its hash stored; the replaced one is refused at once, or accepted for `graceSeconds` more. Two
 * rotations racing cannot both win: the write is conditioned on the key read, and the loser retries
 * on the winner's key, so the answer of the last rotation holds the one current key.
 */
export const rotateKey = async (
  kind: KeyKind,
  ownerId: string,
  slot: KeySlot,
  graceSeconds: number,
  now: () => Date,
  missing: () => DomainError,
): Promise<RotatedKey> => {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_KEY_GRACE_SECONDS) {
    throw new DomainError(
      "validation",
      "invalid_grace_period",
      `graceSeconds must be a whole number from 0 to ${MAX_KEY_GRACE_SECONDS} (7 days).`,
    );
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await slot.read();
    if (!current) throw missing();
    const issued = issueKey(kind, ownerId);
    const next = rotatedKey(current, issued.hash, graceSeconds, now());
    if (await slot.write(next, issued.prefix, current.hash)) {
      return {
        apiKey: issued.key,
        apiKeyPrefix: issued.prefix,
        ...(next.previousValidUntil === undefined ? {} : { previousKeyValidUntil: next.previousValidUntil }),
      };
    }
  }
  throw conflict("concurrent_modification", "The key kept changing while it was rotated; try again.");
};

/**
 * Creations that hand out a key (a program, a store, a partner) under an Idempotency-Key: the claim
 * written with the creation records only the new id — never the key, which is shown once and never
 * stored. A retry of the same request (its first answer lost) gets the same thing with a new key,
 * rotated without grace: the key of the last answer is the one that works.
 */
export const creationClaim = (
  claim: IdempotencyClaim | undefined,
  created: Record<string, string>,
  at: Date,
): CreationClaim | undefined =>
  claim && {
    transactionId: claimedTransactionId(claim),
    record: { ...claim, response: { status: 201, body: created }, createdAt: at.toISOString() },
  };

/** The id a replayed creation made, from its claim; another request under the same key is a 409. */
export const createdBefore = (seen: IdempotencyRecord, claim: IdempotencyClaim, field: string): string => {
  const id = (seen.response.body as Record<string, unknown> | null)?.[field];
  if (seen.requestHash !== claim.requestHash || typeof id !== "string") throw keyReused();
  return id;
};
