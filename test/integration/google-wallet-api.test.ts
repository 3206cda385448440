import { sign } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type GoogleWalletApi,
  type GoogleWalletApiSettings,
  GoogleWalletError,
  googleWalletApi,
  type LoyaltyClass,
  type LoyaltyObject,
  MERCHANT_LOCATIONS_WARNING,
} from "../../functions/adapters/google/wallet-api.js";
import {
  type GoogleWalletStandIn,
  type StandInRequest,
  startGoogleWalletStandIn,
  WALLET_SCOPE,
} from "../../local/google-wallet-standin.js";
import { testServiceAccount } from "../support/google-service-account.js";

const ISSUER = "3388000000012345678";
const CLASS_ID = `${ISSUER}.prg_lune-rewards`;
const account = testServiceAccount();

const loyaltyClass = (overrides: LoyaltyClass = {}): LoyaltyClass => ({
  id: CLASS_ID,
  issuerName: "Café Lune",
  programName: "Lune Rewards",
  programLogo: { sourceUri: { uri: "https://loyalty.example.com/logo.png" } },
  reviewStatus: "UNDER_REVIEW",
  hexBackgroundColor: "#1a2b3c",
  ...overrides,
});

const loyaltyObject = (suffix: string, overrides: LoyaltyObject = {}): LoyaltyObject => ({
  id: `${ISSUER}.mbr_${suffix}`,
  classId: CLASS_ID,
  state: "ACTIVE",
  accountId: "4242 0000 1111",
  accountName: "Ada Lovelace",
  barcode: { type: "QR_CODE", value: `carnet:${suffix}`, alternateText: "4242 0000 1111" },
  loyaltyPoints: { label: "Points", balance: { int: 120 } },
  ...overrides,
});

let standIn: GoogleWalletStandIn;
let logged: { level: "info" | "warn" | "error"; message: string; data?: Record<string, unknown> }[];

const logger: GoogleWalletApiSettings["log"] = {
  info: (message, data) => logged.push({ level: "info", message, ...(data ? { data } : {}) }),
  warn: (message, data) => logged.push({ level: "warn", message, ...(data ? { data } : {}) }),
  error: (message, data) => logged.push({ level: "error", message, ...(data ? { data } : {}) }),
};

/** A client of the stand-in, tiny back-off. */
const client = (overrides: Partial<GoogleWalletApiSettings> = {}): GoogleWalletApi =>
  googleWalletApi({
    serviceAccount: account.serviceAccount,
    apiUrl: standIn.apiUrl,
    tokenUrl: standIn.tokenUrl,
    log: logger,
    retry: { baseMs: 1, capMs: 5 },
    timeoutMs: 2_000,
    ...overrides,
  });

/** The REST requests seen (the token endpoint left out), as "METHOD path status". */
const restCalls = () =>
  standIn.requests.filter((r) => r.path !== "/token").map((r) => `${r.method} ${r.path} ${r.status}`);
const tokenRequests = () => standIn.requests.filter((r) => r.path === "/token");
const objectPath = (suffix: string) => `/loyaltyObject/${ISSUER}.mbr_${suffix}`;

/** Creates the class (with its own client, so the requests of the test start after it). */
const withClass = async () => {
  await client().upsertClass(loyaltyClass());
  standIn.requests.length = 0;
};

const failure = async (promise: Promise<unknown>): Promise<GoogleWalletError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GoogleWalletError);
  return error as GoogleWalletError;
};

beforeEach(async () => {
  logged = [];
  standIn = await startGoogleWalletStandIn({ issuerId: ISSUER, serviceAccounts: [account.standIn] });
});

afterEach(async () => {
  await standIn.close();
});

