import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PurchaseBody as PurchaseSchema } from "../../functions/api/schemas.js";
import { DomainError } from "../../functions/domain/errors.js";
import { balanceOf, rebuildBalance } from "../../functions/domain/loyalty/member.js";
import { richRules } from "../support/loyalty.js";
import { directService, openShopDirect, purchaseOf, repositories, storeClaim } from "../support/services.js";
import { useTestTable } from "../support/table.js";

useTestTable();

const { members } = repositories();
/** Two ways to run: queued per member inside this process, or racing on DynamoDB's conditions alone. */
const queued = directService();
const racing = directService({ serialise: false });

const setUp = (rules: unknown = richRules) => openShopDirect(queued, { rules });
const claim = storeClaim;
const purchaseBody = (member: string, amountCents: number) => purchaseOf(member, amountCents);

/** How many times a till sends one request again before it gives up (and the test fails). */
const MAX_RESENDS = 25;

/**
 * A till's behaviour: a 409 concurrent_modification (the member kept changing for the writer's whole
 * retry budget) is sent again with the same Idempotency-Key, as the error message says, a bounded
 * number of times.
 */
const asTill = async <T>(send: () => Promise<T>, resent: { count: number }): Promise<T> => {
  for (let attempt = 0; attempt <= MAX_RESENDS; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== "concurrent_modification") throw error;
      resent.count++;
    }
  }
  throw new Error(
    `still concurrent_modification after ${MAX_RESENDS} resends: writers on one member starve each other`,
  );
};

describe("purchases under concurrency, on DynamoDB Local", () => {
  for (const [mode, service] of [
    ["queued in process", queued],
    ["racing on conditions only", racing],
  ] as const) {
    it(`credits 100 concurrent purchases of one member exactly (${mode})`, async () => {
      // Prepare: default rules (1 point per whole euro), 100 purchases of 1 € to 4.99 €
      const { caller, enroll } = await setUp({});
      const member = await enroll();
      const amounts = Array.from({ length: 100 }, (_, i) => 100 + ((i * 37) % 400));

      // Act
      const resent = { count: 0 };
      const results = await Promise.allSettled(
        amounts.map((a) => {
          const body = purchaseBody(member.memberId, a);
          const sameClaim = claim(caller.storeId, body);
          return asTill(() => service.purchase(caller, body, sameClaim), resent);
        }),
      );

      // Assess: every purchase credited once, however many times a till had to resend it
      const failed = results.filter((r) => r.status === "rejected");
      expect(failed).toEqual([]);
      if (mode === "queued in process") expect(resent.count).toBe(0);
      const expected = amounts.reduce((sum, a) => sum + Math.floor(a / 100), 0);
      const stored = await members.get(caller.programId, member.memberId);
      expect(stored?.points).toBe(expected);
      expect(stored?.purchases).toBe(100);
      const ledger = await members.ledger(member.memberId);
      expect(ledger.filter((e) => e.type === "earn")).toHaveLength(100);
      expect(rebuildBalance(ledger).points).toBe(expected);
      // Racing 100 writers on one item takes DynamoDB Local 15-20 s alone and 35-40 s beside the other
      // integration files on 2 cores (a clean-clone run of .ci/run): the limit only catches a hang.
    }, 180_000);

    it(`credits one purchase sent 20 times at once with one key exactly once (${mode})`, async () => {
      // Prepare
      const { caller, enroll } = await setUp();
      const member = await enroll();
      const body = purchaseBody(member.memberId, 1234);
      const sameClaim = claim(caller.storeId, body);

      // Act
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => service.purchase(caller, body, { ...sameClaim })),
      );

      // Assess: 5 € at 1 + 7.34 € at 2 = 19 points, once
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(answers[0]?.pointsEarned).toBe(19);
      const stored = await members.get(caller.programId, member.memberId);
      expect(stored?.points).toBe(19);
      expect((await members.ledger(member.memberId)).filter((e) => e.type === "earn")).toHaveLength(1);
    });
  }
});

