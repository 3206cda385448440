import { describe, expect, it } from "vitest";
import { PUSH_FILTER_PATTERNS, reachesPush } from "../../../functions/push/stream-filter.js";

/**
 * Which table changes reach the push function: the predicate npm start's stream poller applies, and
 * the event source filter patterns AWS applies (functions/push/stream-filter.ts). Records are shaped
 * as DynamoDB Streams delivers them: attribute values by type, numbers as strings.
 */

type Image = Record<string, { S?: string; N?: string }>;

const memberImage = (devices?: string, googleObject?: string): Image => ({
  PK: { S: "MEMBER#mbr_0000000000000001" },
  SK: { S: "MEMBER" },
  entity: { S: "member" },
  memberId: { S: "mbr_0000000000000001" },
  passUpdatedAt: { N: "1700000000" },
  version: { N: "4" },
  ...(devices === undefined ? {} : { devices: { N: devices } }),
  ...(googleObject === undefined ? {} : { googleObject: { N: googleObject } }),
});

const programImage = (): Image => ({
  PK: { S: "PROGRAM#prg_0000000000000001" },
  SK: { S: "PROGRAM" },
  entity: { S: "program" },
  programId: { S: "prg_0000000000000001" },
  version: { N: "2" },
});

const otherImage = (entity: string): Image => ({
  PK: { S: "MEMBER#mbr_0000000000000001" },
  SK: { S: `${entity.toUpperCase()}#1` },
  entity: { S: entity },
  memberId: { S: "mbr_0000000000000001" },
});

/** A stream record as DynamoDB Streams hands it to Lambda (and to the filter before it). */
interface StreamRecord {
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  eventSource: "aws:dynamodb";
  dynamodb: { Keys: Image; NewImage?: Image; OldImage?: Image; StreamViewType: "NEW_AND_OLD_IMAGES" };
}

const keysOf = (image: Image): Image => ({ PK: image.PK ?? {}, SK: image.SK ?? {} });

const written = (image: Image): StreamRecord => ({
  eventName: "MODIFY",
  eventSource: "aws:dynamodb",
  dynamodb: { Keys: keysOf(image), NewImage: image, StreamViewType: "NEW_AND_OLD_IMAGES" },
});

/** A deletion: the stream record has the old image only. */
const removed = (image: Image): StreamRecord => ({
  eventName: "REMOVE",
  eventSource: "aws:dynamodb",
  dynamodb: { Keys: keysOf(image), OldImage: image, StreamViewType: "NEW_AND_OLD_IMAGES" },
});

/** Every kind of record the push function may be asked about, and whether it should reach it. */
const cases: [string, StreamRecord, boolean][] = [
  ["a member whose pass is on 1 device", written(memberImage("1")), true],
  ["a member whose pass is on 3 devices", written(memberImage("3")), true],
  ["a member whose pass is on no device", written(memberImage("0")), false],
  ["a member stored before devices were counted", written(memberImage()), true],
  ["a ledger entry", written(otherImage("ledgerEntry")), false],
  ["a purchase record", written(otherImage("purchase")), false],
  ["an idempotency claim", written(otherImage("idempotency")), false],
  ["a deleted member (no new image)", removed(memberImage("2")), false],
  ["a member on no device with a Google Wallet object", written(memberImage("0", "0")), true],
  ["a member on no device with a reissued card's Google object", written(memberImage("0", "2")), true],
  ["a program (its Google Wallet class)", written(programImage()), true],
  ["a deleted program", removed(programImage()), false],
  ["a Google object's state", written(otherImage("googleObject")), false],
];

describe("which stream records reach the push function (npm start's poller)", () => {
  it.each(cases)("decides for %s", (_what, record, reaches) => {
    // Act
    const decided = reachesPush(record);

    // Assess
    expect(decided).toBe(reaches);
  });
});

/**
 * Event source filter matching, for the rule shapes PUSH_FILTER_PATTERNS uses and nothing else
 * (equality on a string, `anything-but` a list of strings, `numeric: [">", n]`, `exists`), by the
 * rules AWS documents for it
 * (aws/event-ruler, README, "Numeric matching" and "Exists matching"; the Lambda guide's "Using the
 * Exists operator" for DynamoDB):
 * - the event is seen as its leaves, by dotted path; a rule names a leaf;
 * - `numeric` matches JSON numbers only: a DynamoDB N arrives as a string ("2") and never matches;
 * - `exists` is about leaves only: `{ exists: false }` on a key whose value is an object (every
 *   DynamoDB attribute: `{ "N": "0" }`) finds no leaf there, so it matches;
 * - `anything-but` matches a leaf that is present and none of the values listed.
 * Patterns are ORed; the rules of one pattern are ANDed; the values listed for one rule are ORed.
 * The synthesized template's copy of the patterns is checked in test/infra/cdk-app.test.ts.
 */