describe("Google Wallet API client: authentication", () => {
  it("gets its access token from the configured token URL, with an assertion the stand-in verifies, once for many calls", async () => {
    // Prepare
    const api = client();

    // Act
    await api.upsertClass(loyaltyClass());
    await Promise.all(
      ["a", "b", "c"].map((s) =>
        api.saveObject(loyaltyObject(s), loyaltyClass(), { mode: "insert-first", notify: false }),
      ),
    );

    // Assess
    expect(tokenRequests()).toHaveLength(1);
    const [token] = tokenRequests();
    expect(token).toMatchObject({
      method: "POST",
      status: 200,
      body: {
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        claims: { iss: account.serviceAccount.client_email, scope: WALLET_SCOPE },
      },
    });
    expect(standIn.objects.size).toBe(3);
    const tokenLogs = logged.filter((l) => l.message.includes("access token obtained"));
    expect(tokenLogs).toHaveLength(1);
    expect(JSON.stringify(logged)).not.toContain("PRIVATE KEY");
    expect(JSON.stringify(logged)).not.toContain("ya29.");
  });

  it("fails with a clear error, not worth retrying, when the service account's key is not the one Google knows", async () => {
    // Prepare
    const stranger = testServiceAccount();
    const api = client({
      serviceAccount: { ...account.serviceAccount, private_key: stranger.serviceAccount.private_key },
    });

    // Act
    const error = await failure(api.upsertClass(loyaltyClass()));

    // Assess
    expect(error).toMatchObject({ status: 400, retryable: false });
    expect(error.message).toContain(standIn.tokenUrl);
    expect(error.message).toContain("invalid_grant: Invalid JWT Signature.");
    expect(tokenRequests()).toHaveLength(1);
    expect(restCalls()).toEqual([]);
  });

  it("does not retry a private key it cannot sign with", async () => {
    // Prepare
    const api = client({ serviceAccount: { ...account.serviceAccount, private_key: "not a PEM key" } });

    // Act
    const error = await failure(api.upsertClass(loyaltyClass()));

    // Assess
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toContain("could not sign its token request");
    expect(standIn.requests).toEqual([]);
  });

  it("after a 401 fetches a new token once and sends the request again", async () => {
    // Prepare
    await withClass();
    const api = client();
    await api.saveObject(loyaltyObject("a"), loyaltyClass(), { mode: "insert-first", notify: false });
    standIn.expireTokens();

    // Act
    const outcome = await api.saveObject(loyaltyObject("a", { accountName: "Ada King" }), loyaltyClass(), {
      mode: "patch-first",
      notify: false,
    });

    // Assess
    expect(outcome).toBe("patched");
    expect(standIn.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /token 200",
      "POST /loyaltyObject 200",
      `PATCH ${objectPath("a")} 401`,
      "POST /token 200",
      `PATCH ${objectPath("a")} 200`,
    ]);
    expect(standIn.objects.get(`${ISSUER}.mbr_a`)?.accountName).toBe("Ada King");
  });

  it("does not refresh twice: a second 401 is an error", async () => {
    // Prepare
    await withClass();
    standIn.fail({ status: 401, count: 2, reason: "authError", message: "Invalid Credentials" });

    // Act
    const error = await failure(client().patchObject(`${ISSUER}.mbr_a`, { state: "EXPIRED" }));

    // Assess
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(error.message).toContain("Invalid Credentials");
    expect(restCalls()).toHaveLength(2);
    expect(tokenRequests()).toHaveLength(2);
  });
});

