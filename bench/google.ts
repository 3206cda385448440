/**
 * `npm run bench` (last part), `npm run bench:google`: the time from a purchase to the Google Wallet
 * PATCH that shows its new balance reaching Google, measured from outside on `npm start`.
 *
 * This process makes a service account (an RSA 2048 key, its JSON key file in a temporary folder) and
 * runs the Google Wallet stand-in (local/google-wallet-standin.ts) with the account's public key; it
 * starts `npm start` as a child with GOOGLE_WALLET_ISSUER_ID, GOOGLE_WALLET_SA_JSON,
 * GOOGLE_WALLET_API_URL and GOOGLE_OAUTH_TOKEN_URL pointing at that stand-in, so that every request
 * Carnet sends to Google is seen here with its time of receipt. Through the API it creates a program
 * with a store, enrolls BENCH_GOOGLE_MEMBERS members (default 20), opens each one's save link
 * (`/c/{token}/google`, 302: the object is inserted) and waits for the stream to settle. Then
 * BENCH_GOOGLE_PURCHASES purchases (default 200), one at a time, round-robin over the members, each
 * after a random pause of 0 to BENCH_GOOGLE_PAUSE_MS (default 300 ms) so that purchases fall anywhere
 * in the stream poller's cycle, and each waiting for its PATCH before the next.
 *
 * The latency of a purchase is the stand-in's receipt time of the first PATCH of that member's object
 * whose body shows the balance the purchase answered, minus the time just before the purchase was
 * sent. Not a test: numbers never fail it. A PATCH that does not arrive within 10 s, or an object whose
 * final balance is not the member's balance in the API, does (exit code 1). Results go to
 * bench/results/google.json.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GoogleWalletStandIn, startGoogleWalletStandIn } from "../local/google-wallet-standin.js";
import { testServiceAccount } from "../test/support/google-service-account.js";
import {
  carnetCaller,
  openBenchShop,
  startCarnet,
  stopCarnet,
  stopCarnetOnInterrupt,
} from "./carnet-child.js";
import { log, type Result, resultOf, writeResults } from "./measure.js";

const MEMBERS = Number(process.env.BENCH_GOOGLE_MEMBERS ?? 20);
const PURCHASES = Number(process.env.BENCH_GOOGLE_PURCHASES ?? 200);
const PAUSE_MS = Number(process.env.BENCH_GOOGLE_PAUSE_MS ?? 300);
const WARMUP = Number(process.env.BENCH_GOOGLE_WARMUP ?? 200);
const PATCH_TIMEOUT_MS = 10_000;
/** At most this many purchases whose PATCH never came, before the run stops measuring. */
const MAX_MISSED = 3;
const ISSUER_ID = "3388000000012345678";
/** The stream poller's pause after a round that found nothing (local/stream-poller.ts; npm start keeps the default). */
const POLLER_INTERVAL_MS = 100;
const ADMIN_KEY = `bench_${randomBytes(18).toString("base64url")}`;

