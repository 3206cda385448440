import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type Attempt,
  claimedTransactionId,
  claimFor,
  type IdempotencyClaim,
  memberWriter,
  requestHash,
  type WriterOptions,
} from "../../../functions/app/writes.js";
import { refused } from "../../../functions/domain/errors.js";
import type { Member } from "../../../functions/domain/loyalty/member.js";
import type { MemberWrite } from "../../../functions/domain/ports.js";
import { memoryShop, recordedMembers, rejection } from "../../support/memory-shop.js";

/**
 * The member writer (app/writes.ts) over the in-memory repositories: optimistic retries, and the
 * Idempotency-Key claimed inside the transaction.
 */

/** One member and a writer over its repository, whose commits are recorded. */
const setUp = async () => {
  const shop = await memoryShop({ rules: {} });
  const { memberId, programId } = await shop.member();
  const recorded = recordedMembers(shop.repos.members);
  const read = async (): Promise<Member> => {
    const m = await shop.repos.members.get(programId, memberId);
    if (!m) throw new Error("member gone");
    return m;
  };
  /** A point more, conditioned on the version read. */
  const onePointMore = (m: Member): MemberWrite => ({
    kind: "member",
    member: { ...m, points: m.points + 1, version: m.version + 1 },
    expectedVersion: m.version,
  });
  let attempts = 0;
  /** What a use case's attempt does: read, compute, answer; counted. */
  const addPoint =
    <T>(body: T) =>
    async (): Promise<Attempt<T>> => {
      attempts++;
      return { body, writes: [onePointMore(await read())] };
    };
  const writer = (options: Partial<WriterOptions> = {}) =>
    memberWriter({ members: recorded.repository, now: shop.clock.now, ...options });
  const claim = (body: unknown, key: string = randomUUID()): IdempotencyClaim =>
    claimFor({ kind: "merchant", programId }, { operationId: "test", params: {}, body, idempotencyKey: key });
  return {
    shop,
    memberId,
    recorded,
    read,
    onePointMore,
    addPoint,
    attempts: () => attempts,
    writer,
    claim,
    results: () => recorded.commits.map((c) => c.result.kind),
  };
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the member writer's retries", () => {
  it("commits what the attempt computed and answers its body", async () => {
    // Prepare
    const t = await setUp();

    // Act
    const answer = await t.writer().write(undefined, t.memberId, t.addPoint({ done: true }));

    // Assess
    expect(answer).toEqual({ done: true });
    expect((await t.read()).points).toBe(1);
    expect(t.results()).toEqual(["committed"]);
  });

  it("reads and computes again after losing a race, keeping the other writer's change", async () => {
    // Prepare: another process adds a point between this attempt's read and its commit
    const t = await setUp();
    t.recorded.beforeCommit(async (sent) => {
      if (sent > 0) return;
      const m = await t.read();
      await t.shop.repos.members.commit([t.onePointMore(m)], t.shop.clock.now());
    });

    // Act
    await t.writer().write(undefined, t.memberId, t.addPoint("ok"));

    // Assess
    expect(t.attempts()).toBe(2);
    expect(t.results()).toEqual(["changed", "committed"]);
    expect(await t.read()).toMatchObject({ points: 2, version: 3 });
  });

  it("gives up with 409 concurrent_modification after its attempts, having written nothing", async () => {
    // Prepare: the member changes before every commit
    const t = await setUp();
    t.recorded.beforeCommit(async () => {
      await t.shop.repos.members.commit([t.onePointMore(await t.read())], t.shop.clock.now());
    });

    // Act
    const refused = await rejection(() =>
      t.writer({ maxAttempts: 4 }).write(undefined, t.memberId, t.addPoint("never")),
    );

    // Assess: 4 points, all the other writer's
    expect(refused).toEqual({ kind: "conflict", code: "concurrent_modification" });
    expect(t.attempts()).toBe(4);
    expect(t.results()).toEqual(["changed", "changed", "changed", "changed"]);
    expect((await t.read()).points).toBe(4);
  });

  it("gives up with 409 concurrent_modification once its time budget is spent", async () => {
    // Prepare: each attempt takes a second; the budget is 2.5 s
    const t = await setUp();
    let clock = 0;
    vi.spyOn(performance, "now").mockImplementation(() => clock);
    t.recorded.beforeCommit(async () => {
      clock += 1000;
      await t.shop.repos.members.commit([t.onePointMore(await t.read())], t.shop.clock.now());
    });

    // Act
    const refused = await rejection(() =>
      t.writer({ budgetMs: 2500 }).write(undefined, t.memberId, t.addPoint("never")),
    );

    // Assess: attempts started at 0, 1 and 2 s
    expect(refused).toEqual({ kind: "conflict", code: "concurrent_modification" });
    expect(t.attempts()).toBe(3);
  });

  it("answers a body with nothing to write and no claim without committing", async () => {
    // Prepare
    const t = await setUp();

    // Act
    const answer = await t.writer().write(undefined, t.memberId, async () => ({ body: "idle", writes: [] }));

    // Assess
    expect(answer).toBe("idle");
    expect(t.recorded.commits).toEqual([]);
  });

  it.each([true, false])(
    "queues the writes of one member in process unless told not to (serialise: %s)",
    async (serialise) => {
      // Prepare
      const t = await setUp();
      const events: string[] = [];
      const step = (name: string) => async (): Promise<Attempt<string>> => {
        events.push(`${name} reads`);
        const m = await t.read();
        // Let every other pending request run up to its own wait (memory answers within microtasks).
        await new Promise(setImmediate);
        events.push(`${name} commits`);
        return { body: name, writes: [t.onePointMore(m)] };
      };
      const writer = t.writer({ serialise });

      // Act
      await Promise.all([
        writer.write(undefined, t.memberId, step("a")),
        writer.write(undefined, t.memberId, step("b")),
      ]);

      // Assess: queued, b reads after a committed; racing, b's first commit loses and is computed again
      expect(events.slice(0, 4)).toEqual(
        serialise
          ? ["a reads", "a commits", "b reads", "b commits"]
          : ["a reads", "b reads", "a commits", "b commits"],
      );
      expect(t.results()).toEqual(
        serialise ? ["committed", "committed"] : ["committed", "changed", "committed"],
      );
      expect((await t.read()).points).toBe(2);
    },
  );
});

