import { describe, expect, it } from "vitest";
import type { Member } from "../../functions/domain/loyalty/member.js";
import type { MemberRepository } from "../../functions/domain/ports.js";
import { newId } from "../../functions/shared/ids.js";
import {
  allPages,
  anEnrollment,
  anEntry,
  expectInvalidCursor,
  FORGED_CURSORS,
  type MakeRepositories,
  memberIdInShard,
  wholeSecond,
} from "./fixtures.js";

/** A member enrolled with `count` ledger entries (seq 1…count) committed after. */
const withLedger = async (members: MemberRepository, count: number) => {
  const enrollment = anEnrollment(newId("prg"));
  expect(await members.enroll(enrollment)).toEqual({ kind: "enrolled" });
  const entries = Array.from({ length: count }, (_, i) => anEntry(i + 1));
  const member: Member = { ...enrollment.member, version: 2, ledgerSeq: count, points: count * 10 };
  const committed = await members.commit(
    [
      { kind: "member", member, expectedVersion: 1 },
      ...entries.map((entry) => ({ kind: "ledger" as const, memberId: member.memberId, entry })),
    ],
    new Date(),
  );
  expect(committed).toEqual({ kind: "committed" });
  return { member, profile: enrollment.profile, entries };
};

/** MemberRepository's reads, enrollment, ledger pages and due work (commit: commit.contract.ts). */
export const describeMemberRepositoryContract = (name: string, make: MakeRepositories): void => {
  describe(`MemberRepository contract: ${name}`, () => {
    describe("enroll and read", () => {
      it("enrolls a member, found by id, card code, email and referral code in its program", async () => {
        // Prepare
        const { members } = make();
        const { member, profile, emailHash } = anEnrollment(newId("prg"));
        const { programId, memberId } = member;

        // Act
        const result = await members.enroll({ member, profile, emailHash });

        // Assess
        expect(result).toEqual({ kind: "enrolled" });
        expect(await members.get(programId, memberId)).toEqual(member);
        expect(await members.load(memberId)).toEqual(member);
        expect(await members.profile(memberId)).toEqual(profile);
        expect(await members.card(memberId)).toEqual({ member, profile });
        expect(await members.snapshot(programId, memberId, 10)).toEqual({
          member,
          profile,
          history: { items: [] },
        });
        expect(await members.idByCardCode(programId, member.cardCode)).toBe(memberId);
        expect(await members.idByEmailHash(programId, emailHash)).toBe(memberId);
        expect(await members.idByReferralCode(programId, member.referralCode)).toBe(memberId);
      });

      it("hides a member from another program, except where work starts from its id", async () => {
        // Prepare
        const { members } = make();
        const { member, profile, emailHash } = anEnrollment(newId("prg"));
        await members.enroll({ member, profile, emailHash });
        const other = newId("prg");

        // Act
        const read = await Promise.all([
          members.get(other, member.memberId),
          members.snapshot(other, member.memberId, 10),
          members.idByCardCode(other, member.cardCode),
          members.idByEmailHash(other, emailHash),
          members.idByReferralCode(other, member.referralCode),
        ]);

        // Assess
        expect(read).toEqual([undefined, undefined, undefined, undefined, undefined]);
        expect(await members.load(member.memberId)).toEqual(member);
        expect(await members.card(member.memberId)).toEqual({ member, profile });
      });

      it("knows nothing of a member that was never enrolled", async () => {
        // Prepare
        const { members } = make();
        const memberId = newId("mbr");
        const programId = newId("prg");

        // Act
        const read = await Promise.all([
          members.get(programId, memberId),
          members.load(memberId),
          members.profile(memberId),
          members.card(memberId),
          members.snapshot(programId, memberId, 10),
          members.idByCardCode(programId, "4539148803436467"),
          members.idByEmailHash(programId, "0".repeat(64)),
          members.idByReferralCode(programId, "ABCDEFGH"),
          members.ledger(memberId),
          members.history(memberId, { limit: 10 }),
          members.spend(memberId, "2020-01-01", "2040-01-01"),
        ]);

        // Assess
        expect(read).toEqual([...Array.from({ length: 8 }, () => undefined), [], { items: [] }, {}]);
      });

      it("refuses an email already enrolled in the program, naming its member, and writes nothing", async () => {
        // Prepare
        const { members } = make();
        const first = anEnrollment(newId("prg"));
        await members.enroll(first);
        const programId = first.member.programId;
        const second = { ...anEnrollment(programId), emailHash: first.emailHash };

        // Act
        const result = await members.enroll(second);

        // Assess
        expect(result).toEqual({ kind: "email_taken", memberId: first.member.memberId });
        expect(await members.load(second.member.memberId)).toBeUndefined();
        expect(await members.profile(second.member.memberId)).toBeUndefined();
        expect(await members.idByCardCode(programId, second.member.cardCode)).toBeUndefined();
        expect(await members.idByReferralCode(programId, second.member.referralCode)).toBeUndefined();
        expect(await members.idByEmailHash(programId, first.emailHash)).toBe(first.member.memberId);
      });

      it("refuses a card code or referral code already taken in the program, and writes nothing", async () => {
        // Prepare
        const { members } = make();
        const first = anEnrollment(newId("prg"));
        await members.enroll(first);
        const programId = first.member.programId;
        const sameCard = anEnrollment(programId, { cardCode: first.member.cardCode });
        const sameReferral = anEnrollment(programId, { referralCode: first.member.referralCode });

        // Act
        const results = [await members.enroll(sameCard), await members.enroll(sameReferral)];

        // Assess
        expect(results).toEqual([{ kind: "code_taken" }, { kind: "code_taken" }]);
        for (const refused of [sameCard, sameReferral]) {
          expect(await members.load(refused.member.memberId)).toBeUndefined();
          expect(await members.idByEmailHash(programId, refused.emailHash)).toBeUndefined();
        }
        expect(await members.idByReferralCode(programId, sameCard.member.referralCode)).toBeUndefined();
        expect(await members.idByCardCode(programId, sameReferral.member.cardCode)).toBeUndefined();
        expect(await members.idByCardCode(programId, first.member.cardCode)).toBe(first.member.memberId);
      });

      it("refuses a member id already enrolled, and writes nothing", async () => {
        // Prepare
        const { members } = make();
        const first = anEnrollment(newId("prg"));
        await members.enroll(first);
        const programId = first.member.programId;
        const sameId = anEnrollment(programId, { memberId: first.member.memberId });

        // Act
        const result = await members.enroll(sameId);

        // Assess
        expect(result).toEqual({ kind: "code_taken" });
        expect(await members.load(first.member.memberId)).toEqual(first.member);
        expect(await members.profile(first.member.memberId)).toEqual(first.profile);
        expect(await members.idByEmailHash(programId, sameId.emailHash)).toBeUndefined();
        expect(await members.idByCardCode(programId, sameId.member.cardCode)).toBeUndefined();
      });

      it("keeps emails and codes unique per program, not across programs", async () => {
        // Prepare
        const { members } = make();
        const first = anEnrollment(newId("prg"));
        await members.enroll(first);
        const elsewhere = anEnrollment(newId("prg"), {
          cardCode: first.member.cardCode,
          referralCode: first.member.referralCode,
        });

        // Act
        const result = await members.enroll({ ...elsewhere, emailHash: first.emailHash });

        // Assess
        expect(result).toEqual({ kind: "enrolled" });
        const { programId, memberId } = elsewhere.member;
        expect(await members.idByEmailHash(programId, first.emailHash)).toBe(memberId);
        expect(await members.idByCardCode(programId, first.member.cardCode)).toBe(memberId);
        expect(await members.idByCardCode(first.member.programId, first.member.cardCode)).toBe(
          first.member.memberId,
        );
      });

      it("hands out copies: changing what was read or written changes nothing stored", async () => {
        // Prepare
        const { members } = make();
        const enrollment = anEnrollment(newId("prg"));
        const { memberId, programId } = enrollment.member;
        await members.enroll(enrollment);
        const expected = structuredClone(enrollment.member);

        // Act
        enrollment.member.points = 999;
        enrollment.member.stamps.coffee = 3;
        const read = await members.get(programId, memberId);
        if (read) {
          read.points = 555;
          read.lots.push({ expiresOn: "2030-01-31", points: 5 });
        }

        // Assess
        expect(await members.get(programId, memberId)).toEqual(expected);
      });
    });

    describe("ledger", () => {
      it("gives the ledger oldest first and the history newest first", async () => {
        // Prepare
        const { members } = make();
        const { member, entries } = await withLedger(members, 3);

        // Act
        const ledger = await members.ledger(member.memberId);
        const history = await members.history(member.memberId, { limit: 10 });

        // Assess
        expect(ledger).toEqual(entries);
        expect(history).toEqual({ items: [...entries].reverse() });
      });

      it("pages the history newest first, each entry once", async () => {
        // Prepare
        const { members } = make();
        const { member, entries } = await withLedger(members, 5);

        // Act
        const { items, pages } = await allPages((page) => members.history(member.memberId, page), 2);
        const exact = await allPages((page) => members.history(member.memberId, page), 5);

        // Assess
        expect(items).toEqual([...entries].reverse());
        expect(pages).toBeGreaterThanOrEqual(3);
        expect(exact.items).toEqual([...entries].reverse());
      });

      it("reads the member, its profile and its newest entries at once, continued by history()", async () => {
        // Prepare
        const { members } = make();
        const { member, profile, entries } = await withLedger(members, 5);
        const newestFirst = [...entries].reverse();

        // Act
        const snapshot = await members.snapshot(member.programId, member.memberId, 2);
        const rest = await allPages(
          (page) =>
            members.history(member.memberId, {
              ...page,
              cursor: page.cursor ?? snapshot?.history.nextCursor,
            }),
          10,
        );
        const all = await members.snapshot(member.programId, member.memberId, 10);
        const none = await members.snapshot(member.programId, member.memberId, 0);

        // Assess
        expect(snapshot?.member).toEqual(member);
        expect(snapshot?.profile).toEqual(profile);
        expect(snapshot?.history.items).toEqual(newestFirst.slice(0, 2));
        expect(snapshot?.history.nextCursor).toBeDefined();
        expect(rest.items).toEqual(newestFirst.slice(2));
        expect(all?.history).toEqual({ items: newestFirst });
        expect(none).toEqual({ member, profile, history: { items: [] } });
      });

      it("refuses a history cursor of another member, or none at all", async () => {
        // Prepare
        const { members } = make();
        const mine = await withLedger(members, 1);
        const theirs = await withLedger(members, 3);
        const theirCursor = (await members.history(theirs.member.memberId, { limit: 1 })).nextCursor;

        // Act
        const list = (cursor: string) => members.history(mine.member.memberId, { limit: 5, cursor });

        // Assess
        expect(theirCursor).toBeDefined();
        for (const cursor of [...FORGED_CURSORS, theirCursor ?? ""]) await expectInvalidCursor(list(cursor));
      });
    });

    describe("spend", () => {
      it("adds up each day's spend and reads the days of a window, both ends included", async () => {
        // Prepare
        const { members } = make();
        const memberId = newId("mbr");
        const other = newId("mbr");
        const spend = (id: string, day: string, cents: number, purchases = 1) =>
          members.commit([{ kind: "spend", memberId: id, day, cents, purchases }], new Date());
        await spend(memberId, "2030-01-01", 500);
        await spend(memberId, "2030-01-01", 250);
        await spend(memberId, "2030-01-02", 1_000);
        await spend(memberId, "2030-01-02", -400, 0);
        await spend(memberId, "2030-01-03", 700);
        await spend(memberId, "2030-01-04", 900);
        await spend(other, "2030-01-02", 5_000);

        // Act
        const window = await members.spend(memberId, "2030-01-01", "2030-01-03");
        const one = await members.spend(memberId, "2030-01-02", "2030-01-02");

        // Assess
        expect(window).toEqual({ "2030-01-01": 750, "2030-01-02": 600, "2030-01-03": 700 });
        expect(one).toEqual({ "2030-01-02": 600 });
      });
    });

    describe("due work", () => {
      /** Member ids of one shard that are due at `now`, across all pages, keeping only `ours`. */
      const dueOf = async (members: MemberRepository, shard: string, now: Date, ours: Set<string>) => {
        const found: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await members.due(shard, now, cursor);
          found.push(...page.items);
          cursor = page.nextCursor;
          if (found.length > 100_000) throw new Error("the due cursors never end");
        } while (cursor !== undefined);
        return found.filter((id) => ours.has(id));
      };

      it("lists the active members of a shard whose dueAt has passed, earliest first", async () => {
        // Prepare
        const { members } = make();
        const programId = newId("prg");
        const now = wholeSecond(new Date("2030-06-01T12:00:00.000Z"));
        const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
        const enrol = async (overrides: Partial<Member>, shard = "q") => {
          const enrollment = anEnrollment(programId, { memberId: memberIdInShard(shard), ...overrides });
          await members.enroll(enrollment);
          return enrollment.member;
        };
        const late = await enrol({ dueAt: at(-5) });
        const early = await enrol({ dueAt: at(-60) });
        const exactlyNow = await enrol({ dueAt: at(0) });
        const future = await enrol({ dueAt: at(30) });
        const nothingDue = await enrol({});
        const erased = await enrol({ dueAt: at(-30), status: "erased" });
        const otherShard = await enrol({ dueAt: at(-30) }, "r");
        const ours = new Set(
          [late, early, exactlyNow, future, nothingDue, erased, otherShard].map((m) => m.memberId),
        );

        // Act
        const due = await dueOf(members, "q", now, ours);
        const later = await dueOf(members, "q", new Date(now.getTime() + 3_600_000), ours);

        // Assess
        expect(due).toEqual([early.memberId, late.memberId]);
        expect(later).toEqual([early.memberId, late.memberId, exactlyNow.memberId, future.memberId]);
        expect(await dueOf(members, "r", now, ours)).toEqual([otherShard.memberId]);
      });

      it("follows the member: a commit that moves or clears dueAt moves it in the due list", async () => {
        // Prepare
        const { members } = make();
        const now = new Date("2030-06-01T12:00:00.000Z");
        const enrollment = anEnrollment(newId("prg"), {
          memberId: memberIdInShard("z"),
          dueAt: "2030-05-01T00:00:00.000Z",
        });
        await members.enroll(enrollment);
        const { memberId } = enrollment.member;
        const ours = new Set([memberId]);
        const before = await dueOf(members, "z", now, ours);
        const { dueAt: _, ...settled } = { ...enrollment.member, version: 2 };

        // Act
        await members.commit([{ kind: "member", member: settled, expectedVersion: 1 }], now);
        const cleared = await dueOf(members, "z", now, ours);
        await members.commit(
          [
            {
              kind: "member",
              member: { ...settled, version: 3, dueAt: "2030-05-15T00:00:00.000Z" },
              expectedVersion: 2,
            },
          ],
          now,
        );
        const again = await dueOf(members, "z", now, ours);

        // Assess
        expect([before, cleared, again]).toEqual([[memberId], [], [memberId]]);
      });

      it("refuses a due cursor it did not issue", async () => {
        // Prepare
        const { members } = make();

        // Act
        const list = (cursor: string) => members.due("q", new Date(), cursor);

        // Assess
        for (const cursor of FORGED_CURSORS) await expectInvalidCursor(list(cursor));
      });
    });
  });
};
