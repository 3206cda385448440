import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { earnPoints } from "../../../functions/domain/loyalty/earn.js";
import { tierFor } from "../../../functions/domain/loyalty/tiers.js";
import { Rules, type RulesInput } from "../../../functions/domain/rules.js";

const at = new Date("2026-11-23T10:00:00Z");
const basket = (amountCents: number, extra: Partial<Parameters<typeof earnPoints>[1]> = {}) => ({
  amountCents,
  lines: [],
  channel: "in_store" as const,
  paidWithMemberCard: false,
  occurredAt: at,
  tierMultiplier: 1,
  ...extra,
});
const points = (
  rules: RulesInput,
  amountCents: number,
  extra: Partial<Parameters<typeof earnPoints>[1]> = {},
) => earnPoints(Rules.parse(rules), basket(amountCents, extra)).points;

describe("earning points", () => {
  it("earns 1 point per whole euro by default, rounding down", () => {
    expect(points({}, 1299)).toBe(12);
    expect(points({}, 99)).toBe(0);
  });

  it("earns 2 points per euro above 5 euros", () => {
    // 12 € = 5 € × 1 + 7 € × 2
    expect(points({ earn: { bands: [{ aboveCents: 500, pointsPerEuro: 2 }] } }, 1200)).toBe(19);
    expect(points({ earn: { bands: [{ aboveCents: 500, pointsPerEuro: 2 }] } }, 400)).toBe(4);
  });

  it("earns nothing below the minimum basket", () => {
    expect(points({ earn: { minimumBasketCents: 1000 } }, 999)).toBe(0);
    expect(points({ earn: { minimumBasketCents: 1000 } }, 1000)).toBe(10);
  });

  it("rounds once, by the program's rule, half up for round", () => {
    // 2.50 € at 1.5 / € = 3.75 points; 1.00 € at 2.5 / € = 2.5 points
    expect(points({ earn: { pointsPerEuro: 1.5, rounding: "floor" } }, 250)).toBe(3);
    expect(points({ earn: { pointsPerEuro: 1.5, rounding: "ceil" } }, 250)).toBe(4);
    expect(points({ earn: { pointsPerEuro: 1.5, rounding: "round" } }, 250)).toBe(4);
    expect(points({ earn: { pointsPerEuro: 2.5, rounding: "round" } }, 100)).toBe(3);
  });

  it("never lets a float decide: 0.1 point per euro on 30 euros is exactly 3", () => {
    expect(points({ earn: { pointsPerEuro: 0.1 } }, 3000)).toBe(3);
    expect(points({ earn: { pointsPerEuro: 0.07 } }, 10000)).toBe(7);
  });

  it("multiplies tier, channel and member-card payment together", () => {
    const rules = { bonuses: { channelMultipliers: { online: 2 }, memberCardPaymentMultiplier: 1.5 } };
    expect(points(rules, 1000, { tierMultiplier: 1.2 })).toBe(12);
    expect(points(rules, 1000, { channel: "online" })).toBe(20);
    expect(points(rules, 1000, { channel: "online", paidWithMemberCard: true, tierMultiplier: 1.2 })).toBe(
      36,
    );
  });

  it("applies a campaign only within its dates and channels, and the best campaign only", () => {
    const campaign = (campaignId: string, multiplier: number, extra = {}) => ({
      campaignId,
      name: campaignId,
      startsAt: "2026-11-01T00:00:00Z",
      endsAt: "2026-12-01T00:00:00Z",
      multiplier,
      ...extra,
    });
    const rules = {
      bonuses: { campaigns: [campaign("double", 2), campaign("web", 3, { channels: ["online"] })] },
    };
    expect(points(rules, 1000)).toBe(20);
    expect(points(rules, 1000, { channel: "online" })).toBe(30);
    expect(points(rules, 1000, { occurredAt: new Date("2026-12-01T00:00:00Z") })).toBe(10);
    expect(points(rules, 1000, { occurredAt: new Date("2026-10-31T23:59:59Z") })).toBe(10);
  });

  it("multiplies only the share of the basket a category campaign covers", () => {
    const rules = {
      bonuses: {
        campaigns: [
          {
            campaignId: "tea-week",
            name: "Tea week",
            startsAt: "2026-11-01T00:00:00Z",
            endsAt: "2026-12-01T00:00:00Z",
            multiplier: 3,
            categories: ["tea"],
          },
        ],
      },
    };
    // 10 €: 4 € of tea (×3) and 6 € of cake → 12 + 6 = 18
    const lines = [
      { category: "tea", cents: 400 },
      { category: "cake", cents: 600 },
    ];
    const earned = earnPoints(Rules.parse(rules), basket(1000, { lines }));
    expect(earned).toEqual({ points: 18, campaignIds: ["tea-week"] });
  });

  it("never gives negative, fractional or decreasing points as the basket grows", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 500 }),
        (amount, more, base, above) => {
          const rules = {
            earn: { pointsPerEuro: base / 100, bands: [{ aboveCents: 500, pointsPerEuro: above / 100 }] },
          };
          const a = points(rules, amount);
          const b = points(rules, amount + more);
          expect(Number.isInteger(a) && a >= 0).toBe(true);
          expect(b).toBeGreaterThanOrEqual(a);
          // never more than the whole basket at the best rate
          expect(a).toBeLessThanOrEqual(Math.ceil((amount / 100) * (Math.max(base, above) / 100)));
        },
      ),
    );
  });
});

describe("tiers", () => {
  const levels = Rules.parse({
    tiers: {
      levels: [
        { tierId: "silver", name: "Silver", entrySpendCents: 10_000, exitSpendCents: 8_000 },
        { tierId: "gold", name: "Gold", entrySpendCents: 50_000, exitSpendCents: 40_000, multiplier: 2 },
      ],
    },
  }).tiers.levels;

  it("enters the highest level whose entry spend is reached", () => {
    expect(tierFor(levels, 9_999, null)).toBeNull();
    expect(tierFor(levels, 10_000, null)).toBe("silver");
    expect(tierFor(levels, 60_000, null)).toBe("gold");
  });

  it("keeps a level while spend stays at or above its exit threshold, and drops below it", () => {
    expect(tierFor(levels, 45_000, "gold")).toBe("gold");
    expect(tierFor(levels, 40_000, "gold")).toBe("gold");
    expect(tierFor(levels, 39_999, "gold")).toBe("silver");
    expect(tierFor(levels, 7_999, "silver")).toBeNull();
  });

  it("has no tier when the program has none", () => {
    expect(tierFor([], 1_000_000, null)).toBeNull();
  });
});
