import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetProcessPartsForTests } from "../../functions/composition/process.js";
import { ConfigError, parseConfig, resetConfigForTests } from "../../functions/config/env.js";
import { GOOGLE_WALLET_OFF, googleWalletSettings } from "../../functions/config/google-wallet.js";
import { mailSettings, mailTarget } from "../../functions/config/mail.js";

describe("configuration", () => {
  it("names every missing or malformed variable in one message", () => {
    // Act
    const run = () => parseConfig({ DYNAMODB_ENDPOINT: "not a url", CARNET_MAX_BODY_BYTES: "-1" });

    // Assess
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/DYNAMODB_ENDPOINT.*CARNET_MAX_BODY_BYTES|CARNET_MAX_BODY_BYTES.*DYNAMODB_ENDPOINT/);
    expect(run).toThrow(/CARNET_ADMIN_KEY/);
  });

  it("refuses an admin key too short to be safe", () => {
    // Act
    const run = () => parseConfig({ CARNET_ADMIN_KEY: "secret" });

    // Assess
    expect(run).toThrow(/at least 24 characters/);
  });

  it("takes the defaults of design.md when only the admin key is given", () => {
    // Act
    const config = parseConfig({ CARNET_ADMIN_KEY: "x".repeat(24) });

    // Assess
    expect(config).toMatchObject({ CARNET_TABLE_NAME: "carnet", CARNET_MAX_BODY_BYTES: 65536 });
    expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
  });

  it("accepts the admin key from Secrets Manager instead, as in AWS", () => {
    // Act
    const config = parseConfig({
      CARNET_ADMIN_KEY_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:1:secret:carnet",
    });

    // Assess
    expect(config.CARNET_ADMIN_KEY).toBeUndefined();
  });
});

describe("CARNET_CACHE_SECONDS", () => {
  const base = { CARNET_ADMIN_KEY: "x".repeat(24) };

  it("is 30 seconds unless set, and 0 turns the caches off", () => {
    // Act
    const unset = parseConfig(base);
    const off = parseConfig({ ...base, CARNET_CACHE_SECONDS: "0" });

    // Assess
    expect(unset.CARNET_CACHE_SECONDS).toBe(30);
    expect(off.CARNET_CACHE_SECONDS).toBe(0);
  });

  it.each(["-1", "3601", "abc", "1.5"])("refuses %s, saying what it takes", (value) => {
    // Act
    const run = () => parseConfig({ ...base, CARNET_CACHE_SECONDS: value });

    // Assess
    expect(run).toThrow(/CARNET_CACHE_SECONDS .*0 \(off\).*3600/);
  });
});

/**
 * A function's cold start in this process: its handler module loaded afresh, with `env` over the
 * environment the file started with, and the `unset` variables absent unless `env` gives them. The
 * environment and the loaded modules are put back after each test.
 */
const coldStarts = <M>(load: () => Promise<M>, unset: string[], base: Record<string, string> = {}) => {
  const saved = { ...process.env };
  const fresh = () => {
    resetConfigForTests();
    forgetProcessPartsForTests();
    vi.resetModules();
  };
  afterEach(() => {
    process.env = { ...saved };
    fresh();
  });
  return async (env: Record<string, string>): Promise<M> => {
    process.env = { ...saved, ...base, ...env };
    for (const name of unset) if (!(name in env)) delete process.env[name];
    fresh();
    return load();
  };
};

