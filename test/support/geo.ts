import { newStore, type Store } from "../../functions/domain/store.js";

/**
 * Geography for the store-choice tests and benchmark: two city centres, stores on a grid, a seeded
 * PRNG (the same "random" points on every run) and the haversine formula written out, the oracle the
 * spatial index is checked against.
 */

export interface Point {
  latitude: number;
  longitude: number;
}

export const PARIS: Point = { latitude: 48.8566, longitude: 2.3522 };
export const LYON: Point = { latitude: 45.764, longitude: 4.8357 };

/** A seeded PRNG (mulberry32). */
export const prng = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** Great-circle distance in km between two points (haversine, Earth radius 6,371 km). */
export const haversineKm = (a: Point, b: Point): number => {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
};

const NOW = new Date("2026-06-15T10:00:00Z");

/** An active store of program `prg_1` at a point, named by its id. */
export const storeAt = (
  storeId: string,
  latitude: number,
  longitude: number,
  extra: { postcode?: string; status?: Store["status"] } = {},
): Store => {
  const store = newStore(
    { name: storeId, latitude, longitude, ...(extra.postcode ? { postcode: extra.postcode } : {}) },
    { storeId, programId: "prg_1", apiKeyPrefix: "sk.x" },
    NOW,
  );
  return { ...store, status: extra.status ?? "active" };
};

/** 100 stores, 10 × 10, about 1 km apart around a centre, named `<city>_<row><column>`. */
export const grid = (city: string, centre: Point, postcode?: string): Store[] =>
  Array.from({ length: 100 }, (_, i) =>
    storeAt(
      `${city}_${String(i).padStart(2, "0")}`,
      centre.latitude + (Math.floor(i / 10) - 4.5) * 0.01,
      centre.longitude + ((i % 10) - 4.5) * 0.014,
      postcode ? { postcode } : {},
    ),
  );
