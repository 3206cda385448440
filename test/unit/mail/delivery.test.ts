import { describe, expect, it } from "vitest";
import {
  GIVE_UP_AFTER_MS,
  type MailLog,
  mailDelivery,
  nextAttemptAt,
  requeueDueEmails,
} from "../../../functions/app/mail.js";
import type {
  EmailRef,
  Mailer,
  MailOutbox,
  OutboxEmail,
  OutgoingEmail,
  SendOutcome,
} from "../../../functions/domain/ports.js";
import { anEmail, refOf } from "../../contract/mail-outbox.contract.js";
import { memoryMailOutbox } from "../../support/memory-mail-outbox.js";

/**
 * The delivery use case (app/mail.ts) over the in-memory outbox (which passes the same contract as
 * DynamoDB's), a scripted mailer and a fixed clock: at most once, the back-off, what fails for good.
 */

const MINUTE = 60_000;
const CREATED = Date.parse("2031-05-06T07:08:09.123Z");

/** A mailer answering each send with the next scripted outcome (then `sent`), remembering what it was given. */
const scriptedMailer = (...script: (SendOutcome | Error)[]) => {
  const sent: OutgoingEmail[] = [];
  const mailer: Mailer = {
    async send(message) {
      sent.push(message);
      const next = script.shift() ?? { kind: "sent", providerMessageId: `<provider-${sent.length}>` };
      if (next instanceof Error) throw next;
      return next;
    },
  };
  return { mailer, sent };
};

const message = (email: OutboxEmail): OutgoingEmail => ({
  from: '"Café Lumière via Carnet" <cards@example.com>',
  to: email.to,
  subject: "Your card",
  text: "text",
  html: "<p>html</p>",
  messageId: `<${email.emailId}@example.com>`,
  date: new Date(CREATED),
});

const recordingLog = () => {
  const lines: { level: string; message: string; details: Record<string, unknown> }[] = [];
  const log: MailLog = {
    info: (m, details) => lines.push({ level: "info", message: m, details }),
    warn: (m, details) => lines.push({ level: "warn", message: m, details }),
    error: (m, details) => lines.push({ level: "error", message: m, details }),
  };
  return { log, lines };
};

const setUp = (
  options: {
    mailer?: Mailer;
    compose?: (email: OutboxEmail) => Promise<OutgoingEmail | undefined>;
    outbox?: MailOutbox;
  } = {},
) => {
  const outbox = memoryMailOutbox();
  const clock = { now: new Date(CREATED) };
  const { log, lines } = recordingLog();
  const delivery = mailDelivery({
    outbox: options.outbox ?? outbox,
    mailer: options.mailer ?? scriptedMailer().mailer,
    compose: options.compose ?? (async (email) => message(email)),
    log,
    now: () => clock.now,
  });
  const pending = async (overrides: Partial<OutboxEmail> = {}) => {
    const email = anEmail({ createdAt: new Date(CREATED).toISOString(), ...overrides });
    await outbox.add(email);
    return email;
  };
  return { outbox, clock, delivery, pending, lines };
};

