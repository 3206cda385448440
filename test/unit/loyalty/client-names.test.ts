import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memberView } from "../../../functions/api/member-view.js";
import { NameCounts } from "../../../functions/domain/loyalty/counts.js";
import {
  LedgerEntry,
  type LineItem,
  Member,
  rebuildBalance,
} from "../../../functions/domain/loyalty/member.js";
import { PurchaseRecord } from "../../../functions/domain/loyalty/records.js";
import { appleCardContent } from "../../../functions/domain/pass/apple-card.js";
import { cardText } from "../../../functions/domain/pass/card-text.js";
import { Rules } from "../../../functions/domain/rules.js";
import { memoryShop, purchaseBody } from "../../support/memory-shop.js";

/**
 * Stamp categories and item categories are names merchants and tills choose: data, never property
 * names (issue 13). A category called `constructor`, `__proto__` or `toString` earns, completes,
 * refunds, redeems, shows and prints exactly like `coffee`. Names are drawn from every property name
 * Object.prototype has, `__proto__` and `prototype`, and random Unicode text; each set of names runs
 * through every mechanic over the in-memory repositories, as the store API and merchant API use them.
 */

/** The names JavaScript gives meaning to: everything Object.prototype has, and `prototype`. */
const DANGEROUS = [...new Set([...Object.getOwnPropertyNames(Object.prototype), "__proto__", "prototype"])];

/** A category as the API takes it: 1 to 40 characters, no space around (zod's trim). */
const isCategory = (name: string): boolean => name.length >= 1 && name.length <= 40 && name.trim() === name;

const unicodeName = fc.string({ unit: "binary", minLength: 1, maxLength: 40 }).filter(isCategory);
const aName = fc.oneof(fc.constantFrom(...DANGEROUS), unicodeName);

const STAMPS_REQUIRED = 3;

