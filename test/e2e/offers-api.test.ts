import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";
import { enrollMember, openShop, type Shop } from "../support/loyalty.js";
import { allItems } from "../support/table.js";

/**
 * The offers API as a merchant's script uses it, over HTTP: count a target's audience, create an
 * offer, list, read and end it, and every refusal. The sending itself (the fan-out to the members'
 * cards) runs after the answer and is not started here: this is the contract of the operations.
 * Also the stores' postcode and beacon, which the offers' store choice reads.
 */

const { call, table } = useApi();

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

const pastries = {
  title: "Double points on pastries",
  description: "All week: every pastry earns twice the points.",
  validFrom: day(0),
  validTo: day(7),
  target: { kind: "all" },
};

/** What a refused request answers, as toMatchObject reads it. */
const refusedWith = (status: number, code: string) => ({ status, body: { error: { code } } });

const offersOf = (shop: Shop) => `/v1/programs/${shop.programId}/offers`;

/** A program (UTC) with one store and two members. */
const shopWithMembers = async () => {
  const shop = await openShop(call, undefined, "Offers test");
  await enrollMember(call, shop, { sendEmail: false });
  await enrollMember(call, shop, { sendEmail: false });
  return shop;
};

/** Everything in the table, without the quarter-hourly "key last used" marks a request may write. */
const tableNow = async () =>
  (await allItems(table.endpoint, table.tableName))
    .map((item) =>
      JSON.stringify(
        Object.entries(item)
          .filter(([name]) => !/LastUsedAt$/.test(name))
          .sort(([a], [b]) => a.localeCompare(b)),
      ),
    )
    .sort();

