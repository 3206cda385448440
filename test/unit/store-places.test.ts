import { describe, expect, it } from "vitest";
import type { Store } from "../../functions/domain/store.js";
import { type PassStore, storePlaces } from "../../functions/domain/stores/places.js";
import { grid, haversineKm, LYON, PARIS, prng, storeAt } from "../support/geo.js";

/** Every store's distance, sorted by (km, storeId): what `nearest` must agree with. */
const bruteForceNearest = (
  stores: readonly Store[],
  latitude: number,
  longitude: number,
  k: number,
  exclude: (storeId: string) => boolean = () => false,
) =>
  stores
    .filter((s) => s.status === "active" && !exclude(s.storeId))
    .map((s) => ({ storeId: s.storeId, km: haversineKm({ latitude, longitude }, s) }))
    .sort((a, b) => a.km - b.km || (a.storeId < b.storeId ? -1 : 1))
    .slice(0, k);

const idsOf = (stores: readonly PassStore[]) => stores.map((s) => s.storeId);

/** Paris and Lyon grids and 300 stores anywhere in mainland France. */
const franceStores = (): Store[] => {
  const random = prng(7);
  const scattered = Array.from({ length: 300 }, (_, i) =>
    storeAt(`rnd_${String(i).padStart(3, "0")}`, 42.5 + random() * 8.5, -4.5 + random() * 12.5),
  );
  return [...grid("paris", PARIS), ...grid("lyon", LYON), ...scattered];
};

describe("a program's stores, indexed for the card", () => {
  it("finds the same nearest stores as a brute-force haversine scan, from random points", () => {
    // Prepare
    const stores = franceStores();
    const places = storePlaces(stores);
    const random = prng(42);

    for (let i = 0; i < 300; i++) {
      const latitude = 42 + random() * 9.5;
      const longitude = -5 + random() * 13.5;
      const k = 1 + Math.floor(random() * 30);

      // Act
      const found = places.nearest(latitude, longitude, k);

      // Assess
      const expected = bruteForceNearest(stores, latitude, longitude, k);
      expect(found.map((f) => f.store.storeId)).toEqual(expected.map((e) => e.storeId));
      found.forEach((f, j) => {
        expect(f.km).toBeCloseTo(expected[j]?.km ?? Number.NaN, 6);
      });
    }
  });

  it("skips excluded stores without counting them in k", () => {
    // Prepare
    const stores = franceStores();
    const places = storePlaces(stores);
    const random = prng(9);
    const excluded = new Set(stores.filter(() => random() < 0.3).map((s) => s.storeId));
    const exclude = (storeId: string) => excluded.has(storeId);

    for (let i = 0; i < 100; i++) {
      const latitude = 43 + random() * 7;
      const longitude = -2 + random() * 9;

      // Act
      const found = places.nearest(latitude, longitude, 10, exclude);

      // Assess
      expect(found.map((f) => f.store.storeId)).toEqual(
        bruteForceNearest(stores, latitude, longitude, 10, exclude).map((e) => e.storeId),
      );
    }
  });

  it("breaks ties by storeId, whatever order the stores were given in, even past the first results", () => {
    // Prepare: 30 shops in one mall (the same point), a store across the street, in shuffled orders
    const mall = Array.from({ length: 30 }, (_, i) =>
      storeAt(`mall_${String(i).padStart(2, "0")}`, LYON.latitude, LYON.longitude),
    );
    const across = storeAt("across", LYON.latitude + 0.001, LYON.longitude);
    const random = prng(3);
    const orders = Array.from({ length: 5 }, () =>
      [...mall, across, ...grid("paris", PARIS)].sort(() => random() - 0.5),
    );

    // Act
    const answers = orders.map((stores) =>
      storePlaces(stores)
        .nearest(LYON.latitude + 0.01, LYON.longitude, 5)
        .map((f) => f.store.storeId),
    );
    const fromTheMall = storePlaces(orders[0] ?? [])
      .nearest(LYON.latitude, LYON.longitude, 31)
      .map((f) => f.store.storeId);

    // Assess
    for (const answer of answers)
      expect(answer).toEqual(["across", "mall_00", "mall_01", "mall_02", "mall_03"]);
    expect(fromTheMall).toEqual([...mall.map((s) => s.storeId), "across"]);
  });

  it("returns the distance in km, nearest first", () => {
    // Prepare
    const places = storePlaces([storeAt("lyon", LYON.latitude, LYON.longitude), ...grid("paris", PARIS)]);

    // Act
    const [nearestToLyon] = places.nearest(LYON.latitude, LYON.longitude, 1);
    const fromLyon = places.nearest(LYON.latitude, LYON.longitude, 101);

    // Assess
    expect(nearestToLyon).toMatchObject({ store: { storeId: "lyon" }, km: 0 });
    expect(fromLyon[1]?.km).toBeGreaterThan(380);
    expect(fromLyon[1]?.km).toBeLessThan(400);
    expect(fromLyon.map((f) => f.km)).toEqual([...fromLyon.map((f) => f.km)].sort((a, b) => a - b));
  });

  it("leaves disabled stores out of every answer", () => {
    // Prepare
    const stores = [
      storeAt("open_a", 48.85, 2.35, { postcode: "75011" }),
      storeAt("closed", 48.85, 2.35, { postcode: "75011", status: "disabled" }),
      storeAt("open_b", 48.86, 2.35, { postcode: "75012" }),
    ];

    // Act
    const places = storePlaces(stores);

    // Assess
    expect(places.size).toBe(2);
    expect(places.get("closed")).toBeUndefined();
    expect(places.nearest(48.85, 2.35, 10).map((f) => f.store.storeId)).toEqual(["open_a", "open_b"]);
    expect(idsOf(places.first(10))).toEqual(["open_a", "open_b"]);
    expect(idsOf(places.byPostcode("75011"))).toEqual(["open_a"]);
  });

  it("gives the first stores in storeId order, as many as there are", () => {
    // Prepare
    const places = storePlaces([...grid("paris", PARIS)].reverse());

    // Act
    const three = places.first(3);
    const all = places.first(1_000);

    // Assess
    expect(idsOf(three)).toEqual(["paris_00", "paris_01", "paris_02"]);
    expect(all).toHaveLength(100);
    expect(places.first(0)).toEqual([]);
  });

  it("keeps only what the card needs of a store", () => {
    // Prepare
    const store = { ...storeAt("s", 48.85, 2.35, { postcode: "75011" }), relevantText: "Hello" };

    // Act
    const kept = storePlaces([store]).get("s");

    // Assess
    expect(kept).toEqual({
      storeId: "s",
      name: "s",
      latitude: 48.85,
      longitude: 2.35,
      postcode: "75011",
      relevantText: "Hello",
    });
  });

  it("answers nothing, without failing, for a program with no stores", () => {
    // Act
    const places = storePlaces([]);

    // Assess
    expect(places.size).toBe(0);
    expect(places.nearest(48.85, 2.35, 10)).toEqual([]);
    expect(places.first(10)).toEqual([]);
    expect(places.byPostcode("75011")).toEqual([]);
    expect(places.get("any")).toBeUndefined();
  });

  it("answers nothing for k of 0 or less", () => {
    // Prepare
    const places = storePlaces(grid("paris", PARIS));

    // Act, Assess
    expect(places.nearest(48.85, 2.35, 0)).toEqual([]);
    expect(places.nearest(48.85, 2.35, -3)).toEqual([]);
  });
});

