import { describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";
import { enrollMember, openShop, tillCall } from "../support/loyalty.js";

/**
 * Stamp categories are the merchant's names, never property names (issue 13): over HTTP, on
 * DynamoDB Local, a category called `constructor` used to make every purchase in it a 500 and one
 * called `__proto__` lost its stamps. They earn, complete and show like any other category.
 */

const { call } = useApi();

const CATEGORIES = ["constructor", "__proto__", "toString"];

/** Own entries of a JSON object, sorted: `__proto__` is an ordinary key of JSON.parse's result. */
const entriesOf = (record: object) => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));
const each = (count: number) => entriesOf(Object.fromEntries(CATEGORIES.map((c) => [c, count])));

const rules = {
  stamps: {
    cards: CATEGORIES.map((category) => ({ category, stampsRequired: 3, rewardTitle: `A free ${category}` })),
  },
};

const basket = (member: string, quantity: number) => ({
  member,
  amountCents: CATEGORIES.length * quantity * 100,
  currency: "EUR",
  items: CATEGORIES.map((category) => ({ name: `A ${category}`, category, quantity, unitCents: 100 })),
});

describe("stamp cards of categories named like Object.prototype's properties, over HTTP", () => {
  it("credits purchases in those categories with stamps, shown when the member is read", async () => {
    // Prepare
    const shop = await openShop(call, rules, "Client names");
    const member = await enrollMember(call, shop);

    // Act
    const bought = await tillCall(call, shop, "purchases", basket(member.cardCode, 2));
    const read = await call("GET", `/v1/programs/${shop.programId}/members/${member.memberId}`);

    // Assess
    expect(bought.status).toBe(201);
    expect(entriesOf(bought.body.member.stamps)).toEqual(each(2));
    expect(read.status).toBe(200);
    expect(entriesOf(read.body.stamps)).toEqual(each(2));
    expect(
      read.body.stampCards.map((c: { category: string; stamps: number }) => [c.category, c.stamps]),
    ).toEqual(CATEGORIES.map((c) => [c, 2]));
    expect(entriesOf(read.body.history.items[0].stamps)).toEqual(each(2));
  });

  it("turns full cards of those categories into vouchers, which the till redeems", async () => {
    // Prepare
    const shop = await openShop(call, rules, "Client names");
    const member = await enrollMember(call, shop);
    await tillCall(call, shop, "purchases", basket(member.memberId, 2));

    // Act
    const completed = await tillCall(call, shop, "purchases", basket(member.memberId, 2));
    const vouchers: { voucherId: string; sourceId: string }[] = completed.body.vouchersIssued ?? [];
    const redeemed = [];
    for (const v of vouchers) {
      redeemed.push(
        await tillCall(call, shop, "redemptions", { member: member.memberId, voucherId: v.voucherId }),
      );
    }
    const read = await call("GET", `/v1/programs/${shop.programId}/members/${member.memberId}`);

    // Assess: 4 stamps a card make one voucher each, 1 stamp left on each
    expect(completed.status).toBe(201);
    expect(vouchers.map((v) => v.sourceId)).toEqual(CATEGORIES);
    expect(entriesOf(completed.body.member.stamps)).toEqual(each(1));
    expect(redeemed.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(entriesOf(read.body.stamps)).toEqual(each(1));
    expect(read.body.vouchers).toEqual([]);
  });
});
