import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../local/dynamodb-local.js";

/**
 * `npm start` as a person runs it: the real entry point in a child process, watched through its
 * output and over HTTP, stopped with Ctrl-C (SIGINT).
 */
interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Emits "change" on every chunk of output and at exit. */
  changes: EventEmitter;
}

const start = (env: Record<string, string>): Started => {
  const child = spawn(process.execPath, ["--import", "tsx", "local/start.ts"], {
    env: { ...process.env, CARNET_ADMIN_KEY: "", CARNET_TABLE_NAME: "", DYNAMODB_ENDPOINT: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const changes = new EventEmitter();
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString();
    changes.emit("change");
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString();
    changes.emit("change");
  });
  const exited = new Promise<number | null>((done) =>
    child.once("exit", (code) => {
      changes.emit("change");
      done(code);
    }),
  );
  return { child, output: () => output, exited, changes };
};

/** Resolves once `what()` holds, checked at each change of the process; fails after `ms`. */
const waitFor = (started: Started, what: () => boolean, ms: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const check = () => {
      if (!what()) return;
      settle();
      resolve();
    };
    const timer = setTimeout(() => {
      settle();
      reject(new Error(`timed out after ${ms} ms; the output so far:\n${started.output()}`));
    }, ms);
    const settle = () => {
      clearTimeout(timer);
      started.changes.off("change", check);
    };
    started.changes.on("change", check);
    check();
  });

const running: Started[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const r of running) r.child.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const launch = async (env: Record<string, string>) => {
  const started = start(env);
  running.push(started);
  await waitFor(started, () => /ready in/.test(started.output()) || started.child.exitCode !== null, 60_000);
  const adminKey = /Admin key:\s+(\S+)/.exec(started.output())?.[1];
  return { ...started, adminKey };
};