describe("Google Wallet API client: classes and objects", () => {
  it("upsertClass inserts the class, then updates it with the same body", async () => {
    // Prepare
    const api = client();

    // Act
    const first = await api.upsertClass(loyaltyClass());
    const second = await api.upsertClass(loyaltyClass({ programName: "Lune Rewards+" }));

    // Assess
    expect([first, second]).toEqual(["inserted", "updated"]);
    expect(restCalls()).toEqual([
      "POST /loyaltyClass 200",
      "POST /loyaltyClass 409",
      `PATCH /loyaltyClass/${CLASS_ID} 200`,
    ]);
    expect(standIn.classes.get(CLASS_ID)?.programName).toBe("Lune Rewards+");
  });

  it("insert-first inserts the object, and patches it with the new content when it already exists", async () => {
    // Prepare
    await withClass();
    const api = client();

    // Act
    const first = await api.saveObject(loyaltyObject("a"), loyaltyClass(), {
      mode: "insert-first",
      notify: false,
    });
    const second = await api.saveObject(
      loyaltyObject("a", { loyaltyPoints: { label: "Points", balance: { int: 180 } } }),
      loyaltyClass(),
      { mode: "insert-first", notify: false },
    );

    // Assess
    expect([first, second]).toEqual(["inserted", "patched"]);
    expect(restCalls()).toEqual([
      "POST /loyaltyObject 200",
      "POST /loyaltyObject 409",
      `PATCH ${objectPath("a")} 200`,
    ]);
    expect(standIn.objects.get(`${ISSUER}.mbr_a`)?.loyaltyPoints).toEqual({
      label: "Points",
      balance: { int: 180 },
    });
  });

  it("patch-first inserts an object that does not exist yet", async () => {
    // Prepare
    await withClass();

    // Act
    const outcome = await client().saveObject(loyaltyObject("a"), loyaltyClass(), {
      mode: "patch-first",
      notify: true,
    });

    // Assess
    expect(outcome).toBe("inserted");
    expect(restCalls()).toEqual([`PATCH ${objectPath("a")} 404`, "POST /loyaltyObject 200"]);
    expect(standIn.objects.get(`${ISSUER}.mbr_a`)).toEqual(loyaltyObject("a"));
    expect(standIn.notifications(`${ISSUER}.mbr_a`)).toEqual([]);
  });

  it("creates the missing class, then inserts the object", async () => {
    // Act
    const outcome = await client().saveObject(loyaltyObject("a"), loyaltyClass(), {
      mode: "insert-first",
      notify: false,
    });

    // Assess
    expect(outcome).toBe("inserted");
    expect(restCalls()).toEqual([
      "POST /loyaltyObject 404",
      "POST /loyaltyClass 200",
      "POST /loyaltyObject 200",
    ]);
    expect(standIn.classes.has(CLASS_ID)).toBe(true);
    expect(standIn.objects.has(`${ISSUER}.mbr_a`)).toBe(true);
  });

  it("patchObject patches only the fields given, and answers missing for an object that does not exist", async () => {
    // Prepare
    await withClass();
    const api = client();
    await api.saveObject(loyaltyObject("a"), loyaltyClass(), { mode: "insert-first", notify: false });

    // Act
    const patched = await api.patchObject(`${ISSUER}.mbr_a`, { state: "EXPIRED" });
    const missing = await api.patchObject(`${ISSUER}.mbr_nobody`, { state: "EXPIRED" });

    // Assess
    expect([patched, missing]).toEqual(["patched", "missing"]);
    expect(standIn.objects.get(`${ISSUER}.mbr_a`)).toEqual({ ...loyaltyObject("a"), state: "EXPIRED" });
    expect(standIn.requests.at(-1)?.body).toEqual({ state: "EXPIRED" });
  });

  it("puts an id in the URL as one encoded path segment", async () => {
    // Prepare
    await withClass();

    // Act
    const outcome = await client().patchObject(`${ISSUER}.a/b?c`, { state: "EXPIRED" });

    // Assess
    expect(outcome).toBe("missing");
    expect(restCalls()).toEqual([`PATCH /loyaltyObject/${ISSUER}.a%2Fb%3Fc 404`]);
  });
});

describe("Google Wallet API client: notifications", () => {
  it("notify: true makes the PATCH notify the holder; notify: false and inserts never carry notifyPreference", async () => {
    // Prepare
    await withClass();
    const api = client();
    const id = `${ISSUER}.mbr_a`;
    const asking = loyaltyObject("a", { notifyPreference: "NOTIFY_ON_UPDATE" });

    // Act
    await api.saveObject(asking, loyaltyClass(), { mode: "insert-first", notify: true });
    await api.saveObject(loyaltyObject("a", { accountName: "A" }), loyaltyClass(), {
      mode: "patch-first",
      notify: true,
    });
    const afterNotifying = standIn.notifications(id).length;
    await api.saveObject(asking, loyaltyClass(), { mode: "patch-first", notify: false });

    // Assess
    expect(afterNotifying).toBe(1);
    expect(standIn.notifications(id)).toHaveLength(1);
    const bodies = standIn.requests
      .filter((r) => r.path !== "/token")
      .map((r) => ({
        call: `${r.method} ${r.status}`,
        notifyPreference: (r.body as LoyaltyObject).notifyPreference,
      }));
    expect(bodies).toEqual([
      { call: "POST 200", notifyPreference: undefined },
      { call: "PATCH 200", notifyPreference: "NOTIFY_ON_UPDATE" },
      { call: "PATCH 200", notifyPreference: undefined },
    ]);
    expect(standIn.requests.filter((r) => r.notify)).toHaveLength(1);
  });
});

