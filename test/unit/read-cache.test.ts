import { describe, expect, it } from "vitest";
import { dynamoTable } from "../../functions/adapters/dynamodb/client.js";
import { readCache } from "../../functions/adapters/dynamodb/read-cache.js";

/**
 * The in-process read cache of rarely changing items, with a clock the test moves and a load that
 * counts its calls, and the caches a DynamoTable hands its repositories: no DynamoDB, no waiting.
 */

const TTL_SECONDS = 30;

/** A clock the test moves by hand. It starts well above 0: lru-cache takes a start time of 0 as "no TTL". */
const fakeClock = () => {
  const clock = { t: 1_000_000, now: () => clock.t };
  return clock;
};

/** A load over a map of values the test changes, counting its calls per key. */
const source = (values: Record<string, { v: number } | undefined> = {}) => {
  const loads: string[] = [];
  return {
    values,
    loads,
    load: async (key: string) => {
      loads.push(key);
      return values[key];
    },
  };
};

/** A promise the test settles when it wants: a load still in flight. */
const deferred = <T>() => {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
};

describe("read cache", () => {
  it("serves a loaded value without loading it again within the TTL", async () => {
    // Prepare
    const clock = fakeClock();
    const db = source({ a: { v: 1 } });
    const cache = readCache(10, db.load, { seconds: TTL_SECONDS, clock });

    // Act
    const first = await cache.get("a");
    db.values.a = { v: 2 };
    clock.t += TTL_SECONDS * 1000 - 1;
    const second = await cache.get("a");

    // Assess
    expect(first).toEqual({ v: 1 });
    expect(second).toEqual({ v: 1 });
    expect(db.loads).toEqual(["a"]);
  });

  it("loads a value again once the TTL has passed", async () => {
    // Prepare
    const clock = fakeClock();
    const db = source({ a: { v: 1 } });
    const cache = readCache(10, db.load, { seconds: TTL_SECONDS, clock });
    await cache.get("a");
    await cache.get("a");
    db.values.a = { v: 2 };

    // Act
    clock.t += TTL_SECONDS * 1000 + 1;
    const after = await cache.get("a");

    // Assess
    expect(after).toEqual({ v: 2 });
    expect(db.loads).toEqual(["a", "a"]);
  });

  it("never keeps an absent value: an item that appears later is seen at once", async () => {
    // Prepare
    const clock = fakeClock();
    const db = source();
    const cache = readCache(10, db.load, { seconds: TTL_SECONDS, clock });

    // Act
    const before = await cache.get("new");
    db.values.new = { v: 7 };
    const after = await cache.get("new");
    const again = await cache.get("new");

    // Assess: absent, then found on the very next get, then served from memory
    expect(before).toBeUndefined();
    expect(after).toEqual({ v: 7 });
    expect(again).toEqual({ v: 7 });
    expect(db.loads).toEqual(["new", "new"]);
  });

  it("shares one load among concurrent gets of a missing key", async () => {
    // Prepare
    const clock = fakeClock();
    const pending = deferred<{ v: number }>();
    let loads = 0;
    const cache = readCache(
      10,
      () => {
        loads++;
        return pending.promise;
      },
      { seconds: TTL_SECONDS, clock },
    );

    // Act
    const gets = Array.from({ length: 10 }, () => cache.get("a"));
    pending.resolve({ v: 1 });
    const values = await Promise.all(gets);

    // Assess
    expect(loads).toBe(1);
    expect(values).toEqual(Array.from({ length: 10 }, () => ({ v: 1 })));
  });

  it("does not keep a failed load: the next get loads again", async () => {
    // Prepare
    const clock = fakeClock();
    let calls = 0;
    const cache = readCache(
      10,
      async () => {
        calls++;
        if (calls === 1) throw new Error("ProvisionedThroughputExceeded");
        return { v: calls };
      },
      { seconds: TTL_SECONDS, clock },
    );

    // Act
    const failed = cache.get("a");
    await expect(failed).rejects.toThrow("ProvisionedThroughputExceeded");
    const next = await cache.get("a");
    const kept = await cache.get("a");

    // Assess
    expect(next).toEqual({ v: 2 });
    expect(kept).toEqual({ v: 2 });
    expect(calls).toBe(2);
  });

  it("loads a forgotten key again on its next get, and only that key", async () => {
    // Prepare
    const clock = fakeClock();
    const db = source({ a: { v: 1 }, b: { v: 1 } });
    const cache = readCache(10, db.load, { seconds: TTL_SECONDS, clock });
    await cache.get("a");
    await cache.get("b");
    db.values.a = { v: 2 };
    db.values.b = { v: 2 };

    // Act
    cache.forget("a");
    const a = await cache.get("a");
    const b = await cache.get("b");

    // Assess
    expect(a).toEqual({ v: 2 });
    expect(b).toEqual({ v: 1 });
    expect(db.loads).toEqual(["a", "b", "a"]);
  });

  it("still answers a get whose load is in flight when its key is forgotten, and loads afresh next", async () => {
    // Prepare: a load that has started but not answered yet
    const clock = fakeClock();
    const pending = deferred<{ v: number }>();
    let loads = 0;
    const cache = readCache(
      10,
      async () => {
        loads++;
        return loads === 1 ? pending.promise : { v: 2 };
      },
      { seconds: TTL_SECONDS, clock },
    );
    const inFlight = cache.get("a");

    // Act: this process changes the item (replace(), a new store) while the load is in flight
    cache.forget("a");
    pending.resolve({ v: 1 });
    const answered = await inFlight.then(
      (value) => ({ value }),
      (error: unknown) => ({ error: String(error) }),
    );
    const next = await cache.get("a");

    // Assess: the request in flight is answered (with what it read, or a fresh read), never failed
    expect([{ value: { v: 1 } }, { value: { v: 2 } }]).toContainEqual(answered);
    expect(next).toEqual({ v: 2 });
  });

  it("loads on every get with seconds: 0", async () => {
    // Prepare
    const clock = fakeClock();
    const db = source({ a: { v: 1 } });
    const cache = readCache(10, db.load, { seconds: 0, clock });

    // Act
    const first = await cache.get("a");
    db.values.a = { v: 2 };
    const second = await cache.get("a");
    cache.forget("a");

    // Assess
    expect([first, second]).toEqual([{ v: 1 }, { v: 2 }]);
    expect(db.loads).toEqual(["a", "a"]);
  });

  it("evicts the least recently used entry beyond maxEntries", async () => {
    // Prepare: a and b kept, then a used again, so b is the least recently used
    const clock = fakeClock();
    const db = source({ a: { v: 1 }, b: { v: 1 }, c: { v: 1 } });
    const cache = readCache(2, db.load, { seconds: TTL_SECONDS, clock });
    await cache.get("a");
    await cache.get("b");
    await cache.get("a");

    // Act
    await cache.get("c");
    db.loads.length = 0;
    await cache.get("a");
    await cache.get("c");
    await cache.get("b");

    // Assess: a and c were still kept; b had to be loaded again
    expect(db.loads).toEqual(["b"]);
  });
});

