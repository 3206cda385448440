import { around, distance } from "geokdbush";
import KDBush from "kdbush";
import type { Store } from "../store.js";

/** What the card needs of a store: where it is, what it says, its beacon. */
export type PassStore = Pick<
  Store,
  "storeId" | "name" | "latitude" | "longitude" | "address" | "relevantText" | "postcode" | "beacon"
>;

/**
 * A program's active stores, indexed for nearest-neighbour search (great-circle distance): built
 * once per process per program (the store repository keeps it, data-model.md §10) and queried by
 * the card's store choice (choice.ts).
 */
export interface StorePlaces {
  readonly size: number;
  get(storeId: string): PassStore | undefined;
  /**
   * The `k` stores nearest to a point, nearest first (ties by storeId), with their great-circle
   * distance in km; stores for which `exclude` returns true are skipped (and do not count in `k`).
   */
  nearest(
    latitude: number,
    longitude: number,
    k: number,
    exclude?: (storeId: string) => boolean,
  ): { store: PassStore; km: number }[];
  /** The first `n` stores in storeId order: the choice when nothing is known of the member. */
  first(n: number): PassStore[];
  /**
   * The stores of a postcode: those whose postcode equals it (case, spaces and dashes ignored), else
   * those sharing its longest common prefix of at least 2 characters; [] when none does.
   */
  byPostcode(postcode: string): PassStore[];
}

/**
 * geokdbush orders by distance only, so stores at the same distance (two shops in one mall) come in
 * the tree's order. `nearest` asks for this many more than `k`, sorts by (km, storeId) and checks
 * that the tie at the k-th place is settled (TIE_KM); when not, it asks again for twice as many.
 */
const TIE_MARGIN = 8;
/**
 * Far more than the rounding of a distance (≈ 1e-12 km at the antipode), far less than any real gap
 * between two stores (1 µm): a store beyond the last one geokdbush returned cannot be nearer than it
 * by more than this, so a k-th store nearer than the last by more than this cannot have a hidden tie.
 */
const TIE_KM = 1e-9;
/** The shortest postcode prefix that still names an area (a French département, a UK outward code's letters). */
const MIN_POSTCODE_PREFIX = 2;

/** Code-unit order, not localeCompare: the same on every runtime and ICU, and cheap. */
const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Case, spaces and dashes ignored: "75 011", "75-011" and "75011" are one postcode. */
const normalisedPostcode = (postcode: string): string => postcode.toUpperCase().replace(/[\s-]/g, "");

/**
 * Only what the card needs: the index of a large program keeps no key hashes or limits in memory.
 * Every field present (undefined when unset), so that all the objects share one shape.
 */
const passStoreOf = (store: Store): PassStore => ({
  storeId: store.storeId,
  name: store.name,
  latitude: store.latitude,
  longitude: store.longitude,
  address: store.address,
  relevantText: store.relevantText,
  postcode: store.postcode,
  beacon: store.beacon,
});

/** The first index of sorted `values` whose value is not below `value` (values.length when none). */
const lowerBound = (values: readonly string[], value: string): number => {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((values[middle] as string) < value) low = middle + 1;
    else high = middle;
  }
  return low;
};

