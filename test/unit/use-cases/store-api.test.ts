import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PurchaseBody } from "../../../functions/api/schemas.js";
import { claimedTransactionId } from "../../../functions/app/writes.js";
import { rebuildBalance } from "../../../functions/domain/loyalty/member.js";
import { idempotencyScope } from "../../../functions/shared/keys.js";
import { memoryShop, NOW, purchaseBody, rejection } from "../../support/memory-shop.js";

/**
 * The store API's use cases (purchases, refunds, redemptions) over the in-memory repositories, with
 * the program of richRules: 1 point per euro up to 5 €, 2 above; a coffee stamp card of 3; a cake
 * for 50 points, 5 € off for 200; Gold from 100 € spent (×1.5); referral 20 + 10 points.
 */

describe("a purchase", () => {
  it("credits points, stamps and a stamp voucher to the member a grouped card code names", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const body = PurchaseBody.parse({
      member: member.cardCode.replace(/(\d{4})(?=\d)/g, "$1 "),
      amountCents: 1250,
      currency: "EUR",
      items: [
        { name: "Flat white", category: "coffee", quantity: 3, unitCents: 350 },
        { name: "Croissant", category: "bakery", quantity: 1, unitCents: 200 },
      ],
    });
    const claim = shop.claim("recordPurchase", body);

    // Act
    const bought = await shop.service.purchase(shop.caller, body, claim);

    // Assess: 5 € at 1/€ + 7.50 € at 2/€ = 20 points; 3 coffees fill the stamp card
    const transactionId = claimedTransactionId(claim);
    expect(bought).toEqual({
      transactionId,
      member: { memberId: member.memberId, points: 20, stamps: {}, tier: null },
      pointsEarned: 20,
      vouchersIssued: [
        {
          voucherId: expect.stringMatching(/^vch_[0-9a-z]{16}$/),
          title: "A free coffee",
          kind: "gift",
          source: "stamps",
          sourceId: "coffee",
          issuedAt: NOW,
          validTo: "2026-06-08",
        },
      ],
    });
    const stored = await shop.stored(member.memberId);
    expect(stored).toMatchObject({ points: 20, stamps: {}, purchases: 1, lastPurchaseAt: NOW, version: 2 });
    expect(stored.vouchers).toEqual(bought.vouchersIssued);
    const ledger = await shop.ledger(member.memberId);
    expect(ledger.map((e) => [e.seq, e.type, e.points, e.stamps])).toEqual([
      [1, "earn", 20, { coffee: 3 }],
      [2, "voucher", 0, { coffee: -3 }],
    ]);
    expect(await shop.repos.members.purchase(transactionId)).toEqual({
      transactionId,
      programId: shop.program.programId,
      memberId: member.memberId,
      storeId: shop.store.storeId,
      amountCents: 1250,
      currency: "EUR",
      occurredAt: NOW,
      spendDay: "2026-03-10",
      pointsEarned: 20,
      stampsEarned: { coffee: 3 },
      refundedCents: 0,
      pointsRefunded: 0,
      stampsRefunded: false,
    });
    expect(await shop.repos.members.spend(member.memberId, "2026-03-01", "2026-03-31")).toEqual({
      "2026-03-10": 1250,
    });
  });

  it("takes the purchase's id from the store's Idempotency-Key", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const key = randomUUID();

    // Act
    const bought = await shop.buy(member.memberId, 1000, { key });

    // Assess
    expect(bought.transactionId).toBe(
      claimedTransactionId({ scope: `STORE#${shop.store.storeId}`, clientKey: key }),
    );
  });

  it("answers a retry with the same key and body with the identical answer, writing nothing more", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const key = randomUUID();
    const first = await shop.buy(member.memberId, 1000, { key });
    const before = await shop.stored(member.memberId);
    const committed = shop.committed();

    // Act
    const again = await shop.buy(member.memberId, 1000, { key });

    // Assess
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(shop.committed()).toBe(committed);
    expect(await shop.stored(member.memberId)).toEqual(before);
    expect((await shop.ledger(member.memberId)).map((e) => e.type)).toEqual(["earn"]);
  });

  it("refuses the same key with another body as idempotency_key_reused, writing nothing", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const key = randomUUID();
    await shop.buy(member.memberId, 1000, { key });
    const before = await shop.stored(member.memberId);

    // Act
    const refused = await rejection(() => shop.buy(member.memberId, 2000, { key }));

    // Assess
    expect(refused).toEqual({ kind: "conflict", code: "idempotency_key_reused" });
    expect(await shop.stored(member.memberId)).toEqual(before);
    expect(before.points).toBe(15);
  });

  it("answers a purchase retried after a partial refund with its first answer, crediting nothing", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const key = randomUUID();
    const first = await shop.buy(member.memberId, 1000, { key });
    await shop.refund(first.transactionId, 400);
    const before = await shop.stored(member.memberId);

    // Act
    const again = await shop.buy(member.memberId, 1000, { key });

    // Assess: 15 earned, 6 taken back
    expect(again).toEqual(first);
    expect(await shop.stored(member.memberId)).toEqual(before);
    expect(before.points).toBe(9);
  });

  it("makes two purchases of one key sent by two stores", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const second = await shop.openProgram({});
    const otherStore = { storeId: second.store.storeId, programId: shop.program.programId };
    const key = randomUUID();
    const body = purchaseBody(member.memberId, 1000);

    // Act
    const here = await shop.buy(member.memberId, 1000, { key });
    const there = await shop.service.purchase(
      otherStore,
      body,
      second.claim("recordPurchase", body, key), // the second store's scope
    );

    // Assess
    expect(there.transactionId).not.toBe(here.transactionId);
    expect(there.member.points).toBe(30);
    expect((await shop.stored(member.memberId)).purchases).toBe(2);
  });

  it.each([true, false])(
    "credits one purchase sent 20 times at once with one key once, with 20 identical answers (serialised: %s)",
    async (serialise) => {
      // Prepare
      const shop = await memoryShop({ serialise });
      const member = await shop.member();
      const key = randomUUID();

      // Act
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => shop.buy(member.cardCode, 1234, { key })),
      );

      // Assess: 5 € at 1 + 7.34 € at 2 = 19 points, once
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(answers[0]?.pointsEarned).toBe(19);
      expect(await shop.stored(member.memberId)).toMatchObject({ points: 19, purchases: 1 });
      expect((await shop.ledger(member.memberId)).map((e) => e.type)).toEqual(["earn"]);
    },
  );

  it("credits 10 different purchases of one member sent at once exactly, racing on versions alone", async () => {
    // Prepare
    const shop = await memoryShop({ rules: {}, serialise: false });
    const member = await shop.member();
    const amounts = [100, 250, 399, 400, 999, 1000, 120, 330, 710, 505];

    // Act
    await Promise.all(amounts.map((a) => shop.buy(member.memberId, a)));

    // Assess: 1 point per whole euro; lost races were computed again, not overwritten
    const stored = await shop.stored(member.memberId);
    const ledger = await shop.ledger(member.memberId);
    expect(stored.points).toBe(45);
    expect(stored.purchases).toBe(10);
    expect(rebuildBalance(ledger).points).toBe(45);
    expect(ledger.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(shop.commits.filter((c) => c.result.kind === "changed").length).toBeGreaterThan(0);
  });

  it("multiplies the points of a Gold member, once its spend over the window reaches Gold", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const first = await shop.buy(member.memberId, 10_000);

    // Act
    const second = await shop.buy(member.memberId, 1000);

    // Assess: 5 + 95 × 2 = 195 before Gold; (5 + 5 × 2) × 1.5 = 22.5 → 22 in Gold
    expect(first.member).toEqual({ memberId: member.memberId, points: 195, stamps: {}, tier: "gold" });
    expect(second.pointsEarned).toBe(22);
    expect((await shop.stored(member.memberId)).windowSpendCents).toBe(11_000);
  });

  it("rewards both sides of a referral once, on the referee's first purchase", async () => {
    // Prepare
    const shop = await memoryShop();
    const referrer = await shop.member();
    const referee = await shop.member({ referralCode: referrer.referralCode });

    // Act
    const first = await shop.buy(referee.memberId, 100);
    const second = await shop.buy(referee.memberId, 100);

    // Assess
    expect(first.referralBonus).toEqual({ refereePoints: 10, referrerPoints: 20 });
    expect(first.member.points).toBe(11);
    expect(second).not.toHaveProperty("referralBonus");
    expect((await shop.stored(referrer.memberId)).points).toBe(20);
    expect(
      (await shop.ledger(referrer.memberId)).map((e) => [e.type, e.points, e.counterpartMemberId]),
    ).toEqual([["referral", 20, referee.memberId]]);
  });

  it.each<[string, (shop: Awaited<ReturnType<typeof memoryShop>>) => Promise<string>, string, string]>([
    [
      "a card code with a wrong check digit",
      async (shop) => {
        const { cardCode } = await shop.member();
        return `${cardCode.slice(0, 15)}${(Number(cardCode[15]) + 1) % 10}`;
      },
      "validation",
      "invalid_card_code",
    ],
    ["a valid card code naming nobody", async () => "4539148803436467", "not_found", "member_not_found"],
    ["an unknown member id", async () => "mbr_0000000000000000", "not_found", "member_not_found"],
    ["neither an id nor a card code", async () => "camille", "not_found", "member_not_found"],
    [
      "another program's member",
      async (shop) => (await (await shop.openProgram({})).member()).memberId,
      "not_found",
      "member_not_found",
    ],
    [
      "another program's card code",
      async (shop) => (await (await shop.openProgram({})).member()).cardCode,
      "not_found",
      "member_not_found",
    ],
  ])("refuses %s, writing nothing", async (_what, memberOf, kind, code) => {
    // Prepare
    const shop = await memoryShop();
    const reference = await memberOf(shop);

    // Act
    const refused = await rejection(() => shop.buy(reference, 1000));

    // Assess
    expect(refused).toEqual({ kind, code });
    expect(shop.commits).toEqual([]);
  });

  it("refuses another currency", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const body = { ...purchaseBody(member.memberId, 1000), currency: "USD" };

    // Act
    const refused = await rejection(() =>
      shop.service.purchase(shop.caller, body, shop.claim("recordPurchase", body)),
    );

    // Assess
    expect(refused).toEqual({ kind: "validation", code: "currency_mismatch" });
    expect(shop.commits).toEqual([]);
  });
});

