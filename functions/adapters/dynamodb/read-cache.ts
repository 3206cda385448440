import { LRUCache } from "lru-cache";
import { config } from "../../config/env.js";

/**
 * A bounded, read-through cache of one kind of rarely changing item (a program and its rules, the
 * key record behind a store or partner key, a program's pass stores, a card code's member id), one
 * per process and shared by every handler in it. Lambda keeps a container warm across invocations,
 * so a warm container reads each such item once per CARNET_CACHE_SECONDS instead of once per request.
 *
 * What a merchant sees (docs/api.md, "Caching"): a change made through this process (under `npm
 * start`, every change) is seen by it at once; another Lambda container sees it within
 * CARNET_CACHE_SECONDS. Absent items are never cached, so a new program or key works at once
 * everywhere. Money-like data (members, ledger, idempotency records) is never cached.
 *
 * Concurrent misses of one key share one read (lru-cache's fetch), and a failed read is not kept.
 */
export interface ReadCache<V> {
  get(key: string): Promise<V | undefined>;
  /** Forget a key after this process changed the item, so its next read is fresh. */
  forget(key: string): void;
}

export const readCache = <V extends object>(
  maxEntries: number,
  load: (key: string) => Promise<V | undefined>,
): ReadCache<V> => {
  let cache: LRUCache<string, V> | null | undefined;
  /** Built on first use: the configuration is read once, after the environment is set. */
  const ready = (): LRUCache<string, V> | null => {
    if (cache === undefined) {
      const seconds = config().CARNET_CACHE_SECONDS;
      cache =
        seconds === 0
          ? null
          : new LRUCache<string, V>({
              max: maxEntries,
              ttl: seconds * 1000,
              fetchMethod: (key) => load(key),
            });
    }
    return cache;
  };
  return {
    get: (key) => {
      const c = ready();
      return c ? c.fetch(key) : load(key);
    },
    forget: (key) => {
      ready()?.delete(key);
    },
  };
};
