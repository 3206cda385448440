/**
 * `npm run bench`: purchases per second against a real DynamoDB Local started here, for one hot
 * member and for many members, next to the raw cost of one TransactWriteItems of the same size in
 * the same run. Prints a table and writes bench/results/latest.json. Not a test: numbers never fail
 * it; only a wrong balance does (exit code 1).
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { RunningDynamoDb } from "../local/dynamodb-local.js";
import { log, type Result, resultOf, startBenchTable, writeResults } from "./measure.js";

const OPS = Number(process.env.BENCH_OPS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WARMUP = 100;
const MANY = 500;

let dynamo: RunningDynamoDb | undefined;
process.on("SIGINT", () => {
  void dynamo?.stop().finally(() => process.exit(130));
});

/** Runs `op(i)` for i in [0, n) with `concurrency` in flight; latency of each, throughput of all. */
const measure = async (scenario: string, n: number, op: (i: number) => Promise<unknown>): Promise<Result> => {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const t = performance.now();
      await op(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return resultOf(scenario, latencies, (performance.now() - started) / 1000);
};

const main = async () => {
  const started = await startBenchTable();
  dynamo = started.dynamo;
  const { tableName } = started;

  // Imported after the environment is set: the configuration is read once, on first use.
  const { testTable } = await import("../test/support/table.js");
  // The client the direct service sends through (test/support/services.ts): raw requests share it.
  const documentClient = () => testTable().client;
  const { directService, openShopDirect, purchaseOf, storeClaim, repositories } = await import(
    "../test/support/services.js"
  );
  const { members } = repositories();
  const service = directService();
  const { program, caller, enroll } = await openShopDirect(service, { name: "Bench" });

  log(`enrolling 1 hot member and ${MANY} others…`);
  const hot = await enroll();
  const many: string[] = [];
  for (let i = 0; i < MANY; i += 25) {
    many.push(
      ...(await Promise.all(Array.from({ length: Math.min(25, MANY - i) }, enroll))).map((m) => m.memberId),
    );
  }

  let expectedHotPoints = 0;
  const buy = async (memberId: string, amountCents: number) => {
    const body = purchaseOf(memberId, amountCents);
    const result = await service.purchase(caller, body, storeClaim(caller.storeId, body));
    if (memberId === hot.memberId) expectedHotPoints += Math.floor(amountCents / 100);
    return result;
  };
  const amount = (i: number) => 500 + ((i * 7919) % 9500);

  log(`warming up (${WARMUP} purchases)…`);
  for (let i = 0; i < WARMUP; i++) await buy(many[i % MANY] as string, amount(i));

  // What one purchase writes, as raw items of about the same size, on fresh keys, with no reads.
  const sample = await members.get(program.programId, hot.memberId);
  const memberSize = JSON.stringify(sample).length;
  const rawTransaction = (i: number) => {
    const id = `raw${i}_${randomBytes(4).toString("hex")}`;
    const pad = (n: number) => "x".repeat(n);
    const put = (PK: string, SK: string, size: number) => ({
      Put: {
        TableName: tableName,
        Item: { PK, SK, entity: "raw", data: pad(size) },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    });
    // The purchase record holds the claim on the Idempotency-Key (data-model.md 2.3.2): 4 items.
    return new TransactWriteCommand({
      TransactItems: [
        put(`TXN#${id}`, "TXN", 950),
        put(`MEMBER#${id}`, "MEMBER", memberSize),
        put(`MEMBER#${id}`, "LEDGER#0000000001", 350),
        {
          Update: {
            TableName: tableName,
            Key: { PK: `MEMBER#${id}`, SK: "SPEND#2026-11-24" },
            UpdateExpression: "ADD cents :c, purchases :n",
            ExpressionAttributeValues: { ":c": 1000, ":n": 1 },
          },
        },
      ],
    });
  };
  const read = (PK: string, SK: string) =>
    documentClient().send(new GetCommand({ TableName: tableName, Key: { PK, SK }, ConsistentRead: true }));

  log(`measuring: ${OPS} operations per scenario, ${CONCURRENCY} in flight…`);
  const results: Result[] = [];
  results.push(
    await measure("raw TransactWriteItems (4 items, same sizes)", OPS, (i) =>
      documentClient().send(rawTransaction(i)),
    ),
  );
  results.push(
    await measure("raw TransactWriteItems + the GetItem a purchase reads", OPS, async (i) => {
      await read(`MEMBER#${hot.memberId}`, "MEMBER");
      await documentClient().send(rawTransaction(OPS + i));
    }),
  );
  results.push(await measure("purchase, many members", OPS, (i) => buy(many[i % MANY] as string, amount(i))));
  results.push(await measure("purchase, one hot member", OPS, (i) => buy(hot.memberId, amount(i))));

  const raw = results[0]?.opsPerSecond ?? 1;
  console.log("");
  console.log(
    `  ${"scenario".padEnd(58)} ${"ops/s".padStart(7)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}  vs raw`,
  );
  for (const r of results) {
    console.log(
      `  ${r.scenario.padEnd(58)} ${String(r.opsPerSecond).padStart(7)} ${r.p50Ms.toFixed(1).padStart(8)} ${r.p99Ms.toFixed(1).padStart(8)}  ${(r.opsPerSecond / raw).toFixed(2)}×`,
    );
  }

  const stored = await members.get(program.programId, hot.memberId);
  const verified = stored?.points === expectedHotPoints && stored.purchases === OPS;
  console.log("");
  console.log(
    verified
      ? `  verified: the hot member holds exactly ${expectedHotPoints} points from ${OPS} purchases`
      : `  MISMATCH: the hot member holds ${stored?.points} points from ${stored?.purchases} purchases; expected ${expectedHotPoints} from ${OPS}`,
  );

  writeResults("latest", {
    parameters: {
      ops: OPS,
      concurrency: CONCURRENCY,
      warmup: WARMUP,
      members: MANY,
      engine: "DynamoDB Local (in memory)",
    },
    results: results.map((r) => ({
      ...r,
      ratioToRawTransactWriteItems: Number((r.opsPerSecond / raw).toFixed(3)),
    })),
    verified,
  });
  await dynamo.stop();
  process.exit(verified ? 0 : 1);
};

main().catch(async (error: unknown) => {
  console.error(error);
  await dynamo?.stop();
  process.exit(1);
});
