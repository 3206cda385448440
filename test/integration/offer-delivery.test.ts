import { describe, expect, it } from "vitest";
import { dynamoRepositories } from "../../functions/adapters/dynamodb/repositories.js";
import { offerService } from "../../functions/app/offers.js";
import { processParts } from "../../functions/composition/process.js";
import { localDay, startOfDay } from "../../functions/domain/loyalty/calendar.js";
import type { Member } from "../../functions/domain/loyalty/member.js";
import type { OfferSettings } from "../../functions/domain/offers/assign.js";
import type { Offer } from "../../functions/domain/offers/offer.js";
import type { MemberRepository } from "../../functions/domain/ports.js";
import { hashKey } from "../../functions/shared/api-keys.js";
import { STALLED_DELIVERY_MS } from "../../functions/shared/keys.js";
import { eachInParallel } from "../../functions/shared/parallel.js";
import { anEnrollment, aProgram } from "../contract/fixtures.js";
import { seedMembers, useOfferDelivery } from "../support/offers.js";
import { testTable, useTestTable } from "../support/table.js";

/**
 * Offers sent for real on DynamoDB Local: created through the offer use cases, fanned out by the offer
 * worker reading the table's stream (test/support/offers.ts) batch by batch, each batch's write
 * handing over the next; crashes in the middle of a batch, deliveries that stall, scheduled offers
 * and withdrawals. The worker runs in this process on the handlers' own repositories
 * (processParts()), which a test may break for a moment to crash it.
 */

const table = useTestTable();
const worker = useOfferDelivery(table);

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

const repos = () => dynamoRepositories(testTable());
const serviceAt = (now: () => Date = () => new Date()) => offerService({ ...repos(), now });

/** What member `i` of a program is made of: how long ago it last bought (none: never), its wallets. */
interface Shape {
  boughtDaysAgo?: number;
  devices?: number;
  googleObject?: number;
}

/** A program of `count` members shaped by `shape(i)`, enrolled oldest first (written straight to the table). */
const programWithMembers = async (count: number, shape: (i: number) => Shape = () => ({})) => {
  const { programs } = repos();
  const program = aProgram();
  await programs.create(program, hashKey(`key-${program.programId}`));
  const enrollments = Array.from({ length: count }, (_, i) => {
    const { boughtDaysAgo, devices = 0, googleObject } = shape(i);
    return anEnrollment(program.programId, {
      enrolledAt: new Date(Date.UTC(2030, 0, 1, 0, 0, 0, i)).toISOString(),
      devices,
      ...(googleObject !== undefined ? { googleObject } : {}),
      ...(boughtDaysAgo !== undefined ? { purchases: 1, lastPurchaseAt: daysAgo(boughtDaysAgo) } : {}),
    });
  });
  await seedMembers(testTable(), enrollments);
  return { program, members: enrollments.map((e) => e.member) };
};

const pastries = (overrides: Partial<OfferSettings> = {}): OfferSettings => ({
  title: "Double points on pastries",
  description: "All week: every pastry earns twice the points.",
  target: { kind: "all" },
  bonusPoints: 20,
  ...overrides,
});

/** Each member as stored now, and how many times it holds the offer and was credited for it. */
const cardsOf = async (members: readonly Member[], offerId: string) => {
  const { members: repository } = repos();
  const programId = members[0]?.programId ?? "";
  const stored = new Map<string, Member>();
  let cursor: string | undefined;
  do {
    const page = await repository.listPage(programId, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const { member } of page.items) stored.set(member.memberId, member);
    cursor = page.nextCursor;
  } while (cursor);
  const cards: { memberId: string; holds: number; closed: boolean; credited: number; points?: number }[] = [];
  await eachInParallel(members, 16, async ({ memberId }) => {
    const member = stored.get(memberId);
    const entries = (await repository.ledger(memberId)).filter(
      (e) => e.type === "offer" && e.offerId === offerId,
    );
    cards.push({
      memberId,
      holds: (member?.offers ?? []).filter((o) => o.offerId === offerId).length,
      closed: (member?.closedOffers ?? []).includes(offerId),
      credited: entries.length,
      ...(member ? { points: member.points } : {}),
    });
  });
  return cards;
};

const storedOffer = async (offer: Pick<Offer, "programId" | "offerId">): Promise<Offer> => {
  const stored = await repos().offers.get(offer.programId, offer.offerId);
  if (!stored) throw new Error(`offer ${offer.offerId} is gone`);
  return stored;
};