describe("merchant API: offers", () => {
  it("creates an offer, answering it with the members its target matches, and reads it back", async () => {
    // Prepare
    const shop = await shopWithMembers();

    // Act
    const created = await call("POST", offersOf(shop), { key: shop.merchantKey, body: pastries });
    const read = await call("GET", `${offersOf(shop)}/${created.body.offerId}`, { key: shop.merchantKey });
    const listed = await call("GET", offersOf(shop), { key: shop.merchantKey });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ...pastries,
      programId: shop.programId,
      status: "active",
      audience: 2,
      matched: 2,
    });
    expect(created.body.offerId).toMatch(/^ofr_[0-9a-z]{16}$/);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ ...pastries, offerId: created.body.offerId, audience: 2 });
    expect(read.body.matched).toBeUndefined();
    expect(["scheduled", "sending", "sent"]).toContain(read.body.delivery.state);
    expect(read.body.delivery).toMatchObject({
      batches: expect.any(Number),
      scanned: expect.any(Number),
      matched: expect.any(Number),
      updated: expect.any(Number),
      pushed: expect.any(Number),
      skipped: expect.any(Number),
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((o: { offerId: string }) => o.offerId)).toEqual([created.body.offerId]);
  });

  it("starts an offer today and gives it an end when the merchant names neither", async () => {
    // Prepare
    const shop = await shopWithMembers();

    // Act
    const created = await call("POST", offersOf(shop), {
      body: { title: "Welcome back", description: "A coffee on us.", target: { kind: "all" } },
    });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.validFrom).toBe(day(0));
    expect(created.body.validTo > created.body.validFrom).toBe(true);
  });

  it("counts the members a target reaches before sending, and creates nothing", async () => {
    // Prepare
    const shop = await shopWithMembers();
    const before = await tableNow();

    // Act
    const everyone = await call("POST", `${offersOf(shop)}/audience`, {
      key: shop.merchantKey,
      body: { target: { kind: "all" } },
    });
    const gold = await call("POST", `${offersOf(shop)}/audience`, {
      key: shop.merchantKey,
      body: { target: { kind: "tier", tier: "gold" }, storeIds: [shop.storeId] },
    });
    const listed = await call("GET", offersOf(shop), { key: shop.merchantKey });

    // Assess
    expect(everyone.status).toBe(200);
    expect(everyone.body).toEqual({ matched: 2, scanned: 2 });
    expect(gold.status).toBe(200);
    expect(gold.body).toEqual({ matched: 0, scanned: 2 });
    expect(listed.body.items).toEqual([]);
    expect(await tableNow()).toEqual(before);
  });

  it("lists a program's offers newest first, a page at a time", async () => {
    // Prepare
    const shop = await shopWithMembers();
    const first = await call("POST", offersOf(shop), { body: { ...pastries, title: "First" } });
    const second = await call("POST", offersOf(shop), { body: { ...pastries, title: "Second" } });

    // Act
    const page1 = await call("GET", `${offersOf(shop)}?limit=1`);
    const page2 = await call("GET", `${offersOf(shop)}?limit=1&cursor=${page1.body.nextCursor}`);

    // Assess
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(page1.body.items.map((o: { title: string }) => o.title)).toEqual(["Second"]);
    expect(page2.body.items.map((o: { title: string }) => o.title)).toEqual(["First"]);
  });

  it("ends an offer, and ending it again changes nothing and answers the same", async () => {
    // Prepare
    const shop = await shopWithMembers();
    const created = await call("POST", offersOf(shop), { key: shop.merchantKey, body: pastries });
    const path = `${offersOf(shop)}/${created.body.offerId}`;

    // Act
    const ended = await call("POST", `${path}/end`, { key: shop.merchantKey });
    const again = await call("POST", `${path}/end`, { key: shop.merchantKey });
    const read = await call("GET", path, { key: shop.merchantKey });

    // Assess
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ offerId: created.body.offerId, status: "ended" });
    expect(ended.body.endedAt).toEqual(expect.any(String));
    expect(["withdrawing", "withdrawn"]).toContain(ended.body.delivery.state);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "ended", endedAt: ended.body.endedAt });
    expect(read.body).toMatchObject({ status: "ended", endedAt: ended.body.endedAt });
  });

  it("creates one offer under one Idempotency-Key, and refuses the key for another offer", async () => {
    // Prepare
    const shop = await shopWithMembers();
    const headers = { "idempotency-key": randomUUID() };

    // Act
    const first = await call("POST", offersOf(shop), { key: shop.merchantKey, body: pastries, headers });
    const retry = await call("POST", offersOf(shop), { key: shop.merchantKey, body: pastries, headers });
    const other = await call("POST", offersOf(shop), {
      key: shop.merchantKey,
      body: { ...pastries, title: "Another offer" },
      headers,
    });
    const listed = await call("GET", offersOf(shop), { key: shop.merchantKey });

    // Assess
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.offerId).toBe(first.body.offerId);
    expect(retry.body.matched).toBe(first.body.matched);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    expect(listed.body.items).toHaveLength(1);
  });
});

