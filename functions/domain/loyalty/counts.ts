import { z } from "zod";

/**
 * Counts keyed by names that merchants and tills choose: a member's stamps by stamp category
 * (`{"coffee": 3}`), a ledger entry's stamp deltas, a purchase's stamps earned. Such a name is data,
 * never one of JavaScript's own property names: a category called `constructor`, `toString` or
 * `__proto__` counts exactly like `coffee`. So a record of counts is
 * - read only through `countOf`, which sees own properties only (`counts["constructor"]` on a plain
 *   object is Object's constructor function, inherited from Object.prototype);
 * - built only as own properties: through a Map and `Object.fromEntries` (`countsOf`, `addCounts`),
 *   never by assignment (`counts["__proto__"] = 3` sets the object's prototype and loses the 3);
 * - parsed with `NameCounts`, not `z.record`, which drops a key named `__proto__`.
 * JSON.stringify, Object.entries, spreading and structuredClone all keep such own properties, so the
 * public shape stays `{category: count}` whatever the names.
 */
export type Counts = Record<string, number>;

/** The count of `name`: its own property, 0 when absent (nothing inherited is ever read). */
export const countOf = (counts: Readonly<Counts>, name: string): number =>
  Object.hasOwn(counts, name) ? (counts[name] ?? 0) : 0;

/** Whether `counts` holds `name` itself (not something Object.prototype has). */
export const hasCount = (counts: Readonly<Counts>, name: string): boolean => Object.hasOwn(counts, name);

/** A record of counts from (name, count) pairs, every name an own property; a later pair wins. */
export const countsOf = (pairs: Iterable<readonly [string, number]>): Counts => Object.fromEntries(pairs);

/** `counts` plus `delta`, name by name; a name the delta brings to 0 is removed. */
export const addCounts = (counts: Readonly<Counts>, delta: Readonly<Counts>): Counts => {
  const sum = new Map(Object.entries(counts));
  for (const [name, d] of Object.entries(delta)) {
    const v = (sum.get(name) ?? 0) + d;
    if (v === 0) sum.delete(name);
    else sum.set(name, v);
  }
  return countsOf(sum);
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The schema of a record of counts keyed by names (`count` checks each value). Unlike `z.record`, it
 * keeps every own key, `__proto__` included, and gives a record of own properties. In OpenAPI it is
 * what `z.record(z.string(), z.number().int())` is: an object of integers.
 */
export const NameCounts = (count: z.ZodType<number>) =>
  z
    .unknown()
    .transform((input, ctx): Counts => {
      if (!isRecord(input)) {
        ctx.issues.push({ code: "invalid_type", expected: "record", input });
        return z.NEVER;
      }
      const counts = new Map<string, number>();
      for (const [name, value] of Object.entries(input)) {
        const checked = count.safeParse(value);
        if (checked.success) counts.set(name, checked.data);
        else {
          for (const issue of checked.error.issues) {
            ctx.issues.push({
              code: "custom",
              message: issue.message,
              input: value,
              path: [name, ...issue.path],
            });
          }
        }
      }
      return countsOf(counts);
    })
    .meta({ type: "object", additionalProperties: { type: "integer" } });