const leavesOf = (value: unknown, path = "", into = new Map<string, unknown[]>()): Map<string, unknown[]> => {
  if (Array.isArray(value)) {
    for (const item of value) leavesOf(item, path, into);
  } else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) leavesOf(inner, path ? `${path}.${key}` : key, into);
  } else {
    into.set(path, [...(into.get(path) ?? []), value]);
  }
  return into;
};

const rulesOf = (pattern: object, path = "", into = new Map<string, unknown[]>()): Map<string, unknown[]> => {
  for (const [key, inner] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (Array.isArray(inner)) into.set(at, inner);
    else rulesOf(inner as object, at, into);
  }
  return into;
};

const holds = (rule: unknown, values: unknown[] | undefined): boolean => {
  if (typeof rule === "string") return values?.includes(rule) ?? false;
  if (rule !== null && typeof rule === "object" && "exists" in rule)
    return rule.exists === (values !== undefined);
  if (rule !== null && typeof rule === "object" && "anything-but" in rule) {
    const excluded = rule["anything-but"];
    if (!Array.isArray(excluded)) throw new Error(`this evaluator knows anything-but [..] only`);
    return values?.some((v) => !excluded.includes(v)) ?? false;
  }
  if (rule !== null && typeof rule === "object" && "numeric" in rule && Array.isArray(rule.numeric)) {
    const [operator, bound] = rule.numeric;
    if (operator !== ">" || typeof bound !== "number" || rule.numeric.length !== 2)
      throw new Error(`this evaluator knows numeric [">", n] only, not ${JSON.stringify(rule)}`);
    return values?.some((v) => typeof v === "number" && v > bound) ?? false;
  }
  throw new Error(`this evaluator does not know the rule ${JSON.stringify(rule)}`);
};

const matches = (pattern: object, event: object): boolean => {
  const leaves = leavesOf(event);
  return [...rulesOf(pattern)].every(([path, rules]) => rules.some((rule) => holds(rule, leaves.get(path))));
};

const reachesThroughPatterns = (event: object): boolean =>
  PUSH_FILTER_PATTERNS.some((pattern) => matches(pattern, event));

describe("the push function's event source filter in AWS (PUSH_FILTER_PATTERNS)", () => {
  it("is evaluated here by AWS's documented rules (event-ruler's own examples)", () => {
    // Prepare: the examples of the event-ruler README
    const existsFalse = { detail: { "c-count": [{ exists: false }] } };
    const numeric = { detail: { "c-count": [{ numeric: [">", 0] }] } };

    // Act + Assess
    expect(matches(existsFalse, { detail: { state: "running" } })).toBe(true);
    expect(matches(existsFalse, { detail: { "c-count": 5 } })).toBe(false);
    expect(matches(existsFalse, { detail: { "c-count": { c1: 100 } } })).toBe(true); // not a leaf
    expect(matches(numeric, { detail: { "c-count": 5 } })).toBe(true);
    expect(matches(numeric, { detail: { "c-count": "5" } })).toBe(false); // a string is not a number
    expect(matches({ detail: { state: ["running"] } }, { detail: { state: "running" } })).toBe(true);
    const anythingBut = { detail: { state: [{ "anything-but": ["stopped"] }] } };
    expect(matches(anythingBut, { detail: { state: "running" } })).toBe(true);
    expect(matches(anythingBut, { detail: { state: "stopped" } })).toBe(false);
    expect(matches(anythingBut, { detail: {} })).toBe(false); // absent is not "anything but"
  });

  // A DynamoDB stream record carries `devices` as { "N": "2" }: a numeric rule on that string would
  // never match, and `exists` on `devices` (an object, not a leaf) would match every member. The
  // patterns therefore ask `devices.N` for "anything but 0" and for "absent".
  it.each(cases)(
    "lets through exactly what the poller's predicate does, for %s",
    (_what, record, reaches) => {
      // Act
      const decided = { patterns: reachesThroughPatterns(record), predicate: reachesPush(record) };

      // Assess
      expect(decided).toEqual({ patterns: reaches, predicate: reaches });
    },
  );
});
