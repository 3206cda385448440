import { describe, expect, it } from "vitest";
import { defaultRules, Rules } from "../../functions/domain/rules.js";

describe("rules document", () => {
  it("earns 1 point per euro with nothing else switched on when a program gives no rules", () => {
    // Act
    const rules = defaultRules();

    // Assess
    expect(rules.earn).toEqual({ pointsPerEuro: 1, minimumBasketCents: 0, rounding: "floor", bands: [] });
    expect(rules.stamps.cards).toEqual([]);
    expect(rules.rewards.catalogue).toEqual([]);
    expect(rules.tiers.levels).toEqual([]);
    expect(rules.expiry.months).toBeNull();
    expect(rules.referral.enabled).toBe(false);
    expect(rules.transfers.enabled).toBe(false);
  });

  it("names every mechanic of the design, so a merchant can configure all of them", () => {
    // Act
    const sections = Object.keys(defaultRules()).sort();

    // Assess
    expect(sections).toEqual(
      [
        "earn",
        "stamps",
        "rewards",
        "tiers",
        "expiry",
        "validity",
        "bonuses",
        "partners",
        "transfers",
        "referral",
        "offers",
        "history",
      ].sort(),
    );
  });

  it("accepts a full program: 2 points per euro above 5 euros, stamps, rewards, tiers, campaigns", () => {
    // Prepare
    const input = {
      earn: {
        pointsPerEuro: 1,
        minimumBasketCents: 200,
        rounding: "round",
        bands: [{ aboveCents: 500, pointsPerEuro: 2 }],
      },
      stamps: { cards: [{ category: "coffee", stampsRequired: 9, rewardTitle: "A free coffee" }] },
      rewards: {
        catalogue: [
          {
            rewardId: "bon-5",
            title: "5 € voucher",
            pointsCost: 100,
            voucher: { kind: "amount", valueCents: 500 },
          },
          {
            rewardId: "mug",
            title: "Mug",
            pointsCost: 300,
            voucher: { kind: "gift", description: "Our mug" },
          },
        ],
      },
      tiers: {
        windowDays: 365,
        levels: [
          { tierId: "silver", name: "Silver", entrySpendCents: 20000, multiplier: 1.25 },
          { tierId: "gold", name: "Gold", entrySpendCents: 50000, exitSpendCents: 40000, multiplier: 1.5 },
        ],
      },
      expiry: { months: 12 },
      validity: { cardMonths: 24 },
      bonuses: {
        channelMultipliers: { online: 1.1 },
        memberCardPaymentMultiplier: 2,
        campaigns: [
          {
            campaignId: "black-friday",
            name: "Black Friday",
            startsAt: "2026-11-27T00:00:00+01:00",
            endsAt: "2026-11-30T00:00:00+01:00",
            multiplier: 3,
            channels: ["online"],
          },
        ],
      },
      partners: { dailyCapPointsPerMember: 200 },
      transfers: { enabled: true },
      referral: { enabled: true, referrerPoints: 50, refereePoints: 25 },
    };

    // Act
    const rules = Rules.parse(input);

    // Assess
    expect(rules.earn.bands).toEqual([{ aboveCents: 500, pointsPerEuro: 2 }]);
    expect(rules.stamps.cards[0]?.voucherValidDays).toBe(90);
    expect(rules.tiers.levels.map((t) => t.tierId)).toEqual(["silver", "gold"]);
    expect(rules.bonuses.channelMultipliers).toEqual({ in_store: 1, online: 1.1 });
  });

  it.each([
    ["an unknown section", { loyalty: {} }],
    ["an unknown field in a section", { earn: { pointsPerDollar: 1 } }],
    ["a negative rate", { earn: { pointsPerEuro: -1 } }],
    ["a rate with three decimals", { earn: { pointsPerEuro: 1.005 } }],
    ["fractional cents", { earn: { minimumBasketCents: 10.5 } }],
    [
      "bands out of order",
      {
        earn: {
          bands: [
            { aboveCents: 500, pointsPerEuro: 2 },
            { aboveCents: 100, pointsPerEuro: 3 },
          ],
        },
      },
    ],
    [
      "two stamp cards for one category",
      {
        stamps: {
          cards: [
            { category: "tea", stampsRequired: 5, rewardTitle: "Tea" },
            { category: "tea", stampsRequired: 6, rewardTitle: "Tea" },
          ],
        },
      },
    ],
    [
      "a duplicated reward id",
      {
        rewards: {
          catalogue: [
            { rewardId: "a", title: "A", pointsCost: 1, voucher: { kind: "gift", description: "x" } },
            { rewardId: "a", title: "B", pointsCost: 2, voucher: { kind: "gift", description: "y" } },
          ],
        },
      },
    ],
    [
      "a tier whose exit is above its entry",
      { tiers: { levels: [{ tierId: "gold", name: "Gold", entrySpendCents: 100, exitSpendCents: 200 }] } },
    ],
    [
      "tiers out of order",
      {
        tiers: {
          levels: [
            { tierId: "gold", name: "Gold", entrySpendCents: 500 },
            { tierId: "silver", name: "Silver", entrySpendCents: 100 },
          ],
        },
      },
    ],
    [
      "a campaign that ends before it starts",
      {
        bonuses: {
          campaigns: [
            {
              campaignId: "x",
              name: "X",
              startsAt: "2026-02-01T00:00:00Z",
              endsAt: "2026-01-01T00:00:00Z",
              multiplier: 2,
            },
          ],
        },
      },
    ],
    ["a multiplier below 1", { bonuses: { memberCardPaymentMultiplier: 0.5 } }],
    [
      "an unknown channel",
      {
        bonuses: {
          campaigns: [
            {
              campaignId: "x",
              name: "X",
              startsAt: "2026-01-01T00:00:00Z",
              endsAt: "2026-02-01T00:00:00Z",
              multiplier: 2,
              channels: ["phone"],
            },
          ],
        },
      },
    ],
  ])("rejects %s", (_, input) => {
    // Act
    const result = Rules.safeParse(input);

    // Assess
    expect(result.success).toBe(false);
  });
});
