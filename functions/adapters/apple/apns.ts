import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from "node:http2";
import { rootCertificates } from "node:tls";

/**
 * Apple Push Notification service (APNs) client for Apple Wallet pass updates.
 *
 * Apple's Wallet web-service flow: when a pass changes, the server sends a push to every push token
 * registered for the pass; the device then asks the web service which passes changed and downloads
 * them. The push itself carries no information:
 *
 * - authentication is the Pass Type ID certificate (mutual TLS), with the WWDR intermediate;
 * - `apns-topic` is the pass type identifier (the UID of that certificate);
 * - the payload is the empty JSON dictionary `{}` (Wallet Developer Guide, "Updating a Pass";
 *   WalletPasses "Adding a Web Service to Update Passes"). A visible message comes from the
 *   `changeMessage` of the updated pass's fields, never from the push.
 *
 * Decision on `apns-push-type` / `apns-priority`: Apple's Wallet documents predate the header and do
 * not name a value. Apple's "Sending notification requests to APNs" says `apns-push-type` is
 * recommended on iOS and required on watchOS 6+, and that `background` (content delivered without
 * user interaction, which is what a pass-update push is) must use priority 5 — priority 10 with
 * `background` is an error. We therefore send `apns-push-type: background` with `apns-priority: 5`,
 * the combination used by the common Wallet push implementations. Both live in PASS_PUSH_HEADERS.
 *
 * Transport: one HTTP/2 session, opened lazily, reused across push() calls, reopened transparently
 * after it closes, fails or receives GOAWAY. Streams are bounded by `concurrency` across every push()
 * call of the client. Retryable failures (429, 5xx, stream/network errors, timeouts) back off
 * exponentially with jitter, and only the tokens that failed are sent again.
 *
 * Deadline: push() may be given one (epoch ms; the push fan-out's batch deadline). No attempt starts
 * after it (nor a back-off that would end after it), and a request still in flight then is cancelled:
 * its token's outcome is "failed" (reason "deadline"), so a caller never waits much past it.
 */

export interface ApnsOptions {
  /** e.g. https://api.push.apple.com, https://api.sandbox.push.apple.com or https://127.0.0.1:PORT */
  url: string;
  /** The pass type identifier: the `apns-topic` header. */
  topic: string;
  /** PEM client certificate (Pass Type ID). */
  cert: string;
  /** PEM private key of `cert`. */
  key: string;
  /** Optional PEM intermediate(s) (the WWDR certificate) sent after the client certificate. */
  chain?: string;
  /** Extra PEM CA(s) trusted in addition to Node's default roots. */
  ca?: string;
  /** Maximum streams in flight across all push() calls. Default 64. */
  concurrency?: number;
  /** Attempts per token for retryable failures. Default 4. */
  maxAttempts?: number;
  /** First back-off in ms; doubles on each retry, with jitter. Default 250. */
  backoffMs?: number;
  /** Per-request timeout in ms. Default 10 000. */
  timeoutMs?: number;
}

export type PushOutcome =
  | { token: string; outcome: "delivered"; apnsId?: string }
  /** 410, or 400 BadDeviceToken: the caller removes the registration. */
  | { token: string; outcome: "unregistered"; status: number; reason: string }
  /** Certificate or topic problem: the caller raises an alert and keeps the registration. */
  | { token: string; outcome: "forbidden"; status: 403; reason: string }
  /** Any other 4xx but 429 (BadTopic, PayloadTooLarge…): not retried, registration kept. */
  | { token: string; outcome: "rejected"; status: number; reason: string }
  /** 429, 5xx or network errors still failing after maxAttempts. */
  | { token: string; outcome: "failed"; status?: number; reason: string };

export interface ApnsClient {
  /**
   * One outcome per token, in the order of `tokens`. Never rejects because of a token's failure.
   * With a `deadline` (epoch ms), what is not done by then is "failed" (see the deadline note above).
   */
  push(tokens: readonly string[], deadline?: number): Promise<PushOutcome[]>;
  close(): Promise<void>;
}

