import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";
import { enrollMember, openShop, tillCall } from "../support/loyalty.js";

const { call } = useApi();

describe("store API: purchases, refunds and redemptions as a till makes them", () => {
  it("credits a purchase by card code with points, stamps and a stamp voucher", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);

    // Act
    const bought = await tillCall(call, shop, "purchases", {
      member: member.cardCode.replace(/(\d{4})/g, "$1 ").trim(),
      amountCents: 1250,
      currency: "EUR",
      items: [
        { name: "Flat white", category: "coffee", quantity: 3, unitCents: 350 },
        { name: "Croissant", category: "bakery", quantity: 1, unitCents: 200 },
      ],
    });
    const read = await call("GET", `/v1/programs/${shop.programId}/members/${member.memberId}`);

    // Assess: 5 € at 1/€ + 7.50 € at 2/€ = 20 points; 3 coffees = one full stamp card
    expect(bought.status).toBe(201);
    expect(bought.body.pointsEarned).toBe(20);
    expect(bought.body.member).toEqual({ memberId: member.memberId, points: 20, stamps: {}, tier: null });
    expect(bought.body.vouchersIssued).toHaveLength(1);
    expect(bought.body.vouchersIssued[0]).toMatchObject({
      title: "A free coffee",
      kind: "gift",
      source: "stamps",
    });
    expect(read.body.points).toBe(20);
    expect(read.body.vouchers).toHaveLength(1);
    expect(read.body.history.items.map((e: { type: string }) => e.type)).toEqual(["voucher", "earn"]);
    expect(read.body.history.items[1].items).toHaveLength(2);
  });

  it("answers a retried purchase with the identical answer and credits it once", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const key = randomUUID();
    const body = { member: member.memberId, amountCents: 1000, currency: "EUR" };

    // Act
    const first = await tillCall(call, shop, "purchases", body, key);
    const again = await tillCall(call, shop, "purchases", body, key);
    const changed = await tillCall(call, shop, "purchases", { ...body, amountCents: 2000 }, key);
    const read = await call("GET", `/v1/programs/${shop.programId}/members/${member.memberId}`);

    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe("idempotency_key_reused");
    expect(read.body.points).toBe(15);
  });

  it("refunds in parts and never takes back more than the purchase earned", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const bought = await tillCall(call, shop, "purchases", {
      member: member.memberId,
      amountCents: 1000,
      currency: "EUR",
    });

    // Act
    const part = await tillCall(call, shop, "refunds", {
      transactionId: bought.body.transactionId,
      amountCents: 400,
    });
    const rest = await tillCall(call, shop, "refunds", {
      transactionId: bought.body.transactionId,
      amountCents: 600,
    });
    const tooMuch = await tillCall(call, shop, "refunds", {
      transactionId: bought.body.transactionId,
      amountCents: 1,
    });

    // Assess: 15 points earned; 40 % → floor(6) back, then the remaining 9
    expect(part.body.pointsTakenBack).toBe(6);
    expect(rest.body.pointsTakenBack).toBe(9);
    expect(rest.body.member.points).toBe(0);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.code).toBe("refund_exceeds_purchase");
  });

  it("redeems a voucher once and a catalogue reward with points", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const bought = await tillCall(call, shop, "purchases", {
      member: member.memberId,
      amountCents: 3000,
      currency: "EUR",
      items: [{ name: "Espresso", category: "coffee", quantity: 3, unitCents: 1000 }],
    });
    const voucherId = bought.body.vouchersIssued[0].voucherId;

    // Act
    const first = await tillCall(call, shop, "redemptions", { member: member.cardCode, voucherId });
    const second = await tillCall(call, shop, "redemptions", { member: member.cardCode, voucherId });
    const reward = await tillCall(call, shop, "redemptions", { member: member.memberId, rewardId: "cake" });
    const tooDear = await tillCall(call, shop, "redemptions", {
      member: member.memberId,
      rewardId: "five-euros",
    });

    // Assess: 55 points earned, cake costs 50
    expect(first.status).toBe(201);
    expect(first.body.voucher).toMatchObject({ voucherId, status: "redeemed" });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("voucher_already_redeemed");
    expect(reward.status).toBe(201);
    expect(reward.body.pointsSpent).toBe(50);
    expect(reward.body.member.points).toBe(5);
    expect(tooDear.status).toBe(422);
    expect(tooDear.body.error.code).toBe("insufficient_points");
  });

  it("never lets a store of one program touch a member of another", async () => {
    // Prepare
    const mine = await openShop(call);
    const theirs = await openShop(call);
    const member = await enrollMember(call, theirs);
    const theirPurchase = await tillCall(call, theirs, "purchases", {
      member: member.memberId,
      amountCents: 1000,
      currency: "EUR",
    });

    // Act
    const byId = await tillCall(call, mine, "purchases", {
      member: member.memberId,
      amountCents: 1000,
      currency: "EUR",
    });
    const byCode = await tillCall(call, mine, "purchases", {
      member: member.cardCode,
      amountCents: 1000,
      currency: "EUR",
    });
    const refund = await tillCall(call, mine, "refunds", {
      transactionId: theirPurchase.body.transactionId,
      amountCents: 100,
    });
    const otherStorePath = await call("POST", `/v1/stores/${theirs.storeId}/purchases`, {
      key: mine.storeKey,
      body: { member: member.memberId, amountCents: 1000, currency: "EUR" },
      headers: { "idempotency-key": randomUUID() },
    });

    // Assess
    expect([byId.status, byCode.status, refund.status, otherStorePath.status]).toEqual([404, 404, 404, 404]);
    const read = await call("GET", `/v1/programs/${theirs.programId}/members/${member.memberId}`);
    expect(read.body.points).toBe(15);
  });
});

