import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";
import { enrollMember, openShop, type Shop, tillCall } from "../support/loyalty.js";
import { expectRejectedWithoutWrite } from "../support/no-write.js";

const { call, table } = useApi();

/**
 * The business rules' refusals and other programs' data, one case each. The mistakes any operation
 * can get (credentials, Idempotency-Key, path ids, query, body: its encoding, unknown, missing,
 * mistyped or out-of-range fields) are derived from the contract in request-fuzz.test.ts.
 */

/** A bad request is answered with its status and code, and changes nothing at all. */
const rejects = (run: () => Promise<{ status: number; body: any }>, status: number, code: string) =>
  expectRejectedWithoutWrite(table, run, status, code);

let shop: Shop;
let other: Shop;
let member: { memberId: string; cardCode: string; referralCode: string };
let stranger: { memberId: string; cardCode: string };
let purchaseId: string;
let foreignPurchaseId: string;
let redeemedVoucherId: string;
let partner: { partnerId: string; apiKey: string };
let rivalPartner: { partnerId: string; apiKey: string };
let openVoucherId: string;
let refundId: string;
let redemptionId: string;
let friend: { memberId: string; cardCode: string };

beforeAll(async () => {
  shop = await openShop(call);
  other = await openShop(call, {}, "Other program");
  member = await enrollMember(call, shop, { email: "camille@example.com" });
  stranger = await enrollMember(call, other);
  const bought = await tillCall(call, shop, "purchases", {
    member: member.memberId,
    amountCents: 3000,
    currency: "EUR",
    items: [{ name: "Espresso", category: "coffee", quantity: 6, unitCents: 500 }],
  });
  purchaseId = bought.body.transactionId;
  redeemedVoucherId = bought.body.vouchersIssued[0].voucherId;
  openVoucherId = bought.body.vouchersIssued[1].voucherId;
  redemptionId = (
    await tillCall(call, shop, "redemptions", { member: member.memberId, voucherId: redeemedVoucherId })
  ).body.redemptionId;
  const small = await tillCall(call, shop, "purchases", {
    member: member.memberId,
    amountCents: 500,
    currency: "EUR",
  });
  refundId = (
    await tillCall(call, shop, "refunds", { transactionId: small.body.transactionId, amountCents: 100 })
  ).body.transactionId;
  friend = await enrollMember(call, shop);
  foreignPurchaseId = (
    await tillCall(call, other, "purchases", { member: stranger.memberId, amountCents: 500, currency: "EUR" })
  ).body.transactionId;
  partner = (await call("POST", `/v1/programs/${shop.programId}/partners`, { body: { name: "Cinema" } }))
    .body;
  rivalPartner = (
    await call("POST", `/v1/programs/${other.programId}/partners`, { body: { name: "Bowling" } })
  ).body;
});

const purchase = () => ({ member: member.memberId, amountCents: 1000, currency: "EUR" });
const line = { name: "Tea", category: "tea", quantity: 1, unitCents: 300 };
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