describe("a refund", () => {
  it("takes points back in proportion, in parts, and never more than the purchase earned", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const bought = await shop.buy(member.memberId, 1000);

    // Act
    const part = await shop.refund(bought.transactionId, 400);
    const rest = await shop.refund(bought.transactionId, 600);
    const tooMuch = await rejection(() => shop.refund(bought.transactionId, 1));

    // Assess: 15 points earned; 40 % → floor(6), then the remaining 9
    expect(part).toEqual({
      transactionId: expect.stringMatching(/^txn_/),
      refundOf: bought.transactionId,
      amountCents: 400,
      refundableCentsLeft: 600,
      pointsTakenBack: 6,
      pointsNotRecovered: 0,
      member: { memberId: member.memberId, points: 9, stamps: {}, tier: null },
    });
    expect([rest.pointsTakenBack, rest.refundableCentsLeft, rest.member.points]).toEqual([9, 0, 0]);
    expect(tooMuch).toEqual({ kind: "validation", code: "refund_exceeds_purchase" });
    expect(await shop.repos.members.purchase(bought.transactionId)).toMatchObject({
      refundedCents: 1000,
      pointsRefunded: 15,
    });
    expect(await shop.repos.members.spend(member.memberId, "2026-03-10", "2026-03-10")).toEqual({
      "2026-03-10": 0,
    });
  });

  it("reports the points already spent as not recovered, and takes the stamps back on a full refund", async () => {
    // Prepare: 55 points and a coffee voucher; 50 points spent on a cake
    const shop = await memoryShop();
    const member = await shop.member();
    const bought = await shop.buy(member.memberId, 3000, { coffees: 2 });
    await shop.redeem({ member: member.memberId, rewardId: "cake" });

    // Act
    const refunded = await shop.refund(bought.transactionId, 3000);

    // Assess
    expect([refunded.pointsTakenBack, refunded.pointsNotRecovered]).toEqual([5, 50]);
    expect(refunded.member).toEqual({ memberId: member.memberId, points: 0, stamps: {}, tier: null });
    expect((await shop.ledger(member.memberId)).at(-1)).toMatchObject({
      type: "refund",
      points: -5,
      stamps: { coffee: -2 },
      reference: bought.transactionId,
    });
  });

  it("takes the tier back when the refund brings the spend below Gold", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const bought = await shop.buy(member.memberId, 10_000);

    // Act
    const refunded = await shop.refund(bought.transactionId, 5000);

    // Assess
    expect(refunded.member.tier).toBeNull();
    expect((await shop.stored(member.memberId)).windowSpendCents).toBe(5000);
  });

  it("answers a retried refund with its first answer, taking back once", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const bought = await shop.buy(member.memberId, 1000);
    const key = randomUUID();
    const first = await shop.refund(bought.transactionId, 400, key);

    // Act
    const again = await shop.refund(bought.transactionId, 400, key);

    // Assess
    expect(again).toEqual(first);
    expect((await shop.stored(member.memberId)).points).toBe(9);
    expect((await shop.repos.members.purchase(bought.transactionId))?.refundedCents).toBe(400);
  });

  it("refuses a refund sent with the key of the purchase it refunds, writing nothing", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const key = randomUUID();
    const bought = await shop.buy(member.memberId, 1000, { key });
    const committed = shop.committed();

    // Act: the memory repository, like DynamoDB, refuses a transaction naming one item twice
    const refused = await rejection(() => shop.refund(bought.transactionId, 100, key));

    // Assess
    expect(refused).toEqual({ kind: "conflict", code: "idempotency_key_reused" });
    expect(shop.committed()).toBe(committed);
    expect(shop.commits).toHaveLength(committed);
    expect((await shop.stored(member.memberId)).points).toBe(15);
  });

  it.each(["refund", "redemption"] as const)(
    "refuses a key used for a %s when the store sends it again with a purchase",
    async (what) => {
      // Prepare
      const shop = await memoryShop();
      const member = await shop.member();
      const bought = await shop.buy(member.memberId, 6000);
      const key = randomUUID();
      if (what === "refund") await shop.refund(bought.transactionId, 100, key);
      else await shop.redeem({ member: member.memberId, rewardId: "cake" }, key);
      const before = await shop.stored(member.memberId);

      // Act
      const refused = await rejection(() => shop.buy(member.memberId, 1000, { key }));

      // Assess
      expect(refused).toEqual({ kind: "conflict", code: "idempotency_key_reused" });
      expect(await shop.stored(member.memberId)).toEqual(before);
    },
  );

  it.each<[string, (shop: Awaited<ReturnType<typeof memoryShop>>) => Promise<string>]>([
    ["an unknown transaction", async () => "txn_0000000000000000"],
    [
      "another program's purchase",
      async (shop) => {
        const other = await shop.openProgram({});
        const stranger = await other.member();
        return (await other.buy(stranger.memberId, 1000)).transactionId;
      },
    ],
    [
      "the transaction a redemption's key names",
      async (shop) => {
        const member = await shop.member();
        await shop.buy(member.memberId, 6000);
        const key = randomUUID();
        await shop.redeem({ member: member.memberId, rewardId: "cake" }, key);
        return claimedTransactionId({
          scope: idempotencyScope({ kind: "store", storeId: shop.store.storeId }),
          clientKey: key,
        });
      },
    ],
  ])("refuses a refund of %s as transaction_not_found", async (_what, transaction) => {
    // Prepare
    const shop = await memoryShop();
    const transactionId = await transaction(shop);
    const committed = shop.committed();

    // Act
    const refused = await rejection(() => shop.refund(transactionId, 1));

    // Assess
    expect(refused).toEqual({ kind: "not_found", code: "transaction_not_found" });
    expect(shop.committed()).toBe(committed);
  });
});

