/**
 * `npm start`: Carnet on a laptop. Starts DynamoDB Local (unless DYNAMODB_ENDPOINT is set), creates
 * the table, and serves the API on PORT with the same handlers Lambda runs. Ctrl-C stops it all.
 */

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError, parseConfig } from "../functions/config/env.js";
import { reachesMail } from "../functions/mail/stream-filter.js";
import { reachesOfferDelivery } from "../functions/offer-delivery/stream-filter.js";
import { reachesPush } from "../functions/push/stream-filter.js";
import { devCertificateEnv, ensureDevCertificates } from "./dev-certs.js";
import { ensureDevGoogleAccount } from "./dev-google.js";
import {
  LocalSetupError,
  localDynamoClient,
  type RunningDynamoDb,
  startDynamoDbLocal,
} from "./dynamodb-local.js";
import { startLocalServer } from "./server.js";
import { type StreamPollerOptions, startStreamPoller } from "./stream-poller.js";
import { ensureTable } from "./table.js";

const started = performance.now();
const fail = (message: string): never => {
  console.error(`\n  ✖ ${message}\n`);
  process.exit(1);
};

const portText = process.env.PORT ?? "3000";
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535)
  fail(`PORT must be a number from 0 to 65535 (got '${portText}').`);
const host = process.env.HOST ?? "127.0.0.1";
const dataDir = process.env.CARNET_DATA_DIR ? resolve(process.env.CARNET_DATA_DIR) : undefined;
const stateDir = dataDir ?? resolve(".carnet");

/** A secret from the environment, or one generated on first start and kept in the state folder. */
const stateSecret = (
  envName: string,
  fileName: string,
  generate: () => string,
): { key: string; source: string } => {
  const given = process.env[envName];
  if (given) return { key: given, source: envName };
  const file = join(stateDir, fileName);
  if (existsSync(file)) return { key: readFileSync(file, "utf8").trim(), source: file };
  mkdirSync(stateDir, { recursive: true });
  const key = generate();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, source: `${file} (generated now)` };
};

/** The admin key: CARNET_ADMIN_KEY, or one generated on first start and kept in the state folder. */
const adminKey = () =>
  stateSecret("CARNET_ADMIN_KEY", "admin-key", () => `dev_${randomBytes(24).toString("base64url")}`);

/** The secret behind card links and pass tokens: kept, so that links and installed passes survive restarts. */
const passSecret = () =>
  stateSecret("CARNET_PASS_SECRET", "pass-secret", () => randomBytes(32).toString("base64url"));

/**
 * Apple pass certificates: the real ones named by APPLE_PASS_CERT / APPLE_PASS_KEY / APPLE_WWDR_CERT,
 * or development ones generated on first start under the state folder.
 */
const appleCertificates = (): { env: Record<string, string>; note: string } => {
  if (process.env.APPLE_PASS_CERT || process.env.APPLE_PASS_KEY || process.env.APPLE_WWDR_CERT) {
    return {
      env: {},
      note: `signed with APPLE_PASS_CERT (${process.env.APPLE_PASS_TYPE_ID ?? "APPLE_PASS_TYPE_ID unset"})`,
    };
  }
  const certs = ensureDevCertificates(
    join(stateDir, "dev-certs"),
    process.env.APPLE_PASS_TYPE_ID || undefined,
    process.env.APPLE_TEAM_ID || undefined,
  );
  return {
    env: devCertificateEnv(certs),
    note: `DEVELOPMENT certificates ${certs.created ? "generated now in" : "from"} ${certs.dir}: passes open in tests and tools, not on an iPhone; set APPLE_PASS_CERT/KEY/WWDR_CERT for real ones`,
  };
};

/**
 * Google Wallet: the real one named by GOOGLE_WALLET_ISSUER_ID / GOOGLE_WALLET_SA_JSON, or a development
 * service account (generated on first start under the state folder) against the local Google Wallet
 * stand-in, so that "Add to Google Wallet" and the live updates work end to end on a laptop.
 * CARNET_GOOGLE_STANDIN=0 runs without Google Wallet.
 */
