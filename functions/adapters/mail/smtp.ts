import { PassThrough } from "node:stream";
import addressparser from "nodemailer/lib/addressparser";
import SMTPConnection, { type SMTPConnectionSendInfo } from "nodemailer/lib/smtp-connection";
import type { Mailer, OutgoingEmail, SendOutcome } from "../../domain/ports.js";
import { builtMessage } from "./mime.js";

/**
 * Sending through an SMTP server (SMTP_URL: `npm start`'s MailDev, the tests', or any relay), with
 * nodemailer's SMTP connection, one connection per email (a mail function handles a few emails at a
 * time; a pooled connection would only add states to reason about).
 *
 * What matters is telling the three failures apart (SendOutcome), because an email that may have been
 * delivered is never sent again:
 * - the server was not reached, did not greet us, refused our login or TLS, or answered 4xx (a
 *   transient refusal, RFC 5321 §4.2.1): nothing was delivered → `retry`;
 * - it answered 5xx (a permanent refusal of this sender, recipient or message) → `rejected`;
 * - the whole message was handed over (after the server's 354) and then the connection broke or timed
 *   out before the server's answer: the server may have queued it → `unknown`.
 * nodemailer's errors say only "connection closed", whatever the stage, so the stage is watched here:
 * the message goes to the connection as a stream of our own, which nodemailer reads only once the
 * server has said 354 to DATA ("send the message"); read to its end, it has been handed over. (This is
 * why the connection is used directly: the transport on top of it buffers the message beforehand.)
 */

export interface SmtpSettings {
  /** smtp://user:password@host:587 (STARTTLS when the server offers it) or smtps://…:465. */
  url: string;
  /** Milliseconds to connect, to be greeted, and of silence on the connection; defaults suit a Lambda. */
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** What nodemailer's errors carry (code: ECONNECTION, ETIMEDOUT, EAUTH…; responseCode: the SMTP reply). */
interface SmtpError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/**
 * Our side of the session failed before any message was offered: login refused (even with a 535, which
 * is about our credentials, not the email), TLS, a proxy, our settings. Nothing was delivered, and the
 * same email goes through once the deployment is fixed.
 */
const SESSION_CODES = new Set(["EAUTH", "ENOAUTH", "EOAUTH2", "ETLS", "EREQUIRETLS", "EPROXY", "ECONFIG"]);

/** The connection failed (refused, DNS, a timeout, closed): before the whole message, nothing was queued. */
const CONNECTION_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS"]);

const describe = (error: SmtpError): string =>
  [error.code, error.command ? `at ${error.command}` : undefined, error.response ?? error.message]
    .filter(Boolean)
    .join(" ");

/**
 * The outcome of a failed attempt. `handedOver`: the whole message had been written to the connection.
 * Exported for the unit tests, which feed it nodemailer's errors.
 */
export const smtpFailureOutcome = (error: SmtpError, handedOver: boolean): SendOutcome => {
  const reason = describe(error);
  if (error.code !== undefined && SESSION_CODES.has(error.code)) return { kind: "retry", reason };
  const code = error.responseCode;
  if (code !== undefined && code >= 400 && code < 600) {
    // 503 is "bad sequence of commands": the session's state, not the message (RFC 5321 §4.2.4).
    if (code >= 500 && code !== 503) return { kind: "rejected", reason };
    return { kind: "retry", reason };
  }
  // No answer from the server to what we sent last: after the whole message, it may have it.
  if (handedOver) return { kind: "unknown", reason };
  if (error.code !== undefined && CONNECTION_CODES.has(error.code)) return { kind: "retry", reason };
  // Refused by nodemailer before any server saw it (an address it cannot write, a size limit): the
  // same message would be refused again.
  if (error.code === "EENVELOPE" || error.code === "EMESSAGE") return { kind: "rejected", reason };
  return { kind: "retry", reason };
};

const envelopeAddress = (header: string): string | undefined => {
  const [first] = addressparser(header, { flatten: true });
  return first && "address" in first && first.address ? first.address : undefined;
};

/** The connection settings an SMTP URL names: smtps:// is TLS from the start, smtp:// upgrades when offered. */
const connectionOf = (settings: SmtpSettings) => {
  const url = new URL(settings.url);
  const secure = url.protocol === "smtps:";
  return {
    options: {
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      connectionTimeout: settings.connectionTimeoutMs ?? 10_000,
      greetingTimeout: settings.greetingTimeoutMs ?? 10_000,
      socketTimeout: settings.socketTimeoutMs ?? 30_000,
    },
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
  };
};

/** One SMTP session: connect, log in when the URL has credentials, send, quit. Rejects with nodemailer's error. */
const sendOnce = (
  settings: SmtpSettings,
  envelope: { from: string; to: string[] },
  body: PassThrough,
): Promise<SMTPConnectionSendInfo> =>
  new Promise((resolve, reject) => {
    const { options, auth } = connectionOf(settings);
    const connection = new SMTPConnection(options);
    let settled = false;
    const finish = (error: unknown, info?: SMTPConnectionSendInfo) => {
      if (settled) return;
      settled = true;
      if (error || !info) {
        connection.close();
        reject(error);
      } else {
        connection.quit();
        resolve(info);
      }
    };
    // `on`, not `once`: a connection may report more than one error, and an unheard one would throw.
    connection.on("error", (error) => finish(error));
    connection.connect((error) => {
      if (error) return finish(error);
      const send = () => connection.send(envelope, body, (sendError, info) => finish(sendError, info));
      if (!auth || !connection.allowsAuth) return send();
      connection.login(auth, (loginError) => (loginError ? finish(loginError) : send()));
    });
  });

export const smtpMailer = (settings: SmtpSettings): Mailer => ({
  async send(message: OutgoingEmail): Promise<SendOutcome> {
    const from = envelopeAddress(message.from);
    if (!from) return { kind: "rejected", reason: `the sender ${message.from} is not an address` };
    const built = await builtMessage(message);
    if ("refused" in built) return built.refused;
    const body = new PassThrough();
    let handedOver = false;
    body.once("end", () => {
      handedOver = true;
    });
    body.end(built.bytes);
    try {
      const info = await sendOnce(settings, { from, to: [message.to] }, body);
      if (info.rejected.length > 0)
        return {
          kind: "rejected",
          reason: `the server refused ${info.rejected.join(", ")}: ${info.response}`,
        };
      const providerMessageId = info.serverMessageId ?? info.response;
      return { kind: "sent", ...(providerMessageId ? { providerMessageId } : {}) };
    } catch (error) {
      return smtpFailureOutcome(error as SmtpError, handedOver);
    } finally {
      body.destroy();
    }
  },
});
