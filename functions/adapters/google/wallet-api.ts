import type { walletobjects_v1 } from "@googleapis/walletobjects";
import { JWT } from "google-auth-library";
import type { GoogleWalletApi as GoogleWalletPort } from "../../domain/ports.js";

/**
 * The Google Wallet REST API (walletobjects v1), as Carnet uses it: loyalty classes and objects.
 *
 * Authentication: the service account's OAuth access token (JWT bearer grant, scope
 * wallet_object.issuer), obtained, cached and refreshed before expiry by google-auth-library's `JWT`
 * client. The REST calls themselves go through `fetch` with that token, so that this module alone
 * decides their timeout, deadline, retries and the one refresh after a 401 (the library's own
 * `request()` would treat a 403 quota error as an authentication failure, and retries by its own
 * policy).
 *
 * Retries: 403 quota errors, 429, 5xx, network errors and timeouts back off exponentially with full
 * jitter (a `Retry-After` is honoured, capped), never past the caller's deadline; what still fails is
 * a `GoogleWalletError` with `retryable: true`. Any other 4xx is a `GoogleWalletError` with
 * `retryable: false` and Google's own message.
 *
 * Merchant locations: sending `merchantLocations` needs the issuer to be allowlisted by Google. A 400
 * saying so makes the client drop them (that request is sent again without them, and so is every
 * later body of the client's life) and warn once, so that cards keep being saved meanwhile.
 */

export type LoyaltyClass = walletobjects_v1.Schema$LoyaltyClass;
export type LoyaltyObject = walletobjects_v1.Schema$LoyaltyObject;

/** The part of a service account's JSON key file this client uses. */
export interface ServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

export interface GoogleWalletApiSettings {
  serviceAccount: ServiceAccount;
  /** REST base, default https://walletobjects.googleapis.com/walletobjects/v1 */
  apiUrl: string;
  /** OAuth token endpoint, default https://oauth2.googleapis.com/token */
  tokenUrl: string;
  log: {
    info(m: string, d?: Record<string, unknown>): void;
    warn(m: string, d?: Record<string, unknown>): void;
    error(m: string, d?: Record<string, unknown>): void;
  };
  /** back-off for 403 quota / 429 / 5xx / network errors: attempts in total (default 4), first delay (default 200 ms), cap per delay (default 2000 ms) */
  retry?: { attempts?: number; baseMs?: number; capMs?: number };
  /** per request timeout, default 5000 ms */
  timeoutMs?: number;
}