describe("delivering an outbox email", () => {
  it("sends a pending email once and records it sent, with the server's id", async () => {
    // Prepare
    const { mailer, sent } = scriptedMailer();
    const { outbox, delivery, pending } = setUp({ mailer });
    const email = await pending();

    // Act
    const report = await delivery.deliver([refOf(email)]);

    // Assess
    expect(report).toMatchObject({ sent: 1, retried: 0, failed: 0, skipped: 0, unfinished: [] });
    expect(sent.map((m) => m.messageId)).toEqual([`<${email.emailId}@example.com>`]);
    expect(outbox.get(email)).toMatchObject({
      status: "sent",
      attempts: 1,
      providerMessageId: "<provider-1>",
      sentAt: new Date(CREATED).toISOString(),
    });
  });

  it("never sends an email it could not claim: handed over twice, or to two workers at once, it goes once", async () => {
    // Prepare
    const { mailer, sent } = scriptedMailer();
    const { delivery, pending } = setUp({ mailer });
    const email = await pending();

    // Act
    const reports = await Promise.all([
      delivery.deliver([refOf(email), refOf(email)]),
      delivery.deliver([refOf(email)]),
    ]);
    const later = await delivery.deliver([refOf(email)]);

    // Assess
    expect(sent).toHaveLength(1);
    expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect(reports.reduce((n, r) => n + r.skipped, 0)).toBe(1);
    expect(later).toMatchObject({ sent: 0, skipped: 1 });
  });

  it("sends nothing for an email that is not pending: sent, waiting for its retry, or failed", async () => {
    // Prepare
    const { mailer, sent } = scriptedMailer(
      { kind: "retry", reason: "421" },
      { kind: "rejected", reason: "550" },
    );
    const { delivery, pending } = setUp({ mailer });
    const waiting = await pending();
    const failed = await pending();
    const done = await pending();
    await delivery.deliver([refOf(waiting)]);
    await delivery.deliver([refOf(failed)]);
    await delivery.deliver([refOf(done)]);

    // Act
    const report = await delivery.deliver([refOf(waiting), refOf(failed), refOf(done)]);

    // Assess
    expect(report).toMatchObject({ sent: 0, skipped: 3 });
    expect(sent).toHaveLength(3);
  });

  it("retries after 1 min, 5 min, 15 min, 1 h, 3 h, then every 6 h, and gives up 3 days after the email was written", async () => {
    // Prepare: a server that never takes it
    const never: Mailer = {
      send: async () => ({ kind: "retry", reason: "ECONNECTION connect ECONNREFUSED" }),
    };
    const { outbox, clock, delivery, pending } = setUp({ mailer: never });
    const email = await pending();
    const delays: number[] = [];

    // Act: each retry is requeued by the sweep when due, and handed over again
    let report = await delivery.deliver([refOf(email)]);
    while (report.retried === 1) {
      const next = Date.parse(outbox.get(email)?.nextAttemptAt ?? "");
      delays.push((next - clock.now.getTime()) / MINUTE);
      clock.now = new Date(next);
      await delivery.requeueDue(clock.now);
      report = await delivery.deliver([refOf(email)]);
    }

    // Assess
    expect(delays.slice(0, 7)).toEqual([1, 5, 15, 60, 180, 360, 360]);
    expect(new Set(delays.slice(5))).toEqual(new Set([360]));
    expect(report.failed).toBe(1);
    const final = outbox.get(email);
    expect(final).toMatchObject({ status: "failed", attempts: delays.length + 1 });
    expect(final?.lastError).toMatch(/^gave up after 17 attempt\(s\) over 72 hours: ECONNECTION/);
    expect(clock.now.getTime() - CREATED).toBeLessThanOrEqual(GIVE_UP_AFTER_MS);
    expect(clock.now.getTime() + 360 * MINUTE - CREATED).toBeGreaterThan(GIVE_UP_AFTER_MS);
  });

  it("delivers an email once the server is back, after a retry", async () => {
    // Prepare
    const { mailer, sent } = scriptedMailer({ kind: "retry", reason: "451 4.3.0 try again later" });
    const { outbox, clock, delivery, pending } = setUp({ mailer });
    const email = await pending();
    await delivery.deliver([refOf(email)]);

    // Act
    clock.now = new Date(CREATED + MINUTE);
    const requeued = await delivery.requeueDue(clock.now);
    const report = await delivery.deliver([refOf(email)]);

    // Assess
    expect(requeued).toEqual({ requeued: 1, skipped: 0 });
    expect(report.sent).toBe(1);
    expect(sent.map((m) => m.messageId)).toEqual([
      `<${email.emailId}@example.com>`,
      `<${email.emailId}@example.com>`,
    ]);
    expect(outbox.get(email)).toMatchObject({
      status: "sent",
      attempts: 2,
      lastError: "451 4.3.0 try again later",
    });
  });

  it("fails an email the server refused for good (5xx), without retrying it", async () => {
    // Prepare
    const { mailer, sent } = scriptedMailer({ kind: "rejected", reason: "550 5.1.1 no such user" });
    const { outbox, delivery, pending, clock } = setUp({ mailer });
    const email = await pending();

    // Act
    const report = await delivery.deliver([refOf(email)]);
    clock.now = new Date(CREATED + 10 * 24 * 60 * MINUTE);
    const requeued = await delivery.requeueDue(clock.now);

    // Assess
    expect(report).toMatchObject({ failed: 1, retried: 0 });
    expect(report.results[0]).toMatchObject({
      outcome: "failed",
      reason: "rejected: 550 5.1.1 no such user",
    });
    expect(requeued.requeued).toBe(0);
    expect(sent).toHaveLength(1);
    expect(outbox.get(email)).toMatchObject({
      status: "failed",
      lastError: "rejected: 550 5.1.1 no such user",
    });
  });

  it("never sends again an email that may have been delivered (outcome unknown, or the mailer broke)", async () => {
    // Prepare
    const { mailer, sent } = scriptedMailer(
      { kind: "unknown", reason: "ECONNECTION after the message was handed over" },
      new Error("socket exploded"),
    );
    const { outbox, delivery, pending } = setUp({ mailer });
    const unknown = await pending();
    const broken = await pending();

    // Act
    await delivery.deliver([refOf(unknown)]);
    await delivery.deliver([refOf(broken)]);
    const again = await delivery.deliver([refOf(unknown), refOf(broken)]);

    // Assess
    expect(sent).toHaveLength(2);
    expect(again.skipped).toBe(2);
    expect(outbox.get(unknown)?.status).toBe("failed");
    expect(outbox.get(unknown)?.lastError).toMatch(/^outcome unknown, not sent again: ECONNECTION/);
    expect(outbox.get(broken)?.lastError).toMatch(/the mailer failed: socket exploded/);
  });

  it("fails without sending anything when the member or its program is gone", async () => {
    // Prepare
    const { mailer, sent } = scriptedMailer();
    const { outbox, delivery, pending } = setUp({ mailer, compose: async () => undefined });
    const email = await pending();

    // Act
    const report = await delivery.deliver([refOf(email)]);

    // Assess
    expect(sent).toHaveLength(0);
    expect(report.failed).toBe(1);
    expect(outbox.get(email)).toMatchObject({
      status: "failed",
      lastError: expect.stringMatching(/member gone/),
    });
  });

  it("retries an email that could not be rendered (a read failed), having sent nothing", async () => {
    // Prepare
    const { mailer, sent } = scriptedMailer();
    const compose = async () => {
      throw new Error("ProvisionedThroughputExceededException");
    };
    const { outbox, delivery, pending } = setUp({ mailer, compose });
    const email = await pending();

    // Act
    const report = await delivery.deliver([refOf(email)]);

    // Assess
    expect(sent).toHaveLength(0);
    expect(report.retried).toBe(1);
    expect(outbox.get(email)).toMatchObject({
      status: "retry",
      nextAttemptAt: new Date(CREATED + MINUTE).toISOString(),
      lastError: "could not be rendered: ProvisionedThroughputExceededException",
    });
  });

  it("hands back the emails it could not claim, and sends the others", async () => {
    // Prepare
    const { mailer, sent } = scriptedMailer();
    const outbox = memoryMailOutbox();
    const emails = [anEmail(), anEmail(), anEmail()];
    for (const email of emails) await outbox.add(email);
    const flaky: MailOutbox = {
      ...outbox,
      claim: async (ref, now) => {
        if (ref.emailId === emails[1]?.emailId) throw new Error("RequestLimitExceeded");
        return outbox.claim(ref, now);
      },
    };
    const { delivery } = setUp({ mailer, outbox: flaky });

    // Act
    const report = await delivery.deliver(emails.map(refOf));

    // Assess
    expect(report.sent).toBe(2);
    expect(report.unfinished).toEqual([refOf(emails[1] as OutboxEmail)]);
    expect(sent.map((m) => m.to)).toHaveLength(2);
    expect(outbox.get(emails[1] as OutboxEmail)?.status).toBe("pending");
  });

  it("claims nothing once the batch's deadline has passed: those emails are handed back, still pending", async () => {
    // Prepare
    const { mailer, sent } = scriptedMailer();
    const { outbox, delivery, pending } = setUp({ mailer });
    const email = await pending();

    // Act
    const report = await delivery.deliver([refOf(email)], { deadline: Date.now() - 1 });

    // Assess
    expect(report.unfinished).toEqual([refOf(email)]);
    expect(sent).toHaveLength(0);
    expect(outbox.get(email)?.status).toBe("pending");
  });

  it("says loudly when a sent email's state could not be recorded, and still reports it sent", async () => {
    // Prepare
    const outbox = memoryMailOutbox();
    const email = anEmail();
    await outbox.add(email);
    const failing: MailOutbox = {
      ...outbox,
      sent: async () => {
        throw new Error("ServiceUnavailable");
      },
    };
    const { delivery, lines } = setUp({ outbox: failing });

    // Act
    const report = await delivery.deliver([refOf(email)]);

    // Assess
    expect(report.sent).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "error", message: expect.stringMatching(/^ALERT mail:/) }),
    );
    expect(outbox.get(email)?.status).toBe("sending");
  });

  it("logs no email address", async () => {
    // Prepare
    const { delivery, pending, lines } = setUp({
      mailer: scriptedMailer({ kind: "retry", reason: "421" }, { kind: "rejected", reason: "550" }).mailer,
    });
    const emails = [await pending(), await pending(), await pending()];

    // Act
    await delivery.deliver(emails.map(refOf));

    // Assess
    expect(lines).toHaveLength(3);
    expect(JSON.stringify(lines)).not.toContain("camille@example.com");
  });
});