const googleWallet = async (): Promise<{
  env: Record<string, string>;
  note: string;
  stop?: () => Promise<void>;
}> => {
  if (process.env.GOOGLE_WALLET_ISSUER_ID || process.env.GOOGLE_WALLET_SA_JSON) {
    return {
      env: {},
      note: `issuer ${process.env.GOOGLE_WALLET_ISSUER_ID ?? "(GOOGLE_WALLET_ISSUER_ID unset)"} at ${process.env.GOOGLE_WALLET_API_URL ?? "Google"}`,
    };
  }
  if (process.env.CARNET_GOOGLE_STANDIN === "0") {
    return {
      env: {},
      note: "off (CARNET_GOOGLE_STANDIN=0); set GOOGLE_WALLET_ISSUER_ID and GOOGLE_WALLET_SA_JSON to turn it on",
    };
  }
  const account = ensureDevGoogleAccount(join(stateDir, "dev-google"));
  const { startGoogleWalletStandIn } = await import("./google-wallet-standin.js");
  const standIn = await startGoogleWalletStandIn({
    issuerId: account.issuerId,
    serviceAccounts: [{ client_email: account.clientEmail, publicKeyPem: account.publicKeyPem }],
  });
  return {
    env: {
      GOOGLE_WALLET_ISSUER_ID: account.issuerId,
      GOOGLE_WALLET_SA_JSON: account.file,
      GOOGLE_WALLET_API_URL: standIn.apiUrl,
      GOOGLE_OAUTH_TOKEN_URL: standIn.tokenUrl,
    },
    note: `local stand-in at ${standIn.apiUrl} with a DEVELOPMENT service account ${account.created ? "generated now in" : "from"} ${account.file}: objects are kept here, and save links do not open in Google Wallet; set GOOGLE_WALLET_ISSUER_ID and GOOGLE_WALLET_SA_JSON for the real one`,
    stop: () => standIn.close(),
  };
};

/** Whether `port` can be listened on at 127.0.0.1 right now. */
const portIsFree = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });

/** A port setting of `npm start` (CARNET_MAILDEV_SMTP_PORT, …): a number, or its default. */
const portSetting = (name: string, fallback: number): number => {
  const text = process.env[name] || String(fallback);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) fail(`${name} must be a number from 0 to 65535 (got '${text}').`);
  return port;
};

/**
 * Email: a local mail catcher (MailDev) that receives every email Carnet sends over SMTP and shows it
 * in a web inbox, on CARNET_MAILDEV_SMTP_PORT / CARNET_MAILDEV_WEB_PORT (1025 / 1080, or free ports
 * when those are taken). SMTP_URL sends through a server of your own instead; CARNET_MAILDEV=0 turns
 * the catcher off (then, without SMTP_URL, the mail function uses Amazon SES with your AWS credentials).
 * With CARNET_DATA_DIR the caught emails are kept in it, like the data.
 */
const mailCatcher = async (): Promise<{
  env: Record<string, string>;
  note: string;
  stop?: () => Promise<void>;
}> => {
  const env = { MAIL_FROM: process.env.MAIL_FROM || "Carnet <cards@carnet.localhost>" };
  if (process.env.SMTP_URL) {
    const url = new URL(process.env.SMTP_URL);
    if (url.password) url.password = "***";
    return { env, note: `SMTP at ${url} (SMTP_URL), from ${env.MAIL_FROM}` };
  }
  if (process.env.CARNET_MAILDEV === "0") {
    return {
      env,
      note: `Amazon SES (${process.env.AWS_REGION || "eu-west-1"}) with your AWS credentials (CARNET_MAILDEV=0, no SMTP_URL), from ${env.MAIL_FROM}`,
    };
  }
  const wantedSmtp = portSetting("CARNET_MAILDEV_SMTP_PORT", 1025);
  const wantedWeb = portSetting("CARNET_MAILDEV_WEB_PORT", 1080);
  const smtpPort = wantedSmtp !== 0 && (await portIsFree(wantedSmtp)) ? wantedSmtp : 0;
  const webPort = wantedWeb !== 0 && (await portIsFree(wantedWeb)) ? wantedWeb : 0;
  const kept = dataDir ? join(dataDir, "maildev") : undefined;
  if (kept) mkdirSync(kept, { recursive: true });
  const folder = kept ?? mkdtempSync(join(tmpdir(), "carnet-maildev-"));
  // However `npm start` ends (Ctrl-C, or a failure further on), the caught emails go with it.
  if (!kept) process.once("exit", () => rmSync(folder, { recursive: true, force: true }));
  const { startMailCatcher } = await import("./mail-catcher.js");
  // A port found free a moment ago may have been taken since (another `npm start`): then any free ones.
  const {
    maildev,
    smtpPort: smtp,
    webPort: web,
  } = await startMailCatcher(smtpPort, webPort, folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EADDRINUSE") throw error;
    return startMailCatcher(0, 0, folder);
  });
  const moved = [
    wantedSmtp !== 0 && smtp !== wantedSmtp ? `${wantedSmtp} was taken` : "",
    wantedWeb !== 0 && web !== wantedWeb ? `web ${wantedWeb} was taken` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return {
    env: { ...env, SMTP_URL: `smtp://127.0.0.1:${smtp}` },
    note: `http://127.0.0.1:${web} (web inbox of every email Carnet sends; SMTP on ${smtp}${moved ? `: ${moved}` : ""}${kept ? `; kept in ${kept}` : ""})`,
    stop: () => maildev.stop(),
  };
};