/** A call Google refused or that kept failing. `retryable`: worth trying again later (quota, 5xx, network). */
export class GoogleWalletError extends Error {
  override readonly name = "GoogleWalletError";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * The port (domain/ports.ts, GoogleWalletApi) as this client implements it: insert-first (the save
 * link: POST, 409 → PATCH) or patch-first (live updates: PATCH, 404 → POST); a POST answered 404 means
 * the class is missing (upsertClass, then POST again); `notify` puts notifyPreference NOTIFY_ON_UPDATE
 * on a PATCH and never on an insert; patchObject answers "missing" for a 404.
 */
export type GoogleWalletApi = GoogleWalletPort;

export const DEFAULT_API_URL = "https://walletobjects.googleapis.com/walletobjects/v1";
export const DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token";
export const WALLET_SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer";

/** The token endpoint google-auth-library 10 always posts to (gtoken/getToken.js, GOOGLE_TOKEN_URL). */
const LIBRARY_TOKEN_URL = DEFAULT_TOKEN_URL;

/** The reasons (errors[].reason, or ErrorInfo details) of a 403 that is a quota, not a permission. */
const QUOTA_REASONS = new Set([
  "ratelimitexceeded",
  "quotaexceeded",
  "userratelimitexceeded",
  "rate_limit_exceeded",
  "resource_exhausted",
]);
const MERCHANT_LOCATIONS = /merchant ?locations?/i;
export const MERCHANT_LOCATIONS_WARNING =
  "Google Wallet: the issuer is not allowlisted for merchant locations; ask Google to allowlist it (Google Pay & Wallet Console support). Cards are sent without store locations meanwhile.";

type Method = "GET" | "POST" | "PATCH" | "PUT";
type Body = Record<string, unknown>;

interface Call {
  method: Method;
  /** Relative to the REST base, ids already encoded. */
  path: string;
  body?: Body;
  deadline?: number;
}

interface Reply {
  status: number;
  body: unknown;
}

type Outcome =
  | { kind: "reply"; status: number; body: unknown; retryAfterMs?: number }
  | { kind: "failure"; status: number | undefined; reason: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Google's error body: `{"error":{"code","message","status","errors":[{"reason","message"}],"details"}}`. */
const googleError = (body: unknown): { message?: string; status?: string; reasons: string[] } => {
  if (!isRecord(body)) return { reasons: [] };
  const error = body.error;
  if (typeof error === "string") {
    // The OAuth endpoints: {"error":"invalid_grant","error_description":"…"}
    const description = typeof body.error_description === "string" ? `: ${body.error_description}` : "";
    return { message: `${error}${description}`, reasons: [error] };
  }
  if (!isRecord(error)) return { reasons: [] };
  const reasons: string[] = [];
  for (const list of [error.errors, error.details]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) if (isRecord(item) && typeof item.reason === "string") reasons.push(item.reason);
  }
  return {
    ...(typeof error.message === "string" ? { message: error.message } : {}),
    ...(typeof error.status === "string" ? { status: error.status } : {}),
    reasons,
  };
};

const explain = (status: number | undefined, body: unknown): string => {
  const { message, status: googleStatus } = googleError(body);
  const head = status === undefined ? "no response" : `${status}${googleStatus ? ` ${googleStatus}` : ""}`;
  if (message) return `${head}: ${message}`;
  if (typeof body === "string" && body) return `${head}: ${body.slice(0, 300)}`;
  return head;
};

const isQuota = (status: number, body: unknown): boolean => {
  if (status !== 403) return false;
  const { status: googleStatus, reasons } = googleError(body);
  if (googleStatus === "RESOURCE_EXHAUSTED") return true;
  return reasons.some((reason) => QUOTA_REASONS.has(reason.toLowerCase()));
};

const isRetryableStatus = (status: number, body: unknown): boolean =>
  status === 429 || status >= 500 || isQuota(status, body);

/** `Retry-After`: seconds or an HTTP date. */
const retryAfter = (header: string | null): number | undefined => {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
};

const positive = (value: number | undefined, fallback: number, name: string): number => {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen <= 0) throw new RangeError(`Google Wallet ${name} must be positive`);
  return chosen;
};

const withoutMerchantLocations = (body: Body): Body => {
  const copy = { ...body };
  delete copy.merchantLocations;
  return copy;
};

const requireId = (resource: { id?: string | null }, what: string): string => {
  if (!resource.id) throw new GoogleWalletError(`the Google Wallet ${what} has no id`, undefined, false);
  return resource.id;
};

const classPath = (id: string) => `/loyaltyClass/${encodeURIComponent(id)}`;
const objectPath = (id: string) => `/loyaltyObject/${encodeURIComponent(id)}`;

