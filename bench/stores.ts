/**
 * `npm run bench:stores` (and the last part of `npm run bench`): the time to choose the ≤ 10 stores of
 * a member's card (functions/domain/stores/choice.ts) among 10,000 and 1,000,000 stores spread over
 * France, for members who visited 3 stores, next to a linear scan of every store in the same run;
 * and what the index costs to build and keep, per program size. Not a test: numbers never fail it;
 * a choice that differs from the scan's does (exit code 1).
 */

import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { addDays } from "../functions/domain/loyalty/calendar.js";
import type { StoreVisits } from "../functions/domain/loyalty/member.js";
import { newStore, type Store } from "../functions/domain/store.js";
import { visitScore } from "../functions/domain/stores/activity.js";
import { chooseStores } from "../functions/domain/stores/choice.js";
import { type StorePlaces, storePlaces } from "../functions/domain/stores/places.js";
import { prng } from "../test/support/geo.js";
import { log, writeResults } from "./measure.js";

const SIZES = (process.env.BENCH_STORES_SIZES ?? "10000,1000000").split(",").map(Number);
const MEMBERS = Number(process.env.BENCH_STORES_MEMBERS ?? 2000);
const WARMUP = 200;
/** The scan reads every store for every member: it gets about 3·10⁷ store visits in all, at least 30 members. */
const SCAN_BUDGET = 30_000_000;
const TODAY = "2026-06-15";
const MAX = 10;

/** Memory is measured after a full collection: V8's own flag, so that `tsx bench/stores.ts` is enough. */
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapBytes = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** `size` stores at random over mainland France's bounding box, with a French-looking postcode. */
const franceStores = (size: number, random: () => number): Store[] => {
  const now = new Date("2026-06-01T00:00:00Z");
  return Array.from({ length: size }, (_, i) =>
    newStore(
      {
        name: `Store ${i}`,
        latitude: 42.3 + random() * 8.8,
        longitude: -4.8 + random() * 13,
        postcode: String(1_000 + Math.floor(random() * 94_000)).padStart(5, "0"),
      },
      { storeId: `sto_${String(i).padStart(7, "0")}`, programId: "prg_bench", apiKeyPrefix: "sk.x" },
      now,
    ),
  );
};

/** A member who shops in one area: a random store and 2 of the 30 around it, visited lately. */
const memberVisits = (places: StorePlaces, stores: readonly Store[], random: () => number): StoreVisits[] => {
  const home = stores[Math.floor(random() * stores.length)] as Store;
  const around = places.nearest(home.latitude, home.longitude, 30).slice(1);
  const others = [...around].sort(() => random() - 0.5).slice(0, 2);
  return [home.storeId, ...others.map((o) => o.store.storeId)].map((storeId) => ({
    storeId,
    visits: 1 + Math.floor(random() * 12),
    lastDay: addDays(TODAY, -Math.floor(random() * 60)),
  }));
};

/**
 * The baseline: the same choice by reading every store (the visits, then the 7 stores nearest to any
 * of them by the haversine formula, kept in a small sorted list). Stores are in storeId order, so
 * ties go to the lower index. Coordinates in typed arrays: the scan at its fastest.
 */
const linearChooser = (stores: readonly Store[]) => {
  const order = [...stores].sort((a, b) => (a.storeId < b.storeId ? -1 : 1));
  const lat = Float64Array.from(order, (s) => s.latitude);
  const lng = Float64Array.from(order, (s) => s.longitude);
  const indexOf = new Map(order.map((s, i) => [s.storeId, i]));
  const rad = Math.PI / 180;
  return (visits: readonly StoreVisits[]): string[] => {
    const picked = visits
      .filter((v) => indexOf.has(v.storeId))
      .map((v) => ({ v, score: visitScore(v, TODAY) }))
      .sort(
        (a, b) =>
          b.score - a.score ||
          (a.v.lastDay < b.v.lastDay ? 1 : a.v.lastDay > b.v.lastDay ? -1 : 0) ||
          (a.v.storeId < b.v.storeId ? -1 : 1),
      )
      .map(({ v }) => indexOf.get(v.storeId) as number)
      .filter((i, at, all) => all.indexOf(i) === at)
      .slice(0, MAX);
    const count = MAX - picked.length;
    const anchors = picked.map((i) => ({
      lat: (lat[i] as number) * rad,
      lng: (lng[i] as number) * rad,
      cos: Math.cos((lat[i] as number) * rad),
    }));
    const bestIds: number[] = [];
    const bestKm: number[] = [];
    for (let i = 0; i < order.length; i++) {
      if (picked.includes(i)) continue;
      const la = (lat[i] as number) * rad;
      const lo = (lng[i] as number) * rad;
      const cosLa = Math.cos(la);
      let km = Number.POSITIVE_INFINITY;
      for (const a of anchors) {
        const sLat = Math.sin((la - a.lat) / 2);
        const sLng = Math.sin((lo - a.lng) / 2);
        const d = 2 * 6371 * Math.asin(Math.sqrt(sLat * sLat + a.cos * cosLa * sLng * sLng));
        if (d < km) km = d;
      }
      if (bestIds.length === count && km >= (bestKm[count - 1] as number)) continue;
      let at = bestIds.length === count ? count - 1 : bestIds.length;
      while (at > 0 && (bestKm[at - 1] as number) > km) {
        bestKm[at] = bestKm[at - 1] as number;
        bestIds[at] = bestIds[at - 1] as number;
        at--;
      }
      bestKm[at] = km;
      bestIds[at] = i;
    }
    return [...picked, ...bestIds].map((i) => (order[i] as Store).storeId);
  };
};

