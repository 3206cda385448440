import { randomUUID } from "node:crypto";
import { once } from "node:events";
import {
  createSecureServer,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from "node:http2";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";

/**
 * A local stand-in for Apple's push service: HTTP/2 over mutual TLS, answering like APNs
 * (200 + apns-id with an empty body; errors as JSON `{"reason": "..."}`). Clients must present a
 * certificate issued by the dev CA, or the TLS handshake is refused. Replies can be scripted per
 * token; unscripted pushes are answered 200.
 */

export interface RecordedPush {
  token: string;
  topic: string | undefined;
  pushType: string | undefined;
  priority: string | undefined;
  payload: string;
  /** CN of the client certificate. */
  clientSubject: string;
  at: number;
}

export interface ScriptedReply {
  status: number;
  reason?: string;
}

export interface ApnsStandIn {
  /** https://127.0.0.1:<port> */
  url: string;
  /** Only the pushes answered 200. */
  pushes: RecordedPush[];
  /** Every request seen, scripted failures included. */
  requests: number;
  /** HTTP/2 sessions opened (connection reuse). */
  sessions: number;
  /** Peak concurrent streams (bounded concurrency). */
  maxInFlight: number;
  /** The next replies for `token`, in order; then 200 again. */
  script(token: string, replies: ScriptedReply[]): void;
  waitForPushes(count: number, timeoutMs?: number): Promise<RecordedPush[]>;
  /**
   * Ends every open session: GOAWAY (graceful, the default) or an abrupt socket destroy. Resolves
   * once each is closed: after a GOAWAY, that is once the client has read it and closed its side.
   */
  dropSessions(mode?: "goaway" | "destroy"): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const TOKEN = /^[0-9a-f]{64}$/i;
const MAX_PAYLOAD = 4096;

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export const startApnsStandIn = async (
  certs: { serverCert: string; serverKey: string; caCert: string },
  options: { latencyMs?: number } = {},
): Promise<ApnsStandIn> => {
  const latencyMs = options.latencyMs ?? 0;
  const scripts = new Map<string, ScriptedReply[]>();
  const open = new Set<Http2Session>();
  const waiters = new Set<() => void>();
  let inFlight = 0;

  const server = createSecureServer({
    cert: certs.serverCert,
    key: certs.serverKey,
    ca: certs.caCert,
    requestCert: true,
    rejectUnauthorized: true,
    allowHTTP1: false,
  });
  // Refused handshakes (no or foreign client certificate) are expected in tests.
  server.on("tlsClientError", () => undefined);
  server.on("sessionError", () => undefined);
  server.on("session", (session) => {
    standIn.sessions += 1;
    open.add(session);
    session.on("close", () => open.delete(session));
    session.on("error", () => undefined);
  });

  const reply = (stream: ServerHttp2Stream, status: number, reason?: string, apnsId?: string) => {
    if (stream.destroyed || stream.closed) return;
    const id = apnsId ?? randomUUID().toUpperCase();
    if (status === 200) {
      stream.respond({ ":status": 200, "apns-id": id }, { endStream: true });
      return;
    }
    const body = JSON.stringify(status === 410 ? { reason, timestamp: Date.now() } : { reason });
    stream.respond({ ":status": status, "apns-id": id, "content-type": "application/json" });
    stream.end(body);
  };

  const answer = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, payload: string) => {
    const method = header(headers, ":method");
    const path = header(headers, ":path") ?? "";
    const topic = header(headers, "apns-topic");
    const apnsId = header(headers, "apns-id");
    if (method !== "POST") return reply(stream, 405, "MethodNotAllowed", apnsId);
    const match = /^\/3\/device\/([^/?]+)$/.exec(path);
    if (!match?.[1]) return reply(stream, 404, "BadPath", apnsId);
    const token = decodeURIComponent(match[1]);
    if (!topic) return reply(stream, 400, "MissingTopic", apnsId);
    const scripted = scripts.get(token)?.shift();
    if (scripted)
      return reply(stream, scripted.status, scripted.reason ?? `Scripted${scripted.status}`, apnsId);
    if (!TOKEN.test(token)) return reply(stream, 400, "BadDeviceToken", apnsId);
    if (!payload) return reply(stream, 400, "PayloadEmpty", apnsId);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) return reply(stream, 413, "PayloadTooLarge", apnsId);
    try {
      JSON.parse(payload);
    } catch {
      return reply(stream, 400, "BadPayload", apnsId);
    }
    const socket = stream.session?.socket as TLSSocket | undefined;
    const subject = socket?.getPeerCertificate()?.subject?.CN;
    standIn.pushes.push({
      token,
      topic,
      pushType: header(headers, "apns-push-type"),
      priority: header(headers, "apns-priority"),
      payload,
      clientSubject: Array.isArray(subject) ? subject.join(",") : (subject ?? ""),
      at: Date.now(),
    });
    for (const wake of waiters) wake();
    return reply(stream, 200, undefined, apnsId);
  };

  server.on("stream", (stream, headers) => {
    standIn.requests += 1;
    inFlight += 1;
    standIn.maxInFlight = Math.max(standIn.maxInFlight, inFlight);
    let done = false;
    const leave = () => {
      if (done) return;
      done = true;
      inFlight -= 1;
    };
    stream.on("close", leave);
    stream.on("error", () => undefined);
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const payload = Buffer.concat(chunks).toString("utf8");
      const respond = () => {
        // A client that gave up (timeout, cancel) gets nothing, and nothing is recorded.
        if (!stream.destroyed && !stream.closed) answer(stream, headers, payload);
        leave();
      };
      if (latencyMs > 0) setTimeout(respond, latencyMs);
      else respond();
    });
  });

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  const standIn: ApnsStandIn = {
    url: `https://127.0.0.1:${port}`,
    pushes: [],
    requests: 0,
    sessions: 0,
    maxInFlight: 0,
    script: (token, replies) => {
      scripts.set(token, [...(scripts.get(token) ?? []), ...replies]);
    },
    waitForPushes: (count, timeoutMs = 2_000) =>
      new Promise<RecordedPush[]>((resolve, reject) => {
        const check = () => {
          if (standIn.pushes.length < count) return;
          cleanup();
          resolve(standIn.pushes.slice());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`APNs stand-in: ${standIn.pushes.length} of ${count} pushes after ${timeoutMs} ms`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    dropSessions: async (mode = "goaway") => {
      const closed = [...open].map((session) =>
        session.closed && session.destroyed ? undefined : once(session, "close"),
      );
      for (const session of open) {
        if (mode === "destroy") session.destroy();
        else session.close();
      }
      await Promise.all(closed);
    },
    reset: () => {
      standIn.pushes = [];
      standIn.requests = 0;
      standIn.sessions = 0;
      standIn.maxInFlight = 0;
      scripts.clear();
    },
    close: async () => {
      for (const session of open) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standIn;
};