describe("purchases: every bad input is a 4xx that writes nothing", () => {
  it.each<[string, () => unknown, number, string]>([
    ["another currency", () => ({ ...purchase(), currency: "USD" }), 422, "currency_mismatch"],
    ["a lower-case currency", () => ({ ...purchase(), currency: "eur" }), 422, "validation_failed"],
    [
      "an unknown member id",
      () => ({ ...purchase(), member: "mbr_0000000000000000" }),
      404,
      "member_not_found",
    ],
    [
      "a card code nobody has",
      () => ({ ...purchase(), member: "4539148803436467" }),
      404,
      "member_not_found",
    ],
    ["a mistyped card code", () => ({ ...purchase(), member: "4539148803436468" }), 422, "invalid_card_code"],
    [
      "a member of another program",
      () => ({ ...purchase(), member: stranger.memberId }),
      404,
      "member_not_found",
    ],
    [
      "another program's card code",
      () => ({ ...purchase(), member: stranger.cardCode }),
      404,
      "member_not_found",
    ],
    [
      "101 line items",
      () => ({ ...purchase(), items: Array.from({ length: 101 }, () => line) }),
      422,
      "validation_failed",
    ],
    [
      "a quantity of 0",
      () => ({ ...purchase(), items: [{ ...line, quantity: 0 }] }),
      422,
      "validation_failed",
    ],
    [
      "a fractional quantity",
      () => ({ ...purchase(), items: [{ ...line, quantity: 1.5 }] }),
      422,
      "validation_failed",
    ],
    [
      "a negative unit price",
      () => ({ ...purchase(), items: [{ ...line, unitCents: -1 }] }),
      422,
      "validation_failed",
    ],
    [
      "an unknown field in an item",
      () => ({ ...purchase(), items: [{ ...line, colour: "red" }] }),
      400,
      "unknown_field",
    ],
    [
      "occurredAt in the future",
      () => ({ ...purchase(), occurredAt: daysAgo(-1) }),
      422,
      "occurred_in_future",
    ],
    [
      "occurredAt 40 days ago",
      () => ({ ...purchase(), occurredAt: daysAgo(40) }),
      422,
      "occurred_too_long_ago",
    ],
    [
      "occurredAt without a time zone",
      () => ({ ...purchase(), occurredAt: "2026-11-23T10:00:00" }),
      422,
      "validation_failed",
    ],
  ])("refuses %s", async (_what, body, status, code) => {
    await rejects(() => tillCall(call, shop, "purchases", body()), status, code);
  });

  it("refuses a call with another store's key as if the store did not exist", async () => {
    await rejects(
      () =>
        call("POST", `/v1/stores/${shop.storeId}/purchases`, {
          key: other.storeKey,
          body: purchase(),
          headers: { "idempotency-key": randomUUID() },
        }),
      404,
      "store_not_found",
    );
  });

  it("refuses a __proto__ field like any unknown field", async () => {
    await rejects(
      () =>
        call("POST", `/v1/stores/${shop.storeId}/purchases`, {
          key: shop.storeKey,
          raw: JSON.stringify(purchase()).replace(/}$/, ',"__proto__":{"amountCents":1}}'),
          headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
        }),
      400,
      "unknown_field",
    );
  });

  it("refuses a key used for a purchase when it comes back on a refund", async () => {
    // Prepare
    const key = randomUUID();
    await tillCall(call, shop, "purchases", purchase(), key);

    // Act + Assess
    await rejects(
      () => tillCall(call, shop, "refunds", { transactionId: purchaseId, amountCents: 100 }, key),
      409,
      "idempotency_key_reused",
    );
  });

  it("refuses the same Idempotency-Key with another body", async () => {
    // Prepare
    const key = randomUUID();
    await tillCall(call, shop, "purchases", purchase(), key);

    // Act + Assess
    await rejects(
      () => tillCall(call, shop, "purchases", { ...purchase(), amountCents: 999 }, key),
      409,
      "idempotency_key_reused",
    );
  });
});

