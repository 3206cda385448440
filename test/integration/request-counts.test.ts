import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";
import { commandsOf, useDynamoRequests } from "../support/dynamo-requests.js";
import { enrollMember, openShop, richRules, type Shop, tillCall } from "../support/loyalty.js";
import { openPass } from "../support/pkpass.js";
import { allItems } from "../support/table.js";

/**
 * The DynamoDB requests each hot operation makes, counted where the handlers send them (the
 * process's shared client): a guard against a read creeping back into a path that should not need it.
 * Each count is taken once the process's read caches are warm, as in a warm Lambda container. Every
 * request with a key starts with one strongly consistent GetItem of that key's record (never kept in
 * memory, so that a rotated, disabled or deleted key is refused at once: docs/data-model.md §10); its
 * last use is written at most once per 15 minutes, after the warm-up here. The test helpers (allItems, the table set-up) use clients of their own, so they are not counted.
 */

const { call, table, url } = useApi();

/** What a run sent to DynamoDB through the handlers, in order, with its result. */
const counted = useDynamoRequests();
const commands = commandsOf;

/** Default rules (no tiers), with one catalogue reward so that a redemption can be made. */
const untieredRules = {
  rewards: {
    catalogue: [
      {
        rewardId: "cake",
        title: "A slice of cake",
        pointsCost: 5,
        voucher: { kind: "gift", description: "Cake" },
      },
    ],
  },
};

/** A plain GET of this deployment, bytes as they come. */
const get = async (path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(path.startsWith("http") ? path : `${url()}${path}`, { headers });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
};

let shop: Shop;
let member: { memberId: string; cardCode: string; cardUrl: string };
let partner: { partnerId: string; apiKey: string };
let tiered: Shop;
let tieredMember: { memberId: string; cardCode: string };

const purchaseBody = (m: { cardCode: string }, amountCents = 1000) => ({
  member: m.cardCode,
  amountCents,
  currency: "EUR",
});

const accrue = (body: unknown) =>
  call("POST", `/v1/partners/${partner.partnerId}/accruals`, {
    key: partner.apiKey,
    body,
    headers: { "idempotency-key": randomUUID() },
  });

beforeAll(async () => {
  // Prepare: a program without tiers and one with, a store, a member and a partner each; then one of
  // every request, so that programs, keys, card codes and pass stores are in this process's caches
  shop = await openShop(call, untieredRules, "Counted");
  member = (await enrollMember(call, shop)) as unknown as typeof member;
  partner = (await call("POST", `/v1/programs/${shop.programId}/partners`, { body: { name: "Cinema" } }))
    .body;
  tiered = await openShop(call, richRules, "Counted with tiers");
  tieredMember = await enrollMember(call, tiered);

  const warm = [
    await tillCall(call, shop, "purchases", purchaseBody(member, 10_000)),
    await tillCall(call, shop, "redemptions", { member: member.cardCode, rewardId: "cake" }),
    await accrue({ member: member.cardCode, points: 1, reference: "warm-up" }),
    await call("GET", `/v1/programs/${shop.programId}/members/${member.memberId}`, { key: shop.merchantKey }),
    await tillCall(call, tiered, "purchases", purchaseBody(tieredMember)),
  ];
  expect(warm.map((r) => r.status)).toEqual([201, 201, 201, 200, 201]);
  expect((await get(`${member.cardUrl}/pass.pkpass`)).status).toBe(200);
  expect((await get(member.cardUrl)).status).toBe(200);
});