/** A wallet a push reaches the card through. */
const hasWallet = (s: Shape) => (s.devices ?? 0) > 0 || s.googleObject !== undefined;

describe("sending an offer", () => {
  it("reaches exactly the members its target matches, once each, and counts its progress exactly", async () => {
    // Prepare: 250 members; every third bought in the last 60 days, others earlier or never
    const shape = (i: number): Shape => ({
      ...(i % 3 === 0 ? { boughtDaysAgo: i % 60 } : i % 3 === 1 ? { boughtDaysAgo: 61 + i } : {}),
      devices: i % 5 === 0 ? 1 : 0,
      ...(i % 7 === 0 ? { googleObject: 0 } : {}),
    });
    const { program, members } = await programWithMembers(250, shape);
    const recent = members.filter((_, i) => i % 3 === 0);
    const pushable = members.filter((_, i) => i % 3 === 0 && hasWallet(shape(i)));

    // Act
    const offer = await serviceAt().create(
      program.programId,
      pastries({ target: { kind: "purchasedWithinDays", days: 60 } }),
    );
    await worker.drained();

    // Assess
    const cards = await cardsOf(members, offer.offerId);
    const reached = new Set(recent.map((m) => m.memberId));
    for (const card of cards) {
      const expected = reached.has(card.memberId) ? 1 : 0;
      expect(card).toMatchObject({ holds: expected, credited: expected, points: 20 * expected });
    }
    expect(offer).toMatchObject({ audience: recent.length, delivery: { state: "sending", batches: 0 } });
    const sent = await storedOffer(offer);
    expect(sent.delivery).toMatchObject({
      state: "sent",
      batches: 3,
      scanned: 250,
      matched: recent.length,
      updated: recent.length,
      pushed: pushable.length,
      skipped: 0,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    expect(sent.delivery.cursor).toBeUndefined();
    expect(sent.version).toBe(4);
  }, 90_000);

  it("gives every member the offer exactly once when the worker crashes in the middle of a batch", async () => {
    // Prepare: the worker's member writes stop (a crash) after 30 members of this program
    const { program, members } = await programWithMembers(250, (i) => ({ devices: i % 2 }));
    const mine = new Set(members.map((m) => m.memberId));
    const workerMembers: MemberRepository = processParts().repositories.members;
    const commit = workerMembers.commit.bind(workerMembers);
    let written = 0;
    let crashed = false;
    workerMembers.commit = async (writes, now) => {
      const member = writes.find((w) => w.kind === "member");
      if (member?.kind === "member" && mine.has(member.member.memberId)) {
        if (crashed || written >= 30) {
          crashed = true;
          throw new Error("the worker crashed");
        }
        written++;
      }
      return commit(writes, now);
    };
    const failedBefore = worker.reports.reduce((n, r) => n + r.failed, 0);

    // Act: the crash, then the stream hands the batch over again to a worker that works
    let offer: Offer;
    try {
      offer = await serviceAt().create(program.programId, pastries());
      for (let i = 0; worker.reports.reduce((n, r) => n + r.failed, 0) === failedBefore; i++) {
        if (i > 400) throw new Error("the worker never crashed");
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      workerMembers.commit = commit;
    }
    const atCrash = await storedOffer(offer);
    await worker.drained();

    // Assess: the crashed batch left the offer as it was; then every member once, credited once
    expect(crashed).toBe(true);
    expect(atCrash.version).toBe(1);
    expect(atCrash.delivery).toMatchObject({ state: "sending", batches: 0, scanned: 0, updated: 0 });
    const cards = await cardsOf(members, offer.offerId);
    expect(cards.filter((c) => c.holds !== 1 || c.credited !== 1 || c.points !== 20)).toEqual([]);
    expect((await storedOffer(offer)).delivery).toMatchObject({
      state: "sent",
      batches: 3,
      scanned: 250,
      matched: 250,
      updated: 250,
      pushed: 125,
      skipped: 0,
    });
  }, 90_000);

  it("resumes a delivery whose stream record was lost once it has stalled for 15 minutes", async () => {
    // Prepare: with the worker stopped, the first batch crashes after 40 members, and nobody hands it over
    await worker.stop();
    const { program, members } = await programWithMembers(150);
    const offer = await serviceAt().create(program.programId, pastries());
    const { members: memberRepository } = repos();
    let written = 0;
    const crashing = offerService({
      ...repos(),
      members: {
        ...memberRepository,
        commit: async (writes, now) => {
          if (written++ >= 40) throw new Error("the worker crashed");
          return memberRepository.commit(writes, now);
        },
      },
    });
    await expect(crashing.runBatch(program.programId, offer.offerId, 1)).rejects.toThrow(/crashed/);
    const stalledAt = Date.parse((await storedOffer(offer)).delivery.updatedAt);

    // Act: the sweep, before and after the delivery stalled; then the worker is back
    const early = await serviceAt().resumeDue(new Date(stalledAt + STALLED_DELIVERY_MS - 1_000));
    const versionEarly = (await storedOffer(offer)).version;
    const late = await serviceAt().resumeDue(new Date(stalledAt + STALLED_DELIVERY_MS));
    const resumed = await storedOffer(offer);
    await worker.start();
    await worker.drained();

    // Assess
    expect(versionEarly).toBe(1);
    expect(late).toBeGreaterThanOrEqual(1);
    expect(early).toBeLessThan(late);
    expect(resumed).toMatchObject({ version: 2, delivery: { state: "sending", batches: 0 } });
    const cards = await cardsOf(members, offer.offerId);
    expect(cards.filter((c) => c.holds !== 1 || c.credited !== 1)).toEqual([]);
    expect((await storedOffer(offer)).delivery).toMatchObject({
      state: "sent",
      batches: 2,
      scanned: 150,
      matched: 150,
      updated: 150,
    });
  }, 90_000);

  it("starts a scheduled offer on its first day, when the sweep finds it due", async () => {
    // Prepare: created yesterday to start today (the program's day)
    const { program, members } = await programWithMembers(20);
    const now = new Date();
    const today = localDay(now, program.timeZone);
    const yesterday = new Date(startOfDay(today, program.timeZone).getTime() - 3_600_000);
    const offer = await serviceAt(() => yesterday).create(program.programId, pastries({ validFrom: today }));
    await worker.drained();
    const waiting = await storedOffer(offer);

    // Act
    await serviceAt().resumeDue(new Date(startOfDay(today, program.timeZone).getTime() - 1));
    const stillWaiting = await storedOffer(offer);
    await serviceAt().resumeDue(now);
    await worker.drained();

    // Assess
    expect(waiting.delivery).toMatchObject({ state: "scheduled", batches: 0 });
    expect(stillWaiting.version).toBe(1);
    expect((await cardsOf(members, offer.offerId)).filter((c) => c.holds !== 1)).toEqual([]);
    expect((await storedOffer(offer)).delivery).toMatchObject({ state: "sent", matched: 20, updated: 20 });
  }, 60_000);
});

describe("ending an offer", () => {
  it("withdraws it from every card it reached, leaves its points and counts the withdrawal", async () => {
    // Prepare: an offer sent to half of 120 members
    const { program, members } = await programWithMembers(120, (i) => ({
      ...(i % 2 === 0 ? { boughtDaysAgo: 3 } : {}),
      devices: i % 4 === 0 ? 1 : 0,
    }));
    const offer = await serviceAt().create(
      program.programId,
      pastries({ target: { kind: "purchasedWithinDays", days: 60 } }),
    );
    await worker.drained();

    // Act
    const ended = await serviceAt().end(program.programId, offer.offerId);
    const again = await serviceAt().end(program.programId, offer.offerId);
    await worker.drained();

    // Assess
    expect(ended).toMatchObject({
      status: "ended",
      version: 4,
      delivery: { state: "withdrawing", batches: 0 },
    });
    expect(again).toEqual(ended);
    const cards = await cardsOf(members, offer.offerId);
    expect(cards.filter((c) => c.holds !== 0)).toEqual([]);
    expect(cards.filter((c) => c.closed).length).toBe(60);
    expect(cards.filter((c) => c.points === 20).length).toBe(60);
    const withdrawn = await storedOffer(offer);
    expect(withdrawn).toMatchObject({ status: "ended", endedAt: ended.endedAt, audience: 60 });
    expect(withdrawn.delivery).toMatchObject({
      state: "withdrawn",
      batches: 2,
      scanned: 120,
      matched: 60,
      updated: 60,
      pushed: 30,
    });
    expect(await repos().offers.live(program.programId, localDay(new Date(), program.timeZone))).toEqual([]);
  }, 60_000);
});