describe("Google Wallet API client: retries", () => {
  const retriedThenSaved = async (fault: Parameters<GoogleWalletStandIn["fail"]>[0]) => {
    await withClass();
    standIn.fail(fault);
    const outcome = await client().saveObject(loyaltyObject("a"), loyaltyClass(), {
      mode: "insert-first",
      notify: false,
    });
    return { outcome, calls: restCalls(), warnings: logged.filter((l) => l.level === "warn") };
  };

  it("backs off after a 429 and then succeeds", async () => {
    // Act
    const { outcome, calls, warnings } = await retriedThenSaved({
      status: 429,
      reason: "rateLimitExceeded",
      headers: { "retry-after": "0" },
    });

    // Assess
    expect(outcome).toBe("inserted");
    expect(calls).toEqual(["POST /loyaltyObject 429", "POST /loyaltyObject 200"]);
    expect(warnings).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ status: 429, attempt: 1 }) }),
    ]);
  });

  it("retries two 503s, then succeeds", async () => {
    // Act
    const { outcome, calls, warnings } = await retriedThenSaved({ status: 503, count: 2 });

    // Assess
    expect(outcome).toBe("inserted");
    expect(calls).toEqual(["POST /loyaltyObject 503", "POST /loyaltyObject 503", "POST /loyaltyObject 200"]);
    expect(warnings.map((w) => w.data?.attempt)).toEqual([1, 2]);
  });

  it("treats a 403 rateLimitExceeded as a quota: retried, then succeeds", async () => {
    // Act
    const { outcome, calls } = await retriedThenSaved({
      status: 403,
      reason: "rateLimitExceeded",
      message: "Rate Limit Exceeded",
    });

    // Assess
    expect(outcome).toBe("inserted");
    expect(calls).toEqual(["POST /loyaltyObject 403", "POST /loyaltyObject 200"]);
  });

  it("retries a 5xx of the token endpoint by the same back-off", async () => {
    // Prepare
    standIn.fail({ status: 503, path: /^\/token$/, message: "Backend Error" });

    // Act
    const outcome = await client().upsertClass(loyaltyClass());

    // Assess
    expect(outcome).toBe("inserted");
    expect(tokenRequests().map((r) => r.status)).toEqual([503, 200]);
    expect(logged.filter((l) => l.level === "warn")).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ status: 503, attempt: 1 }) }),
    ]);
  });

  it("does not retry a 403 that is a permission, not a quota", async () => {
    // Prepare
    await withClass();
    standIn.fail({ status: 403, reason: "forbidden", message: "The caller does not have permission" });

    // Act
    const error = await failure(
      client().saveObject(loyaltyObject("a"), loyaltyClass(), { mode: "insert-first", notify: false }),
    );

    // Assess
    expect(error).toMatchObject({ status: 403, retryable: false });
    expect(error.message).toContain("The caller does not have permission");
    expect(restCalls()).toEqual(["POST /loyaltyObject 403"]);
  });

  it("gives up after `attempts` 5xx with a retryable error", async () => {
    // Prepare
    await withClass();
    standIn.fail({ status: 500, count: 10, message: "Internal error encountered." });

    // Act
    const error = await failure(
      client({ retry: { attempts: 3, baseMs: 1, capMs: 5 } }).saveObject(loyaltyObject("a"), loyaltyClass(), {
        mode: "insert-first",
        notify: false,
      }),
    );

    // Assess
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect(error.message).toContain("Internal error encountered.");
    expect(restCalls()).toEqual(Array(3).fill("POST /loyaltyObject 500"));
  });

  it("never sleeps past the deadline: a Retry-After beyond it ends the call at once", async () => {
    // Prepare
    await withClass();
    standIn.fail({ status: 503, count: 10, headers: { "retry-after": "1" } });
    const started = Date.now();

    // Act
    const error = await failure(
      client({ retry: { baseMs: 1, capMs: 1_000 } }).saveObject(loyaltyObject("a"), loyaltyClass(), {
        mode: "insert-first",
        notify: false,
        deadline: started + 300,
      }),
    );

    // Assess
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(error.message).toContain("deadline");
    expect(Date.now() - started).toBeLessThan(300);
    expect(restCalls()).toEqual(["POST /loyaltyObject 503"]);
  });

  it("does not retry a 400 and reports Google's message", async () => {
    // Prepare
    await withClass();
    const object = { ...loyaltyObject("a"), loyaltyTier: "gold" } as LoyaltyObject;

    // Act
    const error = await failure(
      client().saveObject(object, loyaltyClass(), { mode: "insert-first", notify: false }),
    );

    // Assess
    expect(error).toMatchObject({ status: 400, retryable: false });
    expect(error.message).toContain(`Unknown name "loyaltyTier" at 'resource': Cannot find field.`);
    expect(restCalls()).toEqual(["POST /loyaltyObject 400"]);
  });
});

