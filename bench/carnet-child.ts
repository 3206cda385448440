/**
 * What the benchmarks that measure Carnet from outside share: `npm start` (local/start.ts) as a child
 * process with its own DynamoDB Local, stopped on success, failure and Ctrl-C, and its API called over
 * HTTP as a till and the admin do.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";

let child: ChildProcess | undefined;
let output = "";

/** Stops `npm start` (Ctrl-C, then SIGKILL after 10 s): it stops its DynamoDB Local itself. */
export const stopCarnet = async (): Promise<void> => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((done) => child?.once("exit", done));
  child.kill("SIGINT");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
};

/** On Ctrl-C: stops `npm start` and runs `more` (e.g. closing a stand-in), then exits with 130. */
export const stopCarnetOnInterrupt = (...more: (() => Promise<void>)[]): void => {
  process.on("SIGINT", () => {
    void Promise.allSettled([stopCarnet(), ...more.map((stop) => stop())]).finally(() => process.exit(130));
  });
};

/**
 * `npm start` as a person runs it, on a free port, with `adminKey` and the variables of `env` on top of
 * this process's; resolves with its API and DynamoDB addresses.
 */
export const startCarnet = async (
  adminKey: string,
  env: Record<string, string> = {},
): Promise<{ api: string; dynamoEndpoint: string; tableName: string }> => {
  const tableName = `carnet-bench-${randomBytes(4).toString("hex")}`;
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server's process.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "local/start.ts"], {
    env: {
      ...process.env,
      PORT: "0",
      CARNET_ADMIN_KEY: adminKey,
      CARNET_TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: "",
      CARNET_DATA_DIR: "",
      PUBLIC_URL: "",
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const deadline = Date.now() + 90_000;
  while (!/ready in/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`npm start did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const api = /API:\s+(\S+)/.exec(output)?.[1];
  const dynamoEndpoint = /DynamoDB:\s+(\S+)/.exec(output)?.[1];
  if (!api || !dynamoEndpoint) throw new Error(`could not read the addresses from npm start:\n${output}`);
  return { api, dynamoEndpoint, tableName };
};

/**
 * Calls Carnet's API at `api` with a bearer key, a JSON body and extra headers; an answer of 300 or
 * more throws. `A` is the type of the answers by default.
 */
export const carnetCaller =
  <A>(api: string) =>
  async <T = A>(method: string, path: string, key: string, body?: unknown, extra = {}): Promise<T> => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...extra,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };

/** The bench's shop, as a new merchant opens it: a program (1 point per euro) and one store. */
export const openBenchShop = async (
  call: ReturnType<typeof carnetCaller<{ programId: string; storeId: string; apiKey: string }>>,
  adminKey: string,
) => {
  const program = await call("POST", "/v1/programs", adminKey, {
    name: "Bench Rewards",
    organizationName: "Bench Café",
  });
  const store = await call("POST", `/v1/programs/${program.programId}/stores`, adminKey, {
    name: "Bastille",
    latitude: 48.853,
    longitude: 2.369,
  });
  return { program, store };
};
