import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MailDev } from "maildev";
import { afterAll, beforeAll } from "vitest";
import { dynamoMailOutbox } from "../../functions/adapters/dynamodb/mail-outbox.js";
import { requeueDueEmails } from "../../functions/app/mail.js";
import { resetConfigForTests } from "../../functions/config/env.js";
import { reachesMail } from "../../functions/mail/stream-filter.js";
import { freePort, localDynamoClient } from "../../local/dynamodb-local.js";
import { startMailCatcher } from "../../local/mail-catcher.js";
import type { StreamPoller } from "../../local/stream-poller.js";
import { startTestStream } from "./stream.js";
import { testTable } from "./table.js";

/**
 * Email as in production, for a test file: the table's stream read by the local poller with the mail
 * function's filter, the mail function itself, and real SMTP to a MailDev of the file's own (free
 * ports, messages in a temporary folder). The inbox is read through MailDev's REST API, as a person's
 * mail client would show it. Call it after useTestTable (or useApi) and before the first request: it
 * sets SMTP_URL and MAIL_FROM (unless MAIL_FROM is set already) for the handlers.
 */

/** One email as MailDev received it. Header names are lower case. */
export interface ReceivedEmail {
  /** MailDev's id (for `source`). */
  id: string;
  subject: string;
  /** The From header's mailboxes as `Name <address>`, the name decoded. */
  from: string;
  /** The addresses of the To header. */
  to: string[];
  text: string;
  /** The HTML part as MailDev shows it (sanitized by MailDev: no scripts, same links). */
  html: string;
  /** The message's own headers, as sent (names in lower case, values as written, folded lines joined). */
  headers: Record<string, string>;
  messageId: string;
  /** The Date header, as an ISO instant. */
  date: string;
}

interface MailDevAddress {
  address: string;
  name?: string;
}

interface MailDevEmail {
  id: string;
  subject?: string;
  from?: MailDevAddress[];
  to?: MailDevAddress[];
  text?: string;
  html?: string;
}

/** The MAIL_FROM the tests send from (the handlers' own, unless the test file set one). */
export const TEST_MAIL_FROM = "Carnet Tests <cards@carnet.test>";

/** A port free right now on 127.0.0.1. */
/** The card page link (`…/c/{token}`) an email carries: the first one in its plain-text part. */
export const cardLinkIn = (email: Pick<ReceivedEmail, "text">): string => {
  const link = email.text.match(/https?:\/\/\S+\/c\/[A-Za-z0-9._-]+(?=\s)/)?.[0];
  if (!link) throw new Error(`no card link in this email:\n${email.text}`);
  return link;
};

export const useMail = (table: { tableName: string; endpoint: string }) => {
  let maildev: MailDev | undefined;
  let poller: StreamPoller | undefined;
  let webUrl = "";
  let smtpPort = 0;
  let folder: string | undefined;
  const dynamo = localDynamoClient(table.endpoint);

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "carnet-maildev-"));
    // A fixed port (free now) rather than 0, so that the SMTP server comes back on it after an outage.
    smtpPort = await freePort();
    const caught = await startMailCatcher(smtpPort, 0, folder);
    maildev = caught.maildev;
    webUrl = `http://127.0.0.1:${caught.webPort}`;
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
    process.env.MAIL_FROM ??= TEST_MAIL_FROM;
    resetConfigForTests();
    const { handleEmails } = await import("../../functions/mail/handler.js");
    poller = await startTestStream(dynamo, table, {
      name: "mail",
      handle: (records) => handleEmails(records),
      // What reaches the mail function, as npm start filters it (functions/mail/stream-filter.ts).
      filter: reachesMail,
    });
  });
  afterAll(async () => {
    await poller?.stop();
    await maildev?.stop();
    dynamo.destroy();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${webUrl}${path}`);
    if (!response.ok) throw new Error(`MailDev ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };

  const source = async (id: string): Promise<string> => {
    const response = await fetch(`${webUrl}/api/email/${encodeURIComponent(id)}/source`);
    if (!response.ok) throw new Error(`MailDev source of ${id}: ${response.status}`);
    return response.text();
  };

  /**
   * The message's own header block, unfolded, names in lower case (MailDev's parsed headers leave out
   * those that are not plain strings, such as Date).
   */
  const headersOf = (raw: string): Record<string, string> => {
    const block = raw.split(/\r?\n\r?\n/, 1)[0] ?? "";
    const headers: Record<string, string> = {};
    for (const line of block.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] ??= line.slice(colon + 1).trim();
    }
    return headers;
  };

  const inbox = async (): Promise<ReceivedEmail[]> =>
    Promise.all(
      (await api<MailDevEmail[]>("/api/email?sort=asc")).map(async (email) => {
        const headers = headersOf(await source(email.id));
        return {
          id: email.id,
          subject: email.subject ?? "",
          from: (email.from ?? []).map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(", "),
          to: (email.to ?? []).map((a) => a.address),
          text: email.text ?? "",
          html: email.html ?? "",
          headers,
          messageId: headers["message-id"] ?? "",
          date: headers.date ? new Date(headers.date).toISOString() : "",
        };
      }),
    );

  const drained = () => poller?.drained() ?? Promise.resolve();

  return {
    /** Every email MailDev received, oldest first. */
    inbox,
    /** The raw message as it came over SMTP (headers and every MIME part). */
    source,
    /**
     * Waits until the inbox holds at least `count` emails (to `to`, when given), and returns them: the
     * stream is read every 50 ms, so this takes well under a second once the email is written.
     */
    waitForEmails: async (count: number, to?: string, timeoutMs = 10_000): Promise<ReceivedEmail[]> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const emails = (await inbox()).filter((e) => to === undefined || e.to.includes(to));
        if (emails.length >= count) return emails;
        if (Date.now() > deadline)
          throw new Error(
            `expected ${count} email(s)${to ? ` to ${to}` : ""} in MailDev within ${timeoutMs} ms, got ${emails.length}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** Every change written so far has gone through the mail function. */
    drained,
    /** An outage: MailDev's SMTP server stops listening (its inbox and web API stay up). */
    stopSmtp: async () => {
      await maildev?.getServers()?.smtp.stop();
    },
    /** The SMTP server back, on the same port. */
    startSmtp: async () => {
      await maildev?.getServers()?.smtp.start();
    },
    /**
     * The sweep's requeue of due retries (every 15 minutes in AWS), run now as if at `now` (default:
     * now): the emails go back to `pending` and the stream hands them to the mail function again.
     */
    retryDue: (now = new Date()) => requeueDueEmails(dynamoMailOutbox(testTable()), now),
    /** MailDev's web inbox, to look at the emails in a browser while debugging. */
    webUrl: () => webUrl,
    smtpUrl: () => `smtp://127.0.0.1:${smtpPort}`,
  };
};
