import { describe, expect, it } from "vitest";
import { addDays } from "../../functions/domain/loyalty/calendar.js";
import type { StoreVisits } from "../../functions/domain/loyalty/member.js";
import { MAX_PASS_LOCATIONS } from "../../functions/domain/pass/apple-card.js";
import type { Store } from "../../functions/domain/store.js";
import { chooseStores, homeStoreFor } from "../../functions/domain/stores/choice.js";
import { storePlaces } from "../../functions/domain/stores/places.js";
import { grid, haversineKm, LYON, PARIS, prng, storeAt } from "../support/geo.js";

const TODAY = "2026-06-15";

/** The two-cities program: 100 stores in Paris, 100 in Lyon. */
const twoCities = (): Store[] => [...grid("paris", PARIS, "75011"), ...grid("lyon", LYON, "69001")];

const visit = (storeId: string, visits: number, daysAgo: number): StoreVisits => ({
  storeId,
  visits,
  lastDay: addDays(TODAY, -daysAgo),
});

/** The oracle of the fill: every other store's distance to its nearest anchor, by a scan of them all. */
const bruteForceFill = (stores: readonly Store[], anchorIds: readonly string[], count: number): string[] => {
  const anchors = stores.filter((s) => anchorIds.includes(s.storeId));
  return stores
    .filter((s) => s.status === "active" && !anchorIds.includes(s.storeId))
    .map((s) => ({ storeId: s.storeId, km: Math.min(...anchors.map((a) => haversineKm(a, s))) }))
    .sort((a, b) => a.km - b.km || (a.storeId < b.storeId ? -1 : 1))
    .slice(0, count)
    .map((s) => s.storeId);
};

const byId = (stores: readonly Store[], storeId: string): Store => {
  const store = stores.find((s) => s.storeId === storeId);
  if (!store) throw new Error(`no store ${storeId}`);
  return store;
};

