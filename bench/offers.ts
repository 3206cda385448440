/**
 * `npm run bench:offers`: how fast an offer reaches a program's members, against a real DynamoDB Local
 * started here. Writes BENCH_OFFER_MEMBERS members (default 10,000) straight to the table, then times,
 * over the offer use cases (app/offers.ts) as the offer worker runs them:
 *
 * - the audience count an offer's creation makes first (one pass over the members, nothing written);
 * - the fan-out of an "all" offer that only goes on the card (one member write each);
 * - the fan-out of an "all" offer crediting bonus points (the member and a ledger entry each);
 *
 * each fan-out as a loop of `runBatch` calls, one per page of 100 members, as the stream would hand
 * them over one after the other (no stream here: its polling would be timed too); next to the floor,
 * raw TransactWriteItems of one member-sized item, MEMBERS_IN_PARALLEL in flight, as a batch writes.
 * Prints members per second ("vs raw"), milliseconds per batch and DynamoDB requests per member, and
 * writes bench/results/offers.json. DynamoDB Local serialises transactions: read the ratio and the
 * requests, not the absolute rate.
 * Not a test: numbers never fail it; only a member reached twice or not at all does (exit code 1).
 */
import { performance } from "node:perf_hooks";
import { TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { OfferService } from "../functions/app/offers.js";
import type { OfferSettings } from "../functions/domain/offers/assign.js";
import type { RunningDynamoDb } from "../local/dynamodb-local.js";
import { log, type Result, resultOf, startBenchTable, writeResults } from "./measure.js";

const MEMBERS = Number(process.env.BENCH_OFFER_MEMBERS ?? 10_000);
/** Raw transactions timed for the floor. */
const RAW_OPS = 2_000;

let dynamo: RunningDynamoDb | undefined;
process.on("SIGINT", () => {
  void dynamo?.stop().finally(() => process.exit(130));
});

interface FanOut {
  scenario: string;
  members: number;
  seconds: number;
  membersPerSecond: number;
  batches: number;
  batchP50Ms: number;
  batchP99Ms: number;
  requestsPerMember: number;
  requests: Record<string, number>;
  verified: boolean;
}

const main = async () => {
  const started = await startBenchTable();
  dynamo = started.dynamo;

  // Imported after the environment is set: the configuration is read once, on first use.
  const { testTable } = await import("../test/support/table.js");
  const { seedMembers } = await import("../test/support/offers.js");
  const { anEnrollment, aProgram } = await import("../test/contract/fixtures.js");
  const { dynamoRepositories } = await import("../functions/adapters/dynamodb/repositories.js");
  const { MEMBERS_IN_PARALLEL, offerService } = await import("../functions/app/offers.js");
  const { eachInParallel } = await import("../functions/shared/parallel.js");
  const { hashKey } = await import("../functions/shared/api-keys.js");
  const table = testTable();
  const repositories = dynamoRepositories(table);

  // Every request the bench's client sends, by command (one per request, whatever the SDK's retries).
  const sent = new Map<string, number>();
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName).replace(/Command$/, "");
      sent.set(command, (sent.get(command) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "countOfferBenchRequests" },
  );
  const counted = async <T>(run: () => Promise<T>) => {
    sent.clear();
    const result = await run();
    return { result, requests: Object.fromEntries([...sent].sort()) };
  };

  const program = aProgram();
  await repositories.programs.create(program, hashKey("bench"));
  log(`writing ${MEMBERS} members (member and profile items, BatchWriteItem)…`);
  const seededAt = performance.now();
  const enrollments = Array.from({ length: MEMBERS }, (_, i) =>
    anEnrollment(program.programId, { enrolledAt: new Date(Date.UTC(2030, 0, 1) + i).toISOString() }),
  );
  await seedMembers(table, enrollments, 16);
  log(`  ${MEMBERS} members in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`);
  const service: OfferService = offerService(repositories);

  log("counting an audience (one pass over the members)…");
  const audienceAt = performance.now();
  const audience = await counted(() => service.audience(program.programId, { kind: "all" }));
  const audienceSeconds = (performance.now() - audienceAt) / 1000;

  /** Creates the offer, then runs its batches one after the other until it is sent. */
  const fanOut = async (scenario: string, settings: OfferSettings): Promise<FanOut> => {
    log(`fan-out: ${scenario}…`);
    const offer = await service.create(program.programId, settings);
    const latencies: number[] = [];
    const started = performance.now();
    const { requests } = await counted(async () => {
      for (let version = offer.version; ; version++) {
        const t = performance.now();
        const report = await service.runBatch(program.programId, offer.offerId, version);
        latencies.push(performance.now() - t);
        if (report.outcome !== "ran") throw new Error(`batch ${version}: ${report.outcome}`);
        if (report.state === "sent") return;
      }
    });
    const seconds = (performance.now() - started) / 1000;
    const batch: Result = resultOf(scenario, latencies, seconds);
    const sentOffer = await repositories.offers.get(program.programId, offer.offerId);
    // Every member once: the counters, and the cards of a sample of members read back.
    const sample = enrollments.filter((_, i) => i % Math.max(1, Math.floor(MEMBERS / 200)) === 0);
    const held = await Promise.all(
      sample.map(
        async ({ member }) =>
          ((await repositories.members.load(member.memberId))?.offers ?? []).filter(
            (o) => o.offerId === offer.offerId,
          ).length,
      ),
    );
    const verified =
      sentOffer?.delivery.matched === MEMBERS &&
      sentOffer.delivery.updated === MEMBERS &&
      held.every((n) => n === 1);
    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    return {
      scenario,
      members: MEMBERS,
      seconds: Number(seconds.toFixed(2)),
      membersPerSecond: Math.round(MEMBERS / seconds),
      batches: latencies.length,
      batchP50Ms: batch.p50Ms,
      batchP99Ms: batch.p99Ms,
      requestsPerMember: Number((total / MEMBERS).toFixed(3)),
      requests,
      verified,
    };
  };

  log(
    `the floor: ${RAW_OPS} raw TransactWriteItems of one member-sized item, ${MEMBERS_IN_PARALLEL} in flight…`,
  );
  const memberSize = JSON.stringify(
    await repositories.members.load(enrollments[0]?.member.memberId ?? ""),
  ).length;
  const rawAt = performance.now();
  await eachInParallel(
    Array.from({ length: RAW_OPS }, (_, i) => i),
    MEMBERS_IN_PARALLEL,
    async (i) => {
      await table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table.name,
                Item: { PK: `raw${i}`, SK: "MEMBER", entity: "raw", data: "x".repeat(memberSize + 400) },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
          ],
        }),
      );
    },
  );
  const rawPerSecond = Math.round(RAW_OPS / ((performance.now() - rawAt) / 1000));

  const base = { title: "Spring week", description: "Something nice for every member." };
  const results = [
    await fanOut("offer on the card only", { ...base, target: { kind: "all" } }),
    await fanOut("offer with 20 bonus points (ledger entry)", {
      ...base,
      title: "Spring bonus",
      target: { kind: "all" },
      bonusPoints: 20,
    }),
  ];

  const audienceTotal = Object.values(audience.requests).reduce((a, b) => a + b, 0);
  console.log("");
  console.log(
    `  audience of ${audience.result.scanned} members: ${audience.result.matched} matched in ${audienceSeconds.toFixed(2)} s (${Math.round(MEMBERS / audienceSeconds)} members/s, ${(audienceTotal / MEMBERS).toFixed(3)} requests per member)`,
  );
  console.log("");
  console.log(
    `  ${"fan-out".padEnd(44)} ${"members/s".padStart(10)} ${"vs raw".padStart(7)} ${"batch p50".padStart(10)} ${"p99 ms".padStart(8)} ${"req/member".padStart(11)}`,
  );
  console.log(
    `  ${"raw TransactWriteItems, 1 item (the floor)".padEnd(44)} ${String(rawPerSecond).padStart(10)} ${"1.00×".padStart(7)}`,
  );
  for (const r of results) {
    console.log(
      `  ${r.scenario.padEnd(44)} ${String(r.membersPerSecond).padStart(10)} ${`${(r.membersPerSecond / rawPerSecond).toFixed(2)}×`.padStart(7)} ${r.batchP50Ms.toFixed(1).padStart(10)} ${r.batchP99Ms.toFixed(1).padStart(8)} ${r.requestsPerMember.toFixed(3).padStart(11)}`,
    );
    console.log(
      `    ${r.batches} batches in ${r.seconds} s; ${Object.entries(r.requests)
        .map(([command, n]) => `${command} ${n}`)
        .join(", ")}`,
    );
  }
  const verified = results.every((r) => r.verified) && audience.result.matched === MEMBERS;
  console.log("");
  console.log(
    verified
      ? `  verified: every member reached exactly once by each offer (counters, and a sample of cards read back)`
      : `  MISMATCH: ${results
          .filter((r) => !r.verified)
          .map((r) => r.scenario)
          .join("; ")} did not reach every member exactly once`,
  );

  writeResults("offers", {
    parameters: { members: MEMBERS, batchSize: 100, engine: "DynamoDB Local (in memory)" },
    audience: {
      members: MEMBERS,
      seconds: Number(audienceSeconds.toFixed(2)),
      membersPerSecond: Math.round(MEMBERS / audienceSeconds),
      requests: audience.requests,
    },
    rawTransactionsPerSecond: rawPerSecond,
    results: results.map((r) => ({
      ...r,
      ratioToRawTransactWriteItems: Number((r.membersPerSecond / rawPerSecond).toFixed(3)),
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