describe("a function's cold start", () => {
  const startWith = coldStarts(
    () => import("../../functions/store-api/handler.js"),
    ["CARNET_ADMIN_KEY", "CARNET_ADMIN_KEY_SECRET_ARN"],
  );

  it("fails before any request when a setting is wrong, naming the variable and what to do", async () => {
    // Act
    const start = startWith({ CARNET_ADMIN_KEY: "x".repeat(24), CARNET_MAX_BODY_BYTES: "lots" });

    // Assess
    await expect(start).rejects.toMatchObject({ name: "ConfigError" });
    await expect(start).rejects.toThrow(/CARNET_MAX_BODY_BYTES must be a number of bytes, e\.g\. 65536/);
  });

  it("fails when the admin key is missing, saying how to make one", async () => {
    // Act
    const start = startWith({});

    // Assess
    await expect(start).rejects.toThrow(/CARNET_ADMIN_KEY is missing: set it .*openssl rand -base64 32/);
  });

  it("starts with a valid configuration, without touching the network", async () => {
    // Act
    const started = await startWith({
      CARNET_ADMIN_KEY: "x".repeat(24),
      DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
    });

    // Assess
    expect(typeof started.handler).toBe("function");
  });
});

describe("Google Wallet settings", () => {
  const base = { CARNET_ADMIN_KEY: "x".repeat(24) };
  const key = (privateKey = "-----BEGIN PRIVATE KEY-----\nMII…\n-----END PRIVATE KEY-----\n") =>
    JSON.stringify({ client_email: "wallet@project.iam.gserviceaccount.com", private_key: privateKey });

  it("is off without an issuer id, saying which variables to set", () => {
    // Act
    const setup = googleWalletSettings(parseConfig(base));

    // Assess
    expect(setup).toEqual({ on: false, reason: GOOGLE_WALLET_OFF });
    expect(GOOGLE_WALLET_OFF).toMatch(/GOOGLE_WALLET_ISSUER_ID.*GOOGLE_WALLET_SA_JSON/);
  });

  it("refuses half a configuration at start, naming what is missing", () => {
    // Act
    const issuerOnly = () => parseConfig({ ...base, GOOGLE_WALLET_ISSUER_ID: "3388000000012345678" });
    const keyOnly = () => parseConfig({ ...base, GOOGLE_WALLET_SA_JSON: key() });
    const notDigits = () =>
      parseConfig({ ...base, GOOGLE_WALLET_ISSUER_ID: "issuer-1", GOOGLE_WALLET_SA_JSON: key() });

    // Assess
    expect(issuerOnly).toThrow(/GOOGLE_WALLET_SA_JSON is missing while GOOGLE_WALLET_ISSUER_ID is set/);
    expect(keyOnly).toThrow(/GOOGLE_WALLET_ISSUER_ID is missing while a Google service account is set/);
    expect(notDigits).toThrow(/GOOGLE_WALLET_ISSUER_ID must be the numeric issuer id/);
  });

  it("reads the service account's key from its JSON text or from the file it names, with Google's defaults", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "carnet-google-config-"));
    const file = join(dir, "service-account.json");
    writeFileSync(file, key());

    // Act
    const fromText = googleWalletSettings(
      parseConfig({ ...base, GOOGLE_WALLET_ISSUER_ID: "3388000000012345678", GOOGLE_WALLET_SA_JSON: key() }),
    );
    const fromFile = googleWalletSettings(
      parseConfig({ ...base, GOOGLE_WALLET_ISSUER_ID: "3388000000012345678", GOOGLE_WALLET_SA_JSON: file }),
    );

    // Assess
    if (!fromText.on || !fromFile.on) throw new Error("Google Wallet should be on");
    expect(fromText.settings).toMatchObject({
      issuerId: "3388000000012345678",
      apiUrl: "https://walletobjects.googleapis.com/walletobjects/v1",
      tokenUrl: "https://oauth2.googleapis.com/token",
    });
    expect((await fromText.settings.serviceAccount()).client_email).toBe(
      "wallet@project.iam.gserviceaccount.com",
    );
    expect((await fromFile.settings.serviceAccount()).client_email).toBe(
      "wallet@project.iam.gserviceaccount.com",
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it("names a key that is not a service account's, or a file that does not exist", async () => {
    // Prepare
    const of = (value: string) =>
      googleWalletSettings(
        parseConfig({
          ...base,
          GOOGLE_WALLET_ISSUER_ID: "3388000000012345678",
          GOOGLE_WALLET_SA_JSON: value,
        }),
      );
    const notAKey = of(JSON.stringify({ client_email: "a@b.c" }));
    const notJson = of("{not json");

    // Act + Assess
    if (!notAKey.on || !notJson.on) throw new Error("Google Wallet should be on");
    await expect(notAKey.settings.serviceAccount()).rejects.toThrow(/needs "client_email" and "private_key"/);
    await expect(notJson.settings.serviceAccount()).rejects.toThrow(/is not JSON/);
    const missing = of("/nowhere/service-account.json");
    if (!missing.on) throw new Error("Google Wallet should be on");
    await expect(missing.settings.serviceAccount()).rejects.toThrow(
      /names '\/nowhere\/service-account.json', which does not exist/,
    );
  });
});

