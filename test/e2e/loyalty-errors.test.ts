import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { type CallOptions, useApi } from "../support/api.js";
import { enrollMember, openShop, type Shop, tillCall } from "../support/loyalty.js";
import { expectRejectedWithoutWrite } from "../support/no-write.js";
import { TEST_ADMIN_KEY } from "../support/table.js";

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

  // fetch sends header values as Latin-1 bytes: an accented letter arrives as one byte over 0x7f
  it.each([
    ["an accented letter", "clé-de-caisse-1"],
    ["a tab", "key\twith-tab"],
  ])("refuses an Idempotency-Key with %s", async (_what, idempotencyKey) => {
    await rejects(
      () =>
        call("POST", `/v1/stores/${shop.storeId}/purchases`, {
          key: shop.storeKey,
          body: purchase(),
          headers: { "idempotency-key": idempotencyKey },
        }),
      400,
      "invalid_idempotency_key",
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

  it.each(["refunds", "redemptions"] as const)("refuses %s without an Idempotency-Key", async (what) => {
    const body =
      what === "refunds"
        ? { transactionId: purchaseId, amountCents: 100 }
        : { member: member.memberId, rewardId: "cake" };
    await rejects(() => tillCall(call, shop, what, body, null), 400, "missing_idempotency_key");
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
    ["no transaction id", () => ({ amountCents: 100 }), 422, "validation_failed"],
    [
      "an unknown field",
      () => ({ transactionId: purchaseId, amountCents: 100, reason: "broken" }),
      400,
      "unknown_field",
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
    [
      "an unknown field",
      () => ({ member: member.memberId, rewardId: "cake", quantity: 2 }),
      400,
      "unknown_field",
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
      "no key",
      () =>
        call("POST", `/v1/partners/${partner.partnerId}/accruals`, {
          key: null,
          body: { member: member.cardCode, points: 5, reference: "r1" },
          headers: { "idempotency-key": randomUUID() },
        }),
      401,
      "missing_credentials",
    ],
    [
      "a made-up partner key",
      () =>
        accrue(
          { member: member.cardCode, points: 5, reference: "r1" },
          `pk.${partner.partnerId}.${"A".repeat(43)}`,
        ),
      401,
      "invalid_credentials",
    ],
    [
      "the program's merchant key",
      () => accrue({ member: member.cardCode, points: 5, reference: "r1" }, shop.merchantKey),
      401,
      "invalid_credentials",
    ],
    [
      "the admin key",
      () => accrue({ member: member.cardCode, points: 5, reference: "r1" }, TEST_ADMIN_KEY),
      401,
      "invalid_credentials",
    ],
    [
      "another program's partner key",
      () => accrue({ member: member.cardCode, points: 5, reference: "r1" }, rivalPartner.apiKey),
      404,
      "partner_not_found",
    ],
    [
      "no Idempotency-Key",
      () =>
        call("POST", `/v1/partners/${partner.partnerId}/accruals`, {
          key: partner.apiKey,
          body: { member: member.cardCode, points: 5, reference: "r1" },
        }),
      400,
      "missing_idempotency_key",
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
      "fractional points",
      () => accrue({ member: member.cardCode, points: 2.5, reference: "r1" }),
      422,
      "validation_failed",
    ],
    [
      "an unknown field",
      () => accrue({ member: member.cardCode, points: 5, reference: "r1", note: "thanks" }),
      400,
      "unknown_field",
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
      "a bad email",
      () => call("POST", members(), { body: { email: "not-an-email" } }),
      422,
      "validation_failed",
    ],
    ["no email", () => call("POST", members(), { body: { firstName: "Camille" } }), 422, "validation_failed"],
    [
      "a blank first name",
      () => call("POST", members(), { body: { email: "new@example.com", firstName: "   " } }),
      422,
      "validation_failed",
    ],
    [
      "a referral code of 21 characters",
      () => call("POST", members(), { body: { email: "new@example.com", referralCode: "A".repeat(21) } }),
      422,
      "validation_failed",
    ],
    [
      "an unknown field",
      () => call("POST", members(), { body: { email: "new@example.com", phone: "+33 1 23 45 67 89" } }),
      400,
      "unknown_field",
    ],
    [
      "no key",
      () => call("POST", members(), { key: null, body: { email: "new@example.com" } }),
      401,
      "missing_credentials",
    ],
    [
      "a partner key",
      () => call("POST", members(), { key: partner.apiKey, body: { email: "new@example.com" } }),
      401,
      "invalid_credentials",
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
      "of fractional points",
      () => transfer(member.memberId, { toMemberId: friend.memberId, points: 1.5 }),
      422,
      "validation_failed",
    ],
    [
      "to a malformed member id",
      () => transfer(member.memberId, { toMemberId: friend.cardCode, points: 1 }),
      422,
      "validation_failed",
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
      "with an unknown field",
      () => transfer(member.memberId, { toMemberId: friend.memberId, points: 1, note: "gift" }),
      400,
      "unknown_field",
    ],
    [
      "with an Idempotency-Key of 256 characters",
      () =>
        call("POST", `/v1/programs/${shop.programId}/members/${member.memberId}/transfers`, {
          body: { toMemberId: friend.memberId, points: 1 },
          headers: { "idempotency-key": "k".repeat(256) },
        }),
      400,
      "invalid_idempotency_key",
    ],
    [
      "with a store key",
      () =>
        call("POST", `/v1/programs/${shop.programId}/members/${member.memberId}/transfers`, {
          key: shop.storeKey,
          body: { toMemberId: friend.memberId, points: 1 },
        }),
      401,
      "invalid_credentials",
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
    [
      "a cursor that is not base64url",
      () => `${members()}/${member.memberId}/history?cursor=not%20a%20cursor!`,
      400,
      "invalid_cursor",
    ],
    ["a page size of 0", () => `${members()}/${member.memberId}/history?limit=0`, 400, "invalid_parameter"],
    [
      "a page size of 101",
      () => `${members()}/${member.memberId}/history?limit=101`,
      400,
      "invalid_parameter",
    ],
    [
      "a page size that is not a number",
      () => `${members()}/${member.memberId}/history?limit=ten`,
      400,
      "invalid_parameter",
    ],
    [
      "an unknown history parameter",
      () => `${members()}/${member.memberId}/history?type=earn`,
      400,
      "unknown_parameter",
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
    ["a malformed email", () => `${members()}?email=not-an-email`, 400, "invalid_parameter"],
    ["an unknown search parameter", () => `${members()}?phone=0123456789`, 400, "unknown_parameter"],
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

  it.each<[string, () => CallOptions, number, string]>([
    ["no key", () => ({ key: null }), 401, "missing_credentials"],
    [
      "a made-up merchant key",
      () => ({ key: `mk.${shop.programId}.${"A".repeat(43)}` }),
      401,
      "invalid_credentials",
    ],
    ["a store key", () => ({ key: shop.storeKey }), 401, "invalid_credentials"],
    ["a partner key", () => ({ key: partner.apiKey }), 401, "invalid_credentials"],
    ["another program's merchant key", () => ({ key: other.merchantKey }), 404, "program_not_found"],
  ])("refuses to show a member to a caller with %s", async (_what, options, status, code) => {
    await rejects(() => call("GET", `${members()}/${member.memberId}`, options()), status, code);
  });
});

const transfer = (from: string, body: unknown) =>
  call("POST", `/v1/programs/${shop.programId}/members/${from}/transfers`, { body });

describe("the body of every write is checked before anything is read or written", () => {
  const endpoints: [string, () => { path: string; key: string; idempotent: boolean }][] = [
    [
      "a purchase",
      () => ({ path: `/v1/stores/${shop.storeId}/purchases`, key: shop.storeKey, idempotent: true }),
    ],
    [
      "a refund",
      () => ({ path: `/v1/stores/${shop.storeId}/refunds`, key: shop.storeKey, idempotent: true }),
    ],
    [
      "a redemption",
      () => ({ path: `/v1/stores/${shop.storeId}/redemptions`, key: shop.storeKey, idempotent: true }),
    ],
    [
      "a partner accrual",
      () => ({ path: `/v1/partners/${partner.partnerId}/accruals`, key: partner.apiKey, idempotent: true }),
    ],
    [
      "an enrollment",
      () => ({ path: `/v1/programs/${shop.programId}/members`, key: TEST_ADMIN_KEY, idempotent: false }),
    ],
    [
      "a transfer",
      () => ({
        path: `/v1/programs/${shop.programId}/members/${member.memberId}/transfers`,
        key: TEST_ADMIN_KEY,
        idempotent: false,
      }),
    ],
    [
      "a new partner",
      () => ({ path: `/v1/programs/${shop.programId}/partners`, key: TEST_ADMIN_KEY, idempotent: false }),
    ],
  ];

  const json = { "content-type": "application/json" };
  const mistakes: [string, string, Record<string, string>, number, string][] = [
    ["an empty body", "", json, 400, "missing_body"],
    ["malformed JSON", '{"member": "x",', json, 400, "malformed_json"],
    ["JSON null", "null", json, 422, "validation_failed"],
    ["a JSON array", "[]", json, 422, "validation_failed"],
    ["an object of unknown fields", '{"bogus": 1}', json, 400, "unknown_field"],
    ["a text/plain body", '{"member": "x"}', { "content-type": "text/plain" }, 415, "unsupported_media_type"],
    ["no Content-Type", '{"member": "x"}', {}, 415, "unsupported_media_type"],
    ["a body over 64 KiB", JSON.stringify({ pad: "x".repeat(70_000) }), json, 413, "payload_too_large"],
  ];

  describe.each(endpoints)("%s", (_endpoint, target) => {
    it.each(mistakes)("refuses %s", async (_what, raw, headers, status, code) => {
      const { path, key, idempotent } = target();
      await rejects(
        () =>
          call("POST", path, {
            key,
            raw,
            headers: { ...headers, ...(idempotent ? { "idempotency-key": randomUUID() } : {}) },
          }),
        status,
        code,
      );
    });
  });

  it.each([
    ["GET", () => `/v1/stores/${shop.storeId}/purchases`],
    ["DELETE", () => `/v1/programs/${shop.programId}/members/${member.memberId}`],
    ["PUT", () => `/v1/partners/${partner.partnerId}/accruals`],
  ])("answers %s on a path that does not take it with 405", async (method, path) => {
    await rejects(() => call(method, path(), { key: shop.storeKey }), 405, "method_not_allowed");
  });
});
