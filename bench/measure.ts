import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { localDynamoClient, type RunningDynamoDb, startDynamoDbLocal } from "../local/dynamodb-local.js";
import { ensureTable } from "../local/table.js";

/** What the benchmarks share: a result row, latency percentiles, indented output. */

export const log = (message: string) => console.log(`  ${message}`);

export interface Result {
  scenario: string;
  ops: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** A result from each operation's latency (ms) and the whole run's duration. */
export const resultOf = (scenario: string, latencies: number[], seconds: number, digits = 1): Result => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    scenario,
    ops: latencies.length,
    opsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: Number(percentile(sorted, 50).toFixed(digits)),
    p99Ms: Number(percentile(sorted, 99).toFixed(digits)),
  };
};

/** Work done one call at a time, as one Lambda container does it: `warmup` calls, then `n` timed. */
export const measureOneAtATime = async (
  scenario: string,
  n: number,
  op: () => unknown,
  { warmup = 20, digits = 2 }: { warmup?: number; digits?: number } = {},
): Promise<Result> => {
  for (let i = 0; i < warmup; i++) await op();
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op();
    latencies.push(performance.now() - t);
  }
  return resultOf(scenario, latencies, (performance.now() - started) / 1000, digits);
};

/**
 * Writes bench/results/<name>.json (git-ignored): what was measured, with the date, the Node version
 * and the machine it ran on, so that two runs can be told apart.
 */
export const writeResults = (name: string, report: Record<string, unknown>): void => {
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const machine = { cpu: cpus()[0]?.model, cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30) };
  const json = { date: new Date().toISOString(), node: process.version, machine, ...report };
  writeFileSync(new URL(`./results/${name}.json`, import.meta.url), `${JSON.stringify(json, null, 2)}\n`);
  log(`written: bench/results/${name}.json`);
};

/**
 * A fresh in-memory DynamoDB Local with one Carnet table for an in-process benchmark, named in the
 * environment the configuration reads (so import Carnet's modules after this): `started.dynamo` is
 * for the caller to stop.
 */
export const startBenchTable = async (): Promise<{ dynamo: RunningDynamoDb; tableName: string }> => {
  log("starting DynamoDB Local (in memory)…");
  const dynamo = await startDynamoDbLocal();
  const tableName = `carnet-bench-${randomBytes(4).toString("hex")}`;
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    CARNET_TABLE_NAME: tableName,
    CARNET_ADMIN_KEY: "bench-admin-key-0123456789abcdef",
    AWS_REGION: "eu-west-1",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
  const client = localDynamoClient(dynamo.endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  return { dynamo, tableName };
};
