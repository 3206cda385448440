/**
 * Calendar arithmetic on days (`YYYY-MM-DD`). Rules that count days (expiry, caps, tier windows,
 * validity) count them in the program's time zone, so "today" is the merchant's today.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

const formatter = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timeZone, f);
  }
  return f;
};

/** The calendar day of an instant in a time zone. */
export const localDay = (at: Date, timeZone: string): string => {
  const parts = formatter(timeZone).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
};

const toUtc = (day: string): Date => new Date(`${day}T00:00:00.000Z`);
const fromUtc = (d: Date): string => d.toISOString().slice(0, 10);

export const addDays = (day: string, days: number): string => {
  const d = toUtc(day);
  d.setUTCDate(d.getUTCDate() + days);
  return fromUtc(d);
};

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / 86_400_000);

/** The same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export const addMonths = (day: string, months: number): string => {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return fromUtc(target);
};

/** The last day of the month that is `months` after the month of `day`. */
export const endOfMonthAfter = (day: string, months: number): string => {
  const [y, m] = day.split("-").map(Number) as [number, number];
  return fromUtc(new Date(Date.UTC(y, m + months, 0)));
};

/** The instant a local day starts in a time zone (DST-aware: the offset is measured, not assumed). */
export const startOfDay = (day: string, timeZone: string): Date => {
  const guess = toUtc(day).getTime();
  let at = guess;
  for (let i = 0; i < 3; i++) {
    const shown = toUtc(localDay(new Date(at), timeZone)).getTime();
    const parts = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(new Date(at));
    const h = Number(parts.find((p) => p.type === "hour")?.value ?? 0);
    const min = Number(parts.find((p) => p.type === "minute")?.value ?? 0);
    const localMs = shown + (h * 60 + min) * 60_000;
    const next = at - (localMs - guess);
    if (next === at) break;
    at = next;
  }
  return new Date(at);
};
