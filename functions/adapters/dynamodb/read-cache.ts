import { LRUCache } from "lru-cache";

/**
 * A bounded, read-through cache of one kind of rarely changing item (a program and its rules, the
 * key record behind a store or partner key, a program's pass stores, a card code's member id), one
 * per table of a process (client.ts, `DynamoTable.cache`) and shared by every repository built on
 * it. Lambda keeps a container warm across invocations, so a warm container reads each such item
 * once per CARNET_CACHE_SECONDS instead of once per request.
 *
 * What a merchant sees (docs/api.md, "Caching"): a change made through this process (under `npm
 * start`, every change) is seen by it at once; another Lambda container sees it within
 * CARNET_CACHE_SECONDS. Absent items are never cached, so a new program or key works at once
 * everywhere. Money-like data (members, ledger, idempotency claims) is never cached.
 *
 * Concurrent misses of one key share one read; a failed read is not kept. A key forgotten while its
 * read is in flight still answers those waiting, but that read's result is not kept (it may predate
 * the change that made us forget it).
 */
export interface ReadCache<V> {
  get(key: string): Promise<V | undefined>;
  /** Forget a key after this process changed the item, so its next read is fresh. */
  forget(key: string): void;
}

export interface ReadCacheOptions {
  /** How long an entry is served (CARNET_CACHE_SECONDS, through DynamoSettings.cacheSeconds); 0 turns the cache off. */
  seconds: number;
  /**
   * For values that never change once they exist (a card code's member): kept until evicted by the
   * bound, not for a time. Still off when caching is (seconds: 0).
   */
  immutable?: boolean;
  /** Milliseconds since some origin; `performance` unless given (tests). */
  clock?: { now(): number };
}

interface Loading<V> {
  promise: Promise<V | undefined>;
  /** False once the key was forgotten: the result is handed to those waiting, not kept. */
  keep: boolean;
}

export const readCache = <V extends object>(
  maxEntries: number,
  load: (key: string) => Promise<V | undefined>,
  options: ReadCacheOptions,
): ReadCache<V> => {
  const cache: LRUCache<string, V> | null =
    options.seconds === 0
      ? null
      : new LRUCache<string, V>({
          max: maxEntries,
          ...(options.immutable ? {} : { ttl: options.seconds * 1000 }),
          // Read the clock on every check: an entry is never served past its time.
          ttlResolution: 0,
          ...(options.clock ? { perf: options.clock } : {}),
        });
  const loading = new Map<string, Loading<V>>();

  return {
    get(key) {
      const c = cache;
      if (!c) return load(key);
      const hit = c.get(key);
      if (hit !== undefined) return Promise.resolve(hit);
      const pending = loading.get(key);
      if (pending) return pending.promise;
      const entry: Loading<V> = { promise: load(key), keep: true };
      loading.set(key, entry);
      entry.promise = entry.promise
        .then((value) => {
          if (value !== undefined && entry.keep) c.set(key, value);
          return value;
        })
        .finally(() => {
          if (loading.get(key) === entry) loading.delete(key);
        });
      return entry.promise;
    },
    forget(key) {
      cache?.delete(key);
      const pending = loading.get(key);
      if (pending) {
        pending.keep = false;
        loading.delete(key);
      }
    },
  };
};