describe("merchant API: offers refused", () => {
  it("refuses a body its schema refuses: 400 for unknown fields, 422 for wrong values, writing nothing", async () => {
    // Prepare
    const shop = await shopWithMembers();
    const before = await tableNow();
    const send = (body: unknown) => call("POST", offersOf(shop), { key: shop.merchantKey, body });

    // Act
    const answers = {
      unknownField: await send({ ...pastries, discount: 10 }),
      unknownInTarget: await send({ ...pastries, target: { kind: "all", everyone: true } }),
      noTitle: await send({ ...pastries, title: undefined }),
      titleTooLong: await send({ ...pastries, title: "x".repeat(41) }),
      unknownTargetKind: await send({ ...pastries, target: { kind: "vip" } }),
      notADay: await send({ ...pastries, validFrom: "next monday" }),
      amountVoucherWithoutValue: await send({ ...pastries, voucher: { title: "5 € off", kind: "amount" } }),
      noStores: await send({ ...pastries, storeIds: [] }),
      audienceWithTitle: await call("POST", `${offersOf(shop)}/audience`, {
        key: shop.merchantKey,
        body: { target: { kind: "all" }, title: "x" },
      }),
      audienceWithoutTarget: await call("POST", `${offersOf(shop)}/audience`, {
        key: shop.merchantKey,
        body: {},
      }),
      badLimit: await call("GET", `${offersOf(shop)}?limit=0`, { key: shop.merchantKey }),
      foreignCursor: await call("GET", `${offersOf(shop)}?cursor=bm90LWEtY3Vyc29y`, {
        key: shop.merchantKey,
      }),
    };

    // Assess
    expect(answers).toMatchObject({
      unknownField: refusedWith(400, "unknown_field"),
      unknownInTarget: refusedWith(400, "unknown_field"),
      noTitle: refusedWith(422, "validation_failed"),
      titleTooLong: refusedWith(422, "validation_failed"),
      unknownTargetKind: refusedWith(422, "validation_failed"),
      notADay: refusedWith(422, "validation_failed"),
      amountVoucherWithoutValue: refusedWith(422, "validation_failed"),
      noStores: refusedWith(422, "validation_failed"),
      audienceWithTitle: refusedWith(400, "unknown_field"),
      audienceWithoutTarget: refusedWith(422, "validation_failed"),
      badLimit: refusedWith(400, "invalid_parameter"),
      foreignCursor: refusedWith(400, "invalid_cursor"),
    });
    expect(await tableNow()).toEqual(before);
  });

  it("refuses stores and tiers the program does not have, and dates out of order, with a 422 that writes nothing", async () => {
    // Prepare
    const shop = await shopWithMembers();
    const other = await openShop(call, undefined, "Another shop");
    const before = await tableNow();
    const send = (path: string, body: unknown) => call("POST", path, { key: shop.merchantKey, body });

    // Act
    const answers = {
      unknownStore: await send(offersOf(shop), {
        ...pastries,
        storeIds: [shop.storeId, "sto_0000000000000000"],
      }),
      anotherProgramsStore: await send(offersOf(shop), { ...pastries, storeIds: [other.storeId] }),
      unknownTier: await send(offersOf(shop), { ...pastries, target: { kind: "tier", tier: "platinum" } }),
      endBeforeStart: await send(offersOf(shop), { ...pastries, validFrom: day(10), validTo: day(3) }),
      overAYear: await send(offersOf(shop), { ...pastries, validFrom: day(0), validTo: day(400) }),
      audienceUnknownStore: await send(`${offersOf(shop)}/audience`, {
        target: { kind: "all" },
        storeIds: ["sto_0000000000000000"],
      }),
      audienceUnknownTier: await send(`${offersOf(shop)}/audience`, {
        target: { kind: "tier", tier: "platinum" },
      }),
    };

    // Assess
    expect(answers).toMatchObject({
      unknownStore: refusedWith(422, "unknown_store"),
      anotherProgramsStore: refusedWith(422, "unknown_store"),
      unknownTier: refusedWith(422, "unknown_tier"),
      endBeforeStart: refusedWith(422, "offer_dates_invalid"),
      overAYear: refusedWith(422, "offer_dates_invalid"),
      audienceUnknownStore: refusedWith(422, "unknown_store"),
      audienceUnknownTier: refusedWith(422, "unknown_tier"),
    });
    expect(await tableNow()).toEqual(before);
  });

  it("answers 401 without a key, with a made-up key, and with a store's key", async () => {
    // Prepare
    const shop = await shopWithMembers();

    // Act
    const none = await call("POST", offersOf(shop), { key: null, body: pastries });
    const madeUp = await call("GET", offersOf(shop), {
      key: `mk.${shop.programId}.${"A".repeat(43)}`,
    });
    const storeKey = await call("POST", `${offersOf(shop)}/audience`, {
      key: shop.storeKey,
      body: { target: { kind: "all" } },
    });

    // Assess
    expect(none).toMatchObject(refusedWith(401, "missing_credentials"));
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(madeUp).toMatchObject(refusedWith(401, "invalid_credentials"));
    expect(storeKey).toMatchObject(refusedWith(401, "invalid_credentials"));
  });

  it("answers 404 for an offer that does not exist, an id that cannot exist, and a program that does not exist", async () => {
    // Prepare
    const shop = await shopWithMembers();
    const nowhere = "/v1/programs/prg_0000000000000000/offers";

    // Act
    const answers = {
      unknown: await call("GET", `${offersOf(shop)}/ofr_0000000000000000`),
      cannotExist: await call("GET", `${offersOf(shop)}/not-an-offer`),
      endUnknown: await call("POST", `${offersOf(shop)}/ofr_0000000000000000/end`),
      createNowhere: await call("POST", nowhere, { body: pastries }),
      audienceNowhere: await call("POST", `${nowhere}/audience`, { body: { target: { kind: "all" } } }),
      listNowhere: await call("GET", nowhere),
    };

    // Assess
    expect(answers).toMatchObject({
      unknown: refusedWith(404, "offer_not_found"),
      cannotExist: refusedWith(404, "offer_not_found"),
      endUnknown: refusedWith(404, "offer_not_found"),
      createNowhere: refusedWith(404, "program_not_found"),
      audienceNowhere: refusedWith(404, "program_not_found"),
      listNowhere: refusedWith(404, "program_not_found"),
    });
  });

  it("keeps each program's offers to itself: another merchant's key, or another program's path, finds nothing", async () => {
    // Prepare
    const shop = await shopWithMembers();
    const rival = await openShop(call, undefined, "Rival");
    const created = await call("POST", offersOf(shop), { key: shop.merchantKey, body: pastries });
    const offer = `${offersOf(shop)}/${created.body.offerId}`;

    // Act
    const answers = {
      create: await call("POST", offersOf(shop), { key: rival.merchantKey, body: pastries }),
      audience: await call("POST", `${offersOf(shop)}/audience`, {
        key: rival.merchantKey,
        body: { target: { kind: "all" } },
      }),
      list: await call("GET", offersOf(shop), { key: rival.merchantKey }),
      get: await call("GET", offer, { key: rival.merchantKey }),
      end: await call("POST", `${offer}/end`, { key: rival.merchantKey }),
      viaRivalPath: await call("GET", `${offersOf(rival)}/${created.body.offerId}`, {
        key: rival.merchantKey,
      }),
      endViaRivalPath: await call("POST", `${offersOf(rival)}/${created.body.offerId}/end`, {
        key: rival.merchantKey,
      }),
    };
    const stillThere = await call("GET", offer, { key: shop.merchantKey });
    const rivalList = await call("GET", offersOf(rival), { key: rival.merchantKey });

    // Assess
    expect(answers).toMatchObject({
      create: refusedWith(404, "program_not_found"),
      audience: refusedWith(404, "program_not_found"),
      list: refusedWith(404, "program_not_found"),
      get: refusedWith(404, "program_not_found"),
      end: refusedWith(404, "program_not_found"),
      viaRivalPath: refusedWith(404, "offer_not_found"),
      endViaRivalPath: refusedWith(404, "offer_not_found"),
    });
    expect(stillThere.body.status).toBe("active");
    expect(rivalList.body.items).toEqual([]);
  });
});

