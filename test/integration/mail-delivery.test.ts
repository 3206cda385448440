import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { dynamoMailOutbox } from "../../functions/adapters/dynamodb/mail-outbox.js";
import { dynamoRepositories } from "../../functions/adapters/dynamodb/repositories.js";
import type { OutboxEmail } from "../../functions/domain/ports.js";
import { emailKeys } from "../../functions/shared/keys.js";
import { verifyCardLink } from "../../functions/shared/pass-tokens.js";
import { anEnrollment, aProgram } from "../contract/fixtures.js";
import { anEmail } from "../contract/mail-outbox.contract.js";
import { cardLinkIn, useMail } from "../support/mail.js";
import { TEST_PASS_SECRET, testTable, useTestTable } from "../support/table.js";

/**
 * Email end to end below HTTP: an `email` item written to the table → the table's stream (the local
 * poller, with the mail function's filter) → the mail function → SMTP → MailDev, read back through
 * MailDev's API like a mail client. Then an SMTP outage: the email waits in `retry`, nothing is lost,
 * and it is delivered once, when the server is back and the sweep finds the retry due.
 */

const table = useTestTable();
process.env.PUBLIC_URL = "https://loyalty.example.com";
const mail = useMail(table);

/** A program (in French) with one member, and the member's outbox email, not written yet. */
const aCustomer = async (to: string) => {
  const repositories = dynamoRepositories(testTable());
  const program = {
    ...aProgram(),
    name: "Café Lumière Rewards",
    organizationName: "Café Lumière",
    locale: "fr-FR",
  };
  await repositories.programs.create(program, "0".repeat(64));
  const enrollment = anEnrollment(program.programId);
  enrollment.profile.email = to;
  expect(await repositories.members.enroll(enrollment)).toEqual({ kind: "enrolled" });
  const email: OutboxEmail = anEmail({
    memberId: enrollment.member.memberId,
    programId: program.programId,
    to,
    locale: "fr-FR",
    createdAt: new Date().toISOString(),
  });
  return { program, member: enrollment.member, email };
};

const stored = async (email: OutboxEmail) => {
  const { Item } = await testTable().client.send(
    new GetCommand({
      TableName: testTable().name,
      Key: emailKeys.email(email.memberId, email.createdAt, email.emailId),
      ConsistentRead: true,
    }),
  );
  return Item;
};

const until = async <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** The stream record of the email's INSERT, as DynamoDB Streams hands it over (handed over again). */
const insertRecordOf = (email: OutboxEmail, sequenceNumber: string): DynamoDBRecord => ({
  eventName: "INSERT",
  dynamodb: {
    SequenceNumber: sequenceNumber,
    NewImage: {
      entity: { S: "email" },
      status: { S: "pending" },
      memberId: { S: email.memberId },
      createdAt: { S: email.createdAt },
      emailId: { S: email.emailId },
    },
  },
});