describe("the stores of a postcode", () => {
  const places = storePlaces([
    storeAt("b_75011", 48.85, 2.37, { postcode: "75011" }),
    storeAt("a_75011", 48.85, 2.38, { postcode: "75 011" }),
    storeAt("c_75012", 48.84, 2.39, { postcode: "75012" }),
    storeAt("d_75116", 48.86, 2.28, { postcode: "75116" }),
    storeAt("e_69001", 45.76, 4.83, { postcode: "69001" }),
    storeAt("f_sw1a", 51.5, -0.14, { postcode: "SW1A 1AA" }),
    storeAt("g_none", 48.85, 2.35),
  ]);

  it("finds the stores of the same postcode, ignoring case, spaces and dashes, in storeId order", () => {
    // Act
    const paris = places.byPostcode("75-011");
    const london = places.byPostcode("sw1a1aa");

    // Assess
    expect(idsOf(paris)).toEqual(["a_75011", "b_75011"]);
    expect(idsOf(london)).toEqual(["f_sw1a"]);
  });

  it("falls back on every store sharing the longest common prefix with the postcode", () => {
    // Act
    const sameArrondissementRange = places.byPostcode("75019");
    const sameDepartement = places.byPostcode("75300");
    const london = places.byPostcode("SW1P 3BU");

    // Assess
    expect(idsOf(sameArrondissementRange)).toEqual(["a_75011", "b_75011", "c_75012"]);
    expect(idsOf(sameDepartement)).toEqual(["a_75011", "b_75011", "c_75012", "d_75116"]);
    expect(idsOf(london)).toEqual(["f_sw1a"]);
  });

  it("finds nothing when no store shares at least 2 characters with the postcode", () => {
    // Act, Assess
    expect(places.byPostcode("13001")).toEqual([]);
    expect(places.byPostcode("7")).toEqual([]);
    expect(places.byPostcode("")).toEqual([]);
    expect(places.byPostcode("ZZ1")).toEqual([]);
  });

  it("gives a copy: changing an answer changes no later answer", () => {
    // Prepare
    const first = places.byPostcode("75011");

    // Act
    first.pop();

    // Assess
    expect(idsOf(places.byPostcode("75011"))).toEqual(["a_75011", "b_75011"]);
  });
});