describe("the ledger is the truth", () => {
  it("rebuilds every balance exactly after random purchases, refunds and redemptions in random order", async () => {
    // Prepare
    const { caller, enroll } = await setUp();
    const people = [await enroll(), await enroll(), await enroll()];
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("purchase" as const),
        who: fc.nat(2),
        cents: fc.integer({ min: 0, max: 30_000 }),
        coffees: fc.nat(4),
      }),
      fc.record({
        kind: fc.constant("refund" as const),
        which: fc.nat(50),
        cents: fc.integer({ min: 1, max: 30_000 }),
      }),
      fc.record({
        kind: fc.constant("reward" as const),
        who: fc.nat(2),
        rewardId: fc.constantFrom("cake", "five-euros"),
      }),
      fc.record({ kind: fc.constant("voucher" as const), who: fc.nat(2) }),
      fc.record({
        kind: fc.constant("transfer" as const),
        from: fc.nat(2),
        to: fc.nat(2),
        points: fc.integer({ min: 1, max: 80 }),
      }),
    );
    const ops =
      fc.sample(fc.array(op, { minLength: 60, maxLength: 60 }), { numRuns: 1, seed: 20261123 })[0] ?? [];
    const purchases: string[] = [];
    const refused: string[] = [];

    // Act: batches of 6 operations at once, in the sampled order
    for (let i = 0; i < ops.length; i += 6) {
      await Promise.all(
        ops.slice(i, i + 6).map(async (o) => {
          try {
            if (o.kind === "purchase") {
              const body = PurchaseSchema.parse({
                member: people[o.who]?.memberId,
                amountCents: o.cents,
                currency: "EUR",
                items:
                  o.coffees > 0
                    ? [{ name: "Coffee", category: "coffee", quantity: o.coffees, unitCents: 100 }]
                    : [],
              });
              const r = await racing.purchase(caller, body, claim(caller.storeId, body));
              purchases.push(r.transactionId);
            } else if (o.kind === "refund") {
              const transactionId = purchases[o.which % Math.max(1, purchases.length)];
              if (!transactionId) return;
              const body = { transactionId, amountCents: o.cents };
              await racing.refund(caller, body, claim(caller.storeId, body));
            } else if (o.kind === "reward") {
              const body = { member: people[o.who]?.memberId ?? "", rewardId: o.rewardId };
              await racing.redeem(caller, body, claim(caller.storeId, body));
            } else if (o.kind === "voucher") {
              const m = await members.get(caller.programId, people[o.who]?.memberId ?? "");
              const voucherId = m?.vouchers[0]?.voucherId;
              if (!voucherId) return;
              const body = { member: m.memberId, voucherId };
              await racing.redeem(caller, body, claim(caller.storeId, body));
            } else {
              const from = people[o.from]?.memberId ?? "";
              await racing.transfer(
                caller.programId,
                from,
                { toMemberId: people[o.to]?.memberId ?? "", points: o.points },
                undefined,
              );
            }
          } catch (error) {
            if (
              !(error instanceof DomainError) ||
              (error.kind === "conflict" && error.code === "concurrent_modification")
            )
              throw error;
            refused.push(error.code);
          }
        }),
      );
    }

    // Assess
    expect(purchases.length).toBeGreaterThan(5);
    for (const person of people) {
      const stored = await members.get(caller.programId, person.memberId);
      const ledger = await members.ledger(person.memberId);
      if (!stored) throw new Error(`member ${person.memberId} is gone`);
      expect(rebuildBalance(ledger)).toEqual(balanceOf(stored));
      expect(ledger.map((e) => e.seq)).toEqual(ledger.map((_, i) => i + 1));
      expect(stored.points).toBe(stored.lots.reduce((s, l) => s + l.points, 0));
    }
    for (const transactionId of purchases) {
      const record = await members.purchase(transactionId);
      if (!record) throw new Error(`purchase ${transactionId} is gone`);
      expect(record.pointsRefunded).toBeLessThanOrEqual(record.pointsEarned);
      expect(record.refundedCents).toBeLessThanOrEqual(record.amountCents);
    }
  });
});