const stop = async (started: Started) => {
  started.child.kill("SIGINT");
  return started.exited;
};

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("npm start", () => {
  it("serves the API on DynamoDB Local, keeps data in CARNET_DATA_DIR across restarts, and stops cleanly", async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), "carnet-start-"));
    dirs.push(dataDir);
    const port = await freePort();
    const env = { PORT: String(port), CARNET_DATA_DIR: dataDir };
    const first = await launch(env);
    const base = `http://localhost:${port}`;

    // Act
    const health = await fetch(`${base}/health`);
    const created = await fetch(`${base}/v1/programs`, {
      method: "POST",
      headers: { authorization: `Bearer ${first.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Survives restarts", organizationName: "Shop" }),
    }).then((r) => r.json() as Promise<{ programId: string }>);
    const javaPid = Number(/pid (\d+)/.exec(first.output())?.[1] ?? Number.NaN);
    const firstExit = await stop(first);
    const second = await launch(env);
    const read = await fetch(`${base}/v1/programs/${created.programId}`, {
      headers: { authorization: `Bearer ${second.adminKey}` },
    });
    const secondExit = await stop(second);

    // Assess
    expect(first.output()).toContain(`http://localhost:${port}/openapi.json`);
    expect(health.status).toBe(200);
    expect(first.adminKey).toMatch(/^dev_/);
    expect(second.adminKey).toBe(first.adminKey);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { name: string }).name).toBe("Survives restarts");
    expect(firstExit).toBe(0);
    expect(secondExit).toBe(0);
    expect(first.output()).toContain("stopped.");
    expect(Number.isNaN(javaPid)).toBe(false);
    expect(isAlive(javaPid)).toBe(false);
  }, 120_000);

  it("explains in one line that the port is taken, without a stack trace", async () => {
    // Prepare
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", () => r()));

    // Act
    const started = start({ PORT: String(port) });
    running.push(started);
    const code = await started.exited;
    blocker.close();

    // Assess
    expect(code).toBe(1);
    expect(started.output()).toContain(`Port ${port} is already in use`);
    expect(started.output()).not.toMatch(/\n\s+at /);
    expect(started.output()).not.toContain("DynamoDB Local");
  }, 30_000);

  it("explains in one line what to do when Java is missing", async () => {
    // Prepare
    const port = await freePort();

    // Act
    const started = start({ PORT: String(port), PATH: "/nonexistent" });
    running.push(started);
    const code = await started.exited;

    // Assess
    expect(code).toBe(1);
    expect(started.output()).toMatch(
      /Java 17\+ is needed.*apt-get install openjdk-17-jre-headless.*DYNAMODB_ENDPOINT/,
    );
    expect(started.output()).not.toMatch(/\n\s+at /);
  }, 30_000);

  it("runs Google Wallet against its local stand-in: the save link redirects and purchases update the object", async () => {
    // Prepare
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), "carnet-start-google-"));
    dirs.push(dataDir);
    const started = await launch({
      PORT: String(port),
      CARNET_DATA_DIR: dataDir,
      DYNAMODB_ENDPOINT: inject("dynamoEndpoint"),
      CARNET_TABLE_NAME: "carnet-start-google",
      CARNET_ADMIN_KEY: "an-admin-key-from-the-environment",
      // As in a developer's shell, not the tests' (which silence both)
      POWERTOOLS_LOG_LEVEL: "",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "",
    });
    const base = `http://localhost:${port}`;
    const admin = {
      authorization: "Bearer an-admin-key-from-the-environment",
      "content-type": "application/json",
    };
    const post = (path: string, body: unknown, headers: Record<string, string> = admin) =>
      fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<Record<string, any>>,
      );

    // Act
    const program = await post("/v1/programs", { name: "Google", organizationName: "Shop" });
    const store = await post(`/v1/programs/${program.programId}/stores`, {
      name: "Main",
      latitude: 48.85,
      longitude: 2.35,
    });
    const member = await post(`/v1/programs/${program.programId}/members`, { email: "g@example.com" });
    const page = await fetch(member.cardUrl).then((r) => r.text());
    const save = await fetch(`${member.cardUrl}/google`, { redirect: "manual" });
    await post(
      `/v1/stores/${store.storeId}/purchases`,
      { member: member.cardCode, amountCents: 1200, currency: "EUR" },
      {
        authorization: `Bearer ${store.apiKey}`,
        "content-type": "application/json",
        "idempotency-key": "k1",
      },
    );
    await waitFor(started, () => /google: 1 card\(s\) updated/.test(started.output()), 20_000);
    await waitFor(started, () => /mail: sent to g@example\.com/.test(started.output()), 20_000);
    const code = await stop(started);

    // Assess
    expect(started.output()).toMatch(
      /Google: {5}local stand-in at http:\/\/127\.0\.0\.1:\d+\/walletobjects\/v1/,
    );
    expect(page).toContain('id="add-to-google-wallet"');
    expect(save.status).toBe(302);
    expect(save.headers.get("location")).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\/ey/);
    expect(existsSync(join(dataDir, "dev-google", "dev-service-account.json"))).toBe(true);
    // One readable line per thing that happened: no JSON log lines below WARN, no SDK notice
    expect(started.output()).not.toMatch(/"level":"(INFO|DEBUG)"/);
    expect(started.output()).not.toContain("NodeVersionSupportWarning");
    expect(code).toBe(0);
  }, 60_000);

  it("uses the DynamoDB named by DYNAMODB_ENDPOINT instead of starting one", async () => {
    // Prepare
    const port = await freePort();
    const endpoint = inject("dynamoEndpoint");

    // Act
    const started = await launch({
      PORT: String(port),
      DYNAMODB_ENDPOINT: endpoint,
      CARNET_TABLE_NAME: "carnet-start-endpoint",
      CARNET_ADMIN_KEY: "an-admin-key-from-the-environment",
    });
    const health = await fetch(`http://localhost:${port}/health`);
    const code = await stop(started);

    // Assess
    expect(health.status).toBe(200);
    expect(started.output()).toContain(`DynamoDB:   ${endpoint} (DYNAMODB_ENDPOINT)`);
    expect(started.output()).not.toContain("starting DynamoDB Local");
    expect(started.adminKey).toBe("an-admin-key-from-the-environment");
    expect(code).toBe(0);
  }, 60_000);
});