describe("the read caches of a DynamoTable", () => {
  /** A table on an address nothing listens on: building it, and its caches, sends no request. */
  const aTable = (cacheSeconds: number) =>
    dynamoTable({
      tableName: "carnet-unit",
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:9",
      cacheSeconds,
    });

  it("loads on every get with cacheSeconds: 0", async () => {
    // Prepare
    const db = source({ a: { v: 1 } });
    const cache = aTable(0).cache("things", 10, db.load);

    // Act
    await cache.get("a");
    await cache.get("a");

    // Assess
    expect(db.loads).toEqual(["a", "a"]);
  });

  it("keeps what it read with cacheSeconds: 30", async () => {
    // Prepare
    const db = source({ a: { v: 1 } });
    const cache = aTable(30).cache("things", 10, db.load);

    // Act
    await cache.get("a");
    await cache.get("a");

    // Assess
    expect(db.loads).toEqual(["a"]);
  });

  it("gives every repository that asks for a cache by the same name the same cache", async () => {
    // Prepare
    const table = aTable(30);
    const first = source({ a: { v: 1 } });
    const second = source({ a: { v: 2 } });
    const one = table.cache("things", 10, first.load);
    const other = table.cache("things", 10, second.load);
    const elsewhere = aTable(30).cache("things", 10, second.load);

    // Act
    const read = await one.get("a");
    const shared = await other.get("a");
    other.forget("a");
    const afterForget = await one.get("a");
    const ownCache = await elsewhere.get("a");

    // Assess: one cache per name and table, loaded by the first load given
    expect([read, shared, afterForget, ownCache]).toEqual([{ v: 1 }, { v: 1 }, { v: 1 }, { v: 2 }]);
    expect(first.loads).toEqual(["a", "a"]);
    expect(second.loads).toEqual(["a"]);
  });

  it("keeps immutable values too, and none with cacheSeconds: 0", async () => {
    // Prepare
    const db = source({ a: { v: 1 } });
    const kept = aTable(30).cache("codes", 10, db.load, { immutable: true });
    const off = aTable(0).cache("codes", 10, db.load, { immutable: true });

    // Act
    await kept.get("a");
    await kept.get("a");
    await off.get("a");
    await off.get("a");

    // Assess
    expect(db.loads).toEqual(["a", "a", "a"]);
  });
});