describe("the sweep's requeue of due retries", () => {
  it("puts back to pending only the retries that are due, over every page", async () => {
    // Prepare
    const outbox = memoryMailOutbox();
    const due: EmailRef[] = [];
    const notYet = anEmail();
    for (const [i, email] of [anEmail(), anEmail(), anEmail(), anEmail(), anEmail(), notYet].entries()) {
      await outbox.add(email);
      await outbox.claim(refOf(email), new Date(CREATED));
      const at = email === notYet ? CREATED + 60 * MINUTE : CREATED + i * MINUTE;
      await outbox.retryLater(refOf(email), new Date(at), "421");
      if (email !== notYet) due.push(refOf(email));
    }

    // Act
    const first = await requeueDueEmails(outbox, new Date(CREATED + 10 * MINUTE));
    const second = await requeueDueEmails(outbox, new Date(CREATED + 10 * MINUTE));

    // Assess
    expect(first).toEqual({ requeued: 5, skipped: 0 });
    expect(second).toEqual({ requeued: 0, skipped: 0 });
    expect(due.map((ref) => outbox.get(ref)?.status)).toEqual(Array(5).fill("pending"));
    expect(outbox.get(notYet)?.status).toBe("retry");
  });
});

describe("the back-off", () => {
  it("names the next attempt from the attempts made, and none past 3 days after the email was written", () => {
    // Prepare
    const email = (attempts: number) => ({ attempts, createdAt: new Date(CREATED).toISOString() });
    const now = new Date(CREATED);

    // Act + Assess
    expect(nextAttemptAt(email(1), now)?.getTime()).toBe(CREATED + MINUTE);
    expect(nextAttemptAt(email(3), now)?.getTime()).toBe(CREATED + 15 * MINUTE);
    expect(nextAttemptAt(email(5), now)?.getTime()).toBe(CREATED + 180 * MINUTE);
    expect(nextAttemptAt(email(9), now)?.getTime()).toBe(CREATED + 360 * MINUTE);
    expect(nextAttemptAt(email(2), new Date(CREATED + GIVE_UP_AFTER_MS - 5 * MINUTE))).toBeDefined();
    expect(nextAttemptAt(email(2), new Date(CREATED + GIVE_UP_AFTER_MS - 4 * MINUTE))).toBeUndefined();
  });
});