export const googleWalletApi = (settings: GoogleWalletApiSettings): GoogleWalletApi => {
  const { log, serviceAccount } = settings;
  const attempts = Math.floor(positive(settings.retry?.attempts, 4, "retry.attempts"));
  const baseMs = positive(settings.retry?.baseMs, 200, "retry.baseMs");
  const capMs = positive(settings.retry?.capMs, 2_000, "retry.capMs");
  const timeoutMs = positive(settings.timeoutMs, 5_000, "timeoutMs");
  const apiUrl = settings.apiUrl.replace(/\/+$/, "");
  const tokenUrl = new URL(settings.tokenUrl).href;

  const jwt = new JWT({
    email: serviceAccount.client_email,
    key: serviceAccount.private_key,
    ...(serviceAccount.private_key_id ? { keyId: serviceAccount.private_key_id } : {}),
    scopes: [WALLET_SCOPE],
    // The token request's timeout (the transporter's defaults apply to it).
    transporterOptions: { timeout: timeoutMs },
  });
  // google-auth-library 10 has no option for the token endpoint: gtoken/getToken.js posts the signed
  // assertion to the constant https://oauth2.googleapis.com/token through the client's transporter (a
  // gaxios instance, public and documented as `AuthClient.transporter`). A request interceptor on that
  // transporter is gaxios's supported hook to change a request before it is sent: it points that one
  // URL at settings.tokenUrl (the local stand-in, or a proxy), leaving the library unpatched and its
  // caching and refresh-before-expiry intact. It also turns off gaxios's own retries of the token
  // request, so that one policy (the back-off below, bounded by the caller's deadline) applies.
  jwt.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (config.url.href === LIBRARY_TOKEN_URL) {
        config.url = new URL(tokenUrl);
        config.retryConfig = { ...config.retryConfig, retry: 0, noResponseRetries: 0 };
      }
      return config;
    },
  });
  let loggedToken: string | undefined;
  jwt.on("tokens", (tokens) => {
    // Emitted by each refresh, including those served from gtoken's cache: log each token once.
    if (!tokens.access_token || tokens.access_token === loggedToken) return;
    loggedToken = tokens.access_token;
    log.info("Google Wallet access token obtained", {
      serviceAccount: serviceAccount.client_email,
      tokenEndpoint: tokenUrl,
      ...(tokens.expiry_date ? { expiresAt: new Date(tokens.expiry_date).toISOString() } : {}),
    });
  });

  /** The cached token, or a new one when it is missing or expires within 5 minutes. */
  const accessToken = async (): Promise<string> => {
    const { token } = await jwt.getAccessToken();
    if (!token)
      throw new GoogleWalletError("Google's token endpoint returned no access token", undefined, false);
    return token;
  };

  /** After a 401: make the next getAccessToken() fetch a new token, unless another call already did. */
  const dropToken = (rejected: string) => {
    if (jwt.credentials.access_token !== rejected) return;
    // An expiry in the past makes JWT.refreshTokenNoCache ask gtoken for a forced refresh.
    jwt.credentials = { ...jwt.credentials, expiry_date: 1 };
  };

  let merchantLocationsRefused = false;
  const refuseMerchantLocations = () => {
    if (merchantLocationsRefused) return;
    merchantLocationsRefused = true;
    log.warn(MERCHANT_LOCATIONS_WARNING);
  };

  /** One HTTP exchange: the token, then the request, within the timeout and the deadline. */
  const exchange = async (call: Call, body: Body | undefined): Promise<Outcome & { token?: string }> => {
    let token: string;
    try {
      token = await accessToken();
    } catch (error) {
      if (error instanceof GoogleWalletError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      // A GaxiosError (it carries its request's `config`) is the exchange with the token endpoint
      // failing; anything else (a malformed private key…) fails the same way every time.
      if (!isRecord(error) || !("config" in error)) {
        throw new GoogleWalletError(
          `Google Wallet could not sign its token request: ${message}`,
          undefined,
          false,
        );
      }
      const response = isRecord(error.response) ? error.response : undefined;
      const status = typeof response?.status === "number" ? response.status : undefined;
      const reason = `token request to ${tokenUrl} failed: ${message}`;
      if (status !== undefined && !isRetryableStatus(status, response?.data)) {
        throw new GoogleWalletError(`Google Wallet ${reason}`, status, false);
      }
      return { kind: "failure", status, reason };
    }
    const left = call.deadline === undefined ? timeoutMs : Math.min(timeoutMs, call.deadline - Date.now());
    if (left <= 0) return { kind: "failure", status: undefined, reason: "deadline reached" };
    try {
      const response = await fetch(`${apiUrl}${call.path}`, {
        method: call.method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(body ? { "content-type": "application/json; charset=utf-8" } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(left),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text for the error message
      }
      const after = retryAfter(response.headers.get("retry-after"));
      return {
        kind: "reply",
        status: response.status,
        body: parsed,
        token,
        ...(after === undefined ? {} : { retryAfterMs: after }),
      };
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
      const reason = timedOut
        ? `no answer within ${left} ms`
        : `${error instanceof Error ? error.message : String(error)}${cause}`;
      return { kind: "failure", status: undefined, reason };
    }
  };

  /**
   * Sends a call until it gets an answer that is not worth retrying, and returns it (2xx and 4xx alike:
   * the caller knows which 4xx it expects). Throws GoogleWalletError(retryable) when retries run out.
   */
  const send = async (call: Call): Promise<Reply> => {
    let failures = 0;
    let refreshed = false;
    let resent = false;
    for (;;) {
      const body = call.body && merchantLocationsRefused ? withoutMerchantLocations(call.body) : call.body;
      const outcome = await exchange(call, body);
      if (outcome.kind === "reply") {
        const { status } = outcome;
        if (status === 401 && !refreshed && outcome.token) {
          refreshed = true;
          log.info("Google Wallet refused the access token: fetching a new one", {
            method: call.method,
            path: call.path,
          });
          dropToken(outcome.token);
          continue;
        }
        if (
          status === 400 &&
          !resent &&
          body &&
          "merchantLocations" in body &&
          MERCHANT_LOCATIONS.test(googleError(outcome.body).message ?? "")
        ) {
          // Sent again once, without them (withoutMerchantLocations above, from now on).
          resent = true;
          refuseMerchantLocations();
          continue;
        }
        if (!isRetryableStatus(status, outcome.body)) return { status, body: outcome.body };
      }
      failures += 1;
      const status = outcome.kind === "reply" ? outcome.status : outcome.status;
      const reason = outcome.kind === "reply" ? explain(outcome.status, outcome.body) : outcome.reason;
      const giveUp = (why: string) =>
        new GoogleWalletError(`Google Wallet ${call.method} ${call.path} ${why}: ${reason}`, status, true);
      if (failures >= attempts) throw giveUp(`failed ${failures} times`);
      const ceiling = Math.min(capMs, baseMs * 2 ** (failures - 1));
      const suggested = outcome.kind === "reply" ? outcome.retryAfterMs : undefined;
      const delay = suggested === undefined ? Math.random() * ceiling : Math.min(capMs, suggested);
      if (call.deadline !== undefined && Date.now() + delay >= call.deadline) {
        throw giveUp(`stopped at the deadline after ${failures} attempt${failures === 1 ? "" : "s"}`);
      }
      log.warn("Google Wallet request failed, retrying", {
        method: call.method,
        path: call.path,
        status,
        reason,
        attempt: failures,
        delayMs: Math.round(delay),
      });
      await sleep(delay);
    }
  };

  const ok = (reply: Reply) => reply.status >= 200 && reply.status < 300;
  const refused = (call: Call, reply: Reply) =>
    new GoogleWalletError(
      `Google Wallet ${call.method} ${call.path} was refused: ${explain(reply.status, reply.body)}`,
      reply.status,
      false,
    );
  /** Sends the call; a 2xx or one of the `expected` statuses is returned, anything else thrown. */
  const expect = async (call: Call, ...expected: number[]): Promise<Reply> => {
    const reply = await send(call);
    if (ok(reply) || expected.includes(reply.status)) return reply;
    throw refused(call, reply);
  };

  const upsert = async (klass: LoyaltyClass, deadline?: number): Promise<"inserted" | "updated"> => {
    const id = requireId(klass, "class");
    const body = klass as Body;
    const inserted = await expect({ method: "POST", path: "/loyaltyClass", body, deadline }, 409);
    if (ok(inserted)) return "inserted";
    await expect({ method: "PATCH", path: classPath(id), body, deadline });
    return "updated";
  };

  return {
    upsertClass: (klass) => upsert(klass),

    saveObject: async (object, klass, { mode, notify, deadline }) => {
      const id = requireId(object, "object");
      const content = { ...object } as Body;
      delete content.notifyPreference;
      const insertCall: Call = { method: "POST", path: "/loyaltyObject", body: content, deadline };
      const patchCall: Call = {
        method: "PATCH",
        path: objectPath(id),
        body: notify ? { ...content, notifyPreference: "NOTIFY_ON_UPDATE" } : content,
        deadline,
      };
      const patch = async (): Promise<"patched"> => {
        await expect(patchCall);
        return "patched";
      };
      const insertOrPatch = async (): Promise<"inserted" | "patched"> => {
        let reply = await expect(insertCall, 404, 409);
        if (reply.status === 404) {
          // The object's class does not exist (yet): create it, then insert again.
          await upsert(klass, deadline);
          reply = await expect(insertCall, 409);
        }
        return reply.status === 409 ? patch() : "inserted";
      };
      if (mode === "insert-first") return insertOrPatch();
      const patched = await expect(patchCall, 404);
      return patched.status === 404 ? insertOrPatch() : "patched";
    },

    patchObject: async (id, fields, options) => {
      const reply = await expect(
        { method: "PATCH", path: objectPath(id), body: fields as Body, deadline: options?.deadline },
        404,
      );
      return reply.status === 404 ? "missing" : "patched";
    },
  };
};