describe("email delivery", () => {
  it("delivers an outbox email exactly once: Message-ID, Date, language, a text and an HTML part with the same card link", async () => {
    // Prepare
    const to = `camille.${Date.now()}@example.com`;
    const { member, email } = await aCustomer(to);
    const started = Date.now();

    // Act
    await dynamoMailOutbox(testTable()).add(email);
    const [received] = await mail.waitForEmails(1, to);
    const deliveredMs = Date.now() - started;
    await mail.drained();

    // Assess: what the customer's mail client shows
    expect(received).toBeDefined();
    if (!received) return;
    expect(received.subject).toBe("Votre carte Café Lumière Rewards");
    expect(received.from).toContain("Café Lumière via Carnet Tests");
    expect(received.from).toContain("<cards@carnet.test>");
    expect(received.messageId).toBe(`<${email.emailId}@carnet.test>`);
    expect(Math.abs(Date.parse(received.date) - Date.now())).toBeLessThan(60_000);
    expect(received.headers["content-language"]).toBe("fr");
    const link = cardLinkIn(received);
    expect(link.startsWith("https://loyalty.example.com/c/")).toBe(true);
    expect(received.html).toContain(`href="${link}"`);
    expect(received.html).toContain(`href="${link}/pass.pkpass"`);
    expect(received.text).toContain(member.cardCode.replace(/(\d{4})(?=\d)/g, "$1 "));
    const token = link.slice(link.lastIndexOf("/") + 1);
    expect(verifyCardLink(Buffer.from(TEST_PASS_SECRET), token, new Date())).toMatchObject({
      ok: true,
      link: { memberId: member.memberId },
    });
    const source = await mail.source(received.id);
    expect(source).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(source).toMatch(/^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/m);
    expect(source).toContain(`Message-ID: <${email.emailId}@carnet.test>`);
    expect(source).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
    expect(source).toMatch(/^Content-Type: text\/html; charset=utf-8/m);
    // … and what the outbox recorded
    expect(await stored(email)).toMatchObject({ status: "sent", attempts: 1, sentAt: expect.any(String) });
    expect(deliveredMs).toBeLessThan(5_000);

    // Act again: the same stream record handed over again (a retried batch) sends nothing
    const { handleEmails } = await import("../../functions/mail/handler.js");
    const replay = await handleEmails([insertRecordOf(email, "1"), insertRecordOf(email, "2")]);
    await mail.drained();

    // Assess
    expect(replay).toMatchObject({ sent: 0, skipped: 1, unfinished: [] });
    expect(await mail.inbox().then((all) => all.filter((e) => e.to.includes(to)))).toHaveLength(1);
  });

  it("keeps an email through an SMTP outage and delivers it once when the server is back and the retry is due", async () => {
    // Prepare
    const to = `outage.${Date.now()}@example.com`;
    const { email } = await aCustomer(to);
    await mail.stopSmtp();

    // Act: written during the outage
    await dynamoMailOutbox(testTable()).add(email);
    const waiting = await until(
      "the email's state",
      () => stored(email),
      (item) => item?.status === "retry",
    );
    const notYet = await mail.retryDue(new Date());
    await mail.startSmtp();
    const due = await mail.retryDue(new Date(Date.parse(waiting?.nextAttemptAt) + 1));
    const received = await mail.waitForEmails(1, to);
    await mail.drained();
    const again = await mail.retryDue(new Date(Date.now() + 24 * 60 * 60_000));
    await mail.drained();

    // Assess
    expect(waiting).toMatchObject({ status: "retry", attempts: 1, GSI2PK: "MAILRETRY" });
    expect(waiting?.lastError).toMatch(/ECONNREFUSED/);
    const backOff = Date.parse(waiting?.nextAttemptAt) - Date.parse(waiting?.claimedAt);
    expect(backOff).toBeGreaterThanOrEqual(60_000);
    expect(backOff).toBeLessThan(65_000);
    expect(notYet.requeued).toBe(0);
    expect(due.requeued).toBe(1);
    expect(again.requeued).toBe(0);
    expect(received).toHaveLength(1);
    expect(received[0]?.messageId).toBe(`<${email.emailId}@carnet.test>`);
    expect(await mail.inbox().then((all) => all.filter((e) => e.to.includes(to)))).toHaveLength(1);
    expect(await stored(email)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("sends nothing, and fails the email, when its member no longer exists", async () => {
    // Prepare
    const to = `gone.${Date.now()}@example.com`;
    const { email } = await aCustomer(to);
    const orphan = { ...email, memberId: "mbr_0000000000000000", emailId: `${email.emailId.slice(0, -1)}0` };

    // Act
    await dynamoMailOutbox(testTable()).add(orphan);
    const failed = await until(
      "the email's state",
      () => stored(orphan),
      (item) => item?.status === "failed",
    );
    await mail.drained();

    // Assess
    expect(failed?.lastError).toMatch(/member gone/);
    expect(await mail.inbox().then((all) => all.filter((e) => e.to.includes(to)))).toHaveLength(0);
  });
});
