import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Accrual } from "../../../functions/app/loyalty/index.js";
import { claimFor } from "../../../functions/app/writes.js";
import { keyMatches, keyOwner } from "../../../functions/shared/api-keys.js";
import { richRules } from "../../support/loyalty.js";
import { type MemoryShop, memoryShop, NOW, rejection } from "../../support/memory-shop.js";

/** Partner merchants and their accruals over memory; richRules caps partners at 100 points a day. */

/** A partner of the shop's program, and its accruals as the partner API's handler sends them. */
const partnerOf = async (shop: MemoryShop, pointsPerEuro = 1) => {
  const partner = await shop.service.createPartner(shop.program.programId, { name: "Cinema", pointsPerEuro });
  const caller = { partnerId: partner.partnerId, programId: shop.program.programId };
  const accrue = (body: Accrual, key: string = randomUUID()) =>
    shop.service.accrue(
      caller,
      body,
      claimFor(
        { kind: "partner", partnerId: partner.partnerId },
        { operationId: "recordAccrual", params: { partnerId: partner.partnerId }, body, idempotencyKey: key },
      ),
    );
  return { partner, caller, accrue };
};

describe("adding a partner", () => {
  it("stores the partner with the hash of a key shown once", async () => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const created = await shop.service.createPartner(shop.program.programId, {
      name: "Cinema",
      pointsPerEuro: 2,
    });

    // Assess
    const { apiKey, ...partner } = created;
    expect(partner).toEqual({
      partnerId: expect.stringMatching(/^prt_[0-9a-z]{16}$/),
      programId: shop.program.programId,
      name: "Cinema",
      pointsPerEuro: 2,
      status: "active",
      apiKeyPrefix: apiKey.slice(0, `pk.${created.partnerId}.`.length + 4), // and 4 characters of the secret
      createdAt: NOW,
    });
    expect(keyOwner("pk", apiKey)).toBe(created.partnerId);
    expect(await shop.repos.partners.get(shop.program.programId, created.partnerId)).toEqual(partner);
    const record = await shop.repos.partners.keyRecord(created.partnerId);
    expect(keyMatches(apiKey, record?.key.hash ?? "")).toBe(true);
  });

  it("refuses a partner of a program that does not exist", async () => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const refused = await rejection(() =>
      shop.service.createPartner("prg_0000000000000000", { name: "Cinema", pointsPerEuro: 1 }),
    );

    // Assess
    expect(refused).toEqual({ kind: "not_found", code: "program_not_found" });
  });
});

describe("a partner accrual", () => {
  it("credits points up to the program's daily cap, and says how many are left today", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const { partner, accrue } = await partnerOf(shop);

    // Act
    const first = await accrue({ member: member.cardCode, points: 80, reference: "ticket-1" });
    const over = accrue({ member: member.cardCode, points: 30, reference: "ticket-2" });
    await expect(over).rejects.toMatchObject({
      kind: "validation",
      code: "daily_cap_exceeded",
      details: { cap: 100, remainingToday: 20 },
    });
    const byAmount = await accrue({ member: member.cardCode, amountCents: 2099, reference: "ticket-3" });

    // Assess
    expect(first).toEqual({
      accrualId: expect.stringMatching(/^txn_/),
      reference: "ticket-1",
      pointsCredited: 80,
      member: { memberId: member.memberId, points: 80, stamps: {}, tier: null },
    });
    expect(byAmount.pointsCredited).toBe(20);
    expect(byAmount.member.points).toBe(100);
    expect(
      (await shop.ledger(member.memberId)).map((e) => [e.type, e.points, e.partnerId, e.reference]),
    ).toEqual([
      ["partner", 80, partner.partnerId, "ticket-1"],
      ["partner", 20, partner.partnerId, "ticket-3"],
    ]);
    expect((await shop.stored(member.memberId)).partnerDay).toEqual({ day: "2026-03-10", points: 100 });
  });

  it("counts the cap per day of the program's time zone: after midnight in Paris the cap is whole again", async () => {
    // Prepare: 23:30 UTC on 10 March is 00:30 on 11 March in Paris
    const shop = await memoryShop();
    const member = await shop.member();
    const { accrue } = await partnerOf(shop);
    await accrue({ member: member.memberId, points: 100, reference: "day-1" });

    // Act
    shop.clock.set("2026-03-10T23:30:00Z");
    const nextDay = await accrue({ member: member.memberId, points: 100, reference: "day-2" });

    // Assess
    expect(nextDay.member.points).toBe(200);
  });

  it("converts an amount at the partner's own rate, rounding down", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const { accrue } = await partnerOf(shop, 2.5);

    // Act
    const credited = await accrue({ member: member.memberId, amountCents: 1099, reference: "order-1" });

    // Assess: 10.99 € × 2.5 = 27.475
    expect(credited.pointsCredited).toBe(27);
  });

  it("answers a retry with the same key and body with the identical answer, crediting once", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const { accrue } = await partnerOf(shop);
    const key = randomUUID();
    const body = { member: member.memberId, points: 40, reference: "ticket-1" };
    const first = await accrue(body, key);

    // Act
    const again = await accrue({ ...body }, key);
    const other = await rejection(() => accrue({ ...body, points: 41 }, key));

    // Assess
    expect(again).toEqual(first);
    expect(other).toEqual({ kind: "conflict", code: "idempotency_key_reused" });
    expect((await shop.stored(member.memberId)).points).toBe(40);
  });

  it("refuses to credit a lapsed card", async () => {
    // Prepare
    const shop = await memoryShop({ rules: { ...richRules, validity: { cardMonths: 1 } } });
    const member = await shop.member();
    const { accrue } = await partnerOf(shop);
    shop.clock.set("2026-05-01T10:00:00Z");

    // Act
    const refused = await rejection(() => accrue({ member: member.memberId, points: 10, reference: "late" }));

    // Assess
    expect(refused).toEqual({ kind: "validation", code: "card_expired" });
  });

  it.each<
    [
      string,
      (shop: MemoryShop) => Promise<{ caller: { partnerId: string; programId: string }; member: string }>,
      string,
    ]
  >([
    [
      "a partner that does not exist",
      async (shop) => ({
        caller: { partnerId: "prt_0000000000000000", programId: shop.program.programId },
        member: (await shop.member()).memberId,
      }),
      "partner_not_found",
    ],
    [
      "a partner of another program",
      async (shop) => {
        const other = await shop.openProgram({});
        const theirs = await shop.service.createPartner(other.program.programId, {
          name: "Bowling",
          pointsPerEuro: 1,
        });
        return {
          caller: { partnerId: theirs.partnerId, programId: shop.program.programId },
          member: (await shop.member()).memberId,
        };
      },
      "partner_not_found",
    ],
    [
      "another program's card code",
      async (shop) => ({
        caller: (await partnerOf(shop)).caller,
        member: (await (await shop.openProgram({})).member()).cardCode,
      }),
      "member_not_found",
    ],
  ])("refuses an accrual by %s", async (_what, setUp, code) => {
    // Prepare
    const shop = await memoryShop();
    const { caller, member } = await setUp(shop);
    const body = { member, points: 10, reference: "x" };

    // Act
    const refused = await rejection(() =>
      shop.service.accrue(
        caller,
        body,
        claimFor(
          { kind: "partner", partnerId: caller.partnerId },
          { operationId: "recordAccrual", params: {}, body, idempotencyKey: randomUUID() },
        ),
      ),
    );

    // Assess
    expect(refused).toEqual({ kind: "not_found", code });
    expect(shop.commits).toEqual([]);
  });
});
