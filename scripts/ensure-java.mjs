#!/usr/bin/env node
// Before `npm test`: DynamoDB Local needs Java 17+. When it is missing and this machine can install
// it (root with apt-get), install it; otherwise say in one line what to do. DYNAMODB_ENDPOINT set
// means an already running DynamoDB is used, and Java is not needed.
import { spawnSync } from "node:child_process";

const MIN = 17;
const javaMajor = () => {
  const r = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (r.error) return undefined;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return 0;
  return m[1] === "1" ? Number(m[2]) : Number(m[1]);
};

if (process.env.DYNAMODB_ENDPOINT) process.exit(0);
const found = javaMajor();
if (found !== undefined && found >= MIN) process.exit(0);

const canApt = process.getuid?.() === 0 && spawnSync("apt-get", ["--version"]).status === 0;
if (!canApt) {
  console.error(
    `✖ DynamoDB Local needs Java ${MIN}+ (${found === undefined ? "no 'java' on the PATH" : `found Java ${found}`}). ` +
      `Install it (Debian/Ubuntu: sudo apt-get install openjdk-${MIN}-jre-headless; macOS: brew install openjdk@${MIN}), ` +
      "or set DYNAMODB_ENDPOINT to a running DynamoDB.",
  );
  process.exit(1);
}
console.log(`Java ${MIN}+ is missing: installing openjdk-${MIN}-jre-headless with apt-get…`);
const run = (args) =>
  spawnSync("apt-get", args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
if (
  run(["update", "-q"]).status !== 0 ||
  run(["install", "-y", "-q", `openjdk-${MIN}-jre-headless`]).status !== 0
) {
  console.error(`✖ Could not install Java ${MIN} with apt-get; install it by hand or set DYNAMODB_ENDPOINT.`);
  process.exit(1);
}
const installed = javaMajor();
if (installed === undefined || installed < MIN) {
  console.error(`✖ apt-get ran, but 'java' is still not Java ${MIN}+ on the PATH.`);
  process.exit(1);
}
console.log(`Java ${installed} installed.`);
