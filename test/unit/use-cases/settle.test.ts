import { describe, expect, it, vi } from "vitest";
import { DUE_SHARDS } from "../../../functions/adapters/dynamodb/table.js";
import { runSweep } from "../../../functions/app/sweep.js";
import type { Program } from "../../../functions/domain/program.js";
import { memoryShop } from "../../support/memory-shop.js";

/**
 * Settling a member (expired points and vouchers, tier review) and the scheduled sweep over memory.
 * The rules: points expire 1 month after the month they were earned; stamp vouchers last 10 days; a
 * tier out of reach (so that the spend window is read, and kept, as in a program with tiers).
 */
const rules = {
  expiry: { months: 1 },
  tiers: { levels: [{ tierId: "gold", name: "Gold", entrySpendCents: 1_000_000 }] },
  stamps: { cards: [{ category: "coffee", stampsRequired: 2, rewardTitle: "Coffee", voucherValidDays: 10 }] },
};

/** A member with 10 points of March (valid to 30 April) and 7 of April, with a voucher to 25 April. */
const withPointsOfTwoMonths = async () => {
  const shop = await memoryShop({ rules });
  const member = await shop.member();
  await shop.buy(member.memberId, 1000);
  shop.clock.set("2026-04-15T10:00:00Z");
  await shop.buy(member.memberId, 700, { coffees: 2 });
  shop.clock.set("2026-05-01T08:00:00Z"); // 10:00 on 1 May in Paris
  return { shop, member };
};

describe("settling a member", () => {
  it("keeps no window spend in a program without tiers, so a purchase leaves nothing to settle", async () => {
    // Prepare
    const shop = await memoryShop({ rules: { tiers: { levels: [] } } });
    const member = await shop.member();
    await shop.buy(member.memberId, 1000);
    await shop.buy(member.memberId, 700);

    // Act
    const settled = await shop.service.settle(member.memberId);

    // Assess
    expect(settled).toBe(false);
    const after = await shop.stored(member.memberId);
    expect([after.windowSpendCents, after.tierId]).toEqual([0, null]);
  });

  it("expires points FIFO and stale vouchers once, then finds nothing due", async () => {
    // Prepare
    const { shop, member } = await withPointsOfTwoMonths();

    // Act
    const first = await shop.service.settle(member.memberId);
    const second = await shop.service.settle(member.memberId);

    // Assess
    expect([first, second]).toEqual([true, false]);
    const after = await shop.stored(member.memberId);
    expect(after.points).toBe(7);
    expect(after.lots).toEqual([{ expiresOn: "2026-05-31", points: 7 }]);
    expect(after.vouchers).toEqual([]);
    expect(after.closedVouchers.map((v) => [v.status, v.at])).toEqual([
      ["expired", "2026-05-01T08:00:00.000Z"],
    ]);
    expect(after.dueAt).toBe("2026-05-31T22:00:00.000Z");
    const expired = (await shop.ledger(member.memberId)).filter((e) => e.type === "expire");
    expect(expired.map((e) => [e.points, e.lots])).toEqual([[-10, { "2026-04-30": -10 }]]);
  });

  it("writes nothing for a member with nothing due, nor for one that does not exist", async () => {
    // Prepare
    const shop = await memoryShop({ rules });
    const member = await shop.member();
    await shop.buy(member.memberId, 1000);
    const committed = shop.committed();

    // Act
    const settled = [
      await shop.service.settle(member.memberId),
      await shop.service.settle("mbr_0000000000000000"),
    ];

    // Assess
    expect(settled).toEqual([false, false]);
    expect(shop.commits).toHaveLength(committed);
  });

  it("goes through the member writer: a member changed meanwhile is read and settled again, keeping the change", async () => {
    // Prepare: a device registers for the pass between the settle's read and its commit
    const { shop, member } = await withPointsOfTwoMonths();
    const sent = shop.commits.length;
    shop.beforeCommit(async (n) => {
      if (n !== sent) return;
      await shop.repos.registrations.register(
        {
          deviceLibraryIdentifier: "device-1",
          passTypeId: "pass.test",
          memberId: member.memberId,
          programId: shop.program.programId,
          pushToken: "token-1",
        },
        shop.clock.now(),
        true,
      );
    });
    const before = await shop.stored(member.memberId);

    // Act
    const settled = await shop.service.settle(member.memberId);

    // Assess
    expect(settled).toBe(true);
    expect(shop.commits.slice(sent).map((c) => c.result.kind)).toEqual(["changed", "committed"]);
    const after = await shop.stored(member.memberId);
    expect(after).toMatchObject({ points: 7, devices: 1, version: before.version + 2 });
  });

  it("finds nothing left to do when a purchase meanwhile applied the expiry itself", async () => {
    // Prepare: the purchase (elsewhere) expires the March points as it starts
    const { shop, member } = await withPointsOfTwoMonths();
    const sent = shop.commits.length;
    shop.beforeCommit(async (n) => {
      if (n !== sent) return;
      const body = {
        member: member.memberId,
        amountCents: 300,
        currency: "EUR",
        channel: "in_store" as const,
        items: [],
        paidWithMemberCard: false,
      };
      await shop.elsewhere.purchase(shop.caller, body, shop.claim("recordPurchase", body));
    });

    // Act
    const settled = await shop.service.settle(member.memberId);

    // Assess: the expiry is written once, by the purchase
    expect(settled).toBe(false);
    expect((await shop.stored(member.memberId)).points).toBe(10);
    expect(
      (await shop.ledger(member.memberId)).filter((e) => e.type === "expire").map((e) => e.points),
    ).toEqual([-10]);
  });

  it("reads each program once for all the members of one sweep", async () => {
    // Prepare
    const { shop, member } = await withPointsOfTwoMonths();
    const other = await shop.member();
    const recent = vi.spyOn(shop.repos.programs, "recent");
    const programs = new Map<string, Program | undefined>();

    // Act
    await shop.service.settle(member.memberId, programs);
    await shop.service.settle(other.memberId, programs);

    // Assess
    expect(recent).toHaveBeenCalledTimes(1);
    expect([...programs.keys()]).toEqual([shop.program.programId]);
  });
});

