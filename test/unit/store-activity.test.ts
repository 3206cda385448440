import { describe, expect, it } from "vitest";
import { addDays } from "../../functions/domain/loyalty/calendar.js";
import {
  type Activity,
  emptyActivity,
  MAX_ACTIVITY_CATEGORIES,
  MAX_ACTIVITY_MONTHS,
  MAX_ACTIVITY_STORES,
} from "../../functions/domain/loyalty/member.js";
import {
  boughtSince,
  recordPurchase,
  recordRefund,
  spentSince,
  topCategories,
  VISIT_HALF_LIFE_DAYS,
  visitScore,
} from "../../functions/domain/stores/activity.js";

const TODAY = "2026-06-15";

/** A purchase at a store on a day, without items. */
const at = (storeId: string, day: string, amountCents = 1000) => ({ storeId, day, amountCents, items: [] });

/** The activity after these purchases, in order. */
const activityOf = (purchases: Parameters<typeof recordPurchase>[1][], from?: Activity): Activity =>
  purchases.reduce<Activity | undefined>((a, p) => recordPurchase(a, p), from) ?? emptyActivity();

describe("a member's activity", () => {
  it("records a purchase's store visit, its items by category and its amount in its month", () => {
    // Act
    const activity = recordPurchase(undefined, {
      storeId: "sto_a",
      day: TODAY,
      amountCents: 1250,
      items: [
        { category: "coffee", quantity: 2 },
        { category: "cake", quantity: 1 },
        { quantity: 3 },
        { category: "coffee", quantity: 1 },
      ],
    });

    // Assess: items without a category count for none
    expect(activity).toEqual({
      stores: [{ storeId: "sto_a", visits: 1, lastDay: TODAY }],
      categories: [
        { category: "coffee", items: 3, lastDay: TODAY },
        { category: "cake", items: 1, lastDay: TODAY },
      ],
      months: [{ month: "2026-06", cents: 1250 }],
    });
  });

  it("counts another visit to a store, and never moves its last day back for a purchase synced late", () => {
    // Prepare
    const first = recordPurchase(undefined, at("sto_a", TODAY, 500));

    // Act: a till that was offline sends last week's purchase now
    const late = recordPurchase(first, at("sto_a", addDays(TODAY, -7), 300));

    // Assess
    expect(late.stores).toEqual([{ storeId: "sto_a", visits: 2, lastDay: TODAY }]);
    expect(late.months).toEqual([{ month: "2026-06", cents: 800 }]);
  });

  it("keeps the stores most relevant first, by visits weighted by recency", () => {
    // Act: 3 visits to a half a year ago, 1 visit to b today, 2 visits to c today
    const activity = activityOf([
      at("sto_a", addDays(TODAY, -200)),
      at("sto_a", addDays(TODAY, -190)),
      at("sto_a", addDays(TODAY, -180)),
      at("sto_b", TODAY),
      at("sto_c", TODAY),
      at("sto_c", TODAY),
    ]);

    // Assess: a scores 3 × ¼ = 0.75, below b's single fresh visit
    expect(activity.stores.map((s) => s.storeId)).toEqual(["sto_c", "sto_b", "sto_a"]);
    expect(visitScore({ visits: 3, lastDay: addDays(TODAY, -2 * VISIT_HALF_LIFE_DAYS) }, TODAY)).toBe(0.75);
  });

  it(`keeps ${MAX_ACTIVITY_STORES} stores, dropping the least relevant (the oldest visit on a tie), never the store just visited`, () => {
    // Prepare: "old" has 2 visits two half-lives ago and "once" 1 visit one half-life ago (both score
    // 0.5), and 8 stores have 3 visits each from yesterday
    const strong = Array.from({ length: MAX_ACTIVITY_STORES - 2 }, (_, i) => `sto_${i}`);
    const ten = activityOf([
      at("sto_old", addDays(TODAY, -2 * VISIT_HALF_LIFE_DAYS)),
      at("sto_old", addDays(TODAY, -2 * VISIT_HALF_LIFE_DAYS)),
      at("sto_once", addDays(TODAY, -VISIT_HALF_LIFE_DAYS)),
      ...strong.flatMap((id) => [1, 2, 3].map(() => at(id, addDays(TODAY, -1)))),
    ]);

    // Act: a first visit to an eleventh store, then to a twelfth
    const eleven = recordPurchase(ten, at("sto_new", TODAY));
    const twelve = recordPurchase(eleven, at("sto_newer", TODAY));

    // Assess: the tie between "old" and "once" drops the older visit; then "once", the weakest left
    expect(ten.stores).toHaveLength(MAX_ACTIVITY_STORES);
    expect(eleven.stores.map((s) => s.storeId)).toEqual([...strong, "sto_new", "sto_once"]);
    expect(twelve.stores.map((s) => s.storeId)).toEqual([...strong, "sto_new", "sto_newer"]);
  });

  it("keeps even a single visit today when every other store outscores it", () => {
    // Prepare: 10 stores of 5 visits each, yesterday
    const ten = activityOf(
      Array.from({ length: MAX_ACTIVITY_STORES }, (_, i) => `sto_${i}`).flatMap((id) =>
        [1, 2, 3, 4, 5].map(() => at(id, addDays(TODAY, -1))),
      ),
    );

    // Act
    const moved = recordPurchase(ten, at("sto_new", TODAY));

    // Assess: the member who starts shopping elsewhere is seen at once; the last store (by id) goes
    expect(moved.stores).toHaveLength(MAX_ACTIVITY_STORES);
    expect(moved.stores.at(-1)).toEqual({ storeId: "sto_new", visits: 1, lastDay: TODAY });
    expect(moved.stores.map((s) => s.storeId)).not.toContain("sto_9");
  });

  it(`keeps ${MAX_ACTIVITY_CATEGORIES} categories, dropping the least recently bought, then the fewest items`, () => {
    // Prepare: 20 categories bought yesterday, "rare" once and the others twice
    const names = Array.from({ length: MAX_ACTIVITY_CATEGORIES - 1 }, (_, i) => `cat_${i}`);
    const yesterday = recordPurchase(undefined, {
      storeId: "sto_a",
      day: addDays(TODAY, -1),
      amountCents: 100,
      items: [...names.map((category) => ({ category, quantity: 2 })), { category: "rare", quantity: 1 }],
    });

    // Act: a new category today
    const today = recordPurchase(yesterday, {
      ...at("sto_a", TODAY),
      items: [{ category: "new", quantity: 1 }],
    });

    // Assess
    expect(today.categories).toHaveLength(MAX_ACTIVITY_CATEGORIES);
    expect(today.categories[0]).toEqual({ category: "new", items: 1, lastDay: TODAY });
    expect(today.categories.map((c) => c.category)).not.toContain("rare");
  });

  it(`keeps the spend of the last ${MAX_ACTIVITY_MONTHS} months that had one, newest first`, () => {
    // Prepare: a purchase in each of 14 months, from May 2025 to June 2026
    const days = Array.from(
      { length: 14 },
      (_, i) => `${i < 8 ? 2025 : 2026}-${String(((i + 4) % 12) + 1).padStart(2, "0")}-10`,
    );

    // Act
    const activity = activityOf(days.map((day, i) => at("sto_a", day, 100 * (i + 1))));
    const older = recordPurchase(activity, at("sto_a", "2025-05-20", 999));

    // Assess: May 2025 is dropped, and a purchase that belongs to it stays dropped
    expect(activity.months).toHaveLength(MAX_ACTIVITY_MONTHS);
    expect(activity.months[0]).toEqual({ month: "2026-06", cents: 1400 });
    expect(activity.months.at(-1)).toEqual({ month: "2025-06", cents: 200 });
    expect(older.months).toEqual(activity.months);
  });

  it("takes a refund off the month of the purchase, never below 0, and ignores a month already dropped", () => {
    // Prepare: 30 € in May, 20 € in June
    const activity = activityOf([at("sto_a", "2026-05-31", 3000), at("sto_a", TODAY, 2000)]);

    // Act: in June, 10 € of May's purchase refunded, then more than June's spend, then a month long gone
    const mayRefund = recordRefund(activity, { day: "2026-05-31", cents: 1000 });
    const tooMuch = recordRefund(mayRefund, { day: TODAY, cents: 5000 });
    const gone = recordRefund(tooMuch, { day: "2024-01-10", cents: 700 });

    // Assess
    expect(mayRefund.months).toEqual([
      { month: "2026-06", cents: 2000 },
      { month: "2026-05", cents: 2000 },
    ]);
    expect(tooMuch.months).toEqual([
      { month: "2026-06", cents: 0 },
      { month: "2026-05", cents: 2000 },
    ]);
    expect(gone).toEqual(tooMuch);
    expect(tooMuch.stores).toEqual(activity.stores);
  });

  it("answers whether the member bought since a day (that day included), of any category or of one", () => {
    // Prepare
    const activity = activityOf([
      { ...at("sto_a", "2026-06-08"), items: [{ category: "tea", quantity: 1 }] },
      { ...at("sto_b", "2026-06-10"), items: [{ category: "coffee", quantity: 1 }] },
    ]);

    // Assess
    expect(boughtSince(activity, "2026-06-10")).toBe(true);
    expect(boughtSince(activity, "2026-06-11")).toBe(false);
    expect(boughtSince(activity, "2026-06-08", "tea")).toBe(true);
    expect(boughtSince(activity, "2026-06-09", "tea")).toBe(false);
    expect(boughtSince(activity, "2026-01-01", "cake")).toBe(false);
    expect(boughtSince(undefined, "2026-01-01")).toBe(false);
  });

  it("adds up the spend from a month on", () => {
    // Prepare
    const activity = activityOf([
      at("sto_a", "2026-03-31", 100),
      at("sto_a", "2026-04-01", 200),
      at("sto_a", "2026-06-15", 400),
    ]);

    // Assess
    expect(spentSince(activity, "2026-04")).toBe(600);
    expect(spentSince(activity, "2026-03")).toBe(700);
    expect(spentSince(activity, "2026-07")).toBe(0);
    expect(spentSince(undefined, "2026-01")).toBe(0);
  });

  it("ranks the favourite categories by items weighted with the visits' half-life, ties by name", () => {
    // Prepare: 8 teas half a year ago (worth 2 today), 3 coffees and 3 cakes today, 2 juices today
    const activity = activityOf([
      {
        ...at("sto_a", addDays(TODAY, -2 * VISIT_HALF_LIFE_DAYS)),
        items: [{ category: "tea", quantity: 8 }],
      },
      {
        ...at("sto_a", TODAY),
        items: [
          { category: "juice", quantity: 2 },
          { category: "coffee", quantity: 3 },
          { category: "cake", quantity: 3 },
        ],
      },
    ]);

    // Assess
    expect(topCategories(activity, TODAY)).toEqual(["cake", "coffee", "juice"]);
    expect(topCategories(activity, TODAY, 5)).toEqual(["cake", "coffee", "juice", "tea"]);
    expect(topCategories(activity, addDays(TODAY, -2 * VISIT_HALF_LIFE_DAYS), 1)).toEqual(["tea"]);
  });

  it("counts categories named like JavaScript's own properties as ordinary names", () => {
    // Act
    const activity = activityOf([
      { ...at("sto_a", TODAY), items: [{ category: "__proto__", quantity: 2 }] },
      {
        ...at("sto_a", TODAY),
        items: [
          { category: "constructor", quantity: 1 },
          { category: "__proto__", quantity: 1 },
        ],
      },
    ]);

    // Assess
    expect(activity.categories).toEqual([
      { category: "__proto__", items: 3, lastDay: TODAY },
      { category: "constructor", items: 1, lastDay: TODAY },
    ]);
    expect(topCategories(activity, TODAY)).toEqual(["__proto__", "constructor"]);
    expect(boughtSince(activity, TODAY, "constructor")).toBe(true);
    expect(boughtSince(activity, TODAY, "toString")).toBe(false);
    expect(JSON.parse(JSON.stringify(activity))).toEqual(activity);
  });
});