describe("merchant API: a member's offers and stores", () => {
  it("shows the member's live offers and stores in the member's GET", async () => {
    // Prepare
    const shop = await shopWithMembers();
    const { memberId } = await enrollMember(call, shop, { sendEmail: false, storeId: shop.storeId });

    // Act
    const member = await call("GET", `/v1/programs/${shop.programId}/members/${memberId}`);

    // Assess: what the offers show once sent is the fan-out's test; here, the shape of the answer
    expect(member.status).toBe(200);
    expect(member.body.offers).toEqual(expect.any(Array));
    expect(member.body.stores).toEqual({ onCard: expect.any(Array), favourites: [] });
  });

  it("refuses a staff enrollment whose storeId cannot be a store id", async () => {
    // Prepare
    const shop = await shopWithMembers();

    // Act
    const enrolled = await call("POST", `/v1/programs/${shop.programId}/members`, {
      body: { email: `${randomUUID()}@example.com`, storeId: "the corner shop" },
    });

    // Assess
    expect(enrolled).toMatchObject(refusedWith(422, "validation_failed"));
  });
});

describe("merchant API: a store's postcode and beacon", () => {
  const beacon = { proximityUUID: "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0", major: 1, minor: 7 };
  const bastille = {
    name: "Lumière Bastille",
    latitude: 48.8532,
    longitude: 2.3691,
    postcode: "75011",
    beacon,
  };

  it("keeps them as given, shows them on every read, and replaces them on a change", async () => {
    // Prepare
    const shop = await openShop(call, undefined, "Stores with beacons");

    // Act
    const created = await call("POST", `/v1/programs/${shop.programId}/stores`, { body: bastille });
    const path = `/v1/programs/${shop.programId}/stores/${created.body.storeId}`;
    const read = await call("GET", path);
    const changed = await call("PATCH", path, {
      body: { postcode: "75012", beacon: { proximityUUID: beacon.proximityUUID } },
    });
    const reread = await call("GET", path);
    const listed = await call("GET", `/v1/programs/${shop.programId}/stores`);

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(bastille);
    expect(read.body).toMatchObject(bastille);
    expect(changed.status).toBe(200);
    expect(reread.body).toMatchObject({ postcode: "75012", beacon: { proximityUUID: beacon.proximityUUID } });
    expect(reread.body.beacon).toEqual({ proximityUUID: beacon.proximityUUID });
    expect(
      listed.body.items.find((s: { storeId: string }) => s.storeId === created.body.storeId),
    ).toMatchObject({
      postcode: "75012",
    });
  });

  it("removes them with null, and keeps what the change does not name", async () => {
    // Prepare
    const shop = await openShop(call, undefined, "Stores with beacons");
    const created = await call("POST", `/v1/programs/${shop.programId}/stores`, { body: bastille });
    const path = `/v1/programs/${shop.programId}/stores/${created.body.storeId}`;

    // Act
    const noPostcode = await call("PATCH", path, { body: { postcode: null } });
    const noBeacon = await call("PATCH", path, { body: { beacon: null } });
    const read = await call("GET", path);

    // Assess
    expect(noPostcode.status).toBe(200);
    expect(noPostcode.body.postcode).toBeUndefined();
    expect(noPostcode.body.beacon).toEqual(beacon);
    expect(noBeacon.status).toBe(200);
    expect(read.body).toMatchObject({ name: bastille.name, latitude: bastille.latitude });
    expect("postcode" in read.body).toBe(false);
    expect("beacon" in read.body).toBe(false);
  });

  it("refuses a beacon or postcode that is not one, writing nothing", async () => {
    // Prepare
    const shop = await openShop(call, undefined, "Stores with beacons");
    const stores = `/v1/programs/${shop.programId}/stores`;
    const before = await tableNow();

    // Act
    const answers = {
      notAUuid: await call("POST", stores, { body: { ...bastille, beacon: { proximityUUID: "abc" } } }),
      majorTooBig: await call("POST", stores, {
        body: { ...bastille, beacon: { ...beacon, major: 65_536 } },
      }),
      beaconUnknownField: await call("POST", stores, {
        body: { ...bastille, beacon: { ...beacon, power: -59 } },
      }),
      badPostcode: await call("POST", stores, { body: { ...bastille, postcode: "75011; DROP" } }),
      patchBadBeacon: await call("PATCH", `${stores}/${shop.storeId}`, { body: { beacon: { major: 1 } } }),
    };

    // Assess
    expect(answers).toMatchObject({
      notAUuid: { status: 422, body: { error: { code: "validation_failed" } } },
      majorTooBig: { status: 422, body: { error: { code: "validation_failed" } } },
      beaconUnknownField: { status: 400, body: { error: { code: "unknown_field" } } },
      badPostcode: { status: 422, body: { error: { code: "validation_failed" } } },
      patchBadBeacon: { status: 422, body: { error: { code: "validation_failed" } } },
    });
    expect(await tableNow()).toEqual(before);
  });

  it("publishes them in /openapi.json, removable with null on a change", async () => {
    // Act
    const document = await call("GET", "/openapi.json", { key: null });

    // Assess
    const schemas = document.body.components.schemas;
    expect(Object.keys(schemas.StoreInput.properties)).toEqual(
      expect.arrayContaining(["postcode", "beacon"]),
    );
    expect(Object.keys(schemas.Store.properties)).toEqual(expect.arrayContaining(["postcode", "beacon"]));
    expect(JSON.stringify(schemas.StorePatch.properties.beacon)).toContain('"null"');
    expect(JSON.stringify(schemas.StorePatch.properties.postcode)).toContain('"null"');
    expect(document.body.paths["/v1/programs/{programId}/offers"].post.operationId).toBe("createOffer");
  });
});
