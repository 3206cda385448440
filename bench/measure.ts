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
