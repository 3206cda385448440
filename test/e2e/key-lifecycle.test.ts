import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";
import { enrollMember, openShop, type Shop, tillCall } from "../support/loyalty.js";

const { call } = useApi();

/** A purchase of 10 € as a till sends it, with the key given. */
const buy = (shop: Shop, memberId: string, key: string, amountCents = 1000) =>
  call("POST", `/v1/stores/${shop.storeId}/purchases`, {
    key,
    body: { member: memberId, amountCents, currency: "EUR" },
    headers: { "idempotency-key": randomUUID() },
  });

const pointsOf = async (shop: Shop, memberId: string): Promise<number> =>
  (await call("GET", `/v1/programs/${shop.programId}/members/${memberId}`)).body.points;

describe("store keys: rotation, disabling, deletion, limits", () => {
  it("refuses a rotated store key at once and accepts the new one", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);

    // Act
    const rotated = await call("POST", `/v1/programs/${shop.programId}/stores/${shop.storeId}/key`, {
      key: shop.merchantKey,
      body: {},
    });
    const withOld = await buy(shop, member.memberId, shop.storeKey);
    const withNew = await buy(shop, member.memberId, rotated.body.apiKey);

    // Assess
    expect(rotated.status).toBe(201);
    expect(rotated.body.apiKey).toMatch(new RegExp(`^sk\\.${shop.storeId}\\.[A-Za-z0-9_-]{43}$`));
    expect(rotated.body.previousKeyValidUntil).toBeUndefined();
    expect(withOld.status).toBe(401);
    expect(withOld.body.error.code).toBe("invalid_credentials");
    expect(withNew.status).toBe(201);
    expect(await pointsOf(shop, member.memberId)).toBe(withNew.body.pointsEarned);
  });

  it("keeps the replaced key working during the grace period the merchant chose", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);

    // Act
    const rotated = await call("POST", `/v1/programs/${shop.programId}/stores/${shop.storeId}/key`, {
      body: { graceSeconds: 3600 },
    });
    const withOld = await buy(shop, member.memberId, shop.storeKey);
    const withNew = await buy(shop, member.memberId, rotated.body.apiKey);
    const store = await call("GET", `/v1/programs/${shop.programId}/stores/${shop.storeId}`);
    const again = await call("POST", `/v1/programs/${shop.programId}/stores/${shop.storeId}/key`, {
      body: {},
    });
    const withFirst = await buy(shop, member.memberId, shop.storeKey);
    const withSecond = await buy(shop, member.memberId, rotated.body.apiKey);

    // Assess: the old key works for the hour; a second rotation without grace ends both
    const graceEnds = Date.parse(rotated.body.previousKeyValidUntil);
    expect(graceEnds - Date.now()).toBeGreaterThan(3500_000);
    expect(graceEnds - Date.now()).toBeLessThanOrEqual(3600_000);
    expect([withOld.status, withNew.status]).toEqual([201, 201]);
    expect(store.body).toMatchObject({
      apiKeyPrefix: rotated.body.apiKeyPrefix,
      previousKeyValidUntil: rotated.body.previousKeyValidUntil,
    });
    expect(store.body.keyLastUsedAt).toBeDefined();
    expect(store.body.previousKeyLastUsedAt).toBeDefined();
    expect(again.status).toBe(201);
    expect([withFirst.status, withSecond.status]).toEqual([401, 401]);
  });

  it("refuses a disabled store's key at once and accepts it again once enabled", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const path = `/v1/programs/${shop.programId}/stores/${shop.storeId}`;

    // Act
    const disabled = await call("PATCH", path, { key: shop.merchantKey, body: { status: "disabled" } });
    const refused = await buy(shop, member.memberId, shop.storeKey);
    const enabled = await call("PATCH", path, { body: { status: "active" } });
    const accepted = await buy(shop, member.memberId, shop.storeKey);

    // Assess
    expect(disabled.status).toBe(200);
    expect(disabled.body.status).toBe("disabled");
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("key_disabled");
    expect(enabled.body.status).toBe("active");
    expect(accepted.status).toBe(201);
    expect(await pointsOf(shop, member.memberId)).toBe(accepted.body.pointsEarned);
  });

  it("never accepts a deleted store's key again, and keeps its purchases", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const before = await buy(shop, member.memberId, shop.storeKey);
    const path = `/v1/programs/${shop.programId}/stores/${shop.storeId}`;

    // Act
    const deleted = await call("DELETE", path);
    const after = await buy(shop, member.memberId, shop.storeKey);
    const read = await call("GET", path);
    const deletedAgain = await call("DELETE", path);
    const rotate = await call("POST", `${path}/key`, { body: {} });

    // Assess
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect(after.status).toBe(401);
    expect(read.status).toBe(404);
    expect(deletedAgain.status).toBe(404);
    expect(rotate.status).toBe(404);
    expect(await pointsOf(shop, member.memberId)).toBe(before.body.pointsEarned);
  });

  it("refuses a purchase above the store's largest purchase and beyond its purchases per minute", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const limited = await call("PATCH", `/v1/programs/${shop.programId}/stores/${shop.storeId}`, {
      body: { limits: { maxPurchaseCents: 5000, purchasesPerMinute: 3 } },
    });

    // Act
    const tooLarge = await buy(shop, member.memberId, shop.storeKey, 1_000_000_00);
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await buy(shop, member.memberId, shop.storeKey, 1000));

    // Assess
    expect(limited.body.limits).toEqual({ maxPurchaseCents: 5000, purchasesPerMinute: 3 });
    expect(tooLarge.status).toBe(422);
    expect(tooLarge.body.error.code).toBe("purchase_over_limit");
    // The minute may turn during the burst: then the fourth lands in a fresh window.
    const statuses = sent.map((r) => r.status);
    const refused = sent.filter((r) => r.status === 429);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(3);
    for (const r of refused) {
      expect(r.body.error.code).toBe("store_rate_limited");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(r.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    }
    const credited = sent.filter((r) => r.status === 201).reduce((sum, r) => sum + r.body.pointsEarned, 0);
    expect(await pointsOf(shop, member.memberId)).toBe(credited);
  });

  it("removes a store's limits with null", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const path = `/v1/programs/${shop.programId}/stores/${shop.storeId}`;
    await call("PATCH", path, { body: { limits: { maxPurchaseCents: 100 } } });

    // Act
    const cleared = await call("PATCH", path, { body: { limits: null } });
    const bought = await buy(shop, member.memberId, shop.storeKey, 5000);

    // Assess
    expect(cleared.status).toBe(200);
    expect(cleared.body.limits).toBeUndefined();
    expect(bought.status).toBe(201);
  });

  it("refuses a grace period longer than a week, changing nothing", async () => {
    // Prepare
    const shop = await openShop(call);

    // Act
    const refused = await call("POST", `/v1/programs/${shop.programId}/stores/${shop.storeId}/key`, {
      body: { graceSeconds: 8 * 86_400 },
    });
    const stillWorks = await tillCall(call, shop, "purchases", {
      member: (await enrollMember(call, shop)).memberId,
      amountCents: 100,
      currency: "EUR",
    });

    // Assess
    expect(refused.status).toBe(422);
    expect(stillWorks.status).toBe(201);
  });
});