describe("Google Wallet API client: merchant locations", () => {
  it("sends cards without merchant locations once Google says the issuer is not allowlisted, and warns once", async () => {
    // Prepare
    await withClass();
    standIn.allowMerchantLocations = false;
    const api = client();
    const stores = { merchantLocations: [{ latitude: 48.8566, longitude: 2.3522 }] };

    // Act
    const first = await api.saveObject(loyaltyObject("a", stores), loyaltyClass(), {
      mode: "insert-first",
      notify: false,
    });
    const second = await api.saveObject(loyaltyObject("b", stores), loyaltyClass(), {
      mode: "insert-first",
      notify: false,
    });

    // Assess
    expect([first, second]).toEqual(["inserted", "inserted"]);
    expect(restCalls()).toEqual([
      "POST /loyaltyObject 400",
      "POST /loyaltyObject 200",
      "POST /loyaltyObject 200",
    ]);
    const objectBodies = standIn.requests.filter((r) => r.path === "/loyaltyObject").map((r) => r.body);
    expect(objectBodies.map((b) => "merchantLocations" in (b as object))).toEqual([true, false, false]);
    expect(standIn.objects.get(`${ISSUER}.mbr_a`)).not.toHaveProperty("merchantLocations");
    expect(standIn.objects.get(`${ISSUER}.mbr_b`)).not.toHaveProperty("merchantLocations");
    expect(logged.filter((l) => l.message === MERCHANT_LOCATIONS_WARNING)).toHaveLength(1);
    expect(MERCHANT_LOCATIONS_WARNING).toMatch(/not allowlisted for merchant locations/);
  });

  it("keeps merchant locations for an allowlisted issuer", async () => {
    // Prepare
    await withClass();
    const stores = { merchantLocations: [{ latitude: 48.8566, longitude: 2.3522 }] };

    // Act
    await client().saveObject(loyaltyObject("a", stores), loyaltyClass(), {
      mode: "insert-first",
      notify: false,
    });

    // Assess
    expect(standIn.objects.get(`${ISSUER}.mbr_a`)?.merchantLocations).toEqual(stores.merchantLocations);
    expect(logged.filter((l) => l.level === "warn")).toEqual([]);
  });
});