describe("refunds and redemptions: every bad input is a 4xx that writes nothing", () => {
  it.each<[string, () => unknown, number, string]>([
    [
      "an unknown transaction",
      () => ({ transactionId: "txn_0000000000000000", amountCents: 100 }),
      404,
      "transaction_not_found",
    ],
    [
      "another program's transaction",
      () => ({ transactionId: foreignPurchaseId, amountCents: 100 }),
      404,
      "transaction_not_found",
    ],
    [
      "more than the purchase",
      () => ({ transactionId: purchaseId, amountCents: 3001 }),
      422,
      "refund_exceeds_purchase",
    ],
    [
      "a refund (not a purchase)",
      () => ({ transactionId: refundId, amountCents: 1 }),
      404,
      "transaction_not_found",
    ],
    [
      "a redemption (not a purchase)",
      () => ({ transactionId: redemptionId, amountCents: 1 }),
      404,
      "transaction_not_found",
    ],
  ])("refuses a refund of %s", async (_what, body, status, code) => {
    await rejects(() => tillCall(call, shop, "refunds", body()), status, code);
  });

  it.each<[string, () => unknown, number, string]>([
    [
      "both a voucher and a reward",
      () => ({ member: member.memberId, voucherId: redeemedVoucherId, rewardId: "cake" }),
      422,
      "validation_failed",
    ],
    ["neither a voucher nor a reward", () => ({ member: member.memberId }), 422, "validation_failed"],
    [
      "an unknown voucher",
      () => ({ member: member.memberId, voucherId: "vch_0000000000000000" }),
      404,
      "voucher_not_found",
    ],
    ["an unknown reward", () => ({ member: member.memberId, rewardId: "yacht" }), 404, "reward_not_found"],
    [
      "a voucher already redeemed",
      () => ({ member: member.memberId, voucherId: redeemedVoucherId }),
      409,
      "voucher_already_redeemed",
    ],
    [
      "a reward the member cannot afford",
      () => ({ member: member.memberId, rewardId: "five-euros" }),
      422,
      "insufficient_points",
    ],
    [
      "another program's member",
      () => ({ member: stranger.memberId, rewardId: "cake" }),
      404,
      "member_not_found",
    ],
    [
      "another member's voucher",
      () => ({ member: friend.memberId, voucherId: openVoucherId }),
      404,
      "voucher_not_found",
    ],
    [
      "a mistyped card code",
      () => ({ member: "4539148803436468", rewardId: "cake" }),
      422,
      "invalid_card_code",
    ],
  ])("refuses a redemption with %s", async (_what, body, status, code) => {
    await rejects(() => tillCall(call, shop, "redemptions", body()), status, code);
  });
});

describe("partner accruals: every bad input is a 4xx that writes nothing", () => {
  const accrue = (body: unknown, key: string = partner.apiKey) =>
    call("POST", `/v1/partners/${partner.partnerId}/accruals`, {
      key,
      body,
      headers: { "idempotency-key": randomUUID() },
    });

  it.each<[string, () => Promise<{ status: number; body: any }>, number, string]>([
    [
      "points and an amount together",
      () => accrue({ member: member.cardCode, points: 5, amountCents: 500, reference: "r1" }),
      422,
      "validation_failed",
    ],
    [
      "neither points nor an amount",
      () => accrue({ member: member.cardCode, reference: "r1" }),
      422,
      "validation_failed",
    ],
    [
      "more than the daily cap",
      () => accrue({ member: member.cardCode, points: 101, reference: "r1" }),
      422,
      "daily_cap_exceeded",
    ],
    [
      "a reference with spaces",
      () => accrue({ member: member.cardCode, points: 5, reference: "order 1" }),
      422,
      "validation_failed",
    ],
    [
      "an amount worth no points",
      () => accrue({ member: member.cardCode, amountCents: 99, reference: "r1" }),
      422,
      "no_points",
    ],
    [
      "another program's member",
      () => accrue({ member: stranger.memberId, points: 5, reference: "r1" }),
      404,
      "member_not_found",
    ],
    [
      "another program's partner key",
      () => accrue({ member: member.cardCode, points: 5, reference: "r1" }, rivalPartner.apiKey),
      404,
      "partner_not_found",
    ],
    [
      "a card code nobody has",
      () => accrue({ member: "4539148803436467", points: 5, reference: "r1" }),
      404,
      "member_not_found",
    ],
    [
      "a mistyped card code",
      () => accrue({ member: "4539148803436468", points: 5, reference: "r1" }),
      422,
      "invalid_card_code",
    ],
    [
      "another partner's path",
      () =>
        call("POST", "/v1/partners/prt_0000000000000000/accruals", {
          key: partner.apiKey,
          body: { member: member.cardCode, points: 5, reference: "r1" },
          headers: { "idempotency-key": randomUUID() },
        }),
      404,
      "partner_not_found",
    ],
  ])("refuses %s", async (_what, run, status, code) => {
    await rejects(run, status, code);
  });

  it("refuses an accrual that would take the member past today's cap", async () => {
    // Prepare: 60 of the 100 points a day are used
    const capped = await enrollMember(call, shop);
    const first = await accrue({ member: capped.cardCode, points: 60, reference: "r1" });
    expect(first.status).toBe(201);

    // Act + Assess
    await rejects(
      () => accrue({ member: capped.cardCode, points: 41, reference: "r2" }),
      422,
      "daily_cap_exceeded",
    );
  });

  it("refuses the same Idempotency-Key with another body", async () => {
    // Prepare
    const key = randomUUID();
    const send = (points: number) =>
      call("POST", `/v1/partners/${partner.partnerId}/accruals`, {
        key: partner.apiKey,
        body: { member: friend.cardCode, points, reference: "same-key" },
        headers: { "idempotency-key": key },
      });
    expect((await send(1)).status).toBe(201);

    // Act + Assess
    await rejects(() => send(2), 409, "idempotency_key_reused");
  });
});

