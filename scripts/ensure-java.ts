// Before `npm test`: DynamoDB Local needs Java 17+. When it is missing and this machine can install
// it (root with apt-get), install it; otherwise say in one line what to do. DYNAMODB_ENDPOINT set
// means an already running DynamoDB is used, and Java is not needed.
import { spawnSync } from "node:child_process";
import { checkJava, MIN_JAVA } from "../local/java.js";

const fail = (message: string): never => {
  console.error(`✖ ${message}`);
  process.exit(1);
};

if (process.env.DYNAMODB_ENDPOINT) process.exit(0);
const found = checkJava();
if (found.ok) process.exit(0);

const canApt = process.getuid?.() === 0 && spawnSync("apt-get", ["--version"]).status === 0;
if (!canApt) fail(found.problem);

const packageName = `openjdk-${MIN_JAVA}-jre-headless`;
console.log(`Java ${MIN_JAVA}+ is missing: installing ${packageName} with apt-get…`);
const aptGet = (args: string[]) =>
  spawnSync("apt-get", args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
if (aptGet(["update", "-q"]).status !== 0 || aptGet(["install", "-y", "-q", packageName]).status !== 0) {
  fail(`Could not install Java ${MIN_JAVA} with apt-get; install it by hand or set DYNAMODB_ENDPOINT.`);
}
const installed = checkJava();
if (!installed.ok) fail(`apt-get ran, but: ${installed.problem}`);
else console.log(`Java ${installed.version} installed.`);