describe("Google Wallet stand-in: Google's schema and rules", () => {
  /** Sends a body straight to the stand-in, with a valid token. */
  const post = async (path: string, body: unknown): Promise<StandInRequest & { message: string }> => {
    const response = await fetch(`${standIn.apiUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${await accessToken()}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { error?: { message: string } };
    const last = standIn.requests.at(-1) as StandInRequest;
    return { ...last, message: json.error?.message ?? "" };
  };

  /** An access token from the stand-in, asked for with a self-made assertion. */
  const accessToken = async (claims: Record<string, unknown> = {}): Promise<string> => {
    const response = await requestToken(claims);
    const json = (await response.json()) as { access_token?: string };
    return json.access_token ?? "";
  };

  const requestToken = (claims: Record<string, unknown>, privateKey = account.serviceAccount.private_key) => {
    const now = Math.floor(Date.now() / 1000);
    const segment = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const input = `${segment({ alg: "RS256", typ: "JWT" })}.${segment({
      iss: account.serviceAccount.client_email,
      scope: WALLET_SCOPE,
      aud: "https://oauth2.googleapis.com/token",
      iat: now,
      exp: now + 3600,
      ...claims,
    })}`;
    const assertion = `${input}.${sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
    return fetch(standIn.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
    });
  };

  it("takes a well-formed object (the control case of the refusals below)", async () => {
    // Prepare
    await withClass();

    // Act
    const reply = await post("/loyaltyObject", loyaltyObject("ok", { state: "active" }));

    // Assess
    expect(reply.status).toBe(200);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "an unknown nested field",
      { barcode: { type: "QR_CODE", value: "x", colour: "red" } },
      `Unknown name "colour" at 'resource.barcode': Cannot find field.`,
    ],
    [
      "a number for a string",
      { accountName: 42 },
      "Invalid value at 'resource.accountName' (TYPE_STRING), 42",
    ],
    [
      "a string for a message",
      { loyaltyPoints: { label: "Points", balance: "120" } },
      "Invalid value at 'resource.loyaltyPoints.balance'",
    ],
    [
      "a wrong type deep in a list",
      { textModulesData: [{ id: "t1", header: "H", body: ["B"] }] },
      "Invalid value at 'resource.textModulesData[0].body' (TYPE_STRING)",
    ],
    ["an unknown state", { state: "ARCHIVED" }, "Invalid value at 'resource.state'"],
    ["an unknown barcode type", { barcode: { type: "QR", value: "x" } }, "'resource.barcode.type'"],
    [
      "a balance with two values",
      { loyaltyPoints: { balance: { int: 1, string: "1" } } },
      "exactly one of string, int, double or money",
    ],
    ["a missing state", { state: undefined }, "Missing required field: resource.state"],
    ["an id of no issuer", { id: "mbr_a" }, "Invalid resource ID"],
    [
      "eleven merchant locations",
      { merchantLocations: Array.from({ length: 11 }, () => ({ latitude: 1, longitude: 2 })) },
      "at most 10 merchant locations",
    ],
    [
      "two text modules with one id",
      {
        textModulesData: [
          { id: "t", header: "a", body: "a" },
          { id: "t", header: "b", body: "b" },
        ],
      },
      "is used twice",
    ],
  ])("refuses %s with a 400 naming the field", async (_case, overrides, message) => {
    // Prepare
    await withClass();

    // Act
    const reply = await post("/loyaltyObject", loyaltyObject("bad", overrides as LoyaltyObject));

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.message).toContain(message);
    expect(standIn.objects.has(`${ISSUER}.mbr_bad`)).toBe(false);
  });

  it("refuses a class colour that is not #rrggbb, and a class that asks to be approved", async () => {
    // Act
    const colour = await post("/loyaltyClass", loyaltyClass({ hexBackgroundColor: "navy" }));
    const approved = await post("/loyaltyClass", loyaltyClass({ reviewStatus: "APPROVED" }));

    // Assess
    expect([colour.status, approved.status]).toEqual([400, 400]);
    expect(colour.message).toContain("resource.hexBackgroundColor");
    expect(approved.message).toContain("draft or underReview");
  });

  it("refuses an object of another issuer with 403", async () => {
    // Prepare
    await withClass();

    // Act
    const reply = await post("/loyaltyObject", loyaltyObject("a", { id: "3388000000099999999.mbr_a" }));

    // Assess
    expect(reply.status).toBe(403);
  });

  it("token endpoint: refuses a wrong signature, audience, scope or lifetime as Google does", async () => {
    // Prepare
    const stranger = testServiceAccount();
    const now = Math.floor(Date.now() / 1000);

    // Act
    const replies = await Promise.all(
      [
        requestToken({}, stranger.serviceAccount.private_key),
        requestToken({ aud: "https://example.com/token" }),
        requestToken({ scope: "https://www.googleapis.com/auth/cloud-platform" }),
        requestToken({ iat: now - 7200, exp: now - 3600 }),
        requestToken({ exp: now + 7200 }),
        requestToken({ aud: standIn.tokenUrl }),
      ].map(async (r) => {
        const response = await r;
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      }),
    );

    // Assess
    expect(replies.map((r) => [r.status, r.body.error])).toEqual([
      [400, "invalid_grant"],
      [400, "invalid_grant"],
      [400, "invalid_scope"],
      [400, "invalid_grant"],
      [400, "invalid_grant"],
      [200, undefined],
    ]);
    expect(replies[0]?.body.error_description).toBe("Invalid JWT Signature.");
    expect(replies[5]?.body).toMatchObject({ expires_in: 3600, token_type: "Bearer" });
  });

  it("refuses a REST call without a valid token with 401", async () => {
    // Act
    const response = await fetch(`${standIn.apiUrl}/loyaltyClass/${CLASS_ID}`, {
      headers: { authorization: "Bearer ya29.made-up" },
    });

    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 401, status: "UNAUTHENTICATED" } });
  });
});