describe("the member writer's idempotency claims", () => {
  it("stores the answer with the claim, as a record of its own under the transaction the key names", async () => {
    // Prepare
    const t = await setUp();
    const claim = t.claim({ points: 1 });

    // Act
    await t.writer().write(claim, t.memberId, t.addPoint({ answer: 1 }), 200);

    // Assess
    const [commit] = t.recorded.commits;
    expect(commit?.writes.map((w) => w.kind)).toEqual(["idempotency", "member"]);
    expect(await t.shop.repos.members.idempotency(claimedTransactionId(claim), t.shop.clock.now())).toEqual({
      ...claim,
      response: { status: 200, body: { answer: 1 } },
      createdAt: t.shop.clock.now().toISOString(),
    });
  });

  it("claims the key even when there is nothing else to write", async () => {
    // Prepare
    const t = await setUp();
    const claim = t.claim({});

    // Act
    await t.writer().write(claim, t.memberId, async () => ({ body: "nothing due", writes: [] }));
    const again = await t.writer().write(claim, t.memberId, t.addPoint("something"));

    // Assess
    expect(again).toBe("nothing due");
    expect((await t.read()).points).toBe(0);
  });

  it("replays the stored answer for the same key and body, identical, writing nothing more", async () => {
    // Prepare
    const t = await setUp();
    const claim = t.claim({ points: 1 });
    const first = await t.writer().write(claim, t.memberId, t.addPoint({ answer: "first", at: [1, 2] }));

    // Act
    const again = await t.writer().write({ ...claim }, t.memberId, t.addPoint({ answer: "second", at: [] }));

    // Assess
    expect(again).toEqual(first);
    expect(again).toEqual({ answer: "first", at: [1, 2] });
    expect(t.results()).toEqual(["committed", "idempotency_key_taken"]);
    expect((await t.read()).points).toBe(1);
  });

  it("refuses the same key with another body as 409 idempotency_key_reused, writing nothing", async () => {
    // Prepare
    const t = await setUp();
    const key = randomUUID();
    await t.writer().write(t.claim({ points: 1 }, key), t.memberId, t.addPoint("first"));

    // Act
    const refused = await rejection(() =>
      t.writer().write(t.claim({ points: 2 }, key), t.memberId, t.addPoint("second")),
    );

    // Assess
    expect(refused).toEqual({ kind: "conflict", code: "idempotency_key_reused" });
    expect((await t.read()).points).toBe(1);
  });

  it("replays the stored answer when a retry is refused by a rule since, and refuses another body", async () => {
    // Prepare
    const t = await setUp();
    const key = randomUUID();
    await t.writer().write(t.claim({ points: 1 }, key), t.memberId, t.addPoint("first"));
    const refusing = async (): Promise<Attempt<string>> => {
      throw refused("gone_since", "The request would be refused now.");
    };

    // Act
    const replayed = await t.writer().write(t.claim({ points: 1 }, key), t.memberId, refusing);
    const other = await rejection(() => t.writer().write(t.claim({ points: 2 }, key), t.memberId, refusing));

    // Assess
    expect(replayed).toBe("first");
    expect(other).toEqual({ kind: "conflict", code: "idempotency_key_reused" });
  });

  it("throws a refusal as is when its key was never used, and any other error without a claim read", async () => {
    // Prepare
    const t = await setUp();
    const idempotency = vi.spyOn(t.recorded.repository, "idempotency");
    const claim = t.claim({ points: 1 });
    await t.writer().write(claim, t.memberId, t.addPoint("first"));
    idempotency.mockClear();

    // Act
    const fresh = await rejection(() =>
      t.writer().write(t.claim({}), t.memberId, async () => {
        throw refused("not_now", "No.");
      }),
    );
    const bug = await t
      .writer()
      .write(claim, t.memberId, async () => {
        throw new TypeError("a bug");
      })
      .catch((error: unknown) => error);

    // Assess
    expect(fresh).toEqual({ kind: "validation", code: "not_now" });
    expect(bug).toBeInstanceOf(TypeError);
    expect(idempotency).toHaveBeenCalledTimes(1);
  });

  it("never commits a request that changes the transaction its own key names: 409 idempotency_key_reused", async () => {
    // Prepare: the key names a transaction whose purchase this request would change
    const t = await setUp();
    const key = randomUUID();
    const claim = t.claim({ refund: 1 }, key);
    const transactionId = claimedTransactionId(claim);
    const changingIt = async (): Promise<Attempt<string>> => {
      const m = await t.read();
      const record = {
        transactionId,
        programId: m.programId,
        memberId: m.memberId,
        storeId: "sto_0000000000000001",
        amountCents: 1000,
        currency: "EUR",
        occurredAt: m.enrolledAt,
        spendDay: "2026-03-10",
        pointsEarned: 10,
        stampsEarned: {},
        refundedCents: 100,
        pointsRefunded: 1,
        stampsRefunded: false,
      };
      return {
        body: "refunded",
        writes: [t.onePointMore(m), { kind: "purchase", record, expectedRefundedCents: 0 }],
      };
    };

    // Act: the key was never used, then it was (by a request with another body)
    const unused = await rejection(() => t.writer().write(claim, t.memberId, changingIt));
    await t.writer().write(t.claim({ purchase: 1 }, key), t.memberId, t.addPoint("bought"));
    const used = await rejection(() => t.writer().write(claim, t.memberId, changingIt));

    // Assess
    expect(unused).toEqual({ kind: "conflict", code: "idempotency_key_reused" });
    expect(used).toEqual({ kind: "conflict", code: "idempotency_key_reused" });
    expect(t.results()).toEqual(["committed"]);
  });

  it("frees a key whose claim of its own expired after 7 days", async () => {
    // Prepare
    const t = await setUp();
    const key = randomUUID();
    await t.writer().write(t.claim({ points: 1 }, key), t.memberId, t.addPoint("first"));
    t.shop.clock.set("2026-03-17T11:00:01.000Z");

    // Act
    const answer = await t.writer().write(t.claim({ points: 2 }, key), t.memberId, t.addPoint("second"));

    // Assess
    expect(answer).toBe("second");
    expect((await t.read()).points).toBe(2);
  });
});