describe("the scheduled sweep", () => {
  it("settles every member due, once, and leaves the others alone", async () => {
    // Prepare
    const { shop, member } = await withPointsOfTwoMonths();
    const idle = await shop.member();
    const idleBefore = await shop.stored(idle.memberId);

    // Act
    const first = await runSweep(shop.service, shop.repos.members, DUE_SHARDS, shop.clock.now);
    const second = await runSweep(shop.service, shop.repos.members, DUE_SHARDS, shop.clock.now);

    // Assess
    expect(first).toMatchObject({ due: 1, settled: 1, failed: 0 });
    expect(second).toMatchObject({ due: 0, settled: 0, failed: 0 });
    expect((await shop.stored(member.memberId)).points).toBe(7);
    expect(await shop.stored(idle.memberId)).toEqual(idleBefore);
  });

  it("counts the members it could not settle and hands their errors over, settling the rest", async () => {
    // Prepare: two members due; settling one of them fails
    const shop = await memoryShop({ rules });
    const [member, second] = [await shop.member(), await shop.member()];
    await shop.buy(member.memberId, 1000);
    await shop.buy(second.memberId, 500);
    shop.clock.set("2026-05-01T08:00:00Z");
    const failing = {
      settle: (memberId: string, programs?: Map<string, Program | undefined>) =>
        memberId === member.memberId
          ? Promise.reject(new Error("boom"))
          : shop.service.settle(memberId, programs),
    };
    const reported: unknown[][] = [];

    // Act
    const report = await runSweep(failing, shop.repos.members, DUE_SHARDS, shop.clock.now, 2, (errors) =>
      reported.push(errors),
    );

    // Assess
    expect(report).toMatchObject({ due: 2, settled: 1, failed: 1 });
    expect(reported).toEqual([[new Error("boom")]]);
    expect((await shop.stored(second.memberId)).points).toBe(0);
  });
});