describe("DynamoDB requests of the store and partner APIs, warm", () => {
  it("makes a purchase by card code in 3 requests: the key, the member, then one 4-item transaction", async () => {
    // Act
    const { result, sent } = await counted(() => tillCall(call, shop, "purchases", purchaseBody(member)));

    // Assess: the purchase record holds the claim, so the transaction is member, ledger entry,
    // purchase record and spend day
    expect(result.status).toBe(201);
    expect(sent).toEqual([
      { command: "GetItemCommand" },
      { command: "GetItemCommand" },
      { command: "TransactWriteItemsCommand", items: 4 },
    ]);
  });

  it("answers a retried purchase in 3 requests, from the cancelled transaction, crediting nothing", async () => {
    // Prepare
    const key = randomUUID();
    const first = await tillCall(call, shop, "purchases", purchaseBody(member), key);
    const before = await allItems(table.endpoint, table.tableName);

    // Act
    const { result: again, sent } = await counted(() =>
      tillCall(call, shop, "purchases", purchaseBody(member), key),
    );

    // Assess
    expect(commands(sent)).toEqual(["GetItemCommand", "GetItemCommand", "TransactWriteItemsCommand"]);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(await allItems(table.endpoint, table.tableName)).toEqual(before);
  });

  it("redeems a reward in 3 requests", async () => {
    // Act
    const { result, sent } = await counted(() =>
      tillCall(call, shop, "redemptions", { member: member.cardCode, rewardId: "cake" }),
    );

    // Assess
    expect(result.status).toBe(201);
    expect(commands(sent)).toEqual(["GetItemCommand", "GetItemCommand", "TransactWriteItemsCommand"]);
  });

  it("credits a partner accrual in 3 requests", async () => {
    // Act
    const { result, sent } = await counted(() =>
      accrue({ member: member.cardCode, points: 3, reference: "ticket-1" }),
    );

    // Assess
    expect(result.status).toBe(201);
    expect(commands(sent)).toEqual(["GetItemCommand", "GetItemCommand", "TransactWriteItemsCommand"]);
  });

  it("refunds in 4 requests: the key, the purchase record, the member, the transaction", async () => {
    // Prepare
    const bought = await tillCall(call, shop, "purchases", purchaseBody(member));

    // Act
    const { result, sent } = await counted(() =>
      tillCall(call, shop, "refunds", { transactionId: bought.body.transactionId, amountCents: 400 }),
    );

    // Assess
    expect(result.status).toBe(201);
    expect(commands(sent)).toEqual([
      "GetItemCommand",
      "GetItemCommand",
      "GetItemCommand",
      "TransactWriteItemsCommand",
    ]);
  });

  it("makes a purchase in a program with tiers in 4 requests: member and spend read together", async () => {
    // Act
    const { result, sent, mostInFlight } = await counted(() =>
      tillCall(call, tiered, "purchases", purchaseBody(tieredMember)),
    );

    // Assess: the member's GetItem and the spend Query run in parallel, in either order
    expect(result.status).toBe(201);
    expect(mostInFlight).toBe(2);
    expect(sent[0]).toEqual({ command: "GetItemCommand" });
    expect(commands(sent).slice(1, 3).sort()).toEqual(["GetItemCommand", "QueryCommand"]);
    expect(sent[3]).toEqual({ command: "TransactWriteItemsCommand", items: 4 });
    expect(sent).toHaveLength(4);
  });
});

describe("DynamoDB requests of the card, the pass and the merchant API, warm", () => {
  it("serves the pass from the card link in 1 Query", async () => {
    // Act
    const { result, sent } = await counted(() => get(`${member.cardUrl}/pass.pkpass`));

    // Assess
    expect(result.status).toBe(200);
    expect(commands(sent)).toEqual(["QueryCommand"]);
  });

  it("serves the card page in 1 Query", async () => {
    // Act
    const { result, sent } = await counted(() => get(member.cardUrl));

    // Assess
    expect(result.status).toBe(200);
    expect(commands(sent)).toEqual(["QueryCommand"]);
  });

  it("serves the latest pass to PassKit in 1 Query", async () => {
    // Prepare
    const { pass } = openPass((await get(`${member.cardUrl}/pass.pkpass`)).bytes);

    // Act
    const { result, sent } = await counted(() =>
      get(`/passkit/v1/passes/${pass.passTypeIdentifier}/${pass.serialNumber}`, {
        authorization: `ApplePass ${pass.authenticationToken}`,
      }),
    );

    // Assess
    expect(result.status).toBe(200);
    expect(commands(sent)).toEqual(["QueryCommand"]);
  });

  it("shows a member to the merchant in 2 requests: the merchant key, then 1 Query", async () => {
    // Act
    const { result, sent } = await counted(() =>
      call("GET", `/v1/programs/${shop.programId}/members/${member.memberId}`, { key: shop.merchantKey }),
    );

    // Assess
    expect(result.status).toBe(200);
    expect(result.body.history.items.length).toBeGreaterThan(0);
    expect(commands(sent)).toEqual(["GetItemCommand", "QueryCommand"]);
  });
});

describe("DynamoDB requests of the public sign-up, warm", () => {
  const signUp = (email: string, headers: Record<string, string>) =>
    call("POST", `/v1/programs/${shop.programId}/enrollments`, {
      key: null,
      body: { firstName: "Counted", email, consent: true },
      headers,
    });

  it("signs up a new address in 3 requests: two counters, then one 6-item transaction with the email", async () => {
    // Act
    const { result, sent } = await counted(() =>
      signUp("counted-new@example.com", { "x-forwarded-for": "192.0.2.1" }),
    );

    // Assess: no read of the program (cached) nor of the email (the transaction's condition says it)
    expect(result.status).toBe(202);
    expect(sent).toEqual([
      { command: "UpdateItemCommand" },
      { command: "UpdateItemCommand" },
      { command: "TransactWriteItemsCommand", items: 6 },
    ]);
  });

  it("answers a member's address in 5 requests: the cancelled transaction, the email's owner, one Put", async () => {
    // Prepare
    await signUp("counted-again@example.com", { "x-forwarded-for": "192.0.2.2" });

    // Act
    const { result, sent } = await counted(() =>
      signUp("counted-again@example.com", { "x-forwarded-for": "192.0.2.2" }),
    );

    // Assess
    expect(result.status).toBe(202);
    expect(commands(sent)).toEqual([
      "UpdateItemCommand",
      "UpdateItemCommand",
      "TransactWriteItemsCommand",
      "GetItemCommand",
      "PutItemCommand",
    ]);
  });
});
