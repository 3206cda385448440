import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { claimedTransactionId } from "../../functions/app/writes.js";
import { processParts } from "../../functions/composition/process.js";
import { useApi } from "../support/api.js";
import { enrollMember, openShop, type Shop, tillCall } from "../support/loyalty.js";
import { expectRejectedWithoutWrite } from "../support/no-write.js";
import { allItems } from "../support/table.js";

/**
 * Idempotency-Keys as a till uses them: a key names one transaction of its store for good, whatever
 * happens to that transaction afterwards, and is never taken for another request.
 */

const { call, table } = useApi();

/** Default rules (1 point per euro, no tiers), and one catalogue reward to redeem. */
const rules = {
  rewards: {
    catalogue: [
      { rewardId: "cake", title: "Cake", pointsCost: 5, voucher: { kind: "gift", description: "Any cake" } },
    ],
  },
};

let shop: Shop;

/** The items (PK and SK) each transaction the handlers send names, in order. */
let transactions: string[][] = [];

type Action = Record<string, { Key?: { PK?: unknown; SK?: unknown }; Item?: { PK?: unknown; SK?: unknown } }>;
const targetOf = (action: Action): string => {
  const operation = Object.values(action)[0];
  const key = operation?.Key ?? operation?.Item;
  return JSON.stringify([key?.PK, key?.SK]);
};

beforeAll(async () => {
  processParts().table.client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { TransactItems?: Action[] };
      if (input.TransactItems) transactions.push(input.TransactItems.map(targetOf));
      return next(args);
    },
    { step: "initialize", name: "recordTransactions" },
  );
  shop = await openShop(call, rules);
});

const purchaseOf = (member: string, amountCents = 1000) => ({ member, amountCents, currency: "EUR" });

const memberRead = (memberId: string, programId = shop.programId) =>
  call("GET", `/v1/programs/${programId}/members/${memberId}`);

/** Every item of the table, in key order: to prove that a request wrote nothing. */
const snapshot = async () =>
  (await allItems(table.endpoint, table.tableName)).sort((a, b) =>
    `${JSON.stringify(a.PK)}|${JSON.stringify(a.SK)}`.localeCompare(
      `${JSON.stringify(b.PK)}|${JSON.stringify(b.SK)}`,
    ),
  );

describe("a purchase's Idempotency-Key", () => {
  it("answers a purchase retried after a partial refund with its first answer, byte for byte, crediting nothing", async () => {
    // Prepare
    const member = await enrollMember(call, shop);
    const key = randomUUID();
    const first = await tillCall(call, shop, "purchases", purchaseOf(member.memberId), key);
    const refunded = await tillCall(call, shop, "refunds", {
      transactionId: first.body.transactionId,
      amountCents: 400,
    });
    expect(refunded.status).toBe(201);
    const before = await snapshot();

    // Act
    const again = await tillCall(call, shop, "purchases", purchaseOf(member.memberId), key);

    // Assess: the refund changed the purchase record but not the claim it holds
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(await snapshot()).toEqual(before);
    expect((await memberRead(member.memberId)).body.points).toBe(10 - 4);
  });

  it("names the same transaction on every retry, and that transaction can be refunded", async () => {
    // Prepare
    const member = await enrollMember(call, shop);
    const key = randomUUID();

    // Act
    const answers = [
      await tillCall(call, shop, "purchases", purchaseOf(member.memberId), key),
      await tillCall(call, shop, "purchases", purchaseOf(member.memberId), key),
      await tillCall(call, shop, "purchases", purchaseOf(member.memberId), key),
    ];
    const transactionId = answers[0]?.body.transactionId;
    const refund = await tillCall(call, shop, "refunds", { transactionId, amountCents: 1000 });

    // Assess: the id is the one the store's key names
    expect(answers.map((a) => a.body.transactionId)).toEqual([transactionId, transactionId, transactionId]);
    expect(transactionId).toBe(claimedTransactionId({ scope: `STORE#${shop.storeId}`, clientKey: key }));
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({
      refundOf: transactionId,
      pointsTakenBack: 10,
      refundableCentsLeft: 0,
    });
    expect(refund.body.member.points).toBe(0);
  });

  it("makes two purchases of one key sent by two stores", async () => {
    // Prepare
    const member = await enrollMember(call, shop);
    const second = await call("POST", `/v1/programs/${shop.programId}/stores`, {
      body: { name: "Station", latitude: 48.84, longitude: 2.37 },
    });
    const otherStore: Shop = { ...shop, storeId: second.body.storeId, storeKey: second.body.apiKey };
    const key = randomUUID();

    // Act
    const here = await tillCall(call, shop, "purchases", purchaseOf(member.memberId), key);
    const there = await tillCall(call, otherStore, "purchases", purchaseOf(member.memberId), key);

    // Assess
    expect([here.status, there.status]).toEqual([201, 201]);
    expect(here.body.transactionId).not.toBe(there.body.transactionId);
    expect(there.body.member.points).toBe(20);
    const read = await memberRead(member.memberId);
    expect(read.body.points).toBe(20);
    expect(read.body.purchases).toBe(2);
  });

  it("credits 20 identical purchases sent at once once, with 20 identical answers", async () => {
    // Prepare
    const member = await enrollMember(call, shop);
    const key = randomUUID();

    // Act
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        tillCall(call, shop, "purchases", purchaseOf(member.cardCode, 1234), key),
      ),
    );

    // Assess
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 201));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    const read = await memberRead(member.memberId);
    expect(read.body.points).toBe(12);
    expect(read.body.purchases).toBe(1);
    expect(read.body.history.items.filter((e: { type: string }) => e.type === "earn")).toHaveLength(1);
  });

  it("refuses a key used for a purchase when it comes back on a refund of that very purchase", async () => {
    // Prepare
    const member = await enrollMember(call, shop);
    const key = randomUUID();
    const bought = await tillCall(call, shop, "purchases", purchaseOf(member.memberId), key);

    // Act + Assess
    await expectRejectedWithoutWrite(
      table,
      () =>
        tillCall(call, shop, "refunds", { transactionId: bought.body.transactionId, amountCents: 100 }, key),
      409,
      "idempotency_key_reused",
    );
  });

  it("sends no transaction naming one item twice when a refund reuses the key of the purchase it refunds", async () => {
    // Prepare
    const member = await enrollMember(call, shop);
    const key = randomUUID();
    const bought = await tillCall(call, shop, "purchases", purchaseOf(member.memberId), key);
    transactions = [];

    // Act
    await tillCall(
      call,
      shop,
      "refunds",
      { transactionId: bought.body.transactionId, amountCents: 100 },
      key,
    );

    // Assess: DynamoDB refuses such a transaction outright (ValidationException: "Transaction request
    // cannot include multiple operations on one item"), before any condition is evaluated; DynamoDB
    // Local reports the failed condition instead, so the answer above cannot show it
    for (const targets of transactions) expect(targets.length, targets.join(" ")).toBe(new Set(targets).size);
  });
});