describe("merchant keys: rotation", () => {
  it("refuses the rotated merchant key at once; the admin key recovers a lost one", async () => {
    // Prepare
    const shop = await openShop(call);
    const path = `/v1/programs/${shop.programId}`;

    // Act
    const byItself = await call("POST", `${path}/key`, { key: shop.merchantKey, body: {} });
    const withOld = await call("GET", path, { key: shop.merchantKey });
    const withNew = await call("GET", path, { key: byItself.body.apiKey });
    const byAdmin = await call("POST", `${path}/key`, { body: { graceSeconds: 60 } });
    const afterAdmin = [
      await call("GET", path, { key: byItself.body.apiKey }),
      await call("GET", path, { key: byAdmin.body.apiKey }),
    ];

    // Assess
    expect(byItself.status).toBe(201);
    expect(byItself.body.apiKey).toMatch(new RegExp(`^mk\\.${shop.programId}\\.`));
    expect(withOld.status).toBe(401);
    expect(withNew.status).toBe(200);
    // A key's use is recorded once the request has succeeded (so not yet in that answer), never a hash
    expect(withNew.body.merchantKey).toBeUndefined();
    expect(JSON.stringify(withNew.body)).not.toMatch(/[0-9a-f]{64}/);
    expect(byAdmin.status).toBe(201);
    expect(afterAdmin.map((r) => r.status)).toEqual([200, 200]);
    expect(afterAdmin[1]?.body.merchantKey.previousKeyValidUntil).toBe(byAdmin.body.previousKeyValidUntil);
    expect(afterAdmin[1]?.body.merchantKey.previousKeyLastUsedAt).toBeDefined();
  });

  it("does not let one program's merchant key rotate another's", async () => {
    // Prepare
    const mine = await openShop(call);
    const theirs = await openShop(call);

    // Act
    const attempt = await call("POST", `/v1/programs/${theirs.programId}/key`, {
      key: mine.merchantKey,
      body: {},
    });
    const storeAttempt = await call("POST", `/v1/programs/${theirs.programId}/stores/${theirs.storeId}/key`, {
      key: mine.merchantKey,
      body: {},
    });
    const theirsStillWork = await call("GET", `/v1/programs/${theirs.programId}`, {
      key: theirs.merchantKey,
    });

    // Assess
    expect([attempt.status, storeAttempt.status]).toEqual([404, 404]);
    expect(theirsStillWork.status).toBe(200);
  });
});

