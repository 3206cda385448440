/**
 * `npm run bench` (first part): Carnet measured from outside, as a till and a phone see it. Starts
 * `npm start` in a child process (its own DynamoDB Local, the local API Gateway stand-in, the stream
 * poller and push fan-out, the sweep), then in the same run:
 *
 * - purchases over HTTP, BENCH_HTTP_CONCURRENCY in flight (default 8) over 40 members, next to a raw
 *   3-item TransactWriteItems sent straight to the same DynamoDB Local at the same concurrency;
 * - the pass behind a card link downloaded right after a purchase changed it, and again unchanged,
 *   next to building and signing the same pass with plain passkit-generator in this process.
 *
 * Not a test: numbers never fail it. A wrong balance, a double credit or a pass that OpenSSL does not
 * verify does (exit code 1). Results go to bench/results/http.json.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { ProgramInput } from "../functions/api/schemas.js";
import { enroll } from "../functions/domain/loyalty/engine.js";
import { appleCardContent } from "../functions/domain/pass/apple-card.js";
import { newProgram } from "../functions/domain/program.js";
import { ensureDevCertificates } from "../local/dev-certs.js";
import { localDynamoClient } from "../local/dynamodb-local.js";
import { openPass, verifyPass } from "../test/support/pkpass.js";
import {
  carnetCaller,
  openBenchShop,
  startCarnet,
  stopCarnet,
  stopCarnetOnInterrupt,
} from "./carnet-child.js";
import { log, measureOneAtATime, type Result, resultOf, writeResults } from "./measure.js";
import { plainPassBuilder } from "./plain-pass.js";

const PURCHASES = Number(process.env.BENCH_HTTP_PURCHASES ?? 800);
const CONCURRENCY = Number(process.env.BENCH_HTTP_CONCURRENCY ?? 8);
const MEMBERS = 40;
const PASSES = Number(process.env.BENCH_HTTP_PASSES ?? 200);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const ADMIN_KEY = `bench_${randomBytes(18).toString("base64url")}`;

stopCarnetOnInterrupt();

const main = async () => {
  log("starting npm start (its own DynamoDB Local, stream poller and sweep)…");
  const { api, dynamoEndpoint, tableName } = await startCarnet(ADMIN_KEY);
  log(`Carnet at ${api}, DynamoDB Local at ${dynamoEndpoint}`);

  /** The fields of Carnet's answers that this benchmark reads. */
  type Answer = {
    programId: string;
    storeId: string;
    apiKey: string;
    memberId: string;
    cardCode: string;
    cardUrl: string;
    points: number;
  };
  const call = carnetCaller<Answer>(api);

  // A program as a new merchant creates it (1 point per euro), one store, 40 members.
  const { program, store } = await openBenchShop(call, ADMIN_KEY);
  const members: { memberId: string; cardCode: string; cardUrl: string }[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    members.push(
      await call("POST", `/v1/programs/${program.programId}/members`, ADMIN_KEY, {
        email: `member${i}@bench.example`,
        firstName: "Camille",
      }),
    );
  }
  const expected = new Map<string, number>();
  const purchase = (i: number, key = randomUUID()) => {
    const member = members[i % MEMBERS] as (typeof members)[number];
    const amountCents = 500 + ((i * 7919) % 9500);
    expected.set(member.memberId, (expected.get(member.memberId) ?? 0) + Math.floor(amountCents / 100));
    return call(
      "POST",
      `/v1/stores/${store.storeId}/purchases`,
      store.apiKey,
      {
        member: member.cardCode,
        amountCents,
        currency: "EUR",
      },
      { "idempotency-key": key },
    );
  };

  // The floor: a raw 3-item transaction (idempotency record, member, ledger entry at their sizes).
  const raw = DynamoDBDocumentClient.from(localDynamoClient(dynamoEndpoint));
  const memberSize = JSON.stringify(
    await call("GET", `/v1/programs/${program.programId}/members/${members[0]?.memberId}`, ADMIN_KEY),
  ).length;
  const rawTransaction = () => {
    const id = `raw${randomBytes(6).toString("hex")}`;
    const put = (PK: string, SK: string, size: number) => ({
      Put: {
        TableName: tableName,
        Item: { PK, SK, entity: "raw", data: "x".repeat(size) },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    });
    return raw.send(
      new TransactWriteCommand({
        TransactItems: [
          put(`IDEM#${id}`, "IDEM", 600),
          put(`RAWMEMBER#${id}`, "MEMBER", memberSize),
          put(`RAWMEMBER#${id}`, "LEDGER#0000000001", 350),
        ],
      }),
    );
  };

  const measure = async (scenario: string, n: number, op: (i: number) => Promise<unknown>) => {
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < n; i = next++) {
          const t = performance.now();
          await op(i);
          latencies.push(performance.now() - t);
        }
      }),
    );
    return resultOf(scenario, latencies, (performance.now() - started) / 1000);
  };

  // DynamoDB Local's JVM keeps getting faster for a while: warm both kinds of work until it settles.
  log(`warming up (${MEMBERS * 10} purchases, ${MEMBERS * 20} raw transactions)…`);
  await measure("warm-up", MEMBERS * 20, rawTransaction);
  await measure("warm-up", MEMBERS * 10, (i) => purchase(i));

  log(
    `measuring: ${ROUNDS} rounds of ${PURCHASES} raw transactions and ${PURCHASES} purchases, ${CONCURRENCY} in flight…`,
  );
  const rawRounds: Result[] = [];
  const purchaseRounds: Result[] = [];
  let counter = MEMBERS * 10;
  for (let round = 0; round < ROUNDS; round++) {
    rawRounds.push(await measure("raw TransactWriteItems, 3 items", PURCHASES, rawTransaction));
    purchaseRounds.push(
      await measure(`purchases over HTTP, ${MEMBERS} members`, PURCHASES, () => purchase(counter++)),
    );
  }
  const combine = (rounds: Result[]): Result => ({
    scenario: rounds[0]?.scenario ?? "",
    ops: rounds.reduce((s, r) => s + r.ops, 0),
    opsPerSecond: Math.round(rounds.reduce((s, r) => s + r.opsPerSecond, 0) / rounds.length),
    p50Ms: Math.max(...rounds.map((r) => r.p50Ms)),
    p99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
  });
  const rawResult = combine(rawRounds);
  const purchaseResult = combine(purchaseRounds);

  // The loyalty guarantees on the path just measured: 20 identical requests credit once.
  const before = await call(
    "GET",
    `/v1/programs/${program.programId}/members/${members[0]?.memberId}`,
    ADMIN_KEY,
  );
  const sameKey = randomUUID();
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      call(
        "POST",
        `/v1/stores/${store.storeId}/purchases`,
        store.apiKey,
        {
          member: members[0]?.cardCode,
          amountCents: 1000,
          currency: "EUR",
        },
        { "idempotency-key": sameKey },
      ),
    ),
  );
  const after = await call(
    "GET",
    `/v1/programs/${program.programId}/members/${members[0]?.memberId}`,
    ADMIN_KEY,
  );
  const creditedOnce =
    after.points === before.points + 10 && new Set(answers.map((a) => JSON.stringify(a))).size === 1;
  expected.set(members[0]?.memberId ?? "", (expected.get(members[0]?.memberId ?? "") ?? 0) + 10);

  // Passes: the pass behind a card link right after a purchase changed it, then again unchanged.
  log(`downloading ${PASSES} passes right after a purchase, and again unchanged…`);
  const changed: number[] = [];
  const unchanged: number[] = [];
  let lastPass: Buffer | undefined;
  for (let i = 0; i < PASSES + 10; i++) {
    const member = members[i % MEMBERS] as (typeof members)[number];
    await purchase(i % MEMBERS === 0 ? i + 1 : i);
    const url = `${member.cardUrl}/pass.pkpass`;
    let t = performance.now();
    const first = await fetch(url);
    lastPass = Buffer.from(await first.arrayBuffer());
    const changedMs = performance.now() - t;
    t = performance.now();
    const second = await fetch(url);
    await second.arrayBuffer();
    const unchangedMs = performance.now() - t;
    if (first.status !== 200 || second.status !== 200) throw new Error(`pass download: ${first.status}`);
    if (i >= 10) {
      changed.push(changedMs);
      unchanged.push(unchangedMs);
    }
  }

  // The same pass built and signed in this process with plain passkit-generator.
  const certs = ensureDevCertificates(mkdtempSync(join(tmpdir(), "carnet-bench-certs-")));
  const opened = openPass(lastPass as Buffer);
  const plainProgram = newProgram(
    ProgramInput.parse({ name: "Bench Rewards", organizationName: "Bench Café" }),
    "prg_0000000000000001",
    new Date(),
  );
  const content = appleCardContent({
    program: plainProgram,
    member: {
      ...enroll(
        { memberId: "mbr_0000000000000001", cardCode: "4539148803436467", referralCode: "ABCDEFGH" },
        plainProgram,
        new Date(),
      ),
      points: Number(opened.pass.storeCard?.primaryFields?.[0]?.value ?? 0),
    },
    stores: [{ storeId: "sto_0000000000000001", name: "Bastille", latitude: 48.853, longitude: 2.369 }],
    holderName: "Camille",
    now: new Date(),
  });
  const plain = plainPassBuilder(certs, {
    webServiceUrl: `${api}/passkit`,
    authenticationToken: "t".repeat(43),
  });
  const plainResult = await measureOneAtATime(
    "plain passkit-generator in this process (same model)",
    PASSES,
    () => plain(content),
    { warmup: 10, digits: 1 },
  );
  const changedResult = resultOf("pass download over HTTP, right after a purchase", changed, 1);
  const unchangedResult = resultOf("pass download over HTTP, unchanged since the last one", unchanged, 1);
  changedResult.opsPerSecond = Math.round(1000 / (changed.reduce((s, v) => s + v, 0) / changed.length));
  unchangedResult.opsPerSecond = Math.round(1000 / (unchanged.reduce((s, v) => s + v, 0) / unchanged.length));

  // Every balance is the exact sum of what was bought.
  let balancesExact = true;
  for (const member of members) {
    const view = await call("GET", `/v1/programs/${program.programId}/members/${member.memberId}`, ADMIN_KEY);
    if (view.points !== expected.get(member.memberId)) {
      balancesExact = false;
      log(
        `MISMATCH: ${member.memberId} holds ${view.points} points, expected ${expected.get(member.memberId)}`,
      );
    }
  }
  let passVerified = true;
  try {
    verifyPass(lastPass as Buffer, join(".carnet", "dev-certs", "dev-root-ca.pem"));
  } catch (error) {
    passVerified = false;
    log(`pass NOT verified: ${(error as Error).message}`);
  }
  await stopCarnet();

  // Each round compares the two side by side on the same DynamoDB Local; the median round is the
  // headline, so that one round disturbed by something else on the machine does not decide it.
  const roundRatios = rawRounds.map((r, i) => (purchaseRounds[i]?.opsPerSecond ?? 0) / r.opsPerSecond);
  const purchaseRatio = [...roundRatios].sort((a, b) => a - b)[Math.floor(roundRatios.length / 2)] ?? 0;
  const passSpeedup = plainResult.p50Ms / changedResult.p50Ms;
  const unchangedRatio = unchangedResult.p50Ms / changedResult.p50Ms;
  const rows = [rawResult, purchaseResult, plainResult, changedResult, unchangedResult];
  console.log("");
  console.log(
    `  ${"scenario".padEnd(60)} ${"ops/s".padStart(7)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.scenario.padEnd(60)} ${String(r.opsPerSecond).padStart(7)} ${r.p50Ms.toFixed(1).padStart(8)} ${r.p99Ms.toFixed(1).padStart(8)}`,
    );
  }
  console.log("");
  for (const [i, r] of rawRounds.entries()) {
    log(
      `round ${i + 1}: raw ${r.opsPerSecond}/s, purchases ${purchaseRounds[i]?.opsPerSecond}/s (${((purchaseRounds[i]?.opsPerSecond ?? 0) / r.opsPerSecond).toFixed(2)}×)`,
    );
  }
  log(
    `purchases over HTTP: ${purchaseRatio.toFixed(2)}× the raw 3-item transaction, median round (goal: at least 0.5×); all rounds together ${(purchaseResult.opsPerSecond / rawResult.opsPerSecond).toFixed(2)}×`,
  );
  log(
    `pass right after a change: p50 ${passSpeedup.toFixed(1)}× faster than plain passkit-generator (goal: at least 4×)`,
  );
  log(`unchanged pass: p50 ${unchangedRatio.toFixed(2)}× the changed one (goal: no slower, ≤ 1×)`);
  log(
    `20 identical purchases at once: ${creditedOnce ? "credited once, 20 identical answers" : "NOT credited exactly once"}`,
  );
  log(
    `balances of ${MEMBERS} members: ${balancesExact ? "exact" : "WRONG"}; last pass ${passVerified ? "verified by openssl cms -verify" : "NOT verified"}`,
  );

  writeResults("http", {
    parameters: {
      purchases: PURCHASES,
      concurrency: CONCURRENCY,
      members: MEMBERS,
      passes: PASSES,
      rounds: ROUNDS,
    },
    results: rows,
    rounds: rawRounds.map((r, i) => ({ raw: r, purchases: purchaseRounds[i] })),
    purchaseRatioToRaw: Number(purchaseRatio.toFixed(3)),
    purchaseRatioPerRound: roundRatios.map((r) => Number(r.toFixed(3))),
    passSpeedupP50: Number(passSpeedup.toFixed(2)),
    unchangedToChangedP50: Number(unchangedRatio.toFixed(3)),
    creditedOnce,
    balancesExact,
    passVerified,
  });
  process.exit(creditedOnce && balancesExact && passVerified ? 0 : 1);
};

main().catch(async (error: unknown) => {
  console.error(error);
  await stopCarnet();
  process.exit(1);
});