/** Own entries of a record, sorted: what JSON carries, nothing inherited. */
const entries = (record: object) => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const counts = (pairs: [string, number][]) => [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** `quantity` items of each category, at 1 € each. */
const itemsOf = (names: readonly string[], quantity: number): LineItem[] =>
  names.map((category, i) => ({ name: `Item ${i}`, category, quantity, unitCents: 100 }));

/**
 * One member of a program with a stamp card (3 stamps) for each name, the first on the card's
 * front, and a campaign doubling the points of those categories, through every mechanic.
 */
const throughEveryMechanic = async (names: readonly string[]) => {
  // Prepare: the rules as the merchant API takes them (JSON), a member
  const rules = {
    stamps: {
      cards: names.map((category, i) => ({
        category,
        stampsRequired: STAMPS_REQUIRED,
        rewardTitle: `Reward ${i}`,
      })),
    },
    bonuses: {
      campaigns: [
        {
          campaignId: "names",
          name: "Names",
          startsAt: "2026-01-01T00:00:00Z",
          endsAt: "2027-01-01T00:00:00Z",
          multiplier: 2,
          categories: [...names],
        },
      ],
    },
  };
  const shop = await memoryShop({
    rules: JSON.parse(JSON.stringify(rules)),
    settings: { branding: { cardFront: "stamps" } },
  });
  const member = await shop.member();
  const buy = (quantity: number) => {
    const body = purchaseBody(member.cardCode, names.length * quantity * 100, {
      items: itemsOf(names, quantity),
    });
    return shop.service.purchase(shop.caller, body, shop.claim("recordPurchase", body));
  };

  // Act: 2 stamps each; 2 more, which complete every card (one voucher each, 1 stamp left)
  const first = await buy(2);
  const second = await buy(2);
  const afterPurchases = await shop.stored(member.memberId);
  // Act: refund the second purchase in full (its stamps still on the card come back off)
  const refunded = await shop.refund(second.transactionId, names.length * 200);
  // Act: redeem every stamp voucher
  const redeemed = [];
  for (const voucher of second.vouchersIssued) {
    redeemed.push(await shop.redeem({ member: member.cardCode, voucherId: voucher.voucherId }));
  }
  const stored = await shop.stored(member.memberId);
  const view = memberView(await shop.service.get(shop.program.programId, member.memberId));
  const pass = appleCardContent({
    program: shop.program,
    member: afterPurchases,
    stores: [],
    now: new Date(),
  });
  const ledger = await shop.ledger(member.memberId);

  // Assess: each purchase credits 2 stamps a category and the campaign doubles every line
  expect(entries(first.member.stamps)).toEqual(counts(names.map((n) => [n, 2])));
  expect([first.pointsEarned, second.pointsEarned]).toEqual([4 * names.length, 4 * names.length]);
  // Assess: the second completes every card, 1 stamp left on each
  expect(second.vouchersIssued.map((v) => [v.sourceId, v.title, v.source])).toEqual(
    names.map((n, i) => [n, `Reward ${i}`, "stamps"]),
  );
  expect(entries(second.member.stamps)).toEqual(counts(names.map((n) => [n, 1])));
  expect(entries(afterPurchases.stamps)).toEqual(counts(names.map((n) => [n, 1])));
  // Assess: the full refund takes back the stamps still on the card, and no more
  expect(entries(refunded.member.stamps)).toEqual([]);
  expect(entries(stored.stamps)).toEqual([]);
  // Assess: every voucher redeemed once
  expect(redeemed.map((r) => [r.voucher.sourceId, r.voucher.status])).toEqual(
    names.map((n) => [n, "redeemed"]),
  );
  expect(stored.vouchers).toEqual([]);
  // Assess: the ledger says it all, entry by entry, and folds back into the member's stamps
  expect(ledger.map((e) => [e.type, entries(e.stamps)])).toEqual([
    ["earn", counts(names.map((n) => [n, 2]))],
    ["earn", counts(names.map((n) => [n, 2]))],
    ...names.map((n) => ["voucher", [[n, -STAMPS_REQUIRED]]]),
    ["refund", counts(names.map((n) => [n, -1]))],
    ...names.map(() => ["redeem", []]),
  ]);
  expect(entries(rebuildBalance(ledger).stamps)).toEqual(entries(stored.stamps));
  // Assess: the member view, as JSON, counts each card
  const json = JSON.parse(JSON.stringify(view));
  expect(json.stampCards.map((c: { category: string; stamps: number }) => [c.category, c.stamps])).toEqual(
    names.map((n) => [n, 0]),
  );
  expect(json.stamps).toEqual({});
  // Assess: the pass shows 1 of 3 on each card, under the merchant's name, and explains each card
  const fields = [...pass.primaryFields, ...pass.auxiliaryFields];
  for (const name of names) {
    expect(fields.find((f) => f.key === `stamps-${name}`)).toMatchObject({
      label: cardText("en").stamps(name),
      value: `1 / ${STAMPS_REQUIRED}`,
    });
  }
  expect(pass.backFields.find((f) => f.key === "terms")?.value).toContain(
    `${names[0]}: 3 stamps give Reward 0.`,
  );
  return { afterPurchases, ledger };
};

describe("client-chosen names are data", () => {
  it("earns, completes, refunds, redeems, shows and prints stamps of every name Object.prototype has", async () => {
    // Prepare: every dangerous name, three stamp cards a program
    const programs: string[][] = [];
    for (let i = 0; i < DANGEROUS.length; i += 3) programs.push(DANGEROUS.slice(i, i + 3));

    // Act and Assess (throughEveryMechanic)
    for (const names of programs) await throughEveryMechanic(names);
    expect(DANGEROUS).toEqual(
      expect.arrayContaining(["constructor", "__proto__", "toString", "__defineGetter__"]),
    );
  });

  it("earns, completes, refunds, redeems, shows and prints stamps of any names, dangerous or random", async () => {
    // Prepare
    const names = fc.uniqueArray(aName, { minLength: 1, maxLength: 3 });

    // Act and Assess (throughEveryMechanic)
    await fc.assert(
      fc.asyncProperty(names, async (drawn) => {
        await throughEveryMechanic(drawn);
      }),
      {
        seed: 13,
        numRuns: 60,
        examples: [[["constructor", "__proto__", "toString"]], [["hasOwnProperty", "valueOf"]]],
      },
    );
  });

  it("parses stored stamps of any name back as they were, __proto__ included", () => {
    // Prepare: a member, a ledger entry and a purchase record as JSON gives them back (own __proto__)
    const stamps = JSON.parse('{"__proto__":3,"constructor":2,"toString":1,"coffee":4}');
    const member = { ...Member.parse(aStoredMember()), stamps };

    // Act
    const parsed = Member.parse(JSON.parse(JSON.stringify(member)));
    const entry = LedgerEntry.parse({
      seq: 1,
      type: "earn",
      at: NOW,
      points: 0,
      stamps,
      lots: {},
      balanceAfter: 0,
    });
    const record = PurchaseRecord.parse({ ...aRecord(), stampsEarned: stamps });

    // Assess
    for (const parsedStamps of [parsed.stamps, entry.stamps, record.stampsEarned]) {
      expect(entries(parsedStamps)).toEqual(entries(stamps));
      expect(Object.getPrototypeOf(parsedStamps)).toBe(Object.prototype);
      expect(JSON.stringify(parsedStamps)).toBe('{"__proto__":3,"constructor":2,"toString":1,"coffee":4}');
    }
  });

  it("refuses stored stamps that are not counts, naming the category at fault", () => {
    // Prepare
    const stamps = JSON.parse('{"__proto__":-1,"constructor":"2"}');

    // Act
    const result = NameCounts(Member.shape.points).safeParse(stamps);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([["__proto__"], ["constructor"]]);
    expect(NameCounts(Member.shape.points).safeParse([1]).success).toBe(false);
  });

  it("takes a program's stamp cards of any category names", () => {
    // Prepare
    const cards = DANGEROUS.slice(0, 20).map((category) => ({
      category,
      stampsRequired: 2,
      rewardTitle: "Gift",
    }));

    // Act
    const rules = Rules.parse(JSON.parse(JSON.stringify({ stamps: { cards } })));

    // Assess
    expect(rules.stamps.cards.map((c) => c.category)).toEqual(DANGEROUS.slice(0, 20));
    expect(() => Rules.parse({ stamps: { cards: [cards[0], cards[0]] } })).toThrow(
      "one stamp card per category",
    );
  });

  it("prints the card in English for a locale named like a property of Object.prototype", () => {
    // Act
    const texts = [...DANGEROUS, "__proto__-FR", "constructor_DE", "hasOwnProperty-es"].map((l) =>
      cardText(l),
    );

    // Assess
    for (const text of texts) expect(text).toBe(cardText("en"));
    expect(cardText("toString", "fr-FR")).toBe(cardText("fr"));
  });
});

const NOW = "2026-03-10T11:00:00.000Z";

const aStoredMember = () => ({
  memberId: "mbr_0000000000000001",
  programId: "prg_0000000000000001",
  status: "active",
  version: 1,
  ledgerSeq: 0,
  cardCode: "4539148803436467",
  referralCode: "ABCDEFGH",
  referralPending: false,
  points: 0,
  stamps: {},
  lots: [],
  tierId: null,
  windowSpendCents: 0,
  vouchers: [],
  closedVouchers: [],
  validUntil: null,
  enrolledAt: NOW,
  purchases: 0,
  passUpdatedAt: 0,
});

const aRecord = () => ({
  transactionId: "txn_0000000000000001",
  programId: "prg_0000000000000001",
  memberId: "mbr_0000000000000001",
  storeId: "sto_0000000000000001",
  amountCents: 100,
  currency: "EUR",
  occurredAt: NOW,
  spendDay: "2026-03-10",
  pointsEarned: 1,
  stampsEarned: {},
  refundedCents: 0,
  pointsRefunded: 0,
  stampsRefunded: false,
});