describe("claimFor", () => {
  const request = <K extends string | undefined>(body: unknown, idempotencyKey: K) => ({
    operationId: "recordPurchase",
    params: { storeId: "sto_0000000000000001" },
    body,
    idempotencyKey,
  });
  const store = { kind: "store", storeId: "sto_0000000000000001" } as const;

  it("claims nothing for a request without a key", () => {
    expect(claimFor(store, request({ a: 1 }, undefined))).toBeUndefined();
  });

  it("binds the key to the caller, the operation, its path and its body, whatever the order of the fields", () => {
    // Act
    const claim = claimFor(store, request({ a: 1, b: { c: 2, d: 3 } }, "key-1"));

    // Assess
    expect(claim).toEqual({
      scope: "STORE#sto_0000000000000001",
      clientKey: "key-1",
      requestHash: requestHash({
        operationId: "recordPurchase",
        params: { storeId: "sto_0000000000000001" },
        body: { b: { d: 3, c: 2 }, a: 1 },
      }),
    });
    expect(claimFor(store, request({ b: { d: 3, c: 2 }, a: 1 }, "key-1"))).toEqual(claim);
    expect(
      claimFor(store, { ...request({ a: 1, b: { c: 2, d: 3 } }, "key-1"), operationId: "recordRefund" }),
    ).not.toEqual(claim);
    expect(claimFor({ kind: "partner", partnerId: "prt_0000000000000001" }, request({}, "key-1")).scope).toBe(
      "PARTNER#prt_0000000000000001",
    );
    expect(
      claimFor({ kind: "merchant", programId: "prg_0000000000000001" }, request({}, "key-1")).scope,
    ).toBe("MERCHANT#prg_0000000000000001");
  });

  it("names one transaction per caller and key", () => {
    const one = claimedTransactionId({ scope: "STORE#sto_0000000000000001", clientKey: "k" });
    expect(one).toMatch(/^txn_[0-9a-z]{16}$/);
    expect(claimedTransactionId({ scope: "STORE#sto_0000000000000001", clientKey: "k" })).toBe(one);
    expect(claimedTransactionId({ scope: "STORE#sto_0000000000000002", clientKey: "k" })).not.toBe(one);
  });
});
