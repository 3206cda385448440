import { describe, expect, it } from "vitest";
import type { EmailRef, MailOutbox, OutboxEmail } from "../../functions/domain/ports.js";
import { newId } from "../../functions/shared/ids.js";

/**
 * MailOutbox: the members' outbox emails and their states (docs/email.md). Passed by the DynamoDB
 * adapter (test/integration/mail-outbox.test.ts) and by the in-memory one the use-case tests run on
 * (test/unit/mail/memory-outbox.test.ts). Every test uses emails of its own; `dueRetries` lists the
 * whole outbox's, so a test looks only for its own among them.
 */

const CREATED = "2031-05-06T07:08:09.123Z";
const at = (minutes: number) => new Date(Date.parse(CREATED) + minutes * 60_000);

export const anEmail = (overrides: Partial<OutboxEmail> = {}): OutboxEmail => ({
  emailId: newId("eml"),
  memberId: newId("mbr"),
  programId: newId("prg"),
  kind: "card_link",
  to: "camille@example.com",
  locale: "fr-FR",
  createdAt: CREATED,
  status: "pending",
  attempts: 0,
  ...overrides,
});

export const refOf = ({ memberId, createdAt, emailId }: EmailRef): EmailRef => ({
  memberId,
  createdAt,
  emailId,
});

