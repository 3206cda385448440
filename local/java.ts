import { spawnSync } from "node:child_process";

export const MIN_JAVA = 17;

export type JavaCheck = { ok: true; version: number } | { ok: false; problem: string };

/** Is a Java runtime recent enough for DynamoDB Local on the PATH? */
export const checkJava = (): JavaCheck => {
  const result = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (result.error) {
    return {
      ok: false,
      problem: `Java ${MIN_JAVA}+ is needed to run DynamoDB Local, and 'java' is not on the PATH. Install it (Debian/Ubuntu: 'sudo apt-get install openjdk-${MIN_JAVA}-jre-headless'; macOS: 'brew install openjdk@${MIN_JAVA}'), or set DYNAMODB_ENDPOINT to a DynamoDB you already run.`,
    };
  }
  const text = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = match ? (match[1] === "1" ? Number(match[2]) : Number(match[1])) : Number.NaN;
  if (!(major >= MIN_JAVA)) {
    return {
      ok: false,
      problem: `DynamoDB Local needs Java ${MIN_JAVA} or newer; 'java -version' says: ${text.split("\n")[0]?.trim() ?? "nothing"}. Install a newer JDK or set DYNAMODB_ENDPOINT.`,
    };
  }
  return { ok: true, version: major };
};