/** The empty JSON dictionary Apple documents for pass-update pushes. */
export const PASS_PUSH_PAYLOAD = "{}";

/** See the decision note at the top of this file. */
export const PASS_PUSH_HEADERS = { "apns-push-type": "background", "apns-priority": "5" } as const;

const MAX_BACKOFF_MS = 30_000;
/** The reason of a token given up at the caller's deadline. */
const DEADLINE = "deadline";

type Attempt =
  | { kind: "reply"; status: number; reason: string; apnsId?: string }
  | { kind: "error"; reason: string };

/** FIFO counting semaphore: bounds the streams in flight. */
const semaphore = (limit: number) => {
  let available = limit;
  const waiting: Array<() => void> = [];
  return {
    acquire: (): Promise<void> => {
      if (available > 0) {
        available -= 1;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release: (): void => {
      const next = waiting.shift();
      if (next) next();
      else available += 1;
    },
  };
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential back-off with "equal jitter": half fixed, half random. */
const backoff = (baseMs: number, retry: number): number => {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (retry - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
};

const reasonOf = (status: number, body: string): string => {
  if (body) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === "object" && "reason" in parsed && typeof parsed.reason === "string") {
        return parsed.reason;
      }
    } catch {
      // not JSON: fall through to the raw body
    }
    return body.slice(0, 200);
  }
  return `HTTP ${status}`;
};

const positive = (value: number | undefined, fallback: number, name: string): number => {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen <= 0) throw new RangeError(`APNs ${name} must be positive`);
  return chosen;
};