describe("mail settings", () => {
  const base = { CARNET_ADMIN_KEY: "x".repeat(24) };

  it("reads MAIL_FROM as an address, or a name and an address, and sends through SMTP_URL when set, else SES", () => {
    // Act
    const smtp = mailSettings(
      parseConfig({
        ...base,
        MAIL_FROM: '"Carnet, Paris" <cards@example.com>',
        SMTP_URL: "smtp://u:p@127.0.0.1:1025",
      }),
    );
    const ses = mailSettings(
      parseConfig({ ...base, MAIL_FROM: "Cards@Example.COM", AWS_REGION: "eu-central-1" }),
    );

    // Assess
    expect(smtp).toEqual({
      fromAddress: "cards@example.com",
      fromName: "Carnet, Paris",
      messageIdDomain: "example.com",
      transport: { kind: "smtp", url: "smtp://u:p@127.0.0.1:1025" },
    });
    expect(ses).toEqual({
      fromAddress: "Cards@Example.COM",
      messageIdDomain: "example.com",
      transport: { kind: "ses", region: "eu-central-1" },
    });
    expect(mailTarget(smtp)).toBe("smtp://u:***@127.0.0.1:1025");
    expect(mailTarget(ses)).toBe("Amazon SES (eu-central-1)");
  });

  it.each([
    ["MAIL_FROM", "cards"],
    ["MAIL_FROM", "Carnet <cards@localhost>"],
    ["MAIL_FROM", "Carnet <cards@example.com>\r\nBcc: all@example.com"],
    ["SMTP_URL", "http://smtp.example.com"],
    ["SMTP_URL", "smtp.example.com:25"],
  ])("refuses %s=%j at start, saying what it takes", (name, value) => {
    // Act
    const run = () => parseConfig({ ...base, [name]: value });

    // Assess
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      new RegExp(`${name} must be (an address such as cards@example.com|an SMTP URL such as smtp://)`),
    );
  });

  it("is missing MAIL_FROM for the mail function only, saying what to set", () => {
    // Prepare: every other function starts without it
    const config = parseConfig(base);

    // Act
    const run = () => mailSettings(config);

    // Assess
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      /MAIL_FROM is missing: set it to the address emails are sent from, e\.g\. MAIL_FROM=/,
    );
  });
});

describe("the mail function's cold start", () => {
  const startWith = coldStarts(() => import("../../functions/mail/handler.js"), ["MAIL_FROM", "SMTP_URL"], {
    CARNET_ADMIN_KEY: "x".repeat(24),
    DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
  });

  it("fails before any record without MAIL_FROM, naming it", async () => {
    // Act
    const start = startWith({});

    // Assess
    await expect(start).rejects.toMatchObject({ name: "ConfigError" });
    await expect(start).rejects.toThrow(/MAIL_FROM is missing/);
  });

  it("starts with MAIL_FROM and an SMTP server, without touching the network", async () => {
    // Act
    const started = await startWith({ MAIL_FROM: "cards@example.com", SMTP_URL: "smtp://127.0.0.1:9" });

    // Assess
    expect(typeof started.handler).toBe("function");
  });
});