describe("a redemption", () => {
  it("redeems a voucher once: the second is voucher_already_redeemed", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const bought = await shop.buy(member.memberId, 300, { coffees: 3 });
    const voucher = bought.vouchersIssued[0];
    if (!voucher) throw new Error("no voucher issued");

    // Act
    const first = await shop.redeem({ member: member.cardCode, voucherId: voucher.voucherId });
    const second = await rejection(() =>
      shop.redeem({ member: member.cardCode, voucherId: voucher.voucherId }),
    );

    // Assess
    expect(first).toEqual({
      redemptionId: expect.stringMatching(/^txn_/),
      voucher: { ...voucher, status: "redeemed" },
      pointsSpent: 0,
      member: { memberId: member.memberId, points: 3, stamps: {}, tier: null },
    });
    expect(second).toEqual({ kind: "conflict", code: "voucher_already_redeemed" });
    const stored = await shop.stored(member.memberId);
    expect(stored.vouchers).toEqual([]);
    expect(stored.closedVouchers).toEqual([{ voucherId: voucher.voucherId, status: "redeemed", at: NOW }]);
  });

  it("answers a retried redemption with its first answer though the voucher is redeemed since", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member();
    const bought = await shop.buy(member.memberId, 300, { coffees: 3 });
    const voucherId = bought.vouchersIssued[0]?.voucherId ?? "";
    const key = randomUUID();
    const first = await shop.redeem({ member: member.memberId, voucherId }, key);
    const before = await shop.stored(member.memberId);
    const committed = shop.committed();

    // Act
    const again = await shop.redeem({ member: member.memberId, voucherId }, key);

    // Assess
    expect(again).toEqual(first);
    expect(shop.committed()).toBe(committed);
    expect(await shop.stored(member.memberId)).toEqual(before);
  });

  it("buys a catalogue reward with the member's points, and refuses one it cannot afford", async () => {
    // Prepare: 55 points
    const shop = await memoryShop();
    const member = await shop.member();
    await shop.buy(member.memberId, 3000);

    // Act
    const cake = await shop.redeem({ member: member.memberId, rewardId: "cake" });
    const tooDear = await rejection(() => shop.redeem({ member: member.memberId, rewardId: "five-euros" }));
    const unknown = await rejection(() => shop.redeem({ member: member.memberId, rewardId: "yacht" }));

    // Assess
    expect(cake.pointsSpent).toBe(50);
    expect(cake.voucher).toMatchObject({
      title: "A slice of cake",
      kind: "gift",
      description: "Any cake",
      source: "reward",
      sourceId: "cake",
      status: "redeemed",
    });
    expect(cake.member.points).toBe(5);
    expect(tooDear).toEqual({ kind: "validation", code: "insufficient_points" });
    expect(unknown).toEqual({ kind: "not_found", code: "reward_not_found" });
    expect((await shop.ledger(member.memberId)).at(-1)).toMatchObject({
      type: "redeem",
      points: -50,
      rewardId: "cake",
    });
  });

  it("refuses another member's voucher as voucher_not_found", async () => {
    // Prepare
    const shop = await memoryShop();
    const owner = await shop.member();
    const other = await shop.member();
    const bought = await shop.buy(owner.memberId, 300, { coffees: 3 });

    // Act
    const refused = await rejection(() =>
      shop.redeem({ member: other.memberId, voucherId: bought.vouchersIssued[0]?.voucherId ?? "" }),
    );

    // Assess
    expect(refused).toEqual({ kind: "not_found", code: "voucher_not_found" });
  });
});