describe("partners, transfers and referrals", () => {
  it("credits partner points up to the daily cap", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const partner = await call("POST", `/v1/programs/${shop.programId}/partners`, {
      body: { name: "Cinema" },
    });
    const accrue = (body: unknown) =>
      call("POST", `/v1/partners/${partner.body.partnerId}/accruals`, {
        key: partner.body.apiKey,
        body,
        headers: { "idempotency-key": randomUUID() },
      });

    // Act
    const first = await accrue({ member: member.cardCode, points: 80, reference: "ticket-1" });
    const over = await accrue({ member: member.cardCode, points: 30, reference: "ticket-2" });
    const byAmount = await accrue({ member: member.cardCode, amountCents: 2099, reference: "ticket-3" });

    // Assess
    expect(first.status).toBe(201);
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: "daily_cap_exceeded", details: { remainingToday: 20 } });
    expect(byAmount.body.pointsCredited).toBe(20);
    expect(byAmount.body.member.points).toBe(100);
  });

  it("transfers points atomically between two members of the program", async () => {
    // Prepare
    const shop = await openShop(call);
    const a = await enrollMember(call, shop);
    const b = await enrollMember(call, shop);
    await tillCall(call, shop, "purchases", { member: a.memberId, amountCents: 2000, currency: "EUR" });

    // Act
    const moved = await call("POST", `/v1/programs/${shop.programId}/members/${a.memberId}/transfers`, {
      body: { toMemberId: b.memberId, points: 30 },
    });
    const tooMany = await call("POST", `/v1/programs/${shop.programId}/members/${a.memberId}/transfers`, {
      body: { toMemberId: b.memberId, points: 6 },
    });

    // Assess: 35 points earned
    expect(moved.status).toBe(201);
    expect(moved.body.from.points).toBe(5);
    expect(moved.body.to.points).toBe(30);
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.code).toBe("insufficient_points");
  });

  it("rewards both sides once, on the referee's first purchase", async () => {
    // Prepare
    const shop = await openShop(call);
    const referrer = await enrollMember(call, shop);
    const referee = await enrollMember(call, shop, { referralCode: referrer.referralCode.toLowerCase() });

    // Act
    const first = await tillCall(call, shop, "purchases", {
      member: referee.memberId,
      amountCents: 100,
      currency: "EUR",
    });
    const second = await tillCall(call, shop, "purchases", {
      member: referee.memberId,
      amountCents: 100,
      currency: "EUR",
    });
    const referrerRead = await call("GET", `/v1/programs/${shop.programId}/members/${referrer.memberId}`);

    // Assess
    expect(first.body.referralBonus).toEqual({ refereePoints: 10, referrerPoints: 20 });
    expect(first.body.member.points).toBe(11);
    expect(second.body.referralBonus).toBeUndefined();
    expect(referrerRead.body.points).toBe(20);
  });
});
