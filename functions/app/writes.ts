import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { conflict, DomainError } from "../domain/errors.js";
import type { Outcome } from "../domain/loyalty/engine.js";
import type { IdempotencyRecord, MemberRepository, MemberWrite } from "../domain/ports.js";
import { derivedId } from "../shared/ids.js";
import { type IdempotentCaller, idempotencyScope } from "../shared/keys.js";

/**
 * How every change to a member is written: computed by the pure engine from a strongly consistent
 * read, then committed as one transaction conditioned on the member versions it was computed from
 * (and, for requests with an Idempotency-Key, with the claim on that key as one of its items: the new
 * purchase's own record, or a claim record of its own). Losing a race means: read again, compute
 * again, commit again. Nothing is ever read-modified-written.
 *
 * Idempotency is decided by that claim, not by a read before the work: a key seen before makes the
 * transaction fail on it, and the cancellation carries the stored answer back to be replayed
 * (docs/data-model.md 2.3.2).
 */

/** Who sent a request, what key they gave it, and a hash of what they asked. */
export interface IdempotencyClaim {
  scope: string;
  clientKey: string;
  requestHash: string;
}

/** What a claim binds a key to: the operation, and what it was asked with. */
export interface ClaimedRequest<K extends string | undefined> {
  operationId: string;
  params: unknown;
  body: unknown;
  /** The Idempotency-Key the caller sent, if any. */
  idempotencyKey: K;
}

/**
 * The caller's claim on the Idempotency-Key of a request: per caller (its scope), and bound to the
 * operation, its path and its body. None when the request has no key (operations where it is optional).
 */
export const claimFor = <K extends string | undefined>(
  caller: IdempotentCaller,
  request: ClaimedRequest<K>,
): K extends string ? IdempotencyClaim : IdempotencyClaim | undefined =>
  (request.idempotencyKey === undefined
    ? undefined
    : {
        scope: idempotencyScope(caller),
        clientKey: request.idempotencyKey,
        requestHash: requestHash({
          operationId: request.operationId,
          params: request.params,
          body: request.body,
        }),
      }) as K extends string ? IdempotencyClaim : IdempotencyClaim | undefined;

/**
 * The transaction a claimed key names: its id comes from the caller's scope and key (ids.ts,
 * derivedId), so every retry names the same one, whatever the operation. Its record, written once
 * in the request's transaction, is the proof that the key was used. A purchase takes this id as its
 * own: its purchase record holds the claim, and the purchase writes no separate idempotency item.
 */
export const claimedTransactionId = (claim: Pick<IdempotencyClaim, "scope" | "clientKey">): string =>
  derivedId("txn", `${claim.scope}\n${claim.clientKey}`);

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

/**
 * The writes with the claim on the key: on the new purchase the key names, else as a record of its
 * own under that transaction id, first in the transaction. Either way the transaction fails on it
 * when the key was used before, in any operation of the same caller.
 */
const withClaim = (
  claim: IdempotencyClaim,
  transactionId: string,
  response: IdempotencyRecord["response"],
  writes: MemberWrite[],
  at: Date,
): MemberWrite[] => {
  const record: IdempotencyRecord = { ...claim, response, createdAt: at.toISOString() };
  const holder = writes.findIndex(
    (w) =>
      w.kind === "purchase" && w.expectedRefundedCents === null && w.record.transactionId === transactionId,
  );
  if (holder < 0) return [{ kind: "idempotency", transactionId, record }, ...writes];
  return writes.map((w, i) => (i === holder && w.kind === "purchase" ? { ...w, idempotency: record } : w));
};

/** Whether the writes change an existing transaction that is the one the claim names. */
const changesItsOwnClaim = (transactionId: string, writes: MemberWrite[]): boolean =>
  writes.some(
    (w) =>
      w.kind === "purchase" && w.expectedRefundedCents !== null && w.record.transactionId === transactionId,
  );

export const keyReused = () =>
  new DomainError(
    "conflict",
    "idempotency_key_reused",
    "This Idempotency-Key was already used for a different request; use a new key for a new request.",
  );

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
    if (seen.requestHash !== claim.requestHash) throw keyReused();
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
      // The transaction the key names (where its claim lives), worked out once per request.
      const claimed = claim && { claim, transactionId: claimedTransactionId(claim) };
      return serialised(serialise ? lockKey : undefined, async () => {
        const started = performance.now();
        for (let i = 0; i < maxAttempts && performance.now() - started < budgetMs; i++) {
          let computed: Attempt<T>;
          try {
            computed = await attempt();
          } catch (error) {
            // A refusal (e.g. the member is gone since) must not hide an answer already given for this
            // key: a retry replays it. Only refusals pay for this read; the happy path never does.
            const seen =
              claimed && error instanceof DomainError
                ? await members.idempotency(claimed.transactionId, now())
                : undefined;
            if (seen && claimed) return replay<T>(seen, claimed.claim);
            throw error;
          }
          const { body, writes } = computed;
          // Nothing to change (e.g. a member with nothing due): nothing to commit, nor a key to claim.
          if (writes.length === 0 && !claimed) return body;
          if (claimed && changesItsOwnClaim(claimed.transactionId, writes)) {
            // The key names a transaction this request changes (a refund sent with the key of the
            // purchase it refunds): the key was used, by that purchase. One item cannot be written
            // twice in a transaction, so answer from the claim instead of committing.
            const seen = await members.idempotency(claimed.transactionId, now());
            if (seen) return replay<T>(seen, claimed.claim);
            throw keyReused();
          }
          const all = claimed
            ? withClaim(claimed.claim, claimed.transactionId, { status, body }, writes, now())
            : writes;
          // The key is claimed inside the transaction: one request, whether it is new or a retry.
          const result = await members.commit(all, now());
          if (result.kind === "committed") return body;
          if (result.kind === "idempotency_key_taken" && claimed) {
            const seen = result.record ?? (await members.idempotency(claimed.transactionId, now()));
            // Absent here only if the record expired in between: go round and claim the key again.
            if (seen) return replay<T>(seen, claimed.claim);
          }
          if (result.kind === "changed") await backoff(i);
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