let dynamo: RunningDynamoDb | undefined;
let stopPushes: (() => Promise<void>) | undefined;
let stopGoogle: (() => Promise<void>) | undefined;
let stopMail: (() => Promise<void>) | undefined;
let stopOffers: (() => Promise<void>) | undefined;
let stopMailCatcher: (() => Promise<void>) | undefined;
let stopping = false;

const main = async () => {
  const admin = adminKey();
  const secret = passSecret();
  const apple = appleCertificates();
  const google = await googleWallet();
  stopGoogle = google.stop;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => {
    markReady = r;
  });
  // Listen first: a port in use is reported before anything slow starts.
  const server = await startLocalServer({
    port,
    host,
    ready,
    onRequest: ({ method, path, status, ms }) => {
      const colour = status >= 500 ? 31 : status >= 400 ? 33 : 32;
      console.log(
        `  ${new Date().toISOString().slice(11, 19)} ${method.padEnd(6)} ${path} \x1b[${colour}m${status}\x1b[0m ${ms} ms`,
      );
    },
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE")
      fail(
        `Port ${port} is already in use. Stop what uses it, or run on another port: PORT=${port + 1} npm start`,
      );
    if (error.code === "EACCES")
      fail(`Port ${port} needs privileges this user lacks. Use a port above 1023: PORT=3000 npm start`);
    throw error;
  });
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n  ${signal}: stopping Carnet…`);
    await server.close();
    await stopPushes?.();
    await stopMail?.();
    await stopOffers?.();
    await stopGoogle?.();
    await stopMailCatcher?.();
    await dynamo?.stop();
    console.log("  stopped.");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  const mail = await mailCatcher();
  stopMailCatcher = mail.stop;

  let endpoint = process.env.DYNAMODB_ENDPOINT;
  let dataNote: string;
  if (endpoint) {
    dataNote = "(DYNAMODB_ENDPOINT)";
  } else {
    console.log(`  starting DynamoDB Local${dataDir ? ` with data in ${dataDir}` : " in memory"}…`);
    dynamo = await startDynamoDbLocal({ ...(dataDir ? { dataDir: join(dataDir, "dynamodb") } : {}) });
    endpoint = dynamo.endpoint;
    const pid = dynamo.process.pid;
    dataNote = dataDir
      ? `(DynamoDB Local pid ${pid}, data kept in ${join(dataDir, "dynamodb")})`
      : `(DynamoDB Local pid ${pid}, in memory: data is gone on exit; set CARNET_DATA_DIR to keep it)`;
    dynamo.process.once("exit", (code) => {
      if (!stopping)
        fail(`DynamoDB Local stopped unexpectedly (exit code ${code}); Carnet cannot run without it.`);
    });
  }
  const tableName = process.env.CARNET_TABLE_NAME || "carnet";
  const client = localDynamoClient(endpoint);
  const created = await ensureTable(client, tableName).catch((error: Error) =>
    fail(`Could not reach DynamoDB at ${endpoint} to create the table '${tableName}': ${error.message}`),
  );
  client.destroy();

  const publicUrl =
    process.env.PUBLIC_URL || `http://localhost:${(server.server.address() as { port: number }).port}`;
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: endpoint,
    CARNET_TABLE_NAME: tableName,
    CARNET_ADMIN_KEY: admin.key,
    PUBLIC_URL: publicUrl,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL || "WARN",
    AWS_REGION: process.env.AWS_REGION || "eu-west-1",
    CARNET_PASS_SECRET: secret.key,
    ...apple.env,
    ...google.env,
    ...mail.env,
  });
  // What every function checks at its cold start, checked once here so that a wrong setting stops
  // `npm start` with its name and what to do, instead of failing each request.
  try {
    parseConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`\n  ✖ ${error.message}\n`);
    stopping = true;
    await stopGoogle?.();
    await stopMailCatcher?.();
    await dynamo?.stop();
    process.exit(1);
  }
  markReady();
  startSweep();
  const pushTarget = await startPushes(endpoint, tableName);
  await startMail(endpoint, tableName);
  await startOfferDelivery(endpoint, tableName);

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`
  \x1b[1mCarnet\x1b[0m ready in ${seconds} s

  ➜  API:        ${publicUrl}
  ➜  Health:     ${publicUrl}/health
  ➜  OpenAPI:    ${publicUrl}/openapi.json
  ➜  DynamoDB:   ${endpoint} ${dataNote}
  ➜  Table:      ${tableName} ${created ? "(created)" : "(existing)"}
  ➜  Admin key:  ${admin.key}
                 from ${admin.source}
  ➜  Passes:     ${apple.note}
  ➜  Pushes:     ${pushTarget}
  ➜  Google:     ${google.note}
  ➜  Mail:       ${mail.note}

  Try it:
    curl -s -X POST ${publicUrl}/v1/programs -H "Authorization: Bearer ${admin.key}" \\
      -H "Content-Type: application/json" -d '{"name":"My Rewards","organizationName":"My Shop"}'
    then open ${publicUrl}/join/<programId> to sign up as a customer: the email lands in the inbox above.

  Press Ctrl-C to stop.
`);
};

