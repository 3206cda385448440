import { describe, expect, it } from "vitest";
import type { Offer } from "../../functions/domain/offers/offer.js";
import type { MemberRepository, OfferRepository } from "../../functions/domain/ports.js";
import { newId } from "../../functions/shared/ids.js";
import {
  aClaim,
  allPages,
  anEnrollment,
  expectInvalidCursor,
  FORGED_CURSORS,
  wholeSecond,
} from "./fixtures.js";

/**
 * OfferRepository, and the member listing the offer fan-out pages through (MemberRepository.listPage):
 * passed by the DynamoDB adapters (test/integration/offer-repository.test.ts) and by the in-memory ones
 * the use-case tests run on (test/unit/memory-offers.test.ts). Every test uses programs of its own;
 * `due` lists the whole table's, so a test looks only for its own among them.
 */

export interface OfferRepositories {
  offers: OfferRepository;
  members: MemberRepository;
}

const PARIS = "Europe/Paris";

/** An offer of `programId`, sending since its creation, as newOffer makes one (its audience counted). */
export const anOffer = (programId: string, overrides: Partial<Offer> = {}): Offer => ({
  offerId: newId("ofr"),
  programId,
  title: "Double points on pastries",
  description: "All week: every pastry earns twice the points.",
  validFrom: "2031-05-05",
  validTo: "2031-05-11",
  target: { kind: "purchasedWithinDays", days: 60 },
  bonusPoints: 20,
  status: "active",
  audience: 12,
  delivery: {
    state: "sending",
    batches: 0,
    scanned: 0,
    matched: 0,
    updated: 0,
    pushed: 0,
    skipped: 0,
    updatedAt: "2031-05-05T08:00:00.000Z",
  },
  version: 1,
  createdAt: "2031-05-05T08:00:00.000Z",
  ...overrides,
});

/** The offer after one batch: the next version, a cursor and counts. */
const afterABatch = (offer: Offer, updatedAt: string): Offer => ({
  ...offer,
  version: offer.version + 1,
  delivery: { ...offer.delivery, cursor: "c", batches: 1, scanned: 100, matched: 7, updated: 7, updatedAt },
});

const includes = (due: { programId: string; offerId: string }[], offer: Offer) =>
  due.some((d) => d.programId === offer.programId && d.offerId === offer.offerId);

