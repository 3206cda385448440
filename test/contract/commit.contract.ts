import { describe, expect, it } from "vitest";
import type { Member } from "../../functions/domain/loyalty/member.js";
import type { MemberRepository, MemberWrite } from "../../functions/domain/ports.js";
import { newId } from "../../functions/shared/ids.js";
import {
  aClaim,
  anEnrollment,
  anEntry,
  aPurchase,
  DAY_SECONDS,
  type MakeRepositories,
  secondsLater,
  wholeSecond,
} from "./fixtures.js";

/** An enrolled member (version 1) and the writes of one change to it: the member at version 2, one entry. */
const enrolled = async (members: MemberRepository) => {
  const enrollment = anEnrollment(newId("prg"));
  expect(await members.enroll(enrollment)).toEqual({ kind: "enrolled" });
  const member = enrollment.member;
  const change = (from: Member = member): MemberWrite[] => [
    {
      kind: "member",
      member: { ...from, version: from.version + 1, ledgerSeq: from.ledgerSeq + 1, points: from.points + 10 },
      expectedVersion: from.version,
    },
    { kind: "ledger", memberId: from.memberId, entry: anEntry(from.ledgerSeq + 1, 10, from.points + 10) },
  ];
  return { member, change };
};

/** Everything a commit may have written for a member and a transaction id. */
const traces = async (members: MemberRepository, member: Member, transactionId: string, now: Date) => ({
  member: await members.load(member.memberId),
  ledger: await members.ledger(member.memberId),
  spend: await members.spend(member.memberId, "2000-01-01", "2100-01-01"),
  purchase: await members.purchase(transactionId),
  claim: await members.idempotency(transactionId, now),
});

/**
 * MemberRepository.commit: one atomic transaction of member writes with optimistic conditions, and the
 * claims on Idempotency-Keys (docs/data-model.md 2.3.1, 2.3.2; functions/app/writes.ts).
 */
