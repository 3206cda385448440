import { describe, expect, it } from "vitest";
import { addDays } from "../../functions/domain/loyalty/calendar.js";
import { purchase, refund } from "../../functions/domain/loyalty/engine.js";
import type { Activity, Member } from "../../functions/domain/loyalty/member.js";
import type { OfferTarget } from "../../functions/domain/offers/offer.js";
import { matchesTarget } from "../../functions/domain/offers/targets.js";
import { VISIT_HALF_LIFE_DAYS } from "../../functions/domain/stores/activity.js";
import { ctxAt, ids, newMember, programWith, spend } from "./loyalty/fixtures.js";

const TODAY = "2026-06-15";
const program = programWith();

/** A member of the program, enrolled in January, with `patch` over it. */
const memberWith = (patch: Partial<Member> = {}): Member => ({
  ...newMember(program, "2026-01-05T10:00:00Z"),
  ...patch,
});

const activity = (a: Partial<Activity>): Activity => ({ stores: [], categories: [], months: [], ...a });

/** What a member who bought once, on `day` (program time zone), holds; with an item of `category`. */
const boughtOn = (day: string, category?: string): Partial<Member> => ({
  purchases: 1,
  lastPurchaseAt: `${day}T12:00:00.000Z`,
  activity: activity({
    stores: [{ storeId: "sto_a", visits: 1, lastDay: day }],
    categories: category === undefined ? [] : [{ category, items: 1, lastDay: day }],
  }),
});

const matches = (target: OfferTarget, member: Member, birthMonth?: number) =>
  matchesTarget(target, member, { today: TODAY, birthMonth });