export const offerRepositoryContract = (name: string, make: () => OfferRepositories): void => {
  describe(`OfferRepository (${name})`, () => {
    it("reads an offer back as it was stored, and only within its own program", async () => {
      // Prepare
      const { offers } = make();
      const offer = anOffer(newId("prg"), {
        storeIds: ["sto_a", "sto_b"],
        voucher: { title: "Gift", kind: "gift" },
      });

      // Act
      await offers.create(offer, PARIS);

      // Assess
      expect(await offers.get(offer.programId, offer.offerId)).toEqual(offer);
      expect(await offers.get(newId("prg"), offer.offerId)).toBeUndefined();
      expect(await offers.get(offer.programId, newId("ofr"))).toBeUndefined();
    });

    it("refuses a second offer under the same id", async () => {
      // Prepare
      const { offers } = make();
      const offer = anOffer(newId("prg"));
      await offers.create(offer, PARIS);

      // Act
      const second = offers.create({ ...offer, title: "Another" }, PARIS);

      // Assess
      await expect(second).rejects.toThrow(/conditional/i);
      expect((await offers.get(offer.programId, offer.offerId))?.title).toBe(offer.title);
    });

    it("creates an offer with its claim once: the same claim again writes nothing and answers the claim", async () => {
      // Prepare
      const { offers } = make();
      const now = wholeSecond();
      const first = anOffer(newId("prg"));
      const retry = { ...first, offerId: newId("ofr") };
      const record = aClaim(now, { offerId: first.offerId });
      const claim = { transactionId: newId("txn"), record };

      // Act
      const created = await offers.create(first, PARIS, claim, now);
      const replayed = await offers.create(retry, PARIS, claim, now);

      // Assess
      expect(created).toBeUndefined();
      expect(replayed).toEqual(record);
      expect(await offers.get(retry.programId, retry.offerId)).toBeUndefined();
      expect((await offers.list(first.programId, { limit: 10 })).items).toEqual([first]);
    });

    it("replaces an offer only at the version read, and never creates one", async () => {
      // Prepare
      const { offers } = make();
      const offer = anOffer(newId("prg"));
      await offers.create(offer, PARIS);
      const next = afterABatch(offer, "2031-05-05T08:01:00.000Z");

      // Act
      const replaced = await offers.replace(next, 1, PARIS);
      const stale = await offers.replace(
        { ...afterABatch(offer, "2031-05-05T08:02:00.000Z"), title: "Stale" },
        1,
        PARIS,
      );
      const absent = await offers.replace(anOffer(offer.programId, { version: 2 }), 1, PARIS);

      // Assess
      expect([replaced, stale, absent]).toEqual([true, false, false]);
      expect(await offers.get(offer.programId, offer.offerId)).toEqual(next);
      expect((await offers.list(offer.programId, { limit: 10 })).items).toEqual([next]);
    });

    it("lists a program's offers newest first, a page at a time, and no other program's", async () => {
      // Prepare
      const { offers } = make();
      const programId = newId("prg");
      const made = [3, 1, 4, 2, 5].map((day) =>
        anOffer(programId, { createdAt: `2031-05-0${day}T10:00:00.000Z`, title: `Day ${day}` }),
      );
      for (const offer of made) await offers.create(offer, PARIS);
      await offers.create(anOffer(newId("prg")), PARIS);

      // Act
      const { items, pages } = await allPages((page) => offers.list(programId, page), 2);

      // Assess
      expect(items.map((o) => o.title)).toEqual(["Day 5", "Day 4", "Day 3", "Day 2", "Day 1"]);
      expect(pages).toBe(3);
      expect((await offers.list(newId("prg"), { limit: 10 })).items).toEqual([]);
    });

    it("refuses cursors it did not issue, and another program's", async () => {
      // Prepare
      const { offers } = make();
      const programId = newId("prg");
      for (const day of [1, 2])
        await offers.create(anOffer(programId, { createdAt: `2031-05-0${day}T10:00:00.000Z` }), PARIS);
      const { nextCursor } = await offers.list(programId, { limit: 1 });

      // Act + Assess
      expect(nextCursor).toEqual(expect.any(String));
      for (const cursor of FORGED_CURSORS)
        await expectInvalidCursor(offers.list(programId, { limit: 5, cursor }));
    });

    it("lists the offers live on a day: active, started and not past their last day", async () => {
      // Prepare
      const { offers } = make();
      const programId = newId("prg");
      const running = anOffer(programId);
      const sent = anOffer(programId, { delivery: { ...anOffer(programId).delivery, state: "sent" } });
      const later = anOffer(programId, { validFrom: "2031-05-09", validTo: "2031-05-20" });
      const scheduled = anOffer(programId, {
        delivery: { ...anOffer(programId).delivery, state: "scheduled" },
      });
      const over = anOffer(programId, { validFrom: "2031-04-01", validTo: "2031-05-06" });
      const ended = anOffer(programId, {
        status: "ended",
        endedAt: "2031-05-06T09:00:00.000Z",
        delivery: { ...anOffer(programId).delivery, state: "withdrawn" },
      });
      for (const offer of [running, sent, later, scheduled, over, ended]) await offers.create(offer, PARIS);
      await offers.create(anOffer(newId("prg")), PARIS);

      // Act
      const live = await offers.live(programId, "2031-05-07");

      // Assess
      const ids = (list: Offer[]) => list.map((o) => o.offerId).sort();
      expect(ids(live)).toEqual(ids([running, sent]));
      expect(live.find((o) => o.offerId === running.offerId)).toEqual(running);
    });

    it("sees at once the changes made through it in the live offers", async () => {
      // Prepare
      const { offers } = make();
      const programId = newId("prg");
      const first = anOffer(programId);
      await offers.create(first, PARIS);
      const before = await offers.live(programId, "2031-05-07");
      const second = anOffer(programId);

      // Act
      await offers.create(second, PARIS);
      const added = await offers.live(programId, "2031-05-07");
      await offers.replace(
        { ...first, status: "ended", version: 2, delivery: { ...first.delivery, state: "withdrawing" } },
        1,
        PARIS,
      );
      const afterEnd = await offers.live(programId, "2031-05-07");

      // Assess
      expect(before.map((o) => o.offerId)).toEqual([first.offerId]);
      expect(added.map((o) => o.offerId).sort()).toEqual([first.offerId, second.offerId].sort());
      expect(afterEnd.map((o) => o.offerId)).toEqual([second.offerId]);
    });

    it("lists a scheduled offer due once its first day starts in the program's time zone", async () => {
      // Prepare: 9 May starts at 2031-05-08T22:00Z in Paris (summer time)
      const { offers } = make();
      const scheduled = anOffer(newId("prg"), {
        validFrom: "2031-05-09",
        delivery: { ...anOffer("p").delivery, state: "scheduled" },
      });
      await offers.create(scheduled, PARIS);

      // Act
      const before = await offers.due(new Date("2031-05-08T21:59:59.999Z"));
      const at = await offers.due(new Date("2031-05-08T22:00:00.000Z"));

      // Assess
      expect(includes(before, scheduled)).toBe(false);
      expect(includes(at, scheduled)).toBe(true);
    });

    it("lists a delivery due once it has not moved for 15 minutes, and a finished one never", async () => {
      // Prepare
      const { offers } = make();
      const moving = anOffer(newId("prg"));
      const withdrawing = anOffer(newId("prg"), {
        status: "ended",
        delivery: { ...anOffer("p").delivery, state: "withdrawing" },
      });
      const sent = anOffer(newId("prg"), { delivery: { ...anOffer("p").delivery, state: "sent" } });
      for (const offer of [moving, withdrawing, sent]) await offers.create(offer, PARIS);
      const moved = afterABatch(moving, "2031-05-05T08:10:00.000Z");
      await offers.replace(moved, 1, PARIS);

      // Act
      const at = (time: string) => offers.due(new Date(`2031-05-05T${time}Z`));
      const [early, stalledWithdrawal, stalledSend] = [
        await at("08:14:59.999"),
        await at("08:15:00.000"),
        await at("08:25:00.000"),
      ];

      // Assess: due 15 minutes after its last write (08:10 for the one a batch moved)
      expect([includes(early, moving), includes(early, withdrawing)]).toEqual([false, false]);
      expect([includes(stalledWithdrawal, moving), includes(stalledWithdrawal, withdrawing)]).toEqual([
        false,
        true,
      ]);
      expect(includes(stalledSend, moving)).toBe(true);
      expect(includes(await at("23:00:00.000"), sent)).toBe(false);
    });
  });

  describe(`MemberRepository.listPage (${name})`, () => {
    /** `count` members of a new program, enrolled a second apart (oldest first). */
    const enrolled = async (members: MemberRepository, count: number) => {
      const programId = newId("prg");
      const enrollments = Array.from({ length: count }, (_, i) =>
        anEnrollment(programId, { enrolledAt: new Date(Date.UTC(2031, 4, 5, 8, 0, i)).toISOString() }),
      );
      for (const enrollment of enrollments) {
        enrollment.profile.birthDate = "1990-07-14";
        await members.enroll(enrollment);
      }
      return { programId, enrollments };
    };

    it("pages through a program's members with their profiles, oldest enrolment first, and only that program's", async () => {
      // Prepare
      const { members } = make();
      const { programId, enrollments } = await enrolled(members, 7);
      await enrolled(members, 2);

      // Act
      const { items, pages } = await allPages((page) => members.listPage(programId, page), 3);

      // Assess
      expect(pages).toBe(3);
      expect(items).toEqual(enrollments.map(({ member, profile }) => ({ member, profile })));
    });

    it("gives each member as it is now, after a change", async () => {
      // Prepare
      const { members } = make();
      const { programId, enrollments } = await enrolled(members, 2);
      const first = enrollments[0]?.member;
      if (!first) throw new Error("no member");
      const changed = { ...first, points: 40, version: 2 };
      await members.commit([{ kind: "member", member: changed, expectedVersion: 1 }], new Date());

      // Act
      const page = await members.listPage(programId, { limit: 10 });

      // Assess
      expect(page.items.map((i) => i.member)).toEqual([changed, enrollments[1]?.member]);
    });

    it("lists nothing for a program without members, and refuses cursors it did not issue", async () => {
      // Prepare
      const { members } = make();
      const { programId } = await enrolled(members, 2);
      const other = await enrolled(members, 2);
      const { nextCursor: othersCursor } = await members.listPage(other.programId, { limit: 1 });

      // Act + Assess
      expect(await members.listPage(newId("prg"), { limit: 10 })).toEqual({ items: [] });
      await expectInvalidCursor(members.listPage(programId, { limit: 5, cursor: othersCursor }));
      for (const cursor of FORGED_CURSORS)
        await expectInvalidCursor(members.listPage(programId, { limit: 5, cursor }));
    });
  });
};
