import { SESv2Client, type SESv2ClientConfig, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { Mailer, OutgoingEmail, SendOutcome } from "../../domain/ports.js";
import { builtMessage } from "./mime.js";

/**
 * Sending through Amazon SES (API v2, SendEmail with the raw message: the same bytes the SMTP transport
 * sends, mime.ts). The SDK's own retries are off (one attempt per send): SendEmail has no idempotency
 * token, so an attempt the SDK repeats after a timeout could deliver the email twice; the outbox
 * retries instead, when it is sure nothing went out (app/mail.ts).
 *
 * - SES answered and did not send: throttled, a quota or the account paused, a server error →
 *   `retry`; the message or the recipient refused (MessageRejected, e.g. an address not verified
 *   while the account is in the SES sandbox, or a bad request) → `rejected`. A refusal that names our
 *   own sender (its identity not verified) is the deployment's problem, not the email's: `retry`.
 * - No answer: the connection was never made (refused, DNS, the connect timeout, no credentials) →
 *   `retry`; the request was sent and the answer never came (a timeout, a reset) → `unknown`.
 */

export interface SesSettings {
  region: string;
  /** MAIL_FROM's address: SES's sender, and how a refusal of our own sender is told apart. */
  fromAddress: string;
  /** Milliseconds to connect, and to have SES's answer; defaults suit a Lambda. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** For the tests: an endpoint and credentials of a stand-in. */
  client?: Pick<SESv2ClientConfig, "endpoint" | "credentials">;
}

/** SES refused for now, or its account or our sender needs an operator: nothing was sent. */
const NOT_SENT_NOW = new Set([
  "TooManyRequestsException",
  "LimitExceededException",
  "SendingPausedException",
  "AccountSuspendedException",
  "MailFromDomainNotVerifiedException",
  "InternalServiceErrorException",
]);

/** Network errors raised before a request could leave: it never reached SES. */
const NEVER_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The outcome of a failed SendEmail. Exported for the unit tests. */
export const sesFailureOutcome = (error: SdkError, fromAddress: string): SendOutcome => {
  const name = error.name ?? "Error";
  const reason =
    `${name}${error.code && error.code !== name ? ` ${error.code}` : ""}: ${error.message ?? ""}`.trim();
  const status = error.$metadata?.httpStatusCode;
  if (status !== undefined) {
    if (NOT_SENT_NOW.has(name) || status === 429 || status >= 500) return { kind: "retry", reason };
    if (name === "MessageRejected" && (error.message ?? "").toLowerCase().includes(fromAddress.toLowerCase()))
      return { kind: "retry", reason: `the sender ${fromAddress} is not verified in SES: ${reason}` };
    return { kind: "rejected", reason };
  }
  if (name === "CredentialsProviderError") return { kind: "retry", reason };
  if (error.code !== undefined && (NEVER_CONNECTED.has(error.code) || error.code.startsWith("CERT_")))
    return { kind: "retry", reason };
  if (/did not establish a connection/.test(error.message ?? "")) return { kind: "retry", reason };
  return { kind: "unknown", reason };
};

export const sesMailer = (settings: SesSettings): Mailer => {
  const client = new SESv2Client({
    region: settings.region,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: settings.connectionTimeoutMs ?? 5_000,
      requestTimeout: settings.requestTimeoutMs ?? 20_000,
      throwOnRequestTimeout: true,
    },
    ...settings.client,
  });
  return {
    async send(message: OutgoingEmail): Promise<SendOutcome> {
      const built = await builtMessage(message);
      if ("refused" in built) return built.refused;
      try {
        const { MessageId } = await client.send(
          new SendEmailCommand({
            FromEmailAddress: settings.fromAddress,
            Destination: { ToAddresses: [message.to] },
            Content: { Raw: { Data: built.bytes } },
          }),
        );
        return { kind: "sent", ...(MessageId ? { providerMessageId: MessageId } : {}) };
      } catch (error) {
        return sesFailureOutcome(error as SdkError, settings.fromAddress);
      }
    },
  };
};
