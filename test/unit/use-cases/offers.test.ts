import { describe, expect, it } from "vitest";
import { offerService } from "../../../functions/app/offers.js";
import type { Member, MemberProfile } from "../../../functions/domain/loyalty/member.js";
import type { OfferSettings } from "../../../functions/domain/offers/assign.js";
import type { MemberRepository } from "../../../functions/domain/ports.js";
import { hashKey } from "../../../functions/shared/api-keys.js";
import { STALLED_DELIVERY_MS } from "../../../functions/shared/keys.js";
import { anEnrollment, aProgram, aStore } from "../../contract/fixtures.js";
import { memoryRepositories } from "../../support/memory-repositories.js";

/**
 * The offer use cases (app/offers.ts) over the in-memory repositories, on a fixed clock: what they
 * refuse, how a batch counts, and the races of a delivery with the merchant and with itself. The
 * delivery on DynamoDB, through the stream, is test/integration/offer-delivery.test.ts.
 */

const NOW = new Date("2031-05-07T10:00:00.000Z");

const pastries = (overrides: Partial<OfferSettings> = {}): OfferSettings => ({
  title: "Double points on pastries",
  description: "All week: every pastry earns twice the points.",
  target: { kind: "all" },
  ...overrides,
});

/** A program (UTC) with `count` members enrolled, and the offer use cases over it at `now`. */
const shopWith = async (
  count: number,
  overrides: (i: number) => Partial<Member> = () => ({}),
  profiles: (i: number) => Partial<MemberProfile> = () => ({}),
) => {
  const repositories = memoryRepositories();
  const program = aProgram(NOW);
  await repositories.programs.create(program, hashKey("k"));
  const enrollments = Array.from({ length: count }, (_, i) =>
    anEnrollment(program.programId, {
      enrolledAt: new Date(NOW.getTime() - (count - i) * 1000).toISOString(),
      ...overrides(i),
    }),
  );
  for (const [i, enrollment] of enrollments.entries()) {
    Object.assign(enrollment.profile, profiles(i));
    await repositories.members.enroll(enrollment);
  }
  let now = NOW;
  const service = offerService({ ...repositories, now: () => now });
  return {
    ...repositories,
    service,
    programId: program.programId,
    enrollments,
    setNow: (at: Date) => {
      now = at;
    },
  };
};

/** Runs the offer's batches one after the other until its delivery is over. */
const deliver = async (shop: Awaited<ReturnType<typeof shopWith>>, offerId: string) => {
  for (let i = 0; i < 100; i++) {
    const offer = await shop.offers.get(shop.programId, offerId);
    if (!offer || !["sending", "withdrawing"].includes(offer.delivery.state)) return offer;
    await shop.service.runBatch(shop.programId, offerId, offer.version);
  }
  throw new Error("the delivery never ended");
};

describe("counting an offer's audience", () => {
  it("counts the active members the target matches, the birth month taken from the profile", async () => {
    // Prepare: 5 members, 3 born in May (one of them erased); no member item carries a birth month
    const birthDates = ["1990-05-02", "1985-11-30", "1999-05-20", "2001-01-01", "1990-05-03"];
    const shop = await shopWith(
      5,
      (i) => (i === 4 ? { status: "erased" } : {}),
      (i) => ({ birthDate: birthDates[i] }),
    );

    // Act
    const birthdays = await shop.service.audience(shop.programId, { kind: "birthdayMonth" });
    const everyone = await shop.service.audience(shop.programId, { kind: "all" });

    // Assess
    expect(birthdays).toEqual({ matched: 2, scanned: 5 });
    expect(everyone).toEqual({ matched: 4, scanned: 5 });
  });

  it("refuses a tier or a store the program does not have, and a program that does not exist", async () => {
    // Prepare
    const shop = await shopWith(1);
    const store = aStore(shop.programId);
    await shop.stores.create(store, hashKey("s"));

    // Act + Assess
    await expect(shop.service.audience(shop.programId, { kind: "tier", tier: "gold" })).rejects.toMatchObject(
      {
        code: "unknown_tier",
      },
    );
    await expect(
      shop.service.audience(shop.programId, { kind: "all" }, [store.storeId, "sto_0000000000000000"]),
    ).rejects.toMatchObject({ code: "unknown_store", details: { storeIds: ["sto_0000000000000000"] } });
    await expect(shop.service.audience("prg_0000000000000000", { kind: "all" })).rejects.toMatchObject({
      code: "program_not_found",
    });
    expect(await shop.service.audience(shop.programId, { kind: "all" }, [store.storeId])).toEqual({
      matched: 1,
      scanned: 1,
    });
  });
});