interface Timing {
  members: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

const timingOf = (latencies: number[]): Timing => {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const round = (ms: number) => Number(ms.toFixed(4));
  return {
    members: sorted.length,
    medianMs: round(at(0.5)),
    p95Ms: round(at(0.95)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
  };
};

/** Each call timed alone, after a warm-up, one member after the other (as one Lambda container). */
const timeEach = <T>(inputs: readonly T[], op: (input: T) => unknown, warmup: number): Timing => {
  for (let i = 0; i < warmup; i++) op(inputs[i % inputs.length] as T);
  const latencies: number[] = [];
  for (const input of inputs) {
    const started = performance.now();
    op(input);
    latencies.push(performance.now() - started);
  }
  return timingOf(latencies);
};

const benchSize = (size: number) => {
  const random = prng(size);
  log(`${size.toLocaleString("en")} stores: generating…`);
  const stores = franceStores(size, random);

  const before = heapBytes();
  const buildStarted = performance.now();
  const places = storePlaces(stores);
  const buildMs = performance.now() - buildStarted;
  const indexBytes = heapBytes() - before;
  // The first build pays for compiling the code too (a cold Lambda); a cache refresh is a later one.
  const rebuildMs = Math.min(
    ...[1, 2].map(() => {
      const started = performance.now();
      storePlaces(stores);
      return performance.now() - started;
    }),
  );

  const members = Array.from({ length: MEMBERS }, () => memberVisits(places, stores, random));
  const choose = (visits: readonly StoreVisits[]) => chooseStores({ places, visits, today: TODAY });
  const index = timeEach(members, choose, WARMUP);

  const linear = linearChooser(stores);
  const scanMembers = members.slice(0, Math.min(MEMBERS, Math.max(30, Math.round(SCAN_BUDGET / size))));
  const scan = timeEach(scanMembers, linear, Math.min(WARMUP, scanMembers.length));
  const mismatches = scanMembers.filter((visits) => choose(visits).join() !== linear(visits).join()).length;

  // The postcode index is built on the first lookup (enrollment only): its cost, then a lookup's.
  const beforePostcodes = heapBytes();
  const firstLookupStarted = performance.now();
  places.byPostcode("75011");
  const postcodeBuildMs = performance.now() - firstLookupStarted;
  const postcodeBytes = heapBytes() - beforePostcodes;
  const postcodes = Array.from({ length: 1_000 }, () =>
    String(Math.floor(random() * 100_000)).padStart(5, "0"),
  );
  const byPostcode = timeEach(postcodes, (p) => places.byPostcode(p), 100);

  const row = {
    stores: size,
    buildMs: Number(buildMs.toFixed(1)),
    rebuildMs: Number(rebuildMs.toFixed(1)),
    indexMb: Number((indexBytes / 2 ** 20).toFixed(1)),
    choice: index,
    linearScan: scan,
    speedUp: Number((scan.medianMs / index.medianMs).toFixed(1)),
    postcodeBuildMs: Number(postcodeBuildMs.toFixed(1)),
    postcodeMb: Number((postcodeBytes / 2 ** 20).toFixed(1)),
    byPostcode,
    mismatches,
  };
  log(
    `${size.toLocaleString("en")} stores: index built in ${row.buildMs} ms, ${row.indexMb} MB; ` +
      `choice p50 ${index.medianMs} ms (scan ${scan.medianMs} ms); ${mismatches} mismatch(es)`,
  );
  return row;
};

type Row = ReturnType<typeof benchSize>;

/** A table of rows, columns right-aligned to their widest cell. */
const table = (header: string[], lines: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ")}`;
  console.log(line(header));
  for (const l of lines) console.log(line(l));
  console.log("");
};

const printRows = (rows: readonly Row[]) => {
  const ms = (v: number) => v.toFixed(3);
  const stores = (r: Row) => r.stores.toLocaleString("en");
  console.log("");
  table(
    ["stores", "choice p50 ms", "p95", "max", "scan p50 ms", "p95", "scanned", "p50 speed-up"],
    rows.map((r) => [
      stores(r),
      ms(r.choice.medianMs),
      ms(r.choice.p95Ms),
      ms(r.choice.maxMs),
      ms(r.linearScan.medianMs),
      ms(r.linearScan.p95Ms),
      String(r.linearScan.members),
      `${r.speedUp.toFixed(0)}×`,
    ]),
  );
  table(
    ["stores", "build ms", "again ms", "index MB", "postcode index ms", "MB", "byPostcode p50 ms"],
    rows.map((r) => [
      stores(r),
      r.buildMs.toFixed(1),
      r.rebuildMs.toFixed(1),
      r.indexMb.toFixed(1),
      r.postcodeBuildMs.toFixed(1),
      r.postcodeMb.toFixed(1),
      ms(r.byPostcode.medianMs),
    ]),
  );
};

const main = () => {
  log(`choosing ${MAX} stores for ${MEMBERS} members with 3 visited stores each, per program size…`);
  const loadBefore = loadavg()[0] ?? 0;
  const rows = SIZES.map(benchSize);

  printRows(rows);
  const small = rows.find((r) => r.stores === 10_000);
  if (small) log(`choice among 10,000 stores: p50 ${small.choice.medianMs} ms (target: well under 1 ms)`);
  const mismatches = rows.reduce((n, r) => n + r.mismatches, 0);
  log(`load average (1 min): ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after`);
  log(`checked: every scanned member's choice equals the scan's (${mismatches} mismatch(es); else exit 1)`);

  writeResults("stores", {
    parameters: { sizes: SIZES, members: MEMBERS, visitedStores: 3, max: MAX, today: TODAY },
    // Per-choice times are well under a millisecond: other work on the machine shows in p95 and max.
    loadAverage: { before: loadBefore, after: loadavg()[0] ?? 0 },
    results: rows,
  });
  process.exit(mismatches === 0 ? 0 : 1);
};

main();
