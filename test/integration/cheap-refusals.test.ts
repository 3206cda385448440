import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";
import { useDynamoRequests } from "../support/dynamo-requests.js";
import { enrollMember, openShop, type Shop } from "../support/loyalty.js";

/**
 * Cheap refusals: a key or a card link that cannot be one of ours is refused on its shape alone,
 * without a single DynamoDB request, however many are sent (key records are read strongly
 * consistent and absent ones are never cached, so each read a malformed credential caused would be
 * paid for again on every request).
 */

const { call, url } = useApi();
const counted = useDynamoRequests();

const SECRET = "A".repeat(43);
let shop: Shop;
let partnerId = "";
let memberId = "";

beforeAll(async () => {
  // Prepare: a program, a store, a partner and a member, all real
  shop = await openShop(call, {}, "Cheap refusals");
  const partner = await call("POST", `/v1/programs/${shop.programId}/partners`, { body: { name: "Cinema" } });
  expect(partner.status).toBe(201);
  partnerId = partner.body.partnerId;
  memberId = (await enrollMember(call, shop)).memberId;
});

const purchase = (key: string) =>
  call("POST", `/v1/stores/${shop.storeId}/purchases`, {
    key,
    headers: { "idempotency-key": randomUUID() },
    body: { member: memberId, amountCents: 100, currency: "EUR" },
  });

describe("malformed keys are refused without a DynamoDB request", () => {
  it.each([
    ["not an id and a short secret", () => "sk.not-an-id.x"],
    ["not an id", () => `sk.not-an-id.${SECRET}`],
    ["a store id one character short", () => `sk.${shop.storeId.slice(0, -1)}.${SECRET}`],
    ["a store id one character long", () => `sk.${shop.storeId}x.${SECRET}`],
    ["a secret one character short", () => `sk.${shop.storeId}.${SECRET.slice(1)}`],
    ["a secret one character long", () => `sk.${shop.storeId}.${SECRET}A`],
    ["four parts", () => `sk.${shop.storeId}.${SECRET}.x`],
    ["a partner key naming the store", () => `pk.${shop.storeId}.${SECRET}`],
    ["the program's merchant key", () => shop.merchantKey],
    ["a store key naming the program", () => `sk.${shop.programId}.${SECRET}`],
    ["a store key naming a member", () => `sk.${memberId}.${SECRET}`],
    ["a key of 600 characters", () => `sk.${"x".repeat(597)}`],
  ])("on the store API: %s", async (_, key) => {
    // Act
    const { result, sent } = await counted(() => purchase(key()));

    // Assess
    expect(result.status).toBe(401);
    expect(result.body.error.code).toBe("invalid_credentials");
    expect(sent).toEqual([]);
  });

  it.each([
    ["a store key", () => shop.storeKey],
    ["a partner key naming a store", () => `pk.${shop.storeId}.${SECRET}`],
    ["a partner key naming the program", () => `pk.${shop.programId}.${SECRET}`],
    ["a partner id one character short", () => `pk.${partnerId.slice(0, -1)}.${SECRET}`],
  ])("on the partner API: %s", async (_, key) => {
    // Act
    const { result, sent } = await counted(() =>
      call("POST", `/v1/partners/${partnerId}/accruals`, {
        key: key(),
        headers: { "idempotency-key": randomUUID() },
        body: { member: memberId, points: 1, reference: "r" },
      }),
    );

    // Assess
    expect(result.status).toBe(401);
    expect(sent).toEqual([]);
  });

  it.each([
    ["a merchant key naming no id", () => `mk.not-an-id.${SECRET}`],
    ["a merchant key naming the store", () => `mk.${shop.storeId}.${SECRET}`],
    ["a merchant key with a short secret", () => `mk.${shop.programId}.x`],
    ["a store key", () => shop.storeKey],
    ["a wrong admin key", () => "not-the-admin-key-0123456789"],
  ])("on the merchant API: %s", async (_, key) => {
    // Act
    const { result, sent } = await counted(() =>
      call("GET", `/v1/programs/${shop.programId}`, { key: key() }),
    );

    // Assess
    expect(result.status).toBe(401);
    expect(sent).toEqual([]);
  });

  it("reads the key record only for a key of the right shape (the counter sees reads)", async () => {
    // Act: a well-formed key the store does not hold
    const { result, sent } = await counted(() => purchase(`sk.${shop.storeId}.${SECRET}`));

    // Assess
    expect(result.status).toBe(401);
    expect(sent.length).toBeGreaterThan(0);
  });
});

describe("malformed card links are refused without a DynamoDB request", () => {
  const get = async (path: string) => {
    const response = await fetch(`${url()}${path}`);
    return { status: response.status, text: await response.text() };
  };

  it.each([
    ["garbage", "/c/garbage"],
    ["garbage, for the pass", "/c/garbage/pass.pkpass"],
    ["an over-long link", `/c/${"a".repeat(5000)}`],
    ["an over-long link, for the pass", `/c/${"a".repeat(5000)}/pass.pkpass`],
    ["a link with an expiry that is not base 36", () => `/c/${shop.programId}.${memberId}.NOT!.${SECRET}`],
    ["a forged link of the right shape", () => `/c/${shop.programId}.${memberId}.zzzzzz.${SECRET}`],
  ] as [string, string | (() => string)][])("%s", async (_, path) => {
    // Act
    const { result, sent } = await counted(() => get(typeof path === "string" ? path : path()));

    // Assess
    expect(result.status).toBe(404);
    expect(result.text).toContain("This card link is not valid");
    expect(sent).toEqual([]);
  });
});

describe("malformed PassKit requests are refused without a DynamoDB request", () => {
  it.each([
    ["a token too short", "ApplePass short"],
    ["no ApplePass scheme", `Bearer ${SECRET}`],
  ])("the latest pass with %s", async (_, authorization) => {
    // Act
    const { result, sent } = await counted(() =>
      call("GET", `/passkit/v1/passes/pass.dev.carnet.local/${memberId}`, {
        key: null,
        headers: { authorization },
      }),
    );

    // Assess
    expect(result.status).toBe(401);
    expect(sent).toEqual([]);
  });

  it("the latest pass of a serial that is not a member id", async () => {
    // Act
    const { result, sent } = await counted(() =>
      call("GET", "/passkit/v1/passes/pass.dev.carnet.local/not-a-member", {
        key: null,
        headers: { authorization: `ApplePass ${SECRET}` },
      }),
    );

    // Assess
    expect(result.status).toBe(401);
    expect(sent).toEqual([]);
  });
});