describe("creating an offer", () => {
  it("refuses dates, tiers and stores before counting anyone, and writes nothing", async () => {
    // Prepare
    const shop = await shopWith(2);
    let listed = 0;
    const counting: MemberRepository = {
      ...shop.members,
      listPage: (programId, page) => {
        listed++;
        return shop.members.listPage(programId, page);
      },
    };
    const service = offerService({ ...shop, members: counting, now: () => NOW });

    // Act
    const refusals = await Promise.all(
      [
        pastries({ validFrom: "2031-05-10", validTo: "2031-05-09" }),
        pastries({ target: { kind: "tier", tier: "gold" } }),
        pastries({ storeIds: ["sto_0000000000000000"] }),
      ].map((settings) =>
        service.create(shop.programId, settings).catch((error: { code: string }) => error.code),
      ),
    );

    // Assess
    expect(refusals).toEqual(["offer_dates_invalid", "unknown_tier", "unknown_store"]);
    expect(listed).toBe(0);
    expect((await shop.offers.list(shop.programId, { limit: 10 })).items).toEqual([]);
  });

  it("counts its audience and sends it at once when it runs today, and waits when it starts later", async () => {
    // Prepare
    const shop = await shopWith(3);

    // Act
    const today = await shop.service.create(shop.programId, pastries());
    const later = await shop.service.create(shop.programId, pastries({ validFrom: "2031-05-09" }));

    // Assess
    expect(today).toMatchObject({ audience: 3, validFrom: "2031-05-07", validTo: "2031-06-05", version: 1 });
    expect(today.delivery).toEqual({
      state: "sending",
      batches: 0,
      scanned: 0,
      matched: 0,
      updated: 0,
      pushed: 0,
      skipped: 0,
      updatedAt: NOW.toISOString(),
    });
    expect(later.delivery.state).toBe("scheduled");
    expect(await shop.offers.get(shop.programId, today.offerId)).toEqual(today);
  });
});

describe("a delivery batch", () => {
  it("does nothing for a version the offer has left, nor for a delivery that is over", async () => {
    // Prepare
    const shop = await shopWith(3);
    const offer = await shop.service.create(shop.programId, pastries());
    const sent = await deliver(shop, offer.offerId);

    // Act
    const old = await shop.service.runBatch(shop.programId, offer.offerId, 1);
    const over = await shop.service.runBatch(shop.programId, offer.offerId, sent?.version ?? 0);
    const absent = await shop.service.runBatch(shop.programId, "ofr_0000000000000000", 1);

    // Assess
    expect([old.outcome, over.outcome, absent.outcome]).toEqual(["stale", "idle", "stale"]);
    expect(await shop.offers.get(shop.programId, offer.offerId)).toEqual(sent);
  });

  it("counts a member with no room for one more offer as skipped, and gives it nothing", async () => {
    // Prepare: room for one offer each, taken by a first offer
    const shop = await shopWith(2);
    const program = await shop.programs.get(shop.programId);
    if (!program) throw new Error("no program");
    await shop.programs.replace(
      { ...program, rules: { ...program.rules, offers: { maxActivePerMember: 1 } } },
      1,
    );
    const first = await shop.service.create(shop.programId, pastries({ title: "First" }));
    await deliver(shop, first.offerId);
    const second = await shop.service.create(shop.programId, pastries({ title: "Second" }));

    // Act
    const delivered = await deliver(shop, second.offerId);

    // Assess
    expect(delivered?.delivery).toMatchObject({
      state: "sent",
      scanned: 2,
      matched: 2,
      updated: 0,
      skipped: 2,
    });
    for (const { member } of shop.enrollments) {
      const stored = await shop.members.get(shop.programId, member.memberId);
      expect(stored?.offers?.map((o) => o.title)).toEqual(["First"]);
    }
  });

  it("takes the offer back from the members it gave it to when the merchant ends it meanwhile", async () => {
    // Prepare: the merchant ends the offer while the batch is writing its third member
    const shop = await shopWith(5);
    let commits = 0;
    let ending: Promise<unknown> | undefined;
    const racing: MemberRepository = {
      ...shop.members,
      commit: async (writes, now) => {
        if (++commits === 3) ending = service.end(shop.programId, offerId);
        await ending;
        return shop.members.commit(writes, now);
      },
    };
    const service = offerService({ ...shop, members: racing, now: () => NOW, serialise: false });
    const { offerId } = await service.create(shop.programId, pastries());

    // Act
    const batch = await service.runBatch(shop.programId, offerId, 1);
    const heldAfterBatch = await Promise.all(
      shop.enrollments.map(
        async ({ member }) => (await shop.members.get(shop.programId, member.memberId))?.offers ?? [],
      ),
    );
    const ended = await deliver({ ...shop, service }, offerId);

    // Assess: the batch took back what it gave, whether or not the withdrawal had passed those members
    expect(batch.outcome).toBe("stale");
    expect(heldAfterBatch.flat()).toEqual([]);
    expect(ended).toMatchObject({ status: "ended", delivery: { state: "withdrawn" } });
    for (const { member } of shop.enrollments) {
      const stored = await shop.members.get(shop.programId, member.memberId);
      expect(stored?.offers ?? []).toEqual([]);
    }
  });
});

