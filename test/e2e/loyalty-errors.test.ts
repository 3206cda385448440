import { randomUUID } from "node:crypto";
import { beforeAll, describe, it } from "vitest";
import { useApi } from "../support/api.js";
import { enrollMember, openShop, type Shop, tillCall } from "../support/loyalty.js";
import { expectRejectedWithoutWrite } from "../support/no-write.js";

const { call, table } = useApi();

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
  await tillCall(call, shop, "redemptions", { member: member.memberId, voucherId: redeemedVoucherId });
  foreignPurchaseId = (
    await tillCall(call, other, "purchases", { member: stranger.memberId, amountCents: 500, currency: "EUR" })
  ).body.transactionId;
  partner = (await call("POST", `/v1/programs/${shop.programId}/partners`, { body: { name: "Cinema" } }))
    .body;
});

const purchase = () => ({ member: member.memberId, amountCents: 1000, currency: "EUR" });
const line = { name: "Tea", category: "tea", quantity: 1, unitCents: 300 };
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

describe("purchases: every bad input is a 4xx that writes nothing", () => {
  it.each<[string, () => unknown, number, string]>([
    ["negative cents", () => ({ ...purchase(), amountCents: -100 }), 422, "validation_failed"],
    ["fractional cents", () => ({ ...purchase(), amountCents: 12.5 }), 422, "validation_failed"],
    ["the amount as a string", () => ({ ...purchase(), amountCents: "1000" }), 422, "validation_failed"],
    ["no amount", () => ({ member: member.memberId, currency: "EUR" }), 422, "validation_failed"],
    ["a huge amount", () => ({ ...purchase(), amountCents: 1e12 }), 422, "validation_failed"],
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
    ["an empty member", () => ({ ...purchase(), member: "" }), 422, "validation_failed"],
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
    ["an unknown field", () => ({ ...purchase(), discount: 5 }), 400, "unknown_field"],
    [
      "an unknown field in an item",
      () => ({ ...purchase(), items: [{ ...line, colour: "red" }] }),
      400,
      "unknown_field",
    ],
    ["an unknown channel", () => ({ ...purchase(), channel: "phone" }), 422, "validation_failed"],
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

  it.each<[string, () => Parameters<typeof call>[2], number, string]>([
    [
      "no key",
      () => ({ key: null, body: purchase(), headers: { "idempotency-key": randomUUID() } }),
      401,
      "missing_credentials",
    ],
    [
      "a made-up store key",
      () => ({
        key: `sk.${shop.storeId}.${"A".repeat(43)}`,
        body: purchase(),
        headers: { "idempotency-key": randomUUID() },
      }),
      401,
      "invalid_credentials",
    ],
    [
      "the admin key",
      () => ({ body: purchase(), headers: { "idempotency-key": randomUUID() } }),
      401,
      "invalid_credentials",
    ],
    [
      "the program's merchant key",
      () => ({ key: shop.merchantKey, body: purchase(), headers: { "idempotency-key": randomUUID() } }),
      401,
      "invalid_credentials",
    ],
    [
      "the partner key",
      () => ({ key: partner.apiKey, body: purchase(), headers: { "idempotency-key": randomUUID() } }),
      401,
      "invalid_credentials",
    ],
    [
      "another store's key",
      () => ({ key: other.storeKey, body: purchase(), headers: { "idempotency-key": randomUUID() } }),
      404,
      "store_not_found",
    ],
    ["no Idempotency-Key", () => ({ key: shop.storeKey, body: purchase() }), 400, "missing_idempotency_key"],
    [
      "an Idempotency-Key of 256 characters",
      () => ({ key: shop.storeKey, body: purchase(), headers: { "idempotency-key": "k".repeat(256) } }),
      400,
      "invalid_idempotency_key",
    ],
    [
      "a body over 64 KiB",
      () => ({
        key: shop.storeKey,
        raw: JSON.stringify({ ...purchase(), pad: "x".repeat(70_000) }),
        headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      }),
      413,
      "payload_too_large",
    ],
    [
      "malformed JSON",
      () => ({
        key: shop.storeKey,
        raw: '{"member":',
        headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      }),
      400,
      "malformed_json",
    ],
    [
      "a form body",
      () => ({
        key: shop.storeKey,
        raw: "member=1",
        headers: { "content-type": "application/x-www-form-urlencoded", "idempotency-key": randomUUID() },
      }),
      415,
      "unsupported_media_type",
    ],
  ])("refuses a call with %s", async (_what, options, status, code) => {
    await rejects(() => call("POST", `/v1/stores/${shop.storeId}/purchases`, options()), status, code);
  });

  it("refuses an Idempotency-Key with a character outside printable ASCII", async () => {
    // fetch cannot send non-Latin-1 header values; a control character is what a broken client sends
    await rejects(
      () =>
        call("POST", `/v1/stores/${shop.storeId}/purchases`, {
          key: shop.storeKey,
          body: purchase(),
          headers: { "idempotency-key": "key\twith-tab" },
        }),
      400,
      "invalid_idempotency_key",
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
      "a malformed transaction id",
      () => ({ transactionId: "42", amountCents: 100 }),
      422,
      "validation_failed",
    ],
    [
      "more than the purchase",
      () => ({ transactionId: purchaseId, amountCents: 3001 }),
      422,
      "refund_exceeds_purchase",
    ],
    ["0 cents", () => ({ transactionId: purchaseId, amountCents: 0 }), 422, "validation_failed"],
    ["negative cents", () => ({ transactionId: purchaseId, amountCents: -5 }), 422, "validation_failed"],
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
      "a store key",
      () => accrue({ member: member.cardCode, points: 5, reference: "r1" }, shop.storeKey),
      401,
      "invalid_credentials",
    ],
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
});

describe("members, enrollment and transfers: every bad input is a 4xx that writes nothing", () => {
  const members = () => `/v1/programs/${shop.programId}/members`;

  it.each<[string, () => Promise<{ status: number; body: any }>, number, string]>([
    [
      "a bad email",
      () => call("POST", members(), { body: { email: "not-an-email" } }),
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
    [
      "a store key",
      () => call("POST", members(), { key: shop.storeKey, body: { email: "new@example.com" } }),
      401,
      "invalid_credentials",
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
      "of 0 points",
      () => transfer(member.memberId, { toMemberId: member.memberId, points: 0 }),
      422,
      "validation_failed",
    ],
    [
      "of negative points",
      () => transfer(member.memberId, { toMemberId: member.memberId, points: -3 }),
      422,
      "validation_failed",
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

  it("refuses a transfer of more points than the member holds", async () => {
    const friend = await enrollMember(call, shop);
    await rejects(
      () => transfer(member.memberId, { toMemberId: friend.memberId, points: 5_000 }),
      422,
      "insufficient_points",
    );
  });

  it.each<[string, () => string, number, string]>([
    ["a malformed member id", () => `${members()}/not-an-id`, 404, "member_not_found"],
    ["another program's member", () => `${members()}/${stranger.memberId}`, 404, "member_not_found"],
    [
      "both email and cardCode",
      () => `${members()}?email=a@example.com&cardCode=${member.cardCode}`,
      400,
      "invalid_parameter",
    ],
    ["neither email nor cardCode", () => members(), 400, "invalid_parameter"],
    ["an email nobody has", () => `${members()}?email=nobody@example.com`, 404, "member_not_found"],
    [
      "a forged history cursor",
      () =>
        `${members()}/${member.memberId}/history?cursor=${Buffer.from(JSON.stringify({ PK: `MEMBER#${stranger.memberId}`, SK: "LEDGER#0000000001" })).toString("base64url")}`,
      400,
      "invalid_cursor",
    ],
  ])("answers a read with %s", async (_what, path, status, code) => {
    await rejects(() => call("GET", path()), status, code);
  });
});

const transfer = (from: string, body: unknown) =>
  call("POST", `/v1/programs/${shop.programId}/members/${from}/transfers`, { body });