export const describeCommitContract = (name: string, make: MakeRepositories): void => {
  describe(`MemberRepository.commit contract: ${name}`, () => {
    describe("members and their ledger", () => {
      it("writes the member and its entries from the version they were computed from", async () => {
        // Prepare
        const { members } = make();
        const { member, change } = await enrolled(members);
        const writes = change();

        // Act
        const result = await members.commit(writes, new Date());

        // Assess
        expect(result).toEqual({ kind: "committed" });
        const written = writes[0]?.kind === "member" ? writes[0].member : undefined;
        expect(await members.get(member.programId, member.memberId)).toEqual(written);
        expect(await members.ledger(member.memberId)).toEqual([anEntryLike(writes[1])]);
      });

      it("answers changed, and writes nothing, when the member moved on since it was read", async () => {
        // Prepare
        const { members } = make();
        const { member, change } = await enrolled(members);
        const stale = change();
        await members.commit(change(), new Date());
        const now = wholeSecond();
        const transactionId = newId("txn");
        const before = await traces(members, member, transactionId, now);

        // Act
        const result = await members.commit(
          [
            { kind: "idempotency", transactionId, record: aClaim(now) },
            ...stale.map((w) => (w.kind === "ledger" ? { ...w, entry: anEntry(9) } : w)),
            { kind: "spend", memberId: member.memberId, day: "2030-01-01", cents: 100, purchases: 1 },
          ],
          now,
        );

        // Assess
        expect(result).toEqual({ kind: "changed" });
        expect(await traces(members, member, transactionId, now)).toEqual(before);
      });

      it("answers changed for a member that is not there, or not in the program written", async () => {
        // Prepare
        const { members } = make();
        const { member } = await enrolled(members);
        const absent = anEnrollment(member.programId).member;

        // Act
        const results = [
          await members.commit(
            [{ kind: "member", member: { ...absent, version: 2 }, expectedVersion: 1 }],
            new Date(),
          ),
          await members.commit(
            [
              {
                kind: "member",
                member: { ...member, programId: newId("prg"), version: 2 },
                expectedVersion: 1,
              },
            ],
            new Date(),
          ),
        ];

        // Assess
        expect(results).toEqual([{ kind: "changed" }, { kind: "changed" }]);
        expect(await members.load(absent.memberId)).toBeUndefined();
        expect(await members.load(member.memberId)).toEqual(member);
      });

      it("writes a new member only where there is none (expectedVersion null)", async () => {
        // Prepare
        const { members } = make();
        const { member } = await enrolled(members);
        const fresh = anEnrollment(member.programId).member;

        // Act
        const created = await members.commit(
          [{ kind: "member", member: fresh, expectedVersion: null }],
          new Date(),
        );
        const again = await members.commit(
          [{ kind: "member", member: { ...member, points: 5 }, expectedVersion: null }],
          new Date(),
        );

        // Assess
        expect([created, again]).toEqual([{ kind: "committed" }, { kind: "changed" }]);
        expect(await members.load(fresh.memberId)).toEqual(fresh);
        expect(await members.load(member.memberId)).toEqual(member);
      });

      it("never writes a ledger entry twice: a taken seq fails the whole commit", async () => {
        // Prepare
        const { members } = make();
        const { member, change } = await enrolled(members);
        await members.commit(change(), new Date());
        const current = (await members.load(member.memberId)) as Member;
        const [memberWrite] = change(current);

        // Act
        const result = await members.commit(
          [memberWrite as MemberWrite, { kind: "ledger", memberId: member.memberId, entry: anEntry(1, 99) }],
          new Date(),
        );

        // Assess
        expect(result).toEqual({ kind: "changed" });
        expect(await members.load(member.memberId)).toEqual(current);
        expect((await members.ledger(member.memberId)).map((e) => e.points)).toEqual([10]);
      });

      it("writes two members in one commit, or neither (a transfer)", async () => {
        // Prepare
        const { members } = make();
        const a = await enrolled(members);
        const b = await enrolled(members);
        const [aWrite] = a.change();
        const [bWrite] = b.change();

        // Act
        const refused = await members.commit(
          [
            aWrite as MemberWrite,
            { kind: "member", member: { ...b.member, version: 2 }, expectedVersion: 7 },
          ],
          new Date(),
        );
        const both = await members.commit([aWrite as MemberWrite, bWrite as MemberWrite], new Date());

        // Assess
        expect([refused, both]).toEqual([{ kind: "changed" }, { kind: "committed" }]);
        expect((await members.load(a.member.memberId))?.version).toBe(2);
        expect((await members.load(b.member.memberId))?.version).toBe(2);
      });

      it("throws, rather than answering, for a commit that writes one item twice or nothing", async () => {
        // Prepare
        const { members } = make();
        const { member, change } = await enrolled(members);
        const day = "2030-01-01";
        const spend: MemberWrite = {
          kind: "spend",
          memberId: member.memberId,
          day,
          cents: 100,
          purchases: 1,
        };
        // Unconditional writes: DynamoDB Local checks conditions before it sees the same item twice.
        const twice = [...change(), spend, { ...spend, cents: 200 }];

        // Act
        const duplicated = () => members.commit(twice, new Date());
        const empty = () => members.commit([], new Date());

        // Assess
        await expect(duplicated()).rejects.toThrow();
        await expect(empty()).rejects.toThrow();
        expect(await members.load(member.memberId)).toEqual(member);
        expect(await members.spend(member.memberId, day, day)).toEqual({});
      });
    });

    describe("purchases and refunds", () => {
      it("records a purchase, found by its transaction id, holding no claim", async () => {
        // Prepare
        const { members } = make();
        const { member, change } = await enrolled(members);
        const record = aPurchase(member);

        // Act
        const result = await members.commit(
          [
            ...change(),
            { kind: "purchase", record, expectedRefundedCents: null },
            {
              kind: "spend",
              memberId: member.memberId,
              day: record.spendDay,
              cents: record.amountCents,
              purchases: 1,
            },
          ],
          new Date(),
        );

        // Assess
        expect(result).toEqual({ kind: "committed" });
        expect(await members.purchase(record.transactionId)).toEqual(record);
        expect(await members.idempotency(record.transactionId, new Date())).toBeUndefined();
        expect(await members.spend(member.memberId, record.spendDay, record.spendDay)).toEqual({
          [record.spendDay]: record.amountCents,
        });
      });

      it("records a purchase once: a second one under its id answers changed", async () => {
        // Prepare
        const { members } = make();
        const { member, change } = await enrolled(members);
        const record = aPurchase(member);
        await members.commit([{ kind: "purchase", record, expectedRefundedCents: null }], new Date());

        // Act
        const result = await members.commit(
          [
            ...change(),
            { kind: "purchase", record: { ...record, amountCents: 1 }, expectedRefundedCents: null },
          ],
          new Date(),
        );

        // Assess
        expect(result).toEqual({ kind: "changed" });
        expect(await members.purchase(record.transactionId)).toEqual(record);
        expect(await members.load(member.memberId)).toEqual(member);
      });

      it("refunds from the refunded cents it was computed from, changing only what refunds count", async () => {
        // Prepare
        const { members } = make();
        const { member } = await enrolled(members);
        const now = wholeSecond();
        const claim = aClaim(now);
        const record = aPurchase(member);
        await members.commit(
          [{ kind: "purchase", record, expectedRefundedCents: null, idempotency: claim }],
          now,
        );
        const refunded = { ...record, refundedCents: 500, pointsRefunded: 5, stampsRefunded: true };

        // Act
        const first = await members.commit(
          [
            {
              kind: "purchase",
              record: { ...refunded, amountCents: 1, storeId: "sto_elsewhere" },
              expectedRefundedCents: 0,
            },
          ],
          now,
        );
        const stale = await members.commit(
          [{ kind: "purchase", record: { ...record, refundedCents: 300 }, expectedRefundedCents: 0 }],
          now,
        );

        // Assess
        expect([first, stale]).toEqual([{ kind: "committed" }, { kind: "changed" }]);
        expect(await members.purchase(record.transactionId)).toEqual(refunded);
        expect(await members.idempotency(record.transactionId, now)).toEqual(claim);
      });

      it("refunds nothing that is not a purchase: no record, or a claim of another request", async () => {
        // Prepare
        const { members } = make();
        const { member } = await enrolled(members);
        const now = wholeSecond();
        const claimed = newId("txn");
        await members.commit([{ kind: "idempotency", transactionId: claimed, record: aClaim(now) }], now);
        const refund = (transactionId: string) =>
          members.commit(
            [
              {
                kind: "purchase",
                record: { ...aPurchase(member, transactionId), refundedCents: 100 },
                expectedRefundedCents: 0,
              },
            ],
            now,
          );

        // Act
        const results = [await refund(newId("txn")), await refund(claimed)];

        // Assess
        expect(results).toEqual([{ kind: "changed" }, { kind: "changed" }]);
        expect(await members.purchase(claimed)).toBeUndefined();
      });

      it("moves a day's spend back with a refund's negative cents, in the refund's commit", async () => {
        // Prepare
        const { members } = make();
        const { member, change } = await enrolled(members);
        const record = aPurchase(member);
        const day = record.spendDay;
        const spendOf = (cents: number, purchases: number): MemberWrite => ({
          kind: "spend",
          memberId: member.memberId,
          day,
          cents,
          purchases,
        });
        await members.commit(
          [{ kind: "purchase", record, expectedRefundedCents: null }, spendOf(1_250, 1)],
          new Date(),
        );
        const refund: MemberWrite = {
          kind: "purchase",
          record: { ...record, refundedCents: 1_250 },
          expectedRefundedCents: 0,
        };

        // Act
        await members.commit([...change(), refund, spendOf(-1_250, 0)], new Date());
        const second = await members.commit(
          [...change({ ...member, version: 2, ledgerSeq: 1, points: 10 }), refund, spendOf(-1_250, 0)],
          new Date(),
        );

        // Assess
        expect(second).toEqual({ kind: "changed" });
        expect((await members.spend(member.memberId, day, day))[day] ?? 0).toBe(0);
        expect((await members.purchase(record.transactionId))?.refundedCents).toBe(1_250);
      });
    });

    describe("idempotency claims", () => {
      it("keeps a claim of its own for 7 days, not as a purchase", async () => {
        // Prepare
        const { members } = make();
        const { change } = await enrolled(members);
        const now = wholeSecond();
        const transactionId = newId("txn");
        const record = aClaim(now, { points: 10, nested: { b: 1, a: [2, 1] } });

        // Act
        const result = await members.commit(
          [{ kind: "idempotency", transactionId, record }, ...change()],
          now,
        );

        // Assess
        expect(result).toEqual({ kind: "committed" });
        expect(await members.purchase(transactionId)).toBeUndefined();
        const seven = 7 * DAY_SECONDS;
        expect(await members.idempotency(transactionId, now)).toEqual(record);
        expect(await members.idempotency(transactionId, secondsLater(now, seven - 1))).toEqual(record);
        expect(await members.idempotency(transactionId, secondsLater(now, seven))).toEqual(record);
        expect(await members.idempotency(transactionId, secondsLater(now, seven + 1))).toBeUndefined();
        expect(await members.idempotency(newId("txn"), now)).toBeUndefined();
      });

      it("gives the stored answer back, byte for byte, with the order of its keys", async () => {
        // Prepare
        const { members } = make();
        const now = wholeSecond();
        const transactionId = newId("txn");
        const record = aClaim(now, { zebra: 1, apple: { z: true, a: null }, list: ["b", "a"] });
        await members.commit([{ kind: "idempotency", transactionId, record }], now);

        // Act
        const read = await members.idempotency(transactionId, now);

        // Assess
        expect(JSON.stringify(read?.response)).toBe(JSON.stringify(record.response));
      });

      it("refuses a taken key with the answer that holds it, and writes nothing else", async () => {
        // Prepare
        const { members } = make();
        const { member, change } = await enrolled(members);
        const now = wholeSecond();
        const transactionId = newId("txn");
        const first = aClaim(now);
        await members.commit([{ kind: "idempotency", transactionId, record: first }], now);
        const before = await traces(members, member, transactionId, now);

        // Act
        const later = secondsLater(now, 60);
        const result = await members.commit(
          [
            { kind: "idempotency", transactionId, record: aClaim(later) },
            ...change(),
            { kind: "spend", memberId: member.memberId, day: "2030-01-01", cents: 100, purchases: 1 },
          ],
          later,
        );

        // Assess
        expect(result).toEqual({ kind: "idempotency_key_taken", record: first });
        expect(await traces(members, member, transactionId, now)).toEqual(before);
      });

      it("answers a taken key rather than changed when the member moved on too", async () => {
        // Prepare
        const { members } = make();
        const { change } = await enrolled(members);
        const now = wholeSecond();
        const transactionId = newId("txn");
        const first = aClaim(now);
        const stale = change();
        await members.commit([{ kind: "idempotency", transactionId, record: first }, ...change()], now);

        // Act
        const result = await members.commit(
          [{ kind: "idempotency", transactionId, record: aClaim(now) }, ...stale],
          now,
        );

        // Assess
        expect(result).toEqual({ kind: "idempotency_key_taken", record: first });
      });

      it("lets a key be claimed again once its claim has expired", async () => {
        // Prepare
        const { members } = make();
        const now = wholeSecond();
        const transactionId = newId("txn");
        await members.commit([{ kind: "idempotency", transactionId, record: aClaim(now) }], now);
        const expired = secondsLater(now, 7 * DAY_SECONDS + 1);
        const again = aClaim(expired);

        // Act
        const result = await members.commit([{ kind: "idempotency", transactionId, record: again }], expired);

        // Assess
        expect(result).toEqual({ kind: "committed" });
        expect(await members.idempotency(transactionId, expired)).toEqual(again);
      });

      it("binds a purchase's key to the purchase for good", async () => {
        // Prepare
        const { members } = make();
        const { member, change } = await enrolled(members);
        const now = wholeSecond();
        const claim = aClaim(now);
        const record = aPurchase(member);
        await members.commit(
          [...change(), { kind: "purchase", record, expectedRefundedCents: null, idempotency: claim }],
          now,
        );
        const current = (await members.load(member.memberId)) as Member;
        const yearLater = secondsLater(now, 365 * DAY_SECONDS);

        // Act
        const retried = await members.commit(
          [
            ...change(current),
            { kind: "purchase", record, expectedRefundedCents: null, idempotency: aClaim(yearLater) },
          ],
          yearLater,
        );
        const otherOperation = await members.commit(
          [
            { kind: "idempotency", transactionId: record.transactionId, record: aClaim(yearLater) },
            ...change(current),
          ],
          yearLater,
        );

        // Assess
        expect(await members.idempotency(record.transactionId, yearLater)).toEqual(claim);
        expect(retried).toEqual({ kind: "idempotency_key_taken", record: claim });
        expect(otherOperation).toEqual({ kind: "idempotency_key_taken", record: claim });
        expect(await members.load(member.memberId)).toEqual(current);
        expect(await members.purchase(record.transactionId)).toEqual(record);
      });

      it("refuses a purchase that claims a key still held by a claim of its own", async () => {
        // Prepare
        const { members } = make();
        const { member } = await enrolled(members);
        const now = wholeSecond();
        const transactionId = newId("txn");
        const first = aClaim(now);
        await members.commit([{ kind: "idempotency", transactionId, record: first }], now);
        const record = aPurchase(member, transactionId);

        // Act
        const held = await members.commit(
          [{ kind: "purchase", record, expectedRefundedCents: null, idempotency: aClaim(now) }],
          now,
        );
        const expired = secondsLater(now, 7 * DAY_SECONDS + 1);
        const claim = aClaim(expired);
        const free = await members.commit(
          [{ kind: "purchase", record, expectedRefundedCents: null, idempotency: claim }],
          expired,
        );

        // Assess
        expect(held).toEqual({ kind: "idempotency_key_taken", record: first });
        expect(free).toEqual({ kind: "committed" });
        expect(await members.purchase(transactionId)).toEqual(record);
        expect(await members.idempotency(transactionId, secondsLater(expired, 365 * DAY_SECONDS))).toEqual(
          claim,
        );
      });

      it("refuses a key whose transaction id names a purchase that holds no claim, without an answer", async () => {
        // Prepare
        const { members } = make();
        const { member } = await enrolled(members);
        const now = wholeSecond();
        const record = aPurchase(member);
        await members.commit([{ kind: "purchase", record, expectedRefundedCents: null }], now);

        // Act
        const result = await members.commit(
          [{ kind: "idempotency", transactionId: record.transactionId, record: aClaim(now) }],
          now,
        );

        // Assess
        expect(result).toEqual({ kind: "idempotency_key_taken" });
        expect(await members.idempotency(record.transactionId, now)).toBeUndefined();
      });
    });

    describe("races", () => {
      it("lets at most one of several commits from the same version through", async () => {
        // Prepare
        const { members } = make();
        const { member } = await enrolled(members);
        const attempts = [1, 2, 3, 4, 5].map((points): MemberWrite[] => [
          { kind: "member", member: { ...member, version: 2, ledgerSeq: 1, points }, expectedVersion: 1 },
          { kind: "ledger", memberId: member.memberId, entry: anEntry(1, points, points) },
        ]);

        // Act
        const results = await Promise.all(attempts.map((writes) => members.commit(writes, new Date())));

        // Assess
        const won = results.flatMap((r, i) => (r.kind === "committed" ? [i + 1] : []));
        expect(won.length).toBeLessThanOrEqual(1);
        expect(results.every((r) => r.kind === "committed" || r.kind === "changed")).toBe(true);
        const stored = await members.load(member.memberId);
        const ledger = await members.ledger(member.memberId);
        if (won[0] === undefined) {
          expect([stored, ledger]).toEqual([member, []]);
        } else {
          expect(stored?.points).toBe(won[0]);
          expect(ledger.map((e) => e.points)).toEqual([won[0]]);
        }
      });

      it("lets at most one of several requests claim one key at once", async () => {
        // Prepare
        const { members } = make();
        const now = wholeSecond();
        const transactionId = newId("txn");
        const claims = [1, 2, 3, 4].map((n) => aClaim(now, { n }));

        // Act
        const results = await Promise.all(
          claims.map((record) => members.commit([{ kind: "idempotency", transactionId, record }], now)),
        );

        // Assess
        const won = results.flatMap((r, i) => (r.kind === "committed" ? [claims[i]] : []));
        expect(won.length).toBeLessThanOrEqual(1);
        // A request that lost is told the key is taken (with the winner's answer), or, on a conflict, to try again.
        for (const result of results) {
          if (result.kind === "idempotency_key_taken") expect(result.record).toEqual(won[0]);
        }
        expect(await members.idempotency(transactionId, now)).toEqual(won[0]);
      });

      it("enrolls at most one of several members with one email at once", async () => {
        // Prepare
        const { members } = make();
        const programId = newId("prg");
        const first = anEnrollment(programId);
        const others = [1, 2, 3].map(() => ({ ...anEnrollment(programId), emailHash: first.emailHash }));

        // Act
        const results = await Promise.all([first, ...others].map((e) => members.enroll(e)));

        // Assess
        const enrolled = results.filter((r) => r.kind === "enrolled");
        expect(enrolled.length).toBeLessThanOrEqual(1);
        const owner = await members.idByEmailHash(programId, first.emailHash);
        for (const result of results) {
          if (result.kind === "email_taken") expect(result.memberId).toBe(owner);
        }
      });
    });
  });
};

/** The entry a ledger write carries. */
const anEntryLike = (write: MemberWrite | undefined) => (write?.kind === "ledger" ? write.entry : undefined);