describe("the stores a member's card carries", () => {
  it("carries 3 visited Lyon stores and the 7 stores nearest to them, none in Paris", () => {
    // Prepare
    const stores = twoCities();
    const places = storePlaces(stores);
    const visits = [visit("lyon_44", 2, 3), visit("lyon_45", 6, 10), visit("lyon_90", 1, 1)];

    // Act
    const chosen = chooseStores({ places, visits, today: TODAY });

    // Assess
    expect(chosen).toHaveLength(10);
    expect(chosen.slice(0, 3)).toEqual(["lyon_45", "lyon_44", "lyon_90"]);
    expect(chosen.slice(3)).toEqual(bruteForceFill(stores, chosen.slice(0, 3), 7));
    for (const storeId of chosen.slice(3)) {
      const nearestVisitedKm = Math.min(
        ...chosen.slice(0, 3).map((v) => haversineKm(byId(stores, v), byId(stores, storeId))),
      );
      expect(nearestVisitedKm).toBeLessThan(20);
      expect(storeId.startsWith("lyon_")).toBe(true);
    }
  });

  it("puts the member's favourites first, in their order, then the visits, without duplicates", () => {
    // Prepare
    const places = storePlaces(twoCities());

    // Act
    const chosen = chooseStores({
      places,
      favouriteStoreIds: ["paris_10", "lyon_03"],
      visits: [visit("lyon_50", 4, 2), visit("paris_10", 9, 1)],
      today: TODAY,
    });

    // Assess
    expect(chosen.slice(0, 3)).toEqual(["paris_10", "lyon_03", "lyon_50"]);
    expect(new Set(chosen).size).toBe(chosen.length);
    expect(chosen).toHaveLength(MAX_PASS_LOCATIONS);
  });

  it("orders visited stores by visits weighted by recency, then by the latest visit, then by storeId", () => {
    // Prepare
    const places = storePlaces(twoCities());
    const visits = [
      visit("paris_01", 10, 365), // many visits, a year ago: ≈ 0.6
      visit("paris_02", 2, 7), // twice, last week: ≈ 1.9
      visit("paris_03", 1, 0), // once, today: 1
      visit("paris_05", 1, 0), // the same as paris_03: storeId decides
      visit("paris_04", 3, 30), // three times, a month ago: ≈ 2.4
    ];

    // Act
    const chosen = chooseStores({ places, visits, today: TODAY, max: 5 });

    // Assess
    expect(chosen).toEqual(["paris_04", "paris_02", "paris_03", "paris_05", "paris_01"]);
  });

  it("follows a member who moved: recent Lyon stores first, the fill around Lyon, not around Paris", () => {
    // Prepare: years of shopping in Paris, ended two years ago; a few visits in Lyon since
    const places = storePlaces(twoCities());
    const visits = [
      visit("paris_44", 40, 730),
      visit("paris_45", 25, 760),
      visit("lyon_12", 1, 20),
      visit("lyon_77", 2, 5),
    ];

    // Act
    const chosen = chooseStores({ places, visits, today: TODAY });

    // Assess
    expect(chosen.slice(0, 2)).toEqual(["lyon_77", "lyon_12"]);
    expect(chosen.slice(2, 4)).toEqual(["paris_44", "paris_45"]);
    expect(chosen).toHaveLength(10);
    expect(chosen.slice(4).every((id) => id.startsWith("lyon_"))).toBe(true);
  });

  it("gathers the fill around faded visits when nothing fresher is known", () => {
    // Prepare
    const stores = twoCities();
    const places = storePlaces(stores);

    // Act
    const chosen = chooseStores({ places, visits: [visit("paris_44", 3, 900)], today: TODAY });

    // Assess
    expect(chosen).toEqual(["paris_44", ...bruteForceFill(stores, ["paris_44"], 9)]);
  });

  it("ignores favourites and visited stores that were deleted or disabled", () => {
    // Prepare
    const stores = twoCities().map((s) =>
      s.storeId === "lyon_11" ? { ...s, status: "disabled" as const } : s,
    );
    const places = storePlaces(stores);

    // Act
    const chosen = chooseStores({
      places,
      favouriteStoreIds: ["gone_favourite", "lyon_11", "lyon_22"],
      visits: [visit("gone_visited", 50, 1), visit("lyon_11", 20, 1), visit("lyon_33", 1, 1)],
      today: TODAY,
    });

    // Assess
    expect(chosen.slice(0, 2)).toEqual(["lyon_22", "lyon_33"]);
    expect(chosen).not.toContain("lyon_11");
    expect(chosen).not.toContain("gone_favourite");
    expect(chosen).not.toContain("gone_visited");
    expect(chosen.slice(2)).toEqual(bruteForceFill(stores, ["lyon_22", "lyon_33"], 8));
  });

  it("before any visit, carries the home store and the stores nearest to it", () => {
    // Prepare
    const stores = twoCities();
    const places = storePlaces(stores);

    // Act
    const chosen = chooseStores({ places, homeStoreId: "lyon_55", today: TODAY });

    // Assess
    expect(chosen).toEqual(["lyon_55", ...bruteForceFill(stores, ["lyon_55"], 9)]);
  });

  it("prefers what the member did to the home store", () => {
    // Prepare
    const places = storePlaces(twoCities());

    // Act
    const chosen = chooseStores({
      places,
      homeStoreId: "lyon_55",
      visits: [visit("paris_55", 1, 3)],
      today: TODAY,
    });

    // Assess
    expect(chosen[0]).toBe("paris_55");
    expect(chosen.every((id) => id.startsWith("paris_"))).toBe(true);
  });

  it("carries the first stores in storeId order when nothing is known of the member", () => {
    // Prepare
    const places = storePlaces(twoCities());

    // Act
    const unknown = chooseStores({ places, today: TODAY });
    const homeGone = chooseStores({ places, homeStoreId: "gone", visits: [], today: TODAY });

    // Assess
    const firstTen = places.first(10).map((s) => s.storeId);
    expect(unknown).toEqual(firstTen);
    expect(homeGone).toEqual(firstTen);
    expect(firstTen[0]).toBe("lyon_00");
  });

  it("never carries more than max, even with more favourites and visits than that", () => {
    // Prepare
    const places = storePlaces(twoCities());
    const favouriteStoreIds = ["paris_00", "paris_01", "paris_02"];
    const visits = Array.from({ length: 10 }, (_, i) => visit(`lyon_${10 + i}`, 10 - i, 1));

    // Act
    const ten = chooseStores({ places, favouriteStoreIds, visits, today: TODAY });
    const four = chooseStores({ places, favouriteStoreIds, visits, today: TODAY, max: 4 });
    const none = chooseStores({ places, favouriteStoreIds, visits, today: TODAY, max: 0 });

    // Assess
    expect(ten).toEqual([
      ...favouriteStoreIds,
      "lyon_10",
      "lyon_11",
      "lyon_12",
      "lyon_13",
      "lyon_14",
      "lyon_15",
      "lyon_16",
    ]);
    expect(four).toEqual([...favouriteStoreIds, "lyon_10"]);
    expect(none).toEqual([]);
  });

  it("carries every store, once, when the program has fewer than max", () => {
    // Prepare
    const stores = grid("paris", PARIS, "75011").slice(0, 4);
    const places = storePlaces(stores);

    // Act
    const chosen = chooseStores({ places, visits: [visit("paris_02", 1, 1)], today: TODAY });
    const empty = chooseStores({ places: storePlaces([]), visits: [visit("paris_02", 1, 1)], today: TODAY });

    // Assess
    expect(chosen).toHaveLength(4);
    expect(chosen[0]).toBe("paris_02");
    expect(new Set(chosen)).toEqual(new Set(stores.map((s) => s.storeId)));
    expect(empty).toEqual([]);
  });

  it("fills the card exactly as a scan of every store would, for random members", () => {
    // Prepare: clustered stores, so that the anchors' neighbourhoods overlap
    const random = prng(11);
    const clusters = Array.from({ length: 8 }, () => ({
      latitude: 43 + random() * 7,
      longitude: -1 + random() * 8,
    }));
    const stores = Array.from({ length: 600 }, (_, i) => {
      const centre = clusters[i % clusters.length] ?? PARIS;
      return storeAt(
        `s_${String(i).padStart(3, "0")}`,
        centre.latitude + (random() - 0.5) * 0.2,
        centre.longitude + (random() - 0.5) * 0.3,
      );
    });
    const places = storePlaces(stores);

    for (let member = 0; member < 100; member++) {
      const visitCount = 1 + Math.floor(random() * 9);
      const visits = Array.from({ length: visitCount }, () =>
        visit(
          `s_${String(Math.floor(random() * 600)).padStart(3, "0")}`,
          1 + Math.floor(random() * 5),
          Math.floor(random() * 60),
        ),
      );

      // Act
      const chosen = chooseStores({ places, visits, today: TODAY });

      // Assess
      const visited = new Set(visits.map((v) => v.storeId)).size;
      const anchors = chosen.slice(0, visited);
      expect(new Set(anchors)).toEqual(new Set(visits.map((v) => v.storeId)));
      expect(chosen.slice(visited)).toEqual(bruteForceFill(stores, anchors, 10 - visited));
    }
  });

  it("gives the same answer for the same member, whatever order the stores were loaded in", () => {
    // Prepare
    const stores = twoCities();
    const input = { visits: [visit("lyon_44", 1, 1)], today: TODAY };

    // Act
    const once = chooseStores({ ...input, places: storePlaces(stores) });
    const again = chooseStores({ ...input, places: storePlaces([...stores].reverse()) });

    // Assess
    expect(again).toEqual(once);
  });
});

describe("the home store of a new member", () => {
  const places = storePlaces(twoCities());

  it("is the store the member enrolled at", () => {
    // Act, Assess
    expect(homeStoreFor(places, { storeId: "lyon_07", postcode: "75011" })).toBe("lyon_07");
  });

  it("is the first store of the sign-up postcode, or of its area, when there is no such store", () => {
    // Act, Assess
    expect(homeStoreFor(places, { storeId: "gone", postcode: "75 011" })).toBe("paris_00");
    expect(homeStoreFor(places, { postcode: "69-008" })).toBe("lyon_00");
  });

  it("is none when neither the store nor the postcode leads anywhere", () => {
    // Act, Assess
    expect(homeStoreFor(places, {})).toBeUndefined();
    expect(homeStoreFor(places, { storeId: "gone" })).toBeUndefined();
    expect(homeStoreFor(places, { postcode: "13001" })).toBeUndefined();
  });
});
