import { daysBetween } from "../loyalty/calendar.js";
import {
  type Activity,
  type CategoryUse,
  emptyActivity,
  MAX_ACTIVITY_CATEGORIES,
  MAX_ACTIVITY_MONTHS,
  MAX_ACTIVITY_STORES,
  type MonthSpend,
  type StoreVisits,
} from "../loyalty/member.js";

/**
 * A member's activity (`Member.activity`): where and what they buy, bounded, updated by purchases
 * and refunds. Read by the card's store choice (choice.ts) and by offer segments (domain/offers).
 *
 * It is a heuristic summary kept on the member, so every part has a bound and a rule for what goes
 * when the bound is reached; the ledger stays the record of every purchase. Item categories are the
 * merchant's names, kept as data (`__proto__` is a category like any other): they live in arrays and
 * are counted in Maps, never as an object's keys.
 */

/** Visits lose half their weight every this many days: a store shopped at weekly beats one visited once last year. */
export const VISIT_HALF_LIFE_DAYS = 90;

/** How much a store matters to the member today: visits weighted by recency (frequency × recency). */
export const visitScore = (visit: Pick<StoreVisits, "visits" | "lastDay">, today: string): number =>
  visit.visits * 0.5 ** (Math.max(0, daysBetween(visit.lastDay, today)) / VISIT_HALF_LIFE_DAYS);

/** Code-unit order: the same for every locale, so every order below is reproducible. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const later = (a: string, b: string): string => (a > b ? a : b);

/** A purchase as activity sees it: where, on which day (program time zone), how much, and what. */
export interface ActivityPurchase {
  storeId: string;
  /** The purchase's spend day, YYYY-MM-DD in the program's time zone. */
  day: string;
  amountCents: number;
  items: readonly { category?: string | undefined; quantity: number }[];
}

/** Most relevant first at `day`: by visitScore, then the latest visit, then storeId. */
const byRelevance =
  (day: string) =>
  (a: StoreVisits, b: StoreVisits): number =>
    visitScore(b, day) - visitScore(a, day) ||
    compareText(b.lastDay, a.lastDay) ||
    compareText(a.storeId, b.storeId);

/**
 * One more visit to `storeId`. Past MAX_ACTIVITY_STORES, the least relevant store goes (lowest
 * visitScore at `day`, ties the oldest visit) — never the store just visited: a store the member
 * starts shopping at must be able to enter even when ten old favourites outscore its single visit,
 * or a member who moved would keep the old town's stores for a year.
 */
const visitStore = (stores: readonly StoreVisits[], storeId: string, day: string): StoreVisits[] => {
  const known = stores.find((s) => s.storeId === storeId);
  const visited: StoreVisits = known
    ? { storeId, visits: known.visits + 1, lastDay: later(known.lastDay, day) }
    : { storeId, visits: 1, lastDay: day };
  const others = stores
    .filter((s) => s.storeId !== storeId)
    .sort(byRelevance(day))
    .slice(0, MAX_ACTIVITY_STORES - 1);
  return [visited, ...others].sort(byRelevance(day));
};

/**
 * The basket's items added to their categories (items without a category count for none). Past
 * MAX_ACTIVITY_CATEGORIES, the least recently bought go first, then the fewest items, then by name.
 */
const useCategories = (
  categories: readonly CategoryUse[],
  items: ActivityPurchase["items"],
  day: string,
): CategoryUse[] => {
  const byName = new Map(categories.map((c) => [c.category, c]));
  for (const { category, quantity } of items) {
    if (category === undefined || quantity <= 0) continue;
    const known = byName.get(category);
    byName.set(
      category,
      known
        ? { category, items: known.items + quantity, lastDay: later(known.lastDay, day) }
        : { category, items: quantity, lastDay: day },
    );
  }
  return [...byName.values()]
    .sort(
      (a, b) => compareText(b.lastDay, a.lastDay) || b.items - a.items || compareText(a.category, b.category),
    )
    .slice(0, MAX_ACTIVITY_CATEGORIES);
};

/** `cents` added to the month of `day` (its bucket made if needed); newest first, the oldest dropped past the bound. */
const addToMonth = (months: readonly MonthSpend[], day: string, cents: number): MonthSpend[] => {
  const month = day.slice(0, 7);
  const known = months.find((m) => m.month === month);
  const rest = months.filter((m) => m.month !== month);
  return [...rest, { month, cents: (known?.cents ?? 0) + cents }]
    .sort((a, b) => compareText(b.month, a.month))
    .slice(0, MAX_ACTIVITY_MONTHS);
};

/** The activity after a purchase: a visit to its store, its items by category, its amount in its month. */
export const recordPurchase = (activity: Activity | undefined, p: ActivityPurchase): Activity => {
  const before = activity ?? emptyActivity();
  return {
    stores: visitStore(before.stores, p.storeId, p.day),
    categories: useCategories(before.categories, p.items, p.day),
    months: addToMonth(before.months, p.day, p.amountCents),
  };
};

/**
 * The activity after a refund: its cents taken off the month the purchase was spent in (`day`, the
 * purchase's spend day, not the refund's), never below 0. A month already dropped stays dropped. The
 * visit and the items stay: the member did go there and did choose them, which is what the store
 * choice and "for you" offers want to know.
 */
export const recordRefund = (
  activity: Activity | undefined,
  refund: { day: string; cents: number },
): Activity => {
  const before = activity ?? emptyActivity();
  const month = refund.day.slice(0, 7);
  if (!before.months.some((m) => m.month === month)) return before;
  return {
    ...before,
    months: before.months.map((m) =>
      m.month === month ? { month, cents: Math.max(0, m.cents - refund.cents) } : m,
    ),
  };
};

/** The latest day the member bought anything (the latest store visit), if any is known. */
export const lastPurchaseDay = (activity: Activity | undefined): string | undefined =>
  activity?.stores.reduce<string | undefined>(
    (latest, s) => (latest === undefined ? s.lastDay : later(latest, s.lastDay)),
    undefined,
  );

/** Whether the member bought on or after `fromDay`; with `category`, an item of that category. */
export const boughtSince = (activity: Activity | undefined, fromDay: string, category?: string): boolean => {
  if (category === undefined) {
    const latest = lastPurchaseDay(activity);
    return latest !== undefined && latest >= fromDay;
  }
  return (activity?.categories ?? []).some((c) => c.category === category && c.lastDay >= fromDay);
};

/** Spend (refunds deducted) in the months from `fromMonth` (YYYY-MM) on; months dropped count for nothing. */
export const spentSince = (activity: Activity | undefined, fromMonth: string): number =>
  (activity?.months ?? []).reduce((sum, m) => (m.month >= fromMonth ? sum + m.cents : sum), 0);

/**
 * The member's `n` favourite categories today: items bought, weighted by recency with the visits'
 * half-life (a category bought a lot last year fades behind this month's habit); ties by name.
 */
export const topCategories = (activity: Activity | undefined, today: string, n = 3): string[] =>
  (activity?.categories ?? [])
    .map((c) => ({ category: c.category, score: visitScore({ visits: c.items, lastDay: c.lastDay }, today) }))
    .sort((a, b) => b.score - a.score || compareText(a.category, b.category))
    .slice(0, Math.max(0, n))
    .map((c) => c.category);