export const createApnsClient = (options: ApnsOptions): ApnsClient => {
  const concurrency = Math.floor(positive(options.concurrency, 64, "concurrency"));
  const maxAttempts = Math.floor(positive(options.maxAttempts, 4, "maxAttempts"));
  const backoffMs = positive(options.backoffMs, 250, "backoffMs");
  const timeoutMs = positive(options.timeoutMs, 10_000, "timeoutMs");
  const origin = new URL(options.url).origin;
  const cert = options.chain ? `${options.cert.trim()}\n${options.chain.trim()}\n` : options.cert;
  const ca = options.ca ? [...rootCertificates, options.ca] : undefined;
  const slots = semaphore(concurrency);

  let session: ClientHttp2Session | undefined;
  /** The error a session died of (a refused TLS handshake…), to explain its streams' failures. */
  const sessionErrors = new WeakMap<ClientHttp2Session, string>();
  let pushesRunning = 0;
  let closed = false;

  const forget = (which: ClientHttp2Session) => {
    if (session === which) session = undefined;
  };

  /** The live session, or a new one when there is none, it closed, failed or got GOAWAY. */
  const currentSession = (): ClientHttp2Session => {
    if (session && !session.closed && !session.destroyed) return session;
    const opened = connect(origin, { cert, key: options.key, ...(ca ? { ca } : {}) });
    // Errors surface on the streams too; this listener keeps a failed handshake from crashing the process.
    opened.on("error", (error) => {
      sessionErrors.set(opened, error.message);
      forget(opened);
    });
    opened.on("goaway", () => forget(opened));
    opened.on("close", () => forget(opened));
    session = opened;
    return opened;
  };

  const send = (token: string, deadline: number): Promise<Attempt> =>
    new Promise<Attempt>((resolve) => {
      let settled = false;
      let stream: ClientHttp2Stream | undefined;
      let owner: ClientHttp2Session | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (attempt: Attempt) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        resolve(attempt);
      };
      try {
        owner = currentSession();
        stream = owner.request({
          ":method": "POST",
          ":path": `/3/device/${encodeURIComponent(token)}`,
          "apns-topic": options.topic,
          ...PASS_PUSH_HEADERS,
          "content-type": "application/json",
        });
      } catch (error) {
        // A session that cannot open a stream (destroyed, out of stream ids) is not reused.
        if (owner) forget(owner);
        finish({ kind: "error", reason: (error as Error).message });
        return;
      }
      const request = stream;
      const opener = owner;
      /** A stream that ends without a reply: report why its session died, once that is known. */
      const lost = (fallback: string) =>
        setImmediate(() => finish({ kind: "error", reason: sessionErrors.get(opener) ?? fallback }));
      // The request's own timeout, or the caller's deadline when that comes first.
      const untilDeadline = deadline - Date.now();
      const byDeadline = untilDeadline < timeoutMs;
      timer = setTimeout(
        () => {
          finish({ kind: "error", reason: byDeadline ? DEADLINE : `timeout after ${timeoutMs} ms` });
          request.close(constants.NGHTTP2_CANCEL);
          if (byDeadline) return; // the connection is fine: only this request was given up
          // The connection may be dead without telling us: later requests go to a fresh session, and
          // this one closes gracefully once its other streams settle.
          forget(opener);
          opener.close();
        },
        Math.max(0, Math.min(timeoutMs, untilDeadline)),
      );
      let status = 0;
      let apnsId: string | undefined;
      const chunks: Buffer[] = [];
      request.on("response", (headers) => {
        status = Number(headers[":status"]);
        const id = headers["apns-id"];
        apnsId = typeof id === "string" ? id : undefined;
      });
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (!status) {
          lost("stream ended without a response (connection closed)");
          return;
        }
        const reason = status === 200 ? "" : reasonOf(status, Buffer.concat(chunks).toString("utf8"));
        finish({ kind: "reply", status, reason, ...(apnsId ? { apnsId } : {}) });
      });
      request.on("error", (error) => finish({ kind: "error", reason: error.message }));
      request.on("close", () => lost(`stream closed (code ${request.rstCode ?? "unknown"})`));
      request.end(PASS_PUSH_PAYLOAD);
    });

  const pushOne = async (token: string, deadline: number): Promise<PushOutcome> => {
    let last: { status?: number; reason: string } = { reason: "not attempted" };
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      if (attempt > 1) {
        const pause = backoff(backoffMs, attempt - 1);
        if (Date.now() + pause >= deadline) return { token, outcome: "failed", ...last, reason: DEADLINE };
        await sleep(pause);
      }
      await slots.acquire();
      let result: Attempt;
      try {
        // Waiting for a stream slot may have taken us past the deadline.
        if (Date.now() >= deadline) return { token, outcome: "failed", ...last, reason: DEADLINE };
        result = await send(token, deadline);
      } finally {
        slots.release();
      }
      if (result.kind === "error") {
        if (result.reason === DEADLINE) return { token, outcome: "failed", ...last, reason: DEADLINE };
        last = { reason: result.reason };
        continue;
      }
      const { status, reason } = result;
      if (status === 200) {
        return { token, outcome: "delivered", ...(result.apnsId ? { apnsId: result.apnsId } : {}) };
      }
      if (status === 410 || (status === 400 && reason === "BadDeviceToken")) {
        return { token, outcome: "unregistered", status, reason };
      }
      if (status === 403) return { token, outcome: "forbidden", status, reason };
      if (status === 429 || status >= 500) {
        last = { status, reason };
        continue;
      }
      return { token, outcome: "rejected", status, reason };
    }
    return { token, outcome: "failed", ...last };
  };

  return {
    push: async (tokens, deadline = Number.POSITIVE_INFINITY) => {
      if (closed) throw new Error("APNs client is closed");
      pushesRunning += 1;
      session?.ref();
      try {
        return await Promise.all(tokens.map((token) => pushOne(token, deadline)));
      } finally {
        pushesRunning -= 1;
        // An idle session must not keep a CLI or a Lambda's event loop alive.
        if (pushesRunning === 0) session?.unref();
      }
    },
    close: async () => {
      closed = true;
      const open = session;
      session = undefined;
      if (!open || open.destroyed) return;
      await new Promise<void>((resolve) => open.close(() => resolve()));
    },
  };
};
