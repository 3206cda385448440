import { addDays, addMonths } from "../loyalty/calendar.js";
import type { Member } from "../loyalty/member.js";
import { boughtSince, lastPurchaseDay, spentSince, topCategories } from "../stores/activity.js";
import type { OfferTarget } from "./offer.js";

/**
 * Who an offer is for: `matchesTarget` evaluates an offer's target on one member, from the member
 * alone (its tier, its activity, its birth month) and today's date, so that the fan-out, a purchase
 * and the scheduled sweep all give an offer to the same members.
 *
 * Days are the program's days: `today` and the activity's `lastDay`s are both YYYY-MM-DD in the
 * program's time zone, so "bought in the last 7 days" means the merchant's 7 days, today included.
 */

export interface TargetFacts {
  /** YYYY-MM-DD in the program's time zone. */
  today: string;
  /** 1–12, from the profile (which the member does not carry) when known; else `member.birthMonth`. */
  birthMonth?: number | undefined;
}

/**
 * The day the member last bought: the activity's latest visit (a program day). A member whose last
 * purchase came before activity was recorded has only `lastPurchaseAt`, an instant: its UTC day
 * stands in for it, at most a day off around midnight for a program far from UTC.
 */
const lastBought = (member: Member): string | undefined =>
  lastPurchaseDay(member.activity) ?? member.lastPurchaseAt?.slice(0, 10);

/** The first day of "the last `days` days", today being the last of them. */
const windowStart = (today: string, days: number): string => addDays(today, -(days - 1));

const boughtWithin = (member: Member, today: string, days: number): boolean => {
  const last = lastBought(member);
  return last !== undefined && last >= windowStart(today, days);
};

/** Whether `target` picks `member` today. Only active members are ever picked. */
export const matchesTarget = (target: OfferTarget, member: Member, facts: TargetFacts): boolean => {
  if (member.status !== "active") return false;
  const { today } = facts;
  switch (target.kind) {
    // Every active member.
    case "all":
      return true;
    // The members holding this tier now (a tier lost since no longer counts).
    case "tier":
      return member.tierId === target.tier;
    // A purchase on one of the last `days` days (today and the `days − 1` before); with a category,
    // an item of that category bought on one of them (the category's latest day in the activity).
    case "purchasedWithinDays":
      return target.category === undefined
        ? boughtWithin(member, today, target.days)
        : boughtSince(member.activity, windowStart(today, target.days), target.category);
    // Bought before, but on none of the last `days` days: the complement of purchasedWithinDays
    // among members who have bought at all (a member who never bought has not lapsed, just not started).
    case "lapsedDays":
      return member.purchases > 0 && !boughtWithin(member, today, target.days);
    // Born in the current month (the program's month): the profile's birth month, else the member's.
    case "birthdayMonth": {
      const birthMonth = facts.birthMonth ?? member.birthMonth;
      return birthMonth !== undefined && birthMonth === Number(today.slice(5, 7));
    }
    // Spent at least `cents`, refunds deducted, in calendar months: this month and the `months − 1`
    // before it (the activity's month buckets; whole months, so "3 months" on 2 March counts from 1 January).
    case "spentAtLeast": {
      const fromMonth = addMonths(`${today.slice(0, 7)}-01`, -(target.months - 1)).slice(0, 7);
      return spentSince(member.activity, fromMonth) >= target.cents;
    }
    // A personal offer: the category is among the member's 3 favourites today (items, recency-weighted).
    case "topCategory":
      return topCategories(member.activity, today, 3).includes(target.category);
  }
};