describe("an offer's target", () => {
  it("'all' picks every active member, and no erased one", () => {
    // Assess
    expect(matches({ kind: "all" }, memberWith())).toBe(true);
    expect(matches({ kind: "all" }, memberWith({ status: "erased" }))).toBe(false);
  });

  it("'tier' picks the members holding that tier now", () => {
    // Assess
    expect(matches({ kind: "tier", tier: "gold" }, memberWith({ tierId: "gold" }))).toBe(true);
    expect(matches({ kind: "tier", tier: "gold" }, memberWith({ tierId: "silver" }))).toBe(false);
    expect(matches({ kind: "tier", tier: "gold" }, memberWith({ tierId: null }))).toBe(false);
  });

  it("'purchasedWithinDays' counts today and the days − 1 before it, in the program's days", () => {
    // Prepare
    const target: OfferTarget = { kind: "purchasedWithinDays", days: 7 };

    // Assess: 7 days = 9 to 15 June
    expect(matches(target, memberWith(boughtOn(TODAY)))).toBe(true);
    expect(matches(target, memberWith(boughtOn(addDays(TODAY, -6))))).toBe(true);
    expect(matches(target, memberWith(boughtOn(addDays(TODAY, -7))))).toBe(false);
    expect(matches(target, memberWith())).toBe(false);
    expect(matches({ kind: "purchasedWithinDays", days: 1 }, memberWith(boughtOn(TODAY)))).toBe(true);
  });

  it("'purchasedWithinDays' reads the purchase's day in the program's time zone, not in UTC", () => {
    // Prepare: 22:30 UTC on 14 June is 00:30 on 15 June in Paris
    const member = newMember(program, "2026-06-01T10:00:00Z");
    const bought = purchase(
      member,
      ctxAt(program, "2026-06-14T22:30:00Z"),
      spend(500, "2026-06-14T22:30:00Z"),
      {},
      ids(1),
    ).member;

    // Assess: bought "today" (15 June, Paris), though on 14 June in UTC
    expect(matches({ kind: "purchasedWithinDays", days: 1 }, bought)).toBe(true);
  });

  it("'purchasedWithinDays' with a category needs an item of that category in the window", () => {
    // Prepare: tea 7 days ago, coffee 6 days ago
    const member = memberWith({
      purchases: 2,
      activity: activity({
        stores: [{ storeId: "sto_a", visits: 2, lastDay: addDays(TODAY, -6) }],
        categories: [
          { category: "coffee", items: 1, lastDay: addDays(TODAY, -6) },
          { category: "tea", items: 4, lastDay: addDays(TODAY, -7) },
        ],
      }),
    });

    // Assess
    expect(matches({ kind: "purchasedWithinDays", days: 7, category: "coffee" }, member)).toBe(true);
    expect(matches({ kind: "purchasedWithinDays", days: 7, category: "tea" }, member)).toBe(false);
    expect(matches({ kind: "purchasedWithinDays", days: 8, category: "tea" }, member)).toBe(true);
    expect(matches({ kind: "purchasedWithinDays", days: 30, category: "cake" }, member)).toBe(false);
  });

  it("'lapsedDays' picks members who bought, but on none of the last days", () => {
    // Prepare
    const target: OfferTarget = { kind: "lapsedDays", days: 30 };

    // Assess: the last 30 days are 17 May to 15 June
    expect(matches(target, memberWith(boughtOn(addDays(TODAY, -30))))).toBe(true);
    expect(matches(target, memberWith(boughtOn(addDays(TODAY, -29))))).toBe(false);
    expect(matches(target, memberWith())).toBe(false);
  });

  it("'lapsedDays' and 'purchasedWithinDays' fall back on the last purchase's instant when no activity was recorded", () => {
    // Prepare: a member whose purchases came before activity was kept
    const member = memberWith({ purchases: 3, lastPurchaseAt: "2026-05-01T09:00:00.000Z" });

    // Assess
    expect(matches({ kind: "lapsedDays", days: 30 }, member)).toBe(true);
    expect(matches({ kind: "purchasedWithinDays", days: 46 }, member)).toBe(true);
    expect(matches({ kind: "purchasedWithinDays", days: 45 }, member)).toBe(false);
  });

  it("'birthdayMonth' picks members born in the current month, the profile's month first", () => {
    // Assess
    expect(matches({ kind: "birthdayMonth" }, memberWith({ birthMonth: 6 }))).toBe(true);
    expect(matches({ kind: "birthdayMonth" }, memberWith({ birthMonth: 7 }))).toBe(false);
    expect(matches({ kind: "birthdayMonth" }, memberWith({ birthMonth: 7 }), 6)).toBe(true);
    expect(matches({ kind: "birthdayMonth" }, memberWith({ birthMonth: 6 }), 5)).toBe(false);
    expect(matches({ kind: "birthdayMonth" }, memberWith())).toBe(false);
    expect(
      matchesTarget({ kind: "birthdayMonth" }, memberWith({ birthMonth: 7 }), { today: "2026-07-01" }),
    ).toBe(true);
  });

  it("'spentAtLeast' adds this month and the months − 1 before it, whole months", () => {
    // Prepare: on 15 June; 30 € in March, 40 € in April, 20 € in June
    const member = memberWith({
      purchases: 3,
      activity: activity({
        months: [
          { month: "2026-06", cents: 2000 },
          { month: "2026-04", cents: 4000 },
          { month: "2026-03", cents: 3000 },
        ],
      }),
    });

    // Assess: 3 months = April to June (60 €); 4 months = March to June (90 €)
    expect(matches({ kind: "spentAtLeast", cents: 6000, months: 3 }, member)).toBe(true);
    expect(matches({ kind: "spentAtLeast", cents: 6001, months: 3 }, member)).toBe(false);
    expect(matches({ kind: "spentAtLeast", cents: 9000, months: 4 }, member)).toBe(true);
    expect(matches({ kind: "spentAtLeast", cents: 2000, months: 1 }, member)).toBe(true);
    expect(matches({ kind: "spentAtLeast", cents: 2001, months: 1 }, member)).toBe(false);
    expect(matches({ kind: "spentAtLeast", cents: 1, months: 12 }, memberWith())).toBe(false);
  });

  it("'spentAtLeast' counts across the new year and deducts refunds from the purchase's month", () => {
    // Prepare: 50 € on 31 December (Paris), 50 € on 2 January, then 20 € of December's refunded
    const member = newMember(program, "2026-12-01T10:00:00Z");
    const december = purchase(
      member,
      ctxAt(program, "2026-12-31T20:00:00Z"),
      spend(5000, "2026-12-31T20:00:00Z"),
      {},
      ids(1),
    );
    const january = purchase(
      december.member,
      ctxAt(program, "2027-01-02T10:00:00Z"),
      spend(5000, "2027-01-02T10:00:00Z"),
      {},
      ids(2),
    );
    const refunded = refund(
      january.member,
      ctxAt(program, "2027-01-03T10:00:00Z"),
      december.record,
      2000,
      {},
      ids(3),
    ).member;
    const target: OfferTarget = { kind: "spentAtLeast", cents: 10_000, months: 2 };
    const on = (today: string, m: Member) => matchesTarget(target, m, { today });

    // Assess
    expect(on("2027-01-02", january.member)).toBe(true);
    expect(on("2027-01-03", refunded)).toBe(false);
    expect(matchesTarget({ ...target, cents: 8000 }, refunded, { today: "2027-01-03" })).toBe(true);
    expect(matchesTarget({ ...target, cents: 5000, months: 1 }, refunded, { today: "2027-01-03" })).toBe(
      true,
    );
    expect(matchesTarget({ ...target, cents: 8000 }, refunded, { today: "2027-02-01" })).toBe(false);
  });

  it("'topCategory' picks members for whom the category is among their 3 favourites today", () => {
    // Prepare: coffee 5, tea 4, cake 3, juice 2 today; wine 40 but long ago (40 × 1/16 = 2.5)
    const member = memberWith({
      purchases: 5,
      activity: activity({
        categories: [
          { category: "coffee", items: 5, lastDay: TODAY },
          { category: "tea", items: 4, lastDay: TODAY },
          { category: "cake", items: 3, lastDay: TODAY },
          { category: "juice", items: 2, lastDay: TODAY },
          { category: "wine", items: 40, lastDay: addDays(TODAY, -4 * VISIT_HALF_LIFE_DAYS) },
        ],
      }),
    });

    // Assess
    expect(matches({ kind: "topCategory", category: "cake" }, member)).toBe(true);
    expect(matches({ kind: "topCategory", category: "juice" }, member)).toBe(false);
    expect(matches({ kind: "topCategory", category: "wine" }, member)).toBe(false);
    expect(matches({ kind: "topCategory", category: "coffee" }, memberWith())).toBe(false);
  });

  it("treats categories named like JavaScript's own properties as ordinary names", () => {
    // Prepare
    const member = memberWith({
      ...boughtOn(TODAY, "__proto__"),
      activity: activity({
        stores: [{ storeId: "sto_a", visits: 1, lastDay: TODAY }],
        categories: [
          { category: "__proto__", items: 2, lastDay: TODAY },
          { category: "constructor", items: 1, lastDay: TODAY },
        ],
      }),
    });

    // Assess
    expect(matches({ kind: "topCategory", category: "__proto__" }, member)).toBe(true);
    expect(matches({ kind: "topCategory", category: "constructor" }, member)).toBe(true);
    expect(matches({ kind: "topCategory", category: "toString" }, member)).toBe(false);
    expect(matches({ kind: "purchasedWithinDays", days: 1, category: "__proto__" }, member)).toBe(true);
    expect(matches({ kind: "purchasedWithinDays", days: 1, category: "hasOwnProperty" }, member)).toBe(false);
  });
});