describe("keys of refunds and redemptions", () => {
  it.each(["refund", "redemption"] as const)(
    "refuses a key used for a %s when the same store sends it with a purchase",
    async (what) => {
      // Prepare
      const member = await enrollMember(call, shop);
      const bought = await tillCall(call, shop, "purchases", purchaseOf(member.memberId, 2000));
      const key = randomUUID();
      const used =
        what === "refund"
          ? await tillCall(
              call,
              shop,
              "refunds",
              { transactionId: bought.body.transactionId, amountCents: 100 },
              key,
            )
          : await tillCall(call, shop, "redemptions", { member: member.memberId, rewardId: "cake" }, key);
      expect(used.status).toBe(201);

      // Act + Assess
      await expectRejectedWithoutWrite(
        table,
        () => tillCall(call, shop, "purchases", purchaseOf(member.memberId), key),
        409,
        "idempotency_key_reused",
      );
    },
  );

  it("answers a refund of the transaction a redemption's key names with 404 transaction_not_found", async () => {
    // Prepare: a redemption, whose key's claim is a record of its own under the id the key names
    const member = await enrollMember(call, shop);
    await tillCall(call, shop, "purchases", purchaseOf(member.memberId));
    const key = randomUUID();
    const redeemed = await tillCall(
      call,
      shop,
      "redemptions",
      { member: member.memberId, rewardId: "cake" },
      key,
    );
    expect(redeemed.status).toBe(201);
    const claimId = claimedTransactionId({ scope: `STORE#${shop.storeId}`, clientKey: key });

    // Act + Assess
    await expectRejectedWithoutWrite(
      table,
      () => tillCall(call, shop, "refunds", { transactionId: claimId, amountCents: 1 }),
      404,
      "transaction_not_found",
    );
  });

  it("answers a retried redemption with its first answer though the voucher is redeemed since", async () => {
    // Prepare: 3 coffees fill the stamp card of these rules: one voucher
    const stamping = await openShop(call, {
      stamps: { cards: [{ category: "coffee", stampsRequired: 3, rewardTitle: "A free coffee" }] },
    });
    const member = await enrollMember(call, stamping);
    const bought = await tillCall(call, stamping, "purchases", {
      ...purchaseOf(member.memberId, 900),
      items: [{ name: "Espresso", category: "coffee", quantity: 3, unitCents: 300 }],
    });
    const voucherId = bought.body.vouchersIssued[0].voucherId;
    const key = randomUUID();
    const first = await tillCall(call, stamping, "redemptions", { member: member.memberId, voucherId }, key);
    const before = await snapshot();

    // Act
    const again = await tillCall(call, stamping, "redemptions", { member: member.memberId, voucherId }, key);

    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(await snapshot()).toEqual(before);
  });
});