const commonPrefixLength = (a: string, b: string): number => {
  const end = Math.min(a.length, b.length);
  let i = 0;
  while (i < end && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
};

/**
 * The stores of a postcode, for `byPostcode`. Sorted distinct postcodes instead of a scan over every
 * store: in sorted order, the postcodes sharing the longest prefix with a query sit next to where
 * the query would be inserted (its neighbours hold that longest prefix), and all postcodes sharing
 * that prefix form one run. So a lookup is two binary searches and the run itself, for programs of
 * any size (it runs at enrollment, but a program of a million stores should not scan them all).
 */
const postcodeIndex = (stores: readonly PassStore[]): ((postcode: string) => PassStore[]) => {
  const storesOf = new Map<string, PassStore[]>();
  for (const store of stores) {
    const code = store.postcode === undefined ? "" : normalisedPostcode(store.postcode);
    if (code === "") continue;
    const same = storesOf.get(code);
    if (same) same.push(store);
    else storesOf.set(code, [store]);
  }
  const codes = [...storesOf.keys()].sort(compareIds);
  return (postcode) => {
    const query = normalisedPostcode(postcode);
    const exact = storesOf.get(query);
    if (exact) return [...exact]; // `stores` is in storeId order, so is each postcode's list
    const at = lowerBound(codes, query);
    const before = codes[at - 1];
    const after = codes[at];
    const best = Math.max(
      before === undefined ? 0 : commonPrefixLength(query, before),
      after === undefined ? 0 : commonPrefixLength(query, after),
    );
    if (best < MIN_POSTCODE_PREFIX) return [];
    const prefix = query.slice(0, best);
    const found: PassStore[] = [];
    for (let i = lowerBound(codes, prefix); i < codes.length; i++) {
      const code = codes[i] as string;
      if (!code.startsWith(prefix)) break;
      for (const store of storesOf.get(code) ?? []) found.push(store); // not push(...): no argument limit
    }
    return found.sort((a, b) => compareIds(a.storeId, b.storeId));
  };
};

/**
 * Indexes a program's active stores (disabled ones are never on a card). The stores are sorted by
 * storeId first, so that an item's number in the kd-tree is its rank in storeId order: `first` is a
 * slice, `get` a binary search, and ties in `nearest` are broken by comparing two numbers. What a
 * card needs (the kd-tree) is built here; the postcode index, for enrollment only, on first use.
 */
export const storePlaces = (stores: readonly Store[]): StorePlaces => {
  const places: PassStore[] = [];
  for (const store of stores) if (store.status === "active") places.push(passStoreOf(store));
  // The repository lists stores in id order already: sorting a sorted list is one pass.
  places.sort((a, b) => compareIds(a.storeId, b.storeId));
  /** For `get`: a binary search of the sorted ids, lighter to build and keep than a Map of them. */
  const storeIds = places.map((s) => s.storeId);
  /** Built on the first call: only enrollment asks, and a cache refresh for the card should not pay for it. */
  let postcodes: ((postcode: string) => PassStore[]) | undefined;
  const index = places.length === 0 ? undefined : new KDBush(places.length);
  if (index) {
    for (const s of places) index.add(s.longitude, s.latitude);
    index.finish();
  }
  const at = (id: number) => places[id] as PassStore;

  const nearest: StorePlaces["nearest"] = (latitude, longitude, k, exclude) => {
    const want = Math.floor(k);
    if (!index || !(want > 0)) return [];
    const keep = exclude ? (id: number) => !exclude(at(id).storeId) : undefined;
    for (let asked = want + TIE_MARGIN; ; asked *= 2) {
      const hits = around(index, longitude, latitude, asked, Infinity, keep);
      // `distance` with the query point first computes exactly what geokdbush compared: the same
      // haversine of the same numbers, so this order agrees with geokdbush's up to ties.
      const found = hits
        .map((id) => ({ id, km: distance(longitude, latitude, at(id).longitude, at(id).latitude) }))
        .sort((a, b) => a.km - b.km || a.id - b.id);
      const kth = found[want - 1];
      const last = found[found.length - 1];
      // Every store geokdbush did not return is at least as far as the last one it did: when the
      // k-th is strictly nearer than that, no store left out ties with it. Else ask for more.
      const settled = hits.length < asked || (kth && last && kth.km + TIE_KM < last.km);
      if (settled) return found.slice(0, want).map(({ id, km }) => ({ store: at(id), km }));
    }
  };

  return {
    size: places.length,
    get: (storeId) => {
      const i = lowerBound(storeIds, storeId);
      return storeIds[i] === storeId ? places[i] : undefined;
    },
    nearest,
    first: (n) => places.slice(0, Math.max(0, n)),
    byPostcode: (postcode) => {
      postcodes ??= postcodeIndex(places);
      return postcodes(postcode);
    },
  };
};
