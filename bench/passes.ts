/**
 * `npm run bench` (second part): signed Apple passes per second and their latency, Carnet's factory
 * next to a plain passkit-generator call on the same model and content in the same run; then pushes
 * per second over HTTP/2 + TLS to the local APNs stand-in. Not a test: numbers never fail it; a pass
 * that OpenSSL does not verify does (exit code 1).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createApnsClient } from "../functions/adapters/apple/apns.js";
import { passFactory, passTemplatesDir } from "../functions/adapters/apple/pass-factory.js";
import { ProgramInput } from "../functions/api/schemas.js";
import { enroll } from "../functions/domain/loyalty/engine.js";
import { type AppleCardContent, appleCardContent } from "../functions/domain/pass/apple-card.js";
import { newProgram } from "../functions/domain/program.js";
import { ensureDevCertificates } from "../local/dev-certs.js";
import { startApnsStandIn } from "../test/support/apns-standin.js";
import { richRules } from "../test/support/loyalty.js";
import { verifyPass } from "../test/support/pkpass.js";
import { log, measureOneAtATime, type Result, writeResults } from "./measure.js";
import { plainPassBuilder } from "./plain-pass.js";

const PASSES = Number(process.env.BENCH_PASSES ?? 300);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 5000);

const main = async () => {
  const certs = ensureDevCertificates(mkdtempSync(join(tmpdir(), "carnet-bench-certs-")));
  const caFile = join(certs.dir, "dev-root-ca.pem");
  const program = newProgram(
    ProgramInput.parse({ name: "Bench", organizationName: "Bench Café", rules: richRules }),
    "prg_0000000000000001",
    new Date(),
  );
  const member = {
    ...enroll(
      { memberId: "mbr_0000000000000001", cardCode: "4539148803436467", referralCode: "ABCDEFGH" },
      program,
      new Date(),
    ),
    points: 1234,
    stamps: { coffee: 2 },
  };
  const stores = Array.from({ length: 10 }, (_, i) => ({
    storeId: `sto_${String(i).padStart(16, "0")}`,
    name: `Store ${i}`,
    latitude: 48.85 + i / 100,
    longitude: 2.35,
  }));
  const content = appleCardContent({
    program,
    member,
    stores,
    holderName: "Camille Martin",
    firstName: "Camille",
    now: new Date(),
  });
  const service = { webServiceUrl: "https://carnet.example/passkit", authenticationToken: "t".repeat(43) };
  const certificates = { signerCert: certs.passCert, signerKey: certs.passKey, wwdr: certs.wwdrCert };

  // The plain call first, as in earlier runs (the factory no longer touches node-forge: order is free).
  const plain = plainPassBuilder(certs, service);

  log(`signing ${PASSES} passes each way (the same model, content and certificates)…`);
  verifyPass(await plain(content), caFile);
  const results: Result[] = [
    await measureOneAtATime("plain passkit-generator (model read, forge signature, do-not-zip)", PASSES, () =>
      plain(content),
    ),
  ];
  const factory = passFactory(
    certificates,
    { passTypeId: certs.passTypeId, teamId: certs.teamId },
    passTemplatesDir(),
  );
  verifyPass(factory.render("storecard", content, service), caFile);
  // Every pass a new balance: the factory keeps the passes it signed last, and this measures signing.
  let balance = 0;
  const changed = (): AppleCardContent => {
    balance += 1;
    const [points, ...rest] = content.primaryFields;
    return {
      ...content,
      primaryFields: [{ ...(points as NonNullable<typeof points>), value: balance }, ...rest],
    };
  };
  results.push(
    await measureOneAtATime("Carnet pass factory (model cached, OpenSSL signature, fflate)", PASSES, () =>
      factory.render("storecard", changed(), service),
    ),
  );
  results.push(
    await measureOneAtATime(
      "Carnet pass factory, the same pass again (kept from the last ones)",
      PASSES,
      () => factory.render("storecard", content, service),
    ),
  );

  log(`pushing to ${PUSHES} devices over HTTP/2 + TLS (client certificate) to the local APNs stand-in…`);
  const standIn = await startApnsStandIn(certs);
  const client = createApnsClient({
    url: standIn.url,
    topic: certs.passTypeId,
    cert: certs.passCert,
    key: certs.passKey,
    chain: certs.wwdrCert,
    ca: certs.caCert,
    concurrency: 64,
  });
  const tokens = Array.from({ length: PUSHES }, (_, i) => i.toString(16).padStart(64, "0"));
  await client.push(tokens.slice(0, 200)); // warm-up: connection, JIT
  standIn.reset();
  const started = performance.now();
  const outcomes = await client.push(tokens);
  const seconds = (performance.now() - started) / 1000;
  const delivered = outcomes.filter((o) => o.outcome === "delivered").length;
  results.push({
    scenario: `APNs pushes, 64 streams in flight, ${standIn.sessions} new connection(s) after warm-up`,
    ops: PUSHES,
    opsPerSecond: Math.round(PUSHES / seconds),
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
  });
  await client.close();
  await standIn.close();

  const [baseline, ours] = results;
  console.log("");
  console.log(
    `  ${"scenario".padEnd(68)} ${"ops/s".padStart(7)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}`,
  );
  for (const r of results) {
    const ms = (v: number) => (Number.isNaN(v) ? "-" : v.toFixed(2)).padStart(8);
    console.log(
      `  ${r.scenario.padEnd(68)} ${String(r.opsPerSecond).padStart(7)} ${ms(r.p50Ms)} ${ms(r.p99Ms)}`,
    );
  }
  const speedup = (ours?.opsPerSecond ?? 0) / (baseline?.opsPerSecond ?? 1);
  console.log("");
  log(`pass throughput: ${speedup.toFixed(1)}× plain passkit-generator (target: at least 2×)`);
  log(`pushes delivered: ${delivered} of ${PUSHES}`);
  log("verified: a pass of each kind passed openssl cms -verify and its manifest hashes (else: exit 1)");

  writeResults("passes", {
    parameters: { passes: PASSES, pushes: PUSHES, pushConcurrency: 64 },
    results,
    speedup: Number(speedup.toFixed(2)),
    pushesDelivered: delivered,
  });
  process.exit(delivered === PUSHES ? 0 : 1);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