describe("members, enrollment and transfers: every bad input is a 4xx that writes nothing", () => {
  const members = () => `/v1/programs/${shop.programId}/members`;

  it.each<[string, () => Promise<{ status: number; body: any }>, number, string]>([
    [
      "a blank first name",
      () => call("POST", members(), { body: { email: "new@example.com", firstName: "   " } }),
      422,
      "validation_failed",
    ],
    [
      "an unknown referral code",
      () => call("POST", members(), { body: { email: "new@example.com", referralCode: "ZZZZZZZZ" } }),
      422,
      "unknown_referral_code",
    ],
    [
      "another program's referral code",
      () =>
        call("POST", `/v1/programs/${other.programId}/members`, {
          body: { email: "new@example.com", referralCode: member.referralCode },
        }),
      422,
      "unknown_referral_code",
    ],
    [
      "an email already enrolled",
      () => call("POST", members(), { body: { email: "CAMILLE@example.com" } }),
      409,
      "member_already_enrolled",
    ],
    [
      "a birth date in the future",
      () => call("POST", members(), { body: { email: "new@example.com", birthDate: "2999-01-01" } }),
      422,
      "validation_failed",
    ],
    [
      "an unknown program",
      () => call("POST", "/v1/programs/prg_0000000000000000/members", { body: { email: "new@example.com" } }),
      404,
      "program_not_found",
    ],
    [
      "another program's merchant key",
      () => call("POST", members(), { key: other.merchantKey, body: { email: "new@example.com" } }),
      404,
      "program_not_found",
    ],
  ])("refuses an enrollment with %s", async (_what, run, status, code) => {
    await rejects(run, status, code);
  });

  it.each<[string, () => Promise<{ status: number; body: any }>, number, string]>([
    [
      "to the same member",
      () => transfer(member.memberId, { toMemberId: member.memberId, points: 5 }),
      422,
      "same_member",
    ],
    [
      "to another program's member",
      () => transfer(member.memberId, { toMemberId: stranger.memberId, points: 5 }),
      404,
      "member_not_found",
    ],
    [
      "to a member that does not exist",
      () => transfer(member.memberId, { toMemberId: "mbr_0000000000000000", points: 5 }),
      404,
      "member_not_found",
    ],
    [
      "from a member that does not exist",
      () => transfer("mbr_0000000000000000", { toMemberId: friend.memberId, points: 1 }),
      404,
      "member_not_found",
    ],
    [
      "from another program's member",
      () => transfer(stranger.memberId, { toMemberId: friend.memberId, points: 1 }),
      404,
      "member_not_found",
    ],
    [
      "with another program's merchant key",
      () =>
        call("POST", `/v1/programs/${shop.programId}/members/${member.memberId}/transfers`, {
          key: other.merchantKey,
          body: { toMemberId: friend.memberId, points: 1 },
        }),
      404,
      "program_not_found",
    ],
    [
      "when the program does not allow transfers",
      () =>
        call("POST", `/v1/programs/${other.programId}/members/${stranger.memberId}/transfers`, {
          body: { toMemberId: stranger.memberId, points: 1 },
        }),
      422,
      "transfers_disabled",
    ],
  ])("refuses a transfer %s", async (_what, run, status, code) => {
    await rejects(run, status, code);
  });

  it("refuses a transfer between members of a program created with the default rules", async () => {
    // Prepare
    const created = await call("POST", "/v1/programs", {
      body: { name: "Default rules", organizationName: "Bakery" },
    });
    const plain = { programId: created.body.programId } as Shop;
    const [alice, bob] = [await enrollMember(call, plain), await enrollMember(call, plain)];

    // Act + Assess
    await rejects(
      () =>
        call("POST", `/v1/programs/${plain.programId}/members/${alice.memberId}/transfers`, {
          body: { toMemberId: bob.memberId, points: 1 },
        }),
      422,
      "transfers_disabled",
    );
  });

  it("refuses the same Idempotency-Key on a transfer with another body", async () => {
    // Prepare
    const key = randomUUID();
    const send = (points: number) =>
      call("POST", `/v1/programs/${shop.programId}/members/${member.memberId}/transfers`, {
        body: { toMemberId: friend.memberId, points },
        headers: { "idempotency-key": key },
      });
    expect((await send(1)).status).toBe(201);

    // Act + Assess
    await rejects(() => send(2), 409, "idempotency_key_reused");
  });

  it.each<[string, () => string, number, string]>([
    [
      "a member of a program whose cards never expire",
      () => `${members()}/${member.memberId}/renewals`,
      422,
      "card_never_expires",
    ],
    [
      "a member that does not exist",
      () => `${members()}/mbr_0000000000000000/renewals`,
      404,
      "member_not_found",
    ],
    ["another program's member", () => `${members()}/${stranger.memberId}/renewals`, 404, "member_not_found"],
  ])("refuses a card renewal of %s", async (_what, path, status, code) => {
    await rejects(() => call("POST", path()), status, code);
  });

  it("refuses a transfer of more points than the member holds", async () => {
    await rejects(
      () => transfer(member.memberId, { toMemberId: friend.memberId, points: 5_000 }),
      422,
      "insufficient_points",
    );
  });

  it.each<[string, () => string, number, string]>([
    ["another program's member", () => `${members()}/${stranger.memberId}`, 404, "member_not_found"],
    ["neither email nor cardCode", () => members(), 400, "invalid_parameter"],
    ["an email nobody has", () => `${members()}?email=nobody@example.com`, 404, "member_not_found"],
    [
      "a forged history cursor",
      () =>
        `${members()}/${member.memberId}/history?cursor=${Buffer.from(JSON.stringify({ PK: `MEMBER#${stranger.memberId}`, SK: "LEDGER#0000000001" })).toString("base64url")}`,
      400,
      "invalid_cursor",
    ],
    [
      "a cursor that is not base64url",
      () => `${members()}/${member.memberId}/history?cursor=not%20a%20cursor!`,
      400,
      "invalid_cursor",
    ],
    [
      "the history of a member that does not exist",
      () => `${members()}/mbr_0000000000000000/history`,
      404,
      "member_not_found",
    ],
    [
      "the history of another program's member",
      () => `${members()}/${stranger.memberId}/history`,
      404,
      "member_not_found",
    ],
    ["a card code nobody has", () => `${members()}?cardCode=4539148803436467`, 404, "member_not_found"],
    [
      "another program's card code",
      () => `${members()}?cardCode=${stranger.cardCode}`,
      404,
      "member_not_found",
    ],
    ["a mistyped card code", () => `${members()}?cardCode=4539148803436468`, 422, "invalid_card_code"],
  ])("answers a read with %s", async (_what, path, status, code) => {
    await rejects(() => call("GET", path()), status, code);
  });

  it("refuses to show a member to another program's merchant key as if the program did not exist", async () => {
    await rejects(
      () => call("GET", `${members()}/${member.memberId}`, { key: other.merchantKey }),
      404,
      "program_not_found",
    );
  });
});

const transfer = (from: string, body: unknown) =>
  call("POST", `/v1/programs/${shop.programId}/members/${from}/transfers`, { body });

describe("a method a path does not take", () => {
  it.each([
    ["GET", () => `/v1/stores/${shop.storeId}/purchases`],
    ["DELETE", () => `/v1/programs/${shop.programId}/members/${member.memberId}`],
    ["PUT", () => `/v1/partners/${partner.partnerId}/accruals`],
  ])("answers %s on a path that does not take it with 405", async (method, path) => {
    await rejects(() => call(method, path(), { key: shop.storeKey }), 405, "method_not_allowed");
  });
});