/**
 * The due-work sweep (points and voucher expiry, tier review), which a schedule runs in AWS: here every
 * CARNET_SWEEP_SECONDS (default 60). Only sweeps that changed something are printed.
 */
const startSweep = () => {
  const secondsText = process.env.CARNET_SWEEP_SECONDS ?? "60";
  const seconds = Number(secondsText);
  if (!Number.isInteger(seconds) || seconds < 1)
    fail(`CARNET_SWEEP_SECONDS must be a whole number of seconds (got '${secondsText}').`);
  let running = false;
  const timer = setInterval(async () => {
    if (running || stopping) return;
    running = true;
    try {
      const { handler: sweep } = await import("../functions/sweep/handler.js");
      const report = await sweep();
      if (report.settled > 0 || report.failed > 0) {
        console.log(
          `  ${new Date().toISOString().slice(11, 19)} sweep: ${report.settled} member(s) settled, ${report.failed} failed, ${report.ms} ms`,
        );
      }
      if (report.offersResumed)
        console.log(
          `  ${new Date().toISOString().slice(11, 19)} sweep: ${report.offersResumed} offer delivery(ies) started or handed over again`,
        );
      if (report.emailsRequeued)
        console.log(
          `  ${new Date().toISOString().slice(11, 19)} sweep: ${report.emailsRequeued} email(s) due for a retry handed to the mail function`,
        );
    } catch (error) {
      console.error(`  sweep failed: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  }, seconds * 1000);
  timer.unref();
};

/**
 * One reader of the table's stream from its end, as one function's event source mapping in AWS: its
 * own client, its filter, its handler. Answers how to stop it.
 */
const pollStream = async (
  endpoint: string,
  tableName: string,
  reader: { name: string } & Pick<StreamPollerOptions, "filter" | "handle">,
): Promise<() => Promise<void>> => {
  const dynamoClient = localDynamoClient(endpoint);
  const poller = await startStreamPoller({
    dynamo: dynamoClient,
    endpoint,
    tableName,
    startAt: "LATEST",
    filter: reader.filter,
    handle: reader.handle,
    onError: (error) => console.error(`  stream poller (${reader.name}): ${error.message}`),
  });
  return async () => {
    await poller.stop();
    dynamoClient.destroy();
  };
};

/**
 * The table's stream, read as Lambda's event source reads it in AWS, into the same push function.
 * Each batch that changed a card prints one line.
 */
const startPushes = async (endpoint: string, tableName: string): Promise<string> => {
  const { handleChanges } = await import("../functions/push/handler.js");
  stopPushes = await pollStream(endpoint, tableName, {
    name: "push",
    // The push function's filter in AWS: members that may have a device (functions/push/stream-filter.ts).
    filter: reachesPush,
    handle: async (records) => {
      const report = await handleChanges(records);
      const time = new Date().toISOString().slice(11, 19);
      if (report.delivered + report.removed + report.failed > 0) {
        console.log(
          `  ${time} push: ${report.members} card(s) changed, ${report.delivered} device(s) notified, ${report.removed} registration(s) removed, ${report.failed} failed${report.retryFrom ? " (will retry)" : ""}`,
        );
      }
      const g = report.google;
      if (g && g.classes + g.patched + g.retired + g.failed > 0) {
        console.log(
          `  ${time} google: ${g.patched} card(s) updated (${g.notified} notifying, ${g.coalesced} silent for the budget), ${g.classes} class(es), ${g.retired} retired, ${g.failed} failed${report.retryFrom ? " (will retry)" : ""}`,
        );
      }
      return report;
    },
  });
  return process.env.APNS_URL
    ? `APNs at ${process.env.APNS_URL}`
    : process.env.APPLE_CERTS_DEVELOPMENT === "1"
      ? "recorded and printed here (development certificates; set APNS_URL to send)"
      : "APNs at https://api.push.apple.com";
};

/**
 * The table's stream read a second time, as the mail function's own event source reads it in AWS (its
 * filter: emails that became pending), into the same mail function. One line per email.
 */
const startMail = async (endpoint: string, tableName: string): Promise<void> => {
  const { handleEmails } = await import("../functions/mail/handler.js");
  stopMail = await pollStream(endpoint, tableName, {
    name: "mail",
    filter: reachesMail,
    handle: async (records) => {
      const report = await handleEmails(records);
      const time = new Date().toISOString().slice(11, 19);
      for (const result of report.results) {
        const to = result.to ?? result.emailId;
        if (result.outcome === "sent") console.log(`  ${time} mail: sent to ${to}`);
        else if (result.outcome === "retry")
          console.log(
            `  \x1b[33m${time} mail: not delivered to ${to}, retry due at ${result.nextAttemptAt.slice(11, 19)} (${result.reason})\x1b[0m`,
          );
        else if (result.outcome === "failed")
          console.log(`  \x1b[31m${time} mail: failed for ${to}, not sent again (${result.reason})\x1b[0m`);
      }
      return report;
    },
  });
};

/**
 * The table's stream read a third time, as the offer worker's own event source reads it in AWS (its
 * filter: offers being sent or withdrawn), into the same function: each batch's write is the next
 * record, so a delivery goes on a page of members at a time. One line per finished delivery.
 */
const startOfferDelivery = async (endpoint: string, tableName: string): Promise<void> => {
  const { handleOfferRecords } = await import("../functions/offer-delivery/handler.js");
  stopOffers = await pollStream(endpoint, tableName, {
    name: "offers",
    filter: reachesOfferDelivery,
    handle: async (records) => {
      const report = await handleOfferRecords(records);
      const time = new Date().toISOString().slice(11, 19);
      for (const batch of report.batches) {
        if (batch.outcome === "ran" && (batch.state === "sent" || batch.state === "withdrawn"))
          console.log(`  ${time} offers: ${batch.offerId} ${batch.state} (${batch.batch} batch(es))`);
      }
      if (report.failed > 0)
        console.log(`  \x1b[33m${time} offers: ${report.failed} batch(es) failed, will retry\x1b[0m`);
      return report;
    },
  });
};

main().catch((error: unknown) => {
  if (error instanceof LocalSetupError) fail(error.message);
  console.error(error);
  void dynamo?.stop().finally(() => process.exit(1));
});