describe("partner keys: rotation, disabling, deletion", () => {
  const accrue = (partnerId: string, key: string, member: string) =>
    call("POST", `/v1/partners/${partnerId}/accruals`, {
      key,
      body: { member, points: 5, reference: randomUUID() },
      headers: { "idempotency-key": randomUUID() },
    });

  it("rotates, disables, enables, lists and deletes a partner as its key's status says", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const created = await call("POST", `/v1/programs/${shop.programId}/partners`, {
      body: { name: "Cinema", pointsPerEuro: 2 },
    });
    const { partnerId, apiKey } = created.body;
    const path = `/v1/programs/${shop.programId}/partners/${partnerId}`;

    // Act
    const first = await accrue(partnerId, apiKey, member.memberId);
    const rotated = await call("POST", `${path}/key`, { body: {} });
    const withOld = await accrue(partnerId, apiKey, member.memberId);
    const disabled = await call("PATCH", path, { body: { status: "disabled" } });
    const whileDisabled = await accrue(partnerId, rotated.body.apiKey, member.memberId);
    const listed = await call("GET", `/v1/programs/${shop.programId}/partners`);
    await call("PATCH", path, { body: { status: "active", name: "Cinéma du Parc" } });
    const enabled = await accrue(partnerId, rotated.body.apiKey, member.memberId);
    const read = await call("GET", path);
    const deleted = await call("DELETE", path);
    const afterDelete = await accrue(partnerId, rotated.body.apiKey, member.memberId);

    // Assess
    expect([first.status, withOld.status]).toEqual([201, 401]);
    expect(disabled.body.status).toBe("disabled");
    expect(whileDisabled.status).toBe(401);
    expect(whileDisabled.body.error.code).toBe("key_disabled");
    expect(listed.body.items).toEqual([expect.objectContaining({ partnerId, status: "disabled" })]);
    expect(enabled.status).toBe(201);
    expect(read.body).toMatchObject({ name: "Cinéma du Parc", status: "active" });
    expect(read.body.keyLastUsedAt).toBeDefined();
    expect(deleted.status).toBe(204);
    expect(afterDelete.status).toBe(401);
    expect(await pointsOf(shop, member.memberId)).toBe(10);
  });
});