const keyDir = mkdtempSync(join(tmpdir(), "carnet-bench-google-"));
let standIn: GoogleWalletStandIn | undefined;
const stopStandIn = async () => {
  const running = standIn;
  standIn = undefined;
  await running?.close();
  rmSync(keyDir, { recursive: true, force: true });
};
let interrupted = false;
stopCarnetOnInterrupt(async () => {
  interrupted = true;
  await stopStandIn();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The balance an object body shows: its points, or the secondary points when stamps are in front. */
const balanceOf = (body: unknown): number | undefined => {
  const object = body as
    | {
        loyaltyPoints?: { balance?: { int?: number } };
        secondaryLoyaltyPoints?: { balance?: { int?: number } };
      }
    | undefined;
  return object?.loyaltyPoints?.balance?.int ?? object?.secondaryLoyaltyPoints?.balance?.int;
};

/** Until no request has reached the stand-in for `quietMs` (at most 30 s). */
const settle = async (google: GoogleWalletStandIn, quietMs = 1_000) => {
  const until = Date.now() + 30_000;
  for (let seen = -1; seen !== google.requests.length && Date.now() < until; ) {
    seen = google.requests.length;
    await sleep(quietMs);
  }
};

const main = async () => {
  // The service account, its JSON key file as Google's console downloads it, and Google's stand-in.
  const account = testServiceAccount("carnet-bench");
  const keyFile = join(keyDir, "service-account.json");
  writeFileSync(
    keyFile,
    JSON.stringify({ type: "service_account", project_id: "carnet-bench", ...account.serviceAccount }),
    { mode: 0o600 },
  );
  standIn = await startGoogleWalletStandIn({ issuerId: ISSUER_ID, serviceAccounts: [account.standIn] });
  const google = standIn;

  log("starting npm start (its own DynamoDB Local and stream poller) against the Google Wallet stand-in…");
  const { api } = await startCarnet(ADMIN_KEY, {
    GOOGLE_WALLET_ISSUER_ID: ISSUER_ID,
    GOOGLE_WALLET_SA_JSON: keyFile,
    GOOGLE_WALLET_API_URL: google.apiUrl,
    GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
  });
  log(`Carnet at ${api}, Google Wallet stand-in at ${google.apiUrl}`);

  type Answer = { programId: string; storeId: string; apiKey: string; memberId: string; cardCode: string };
  const call = carnetCaller<Answer>(api);
  const { program, store } = await openBenchShop(call, ADMIN_KEY);
  const memberPath = (memberId: string) => `/v1/programs/${program.programId}/members/${memberId}`;

  log(`enrolling ${MEMBERS} members and saving each card to Google Wallet…`);
  const members: { memberId: string; cardCode: string; objectId: string }[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const { memberId, cardCode } = await call(
      "POST",
      `/v1/programs/${program.programId}/members`,
      ADMIN_KEY,
      {
        email: `member${i}@bench.example`,
        firstName: "Camille",
      },
    );
    const { cardUrl } = await call<{ cardUrl: string }>("GET", memberPath(memberId), ADMIN_KEY);
    const saved = await fetch(`${cardUrl}/google`, { redirect: "manual" });
    await saved.arrayBuffer();
    const objectId = `${ISSUER_ID}.${memberId}`;
    if (saved.status !== 302 || !google.objects.has(objectId)) {
      throw new Error(
        `the save link of ${memberId} answered ${saved.status}, object inserted: ${google.objects.has(objectId)}`,
      );
    }
    members.push({ memberId, cardCode, objectId });
  }
  const purchase = (member: (typeof members)[number], i: number) =>
    call<{ member: { points: number } }>(
      "POST",
      `/v1/stores/${store.storeId}/purchases`,
      store.apiKey,
      {
        member: member.cardCode,
        amountCents: 500 + ((i * 7919) % 9500),
        currency: "EUR",
      },
      { "idempotency-key": randomBytes(16).toString("hex") },
    );

  // DynamoDB Local's JVM, the API and the push function get faster for a while: warm them up first.
  log(`warming up (${WARMUP} purchases, back to back)…`);
  for (let i = 0; i < WARMUP; i++) await purchase(members[i % MEMBERS] as (typeof members)[number], i);
  await settle(google);

  log(
    `measuring ${PURCHASES} purchases one at a time over ${MEMBERS} members, each after a random pause of 0–${PAUSE_MS} ms…`,
  );
  const measuredFrom = google.requests.length;
  const toPatch: number[] = [];
  const purchaseHttp: number[] = [];
  const afterAnswer: number[] = [];
  const missed: string[] = [];
  const started = performance.now();
  for (let i = 0; i < PURCHASES && missed.length < MAX_MISSED; i++) {
    const member = members[i % MEMBERS] as (typeof members)[number];
    await sleep(Math.random() * PAUSE_MS);
    const path = `/loyaltyObject/${encodeURIComponent(member.objectId)}`;
    const t0 = Date.now();
    const tHttp = performance.now();
    const answer = await purchase(member, WARMUP + i);
    const httpMs = performance.now() - tHttp;
    const answeredAt = t0 + httpMs;
    const points = answer.member.points;
    const patch = await google
      .waitFor(
        (r) => r.method === "PATCH" && r.path === path && r.at >= t0 && balanceOf(r.body) === points,
        PATCH_TIMEOUT_MS,
      )
      .catch(() => undefined);
    purchaseHttp.push(httpMs);
    if (!patch) {
      missed.push(`${member.memberId} (${points} points)`);
      log(
        `MISSED: no PATCH of ${member.objectId} showing ${points} points within ${PATCH_TIMEOUT_MS / 1000} s`,
      );
      continue;
    }
    toPatch.push(patch.at - t0);
    afterAnswer.push(patch.at - answeredAt);
  }
  const seconds = (performance.now() - started) / 1000;
  await settle(google);

  // What the stand-in received while measuring, and every object's final balance against the API's.
  const sent = google.requests.slice(measuredFrom).filter((r) => r.path.startsWith("/loyaltyObject/"));
  const patches = sent.filter((r) => r.method === "PATCH");
  const notifying = patches.filter((r) => (r.body as { notifyPreference?: unknown }).notifyPreference);
  const failedPatches = patches.filter((r) => r.status >= 300);
  const wrong: string[] = [];
  for (const member of members) {
    const { points } = await call<{ points: number }>("GET", memberPath(member.memberId), ADMIN_KEY);
    const shown = balanceOf(google.objects.get(member.objectId));
    if (shown !== points) wrong.push(`${member.objectId} shows ${shown} points, the API says ${points}`);
  }
  await stopCarnet();
  await stopStandIn();

  const percentiles = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    const ms = (value: number) => Number(value.toFixed(1));
    return { minMs: ms(sorted[0] ?? 0), p90Ms: ms(at(90)), maxMs: ms(sorted.at(-1) ?? 0) };
  };
  const row = (scenario: string, values: number[]) => ({
    ...resultOf(scenario, values, seconds),
    ...percentiles(values),
  });
  const rows: (Result & { minMs: number; p90Ms: number; maxMs: number })[] = [
    row("purchase → Google PATCH received", toPatch),
    row("  of which the purchase over HTTP", purchaseHttp),
    row("  of which after the purchase answered", afterAnswer),
  ];
  const notifyShare = patches.length === 0 ? 0 : notifying.length / patches.length;
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);

  console.log("");
  console.log(
    `  ${"scenario".padEnd(42)} ${"ops".padStart(5)} ${"p50 ms".padStart(8)} ${"p90 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"max ms".padStart(8)}`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.scenario.padEnd(42)} ${String(r.ops).padStart(5)} ${r.p50Ms.toFixed(1).padStart(8)} ${r.p90Ms.toFixed(1).padStart(8)} ${r.p99Ms.toFixed(1).padStart(8)} ${r.maxMs.toFixed(1).padStart(8)}`,
    );
  }
  console.log("");
  const [total, http, after] = rows as [(typeof rows)[number], (typeof rows)[number], (typeof rows)[number]];
  log(
    `where the time goes (p50 ${total.p50Ms} ms): the purchase over HTTP ${http.p50Ms} ms, then ${after.p50Ms} ms after it answered (mean ${mean(afterAnswer).toFixed(1)} ms, from ${after.minMs} to ${after.maxMs} ms): that is mostly waiting for the stream poller's next read, plus a few ms of the push function's work (GetRecords, the member's Query, the PATCH). npm start's poller (local/stream-poller.ts, the default intervalMs, which npm start keeps) reads again at once after a round that found records and sleeps ${POLLER_INTERVAL_MS} ms after one that found none, so a purchase waits 0–${POLLER_INTERVAL_MS} ms (${POLLER_INTERVAL_MS / 2} on average), partly hidden behind the purchase's own answer. In AWS the DynamoDB Streams → Lambda event source's delay (not measured here) replaces that wait.`,
  );
  log(
    `PATCHes to objects while measuring: ${patches.length} for ${toPatch.length + missed.length} purchases, ${notifying.length} with notifyPreference (${(notifyShare * 100).toFixed(1)}%: balance-only changes are silent), ${failedPatches.length} refused; ${sent.length - patches.length} other object requests`,
  );
  log(
    `PATCH within ${PATCH_TIMEOUT_MS / 1000} s: ${missed.length === 0 ? `all ${toPatch.length}` : `MISSED for ${missed.join(", ")}`}; final balances of ${MEMBERS} objects: ${wrong.length === 0 ? "the API's" : "WRONG"}`,
  );
  for (const line of wrong) log(`MISMATCH: ${line}`);

  writeResults("google", {
    parameters: {
      members: MEMBERS,
      purchases: PURCHASES,
      warmup: WARMUP,
      pauseMs: PAUSE_MS,
      pollerIntervalMs: POLLER_INTERVAL_MS,
    },
    results: rows.map((r) => ({ ...r, scenario: r.scenario.trim() })),
    meanAfterAnswerMs: Number(mean(afterAnswer).toFixed(1)),
    patches: patches.length,
    notifyingPatches: notifying.length,
    notifyShare: Number(notifyShare.toFixed(4)),
    refusedPatches: failedPatches.length,
    missed,
    wrongBalances: wrong,
  });
  process.exit(missed.length === 0 && wrong.length === 0 ? 0 : 1);
};

main().catch(async (error: unknown) => {
  if (interrupted) return; // Ctrl-C: the child and the stand-in are being stopped, then exit 130
  console.error(error);
  await stopCarnet();
  await stopStandIn();
  process.exit(1);
});