describe("ending an offer", () => {
  it("ends it once: an ended offer is answered as it is", async () => {
    // Prepare
    const shop = await shopWith(2);
    const offer = await shop.service.create(shop.programId, pastries());
    await deliver(shop, offer.offerId);

    // Act
    const ended = await shop.service.end(shop.programId, offer.offerId);
    shop.setNow(new Date(NOW.getTime() + 60_000));
    const again = await shop.service.end(shop.programId, offer.offerId);

    // Assess
    expect(ended).toMatchObject({
      status: "ended",
      endedAt: NOW.toISOString(),
      version: 3,
      delivery: {
        state: "withdrawing",
        batches: 0,
        scanned: 0,
        matched: 0,
        updated: 0,
        startedAt: NOW.toISOString(),
      },
    });
    expect(ended.delivery.cursor).toBeUndefined();
    expect(again).toEqual(ended);
    await expect(shop.service.end(shop.programId, "ofr_0000000000000000")).rejects.toMatchObject({
      code: "offer_not_found",
    });
  });
});

describe("the sweep's part", () => {
  it("starts a scheduled offer on its first day and hands a stalled delivery over again, from where it stopped", async () => {
    // Prepare: a scheduled offer, and a delivery stopped after its first batch of 100
    const shop = await shopWith(150);
    const scheduled = await shop.service.create(shop.programId, pastries({ validFrom: "2031-05-08" }));
    const stalled = await shop.service.create(shop.programId, pastries({ title: "Stalled" }));
    await shop.service.runBatch(shop.programId, stalled.offerId, 1);
    const afterOne = await shop.offers.get(shop.programId, stalled.offerId);

    // Act
    const early = await shop.service.resumeDue(new Date(NOW.getTime() + STALLED_DELIVERY_MS - 1));
    const stalledAt = new Date(NOW.getTime() + STALLED_DELIVERY_MS);
    const late = await shop.service.resumeDue(stalledAt);
    const handedOver = await shop.offers.get(shop.programId, stalled.offerId);
    const firstDay = await shop.service.resumeDue(new Date("2031-05-08T00:00:00.000Z"));

    // Assess: the next day, the stalled delivery (nobody ran it) is handed over once more
    expect([early, late, firstDay]).toEqual([0, 1, 2]);
    expect(handedOver).toEqual({
      ...afterOne,
      version: 3,
      delivery: { ...afterOne?.delivery, updatedAt: stalledAt.toISOString() },
    });
    expect((await shop.offers.get(shop.programId, scheduled.offerId))?.delivery).toMatchObject({
      state: "sending",
      updatedAt: "2031-05-08T00:00:00.000Z",
    });
    expect((await deliver(shop, stalled.offerId))?.delivery).toMatchObject({
      state: "sent",
      batches: 2,
      matched: 150,
    });
  });
});