describe("creating programs, stores and partners under an Idempotency-Key", () => {
  it("answers a retried creation with the same store and a new key, the first key refused", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const idempotencyKey = randomUUID();
    const create = (name: string) =>
      call("POST", `/v1/programs/${shop.programId}/stores`, {
        body: { name, latitude: 48.85, longitude: 2.35 },
        headers: { "idempotency-key": idempotencyKey },
      });

    // Act
    const first = await create("Gare de Lyon");
    const retry = await create("Gare de Lyon");
    const other = await create("Another store");
    const listed = await call("GET", `/v1/programs/${shop.programId}/stores?limit=100`);
    const withFirst = await buy({ ...shop, storeId: first.body.storeId }, member.memberId, first.body.apiKey);
    const withRetry = await buy({ ...shop, storeId: first.body.storeId }, member.memberId, retry.body.apiKey);

    // Assess
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.storeId).toBe(first.body.storeId);
    expect(retry.body.apiKey).not.toBe(first.body.apiKey);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    expect(listed.body.items.filter((s: { name: string }) => s.name === "Gare de Lyon")).toHaveLength(1);
    expect([withFirst.status, withRetry.status]).toEqual([401, 201]);
  });

  it("answers a retried program creation with the same program and a working merchant key", async () => {
    // Prepare
    const idempotencyKey = randomUUID();
    const body = { name: `Idempotent ${idempotencyKey}`, organizationName: "Shop" };

    // Act
    const first = await call("POST", "/v1/programs", {
      body,
      headers: { "idempotency-key": idempotencyKey },
    });
    const retry = await call("POST", "/v1/programs", {
      body,
      headers: { "idempotency-key": idempotencyKey },
    });
    const withRetry = await call("GET", `/v1/programs/${first.body.programId}`, {
      key: retry.body.merchantKey,
    });
    const withFirst = await call("GET", `/v1/programs/${first.body.programId}`, {
      key: first.body.merchantKey,
    });

    // Assess
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.programId).toBe(first.body.programId);
    expect([withFirst.status, withRetry.status]).toEqual([401, 200]);
  });

  it("answers a retried partner creation with the same partner", async () => {
    // Prepare
    const shop = await openShop(call);
    const headers = { "idempotency-key": randomUUID() };
    const body = { name: "Bowling", pointsPerEuro: 1 };

    // Act
    const first = await call("POST", `/v1/programs/${shop.programId}/partners`, { body, headers });
    const retry = await call("POST", `/v1/programs/${shop.programId}/partners`, { body, headers });
    const listed = await call("GET", `/v1/programs/${shop.programId}/partners`);

    // Assess
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.partnerId).toBe(first.body.partnerId);
    expect(listed.body.items).toHaveLength(1);
  });
});

describe("which store may refund a purchase", () => {
  it("lets another store of the program refund it, even once the store of the purchase is deleted, and no store of another program", async () => {
    // Prepare: a purchase at the first store, a second store of the program, and another program's store
    const shop = await openShop(call);
    const member = await enrollMember(call, shop);
    const bought = await buy(shop, member.memberId, shop.storeKey, 2000);
    const second = await call("POST", `/v1/programs/${shop.programId}/stores`, {
      body: { name: "Second", latitude: 48.86, longitude: 2.36 },
    });
    const secondShop = { ...shop, storeId: second.body.storeId, storeKey: second.body.apiKey };
    const other = await openShop(call);
    await call("DELETE", `/v1/programs/${shop.programId}/stores/${shop.storeId}`);

    // Act
    const elsewhere = await tillCall(call, other, "refunds", {
      transactionId: bought.body.transactionId,
      amountCents: 500,
    });
    const refunded = await tillCall(call, secondShop, "refunds", {
      transactionId: bought.body.transactionId,
      amountCents: 500,
    });
    const history = await call("GET", `/v1/programs/${shop.programId}/members/${member.memberId}/history`);

    // Assess
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe("transaction_not_found");
    expect(refunded.status).toBe(201);
    expect(refunded.body.refundableCentsLeft).toBe(1500);
    const refundEntry = history.body.items.find((e: { type: string }) => e.type === "refund");
    expect(refundEntry?.storeId).toBe(secondShop.storeId);
  });
});
