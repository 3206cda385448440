// Before `npm test`: what the tests need besides Node. DynamoDB Local needs Java 17+ (not when
// DYNAMODB_ENDPOINT names a running DynamoDB); passes are verified with `openssl cms -verify`; pages
// are tested in Debian's headless Chromium (or CARNET_CHROMIUM). When something is missing and this
// machine can install it (root with apt-get), it is installed in one apt-get run; otherwise one line
// per missing tool says what to do.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { checkJava, MIN_JAVA } from "../local/java.js";
import { chromiumPath } from "../test/support/browser-path.js";

const fail = (message: string): never => {
  console.error(`✖ ${message}`);
  process.exit(1);
};

interface Missing {
  packageName: string;
  problem: string;
  check: () => string | undefined;
}

const works = (command: string, args: string[]) => spawnSync(command, args, { stdio: "ignore" }).status === 0;

const missing: Missing[] = [];
if (!process.env.DYNAMODB_ENDPOINT) {
  const java = checkJava();
  if (!java.ok) {
    missing.push({
      packageName: `openjdk-${MIN_JAVA}-jre-headless`,
      problem: java.problem,
      check: () => {
        const again = checkJava();
        return again.ok ? undefined : again.problem;
      },
    });
  }
}
if (!works("openssl", ["version"])) {
  missing.push({
    packageName: "openssl",
    problem: "openssl is missing: the tests verify every pass with `openssl cms -verify` (install openssl).",
    check: () => (works("openssl", ["version"]) ? undefined : "openssl still does not run"),
  });
}
if (!existsSync(chromiumPath())) {
  missing.push({
    packageName: "chromium",
    problem: `Chromium is missing at ${chromiumPath()}: the page tests run in headless Chromium (apt-get install chromium, or set CARNET_CHROMIUM to a Chromium binary).`,
    check: () => (existsSync(chromiumPath()) ? undefined : `Chromium is still not at ${chromiumPath()}`),
  });
}
if (missing.length === 0) process.exit(0);

const canApt = process.getuid?.() === 0 && works("apt-get", ["--version"]);
if (!canApt) fail(missing.map((m) => m.problem).join("\n✖ "));

const packages = missing.map((m) => m.packageName);
console.log(`Installing what the tests need with apt-get: ${packages.join(", ")}…`);
const aptGet = (args: string[]) =>
  spawnSync("apt-get", args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
if (
  aptGet(["update", "-q"]).status !== 0 ||
  aptGet(["install", "-y", "-q", "--no-install-recommends", ...packages]).status !== 0
) {
  fail(`Could not install ${packages.join(", ")} with apt-get; install them by hand (see above).`);
}
const still = missing.map((m) => m.check()).filter((p): p is string => p !== undefined);
if (still.length > 0) fail(`apt-get ran, but: ${still.join("; ")}`);
console.log(`Installed: ${packages.join(", ")}.`);