/** Every email due by `now`, all pages. */
export const allDue = async (outbox: MailOutbox, now: Date): Promise<EmailRef[]> => {
  const refs: EmailRef[] = [];
  let cursor: string | undefined;
  do {
    const page = await outbox.dueRetries(now, cursor);
    refs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return refs;
};

const includes = (refs: EmailRef[], email: EmailRef) =>
  refs.some(
    (r) => r.emailId === email.emailId && r.memberId === email.memberId && r.createdAt === email.createdAt,
  );

export const mailOutboxContract = (name: string, make: () => MailOutbox) => {
  describe(`MailOutbox (${name})`, () => {
    it("claims a pending email once: a second claim, by any worker, gets nothing", async () => {
      // Prepare
      const outbox = make();
      const email = anEmail();
      await outbox.add(email);

      // Act
      const [first, second] = await Promise.all([
        outbox.claim(refOf(email), at(0)),
        outbox.claim(refOf(email), at(0)),
      ]);
      const third = await outbox.claim(refOf(email), at(1));

      // Assess
      const claims = [first, second].filter((c) => c !== undefined);
      expect(claims).toHaveLength(1);
      expect(claims[0]).toMatchObject({
        ...email,
        status: "sending",
        attempts: 1,
      });
      expect(third).toBeUndefined();
    });

    it("claims nothing for an email that does not exist", async () => {
      // Act
      const claim = await make().claim(refOf(anEmail()), at(0));

      // Assess
      expect(claim).toBeUndefined();
    });

    it("refuses a second email under the same key", async () => {
      // Prepare
      const outbox = make();
      const email = anEmail();
      await outbox.add(email);

      // Act + Assess
      await expect(outbox.add({ ...email, to: "someone-else@example.com" })).rejects.toThrow();
    });

    it("lists a pending email nobody claimed 15 minutes after it was written, and hands it over once", async () => {
      // Prepare: an email whose stream record never reached the mail worker
      const outbox = make();
      const email = anEmail();
      await outbox.add(email);

      // Act
      const early = includes(await allDue(outbox, at(14)), email);
      const late = includes(await allDue(outbox, at(15)), email);
      const requeues = [
        await outbox.requeue(refOf(email), at(15)),
        await outbox.requeue(refOf(email), at(15)),
      ];

      // Assess
      expect([early, late]).toEqual([false, true]);
      expect(requeues).toEqual([true, false]);
      expect(includes(await allDue(outbox, at(16)), email)).toBe(false);
      expect(await outbox.claim(refOf(email), at(16))).toMatchObject({ status: "sending", attempts: 1 });
    });

    it("takes a claimed email out of the unclaimed list", async () => {
      // Prepare
      const outbox = make();
      const email = anEmail();
      await outbox.add(email);

      // Act
      await outbox.claim(refOf(email), at(1));

      // Assess
      expect(includes(await allDue(outbox, at(60)), email)).toBe(false);
      expect(await outbox.requeue(refOf(email), at(60))).toBe(false);
    });

    it("marks a claimed email sent, after which it is never claimed nor listed again", async () => {
      // Prepare
      const outbox = make();
      const email = anEmail();
      await outbox.add(email);
      await outbox.claim(refOf(email), at(0));

      // Act
      await outbox.sent(refOf(email), "<provider-1@example.com>", at(1));

      // Assess
      expect(await outbox.claim(refOf(email), at(2))).toBeUndefined();
      expect(await outbox.requeue(refOf(email), at(2))).toBe(false);
      expect(includes(await allDue(outbox, at(60 * 24 * 10)), email)).toBe(false);
    });

    it("settles only an email that is being sent", async () => {
      // Prepare
      const outbox = make();
      const pending = anEmail();
      await outbox.add(pending);
      const sent = anEmail();
      await outbox.add(sent);
      await outbox.claim(refOf(sent), at(0));
      await outbox.sent(refOf(sent), undefined, at(0));

      // Act + Assess
      await expect(outbox.sent(refOf(pending), undefined, at(1))).rejects.toThrow(/not being sent/);
      await expect(outbox.retryLater(refOf(pending), at(5), "421")).rejects.toThrow(/not being sent/);
      await expect(outbox.failed(refOf(sent), "550", at(1))).rejects.toThrow(/not being sent/);
      expect(await outbox.claim(refOf(pending), at(2))).toMatchObject({ status: "sending", attempts: 1 });
    });

    it("keeps an email for a retry until it is due, then lists it", async () => {
      // Prepare
      const outbox = make();
      const email = anEmail();
      await outbox.add(email);
      await outbox.claim(refOf(email), at(0));

      // Act
      await outbox.retryLater(refOf(email), at(5), "ECONNECTION connect ECONNREFUSED 127.0.0.1:1025");

      // Assess
      expect(await outbox.claim(refOf(email), at(1))).toBeUndefined();
      expect(includes(await allDue(outbox, at(4)), email)).toBe(false);
      expect(includes(await allDue(outbox, at(5)), email)).toBe(true);
      expect(includes(await allDue(outbox, at(6)), email)).toBe(true);
    });

    it("puts a due retry back to pending once, where the next claim counts a second attempt", async () => {
      // Prepare
      const outbox = make();
      const email = anEmail();
      await outbox.add(email);
      await outbox.claim(refOf(email), at(0));
      await outbox.retryLater(refOf(email), at(1), "451 try again later");

      // Act
      const requeues = await Promise.all([
        outbox.requeue(refOf(email), at(2)),
        outbox.requeue(refOf(email), at(2)),
      ]);

      // Assess
      expect(requeues.sort()).toEqual([false, true]);
      expect(includes(await allDue(outbox, at(2)), email)).toBe(false);
      const again = await outbox.claim(refOf(email), at(2));
      expect(again).toMatchObject({ status: "sending", attempts: 2, lastError: "451 try again later" });
    });

    it("fails an email for good: never listed for a retry, never claimed again", async () => {
      // Prepare
      const outbox = make();
      const email = anEmail();
      await outbox.add(email);
      await outbox.claim(refOf(email), at(0));
      await outbox.retryLater(refOf(email), at(1), "421 busy");
      await outbox.requeue(refOf(email), at(2));
      await outbox.claim(refOf(email), at(2));

      // Act
      await outbox.failed(refOf(email), "550 no such user", at(2));

      // Assess
      expect(includes(await allDue(outbox, at(60 * 24 * 10)), email)).toBe(false);
      expect(await outbox.requeue(refOf(email), at(2))).toBe(false);
      expect(await outbox.claim(refOf(email), at(3))).toBeUndefined();
    });

    it("lists due retries over pages, each exactly once, oldest due first", async () => {
      // Prepare
      const outbox = make();
      const emails = Array.from({ length: 5 }, () => anEmail());
      for (const [i, email] of emails.entries()) {
        await outbox.add(email);
        await outbox.claim(refOf(email), at(0));
        await outbox.retryLater(refOf(email), at(10 - i), "421 busy");
      }

      // Act
      const due = (await allDue(outbox, at(20))).filter((ref) =>
        emails.some((e) => e.emailId === ref.emailId),
      );

      // Assess
      expect(due.map((r) => r.emailId)).toEqual([...emails].reverse().map((e) => e.emailId));
      expect(due).toEqual([...emails].reverse().map(refOf));
    });
  });
};
