import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { conflict, DomainError } from "../domain/errors.js";
import type { Outcome } from "../domain/loyalty/engine.js";
import type { IdempotencyRecord, MemberRepository, MemberWrite } from "../domain/ports.js";

/**
 * How every change to a member is written: computed by the pure engine from a strongly consistent
 * read, then committed as one transaction conditioned on the member versions it was computed from
 * (and, for client requests, with the idempotency record as the transaction's first item). Losing a
 * race means: read again, compute again, commit again. Nothing is ever read-modified-written.
 */

/** Who sent a request, what key they gave it, and a hash of what they asked. */
export interface IdempotencyClaim {
  scope: string;
  clientKey: string;
  requestHash: string;
}

/** SHA-256 of a value as canonical JSON (object keys sorted), so equal requests hash equal. */
export const requestHash = (value: unknown): string => {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("hex");
};

/** The writes that persist an engine outcome for one member. */
export const outcomeWrites = (outcome: Outcome, expectedVersion: number): MemberWrite[] => [
  { kind: "member", member: outcome.member, expectedVersion },
  ...outcome.entries.map(
    (entry): MemberWrite => ({ kind: "ledger", memberId: outcome.member.memberId, entry }),
  ),
];

export interface Attempt<T> {
  body: T;
  writes: MemberWrite[];
}

export interface WriterOptions {
  members: MemberRepository;
  now: () => Date;
  /** Commit attempts before giving up with 409 concurrent_modification. */
  maxAttempts?: number;
  /**
   * Time spent retrying before giving up with that 409, well inside a Lambda's 10-second timeout (a
   * timeout would reach the client as a 5xx).
   */
  budgetMs?: number;
  /** Queue one process's writes per member (default). Off, only the version conditions order them. */
  serialise?: boolean;
}

/**
 * Serialises the writes of one process per member, so that requests racing inside one process (a
 * busy local server, a burst within one Lambda container) queue instead of failing each other's
 * conditions. Across processes the version conditions alone keep every write exact.
 */
const queues = new Map<string, Promise<unknown>>();

const serialised = async <T>(key: string | undefined, run: () => Promise<T>): Promise<T> => {
  if (key === undefined) return run();
  const before = queues.get(key) ?? Promise.resolve();
  const mine = before.then(run, run);
  const tail = mine.catch(() => undefined);
  queues.set(key, tail);
  try {
    return await mine;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
};

const backoff = (attempt: number): Promise<void> =>
  sleep(Math.random() * Math.min(250, 5 * 2 ** Math.min(attempt, 6)));

export const memberWriter = ({
  members,
  now,
  maxAttempts = 30,
  budgetMs = 5_000,
  serialise = true,
}: WriterOptions) => {
  const replay = <T>(seen: IdempotencyRecord, claim: IdempotencyClaim): T => {
    if (seen.requestHash !== claim.requestHash) {
      throw new DomainError(
        "conflict",
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request; use a new key for a new request.",
      );
    }
    return seen.response.body as T;
  };

  return {
    /**
     * Runs `attempt` (reads + pure computation) and commits its writes, retrying on lost races. With
     * a claim, the same key and body give back the first answer, identical, and write nothing more.
     * `lockKey` names the in-process queue the request waits in (one per member, as the caller names it).
     */
    async write<T>(
      claim: IdempotencyClaim | undefined,
      lockKey: string | undefined,
      attempt: () => Promise<Attempt<T>>,
      status = 201,
    ): Promise<T> {
      return serialised(serialise ? lockKey : undefined, async () => {
        const started = performance.now();
        for (let i = 0; i < maxAttempts && performance.now() - started < budgetMs; i++) {
          if (claim) {
            const seen = await members.idempotency(claim.scope, claim.clientKey, now());
            if (seen) return replay<T>(seen, claim);
          }
          const { body, writes } = await attempt();
          const all: MemberWrite[] = claim
            ? [
                {
                  kind: "idempotency",
                  record: { ...claim, response: { status, body }, createdAt: now().toISOString() },
                },
                ...writes,
              ]
            : writes;
          const result = await members.commit(all, now());
          if (result === "committed") return body;
          if (result === "changed") await backoff(i);
        }
        throw conflict(
          "concurrent_modification",
          "The member kept changing while this request was applied; send it again with the same Idempotency-Key.",
        );
      });
    },
  };
};

export type MemberWriter = ReturnType<typeof memberWriter>;
