import type { EmailRef, Mailer, MailOutbox, OutboxEmail, OutgoingEmail } from "../domain/ports.js";
import { eachInParallel } from "../shared/parallel.js";

/**
 * Delivering the outbox (docs/email.md): the table's stream hands the mail function every `email` item
 * that became `pending` (written with the member at enrollment, or put back by the sweep for a retry),
 * and each one is claimed, rendered, sent and settled here.
 *
 * At most once: an email goes out only after this worker claimed it (`pending` → `sending`, one
 * conditional write, MailOutbox.claim), so a stream record handed over twice, or to two workers, sends
 * nothing the second time. After a claim, the email is settled by what became of the attempt:
 * `sent`; `retry` when nothing can have been delivered (the server unreachable, or 4xx: due again
 * after a back-off, RETRY_DELAYS_MS, until GIVE_UP_AFTER_MS after it was written); `failed` when it
 * was refused for good (5xx), or when it may have been delivered but that is not known (the connection
 * broke after the message was handed over): sending it again could deliver it twice.
 */

/** After the 1st, 2nd… failed attempt: 1 min, 5 min, 15 min, 1 h, 3 h; then every RETRY_EVERY_MS. */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 3 * 60 * 60_000] as const;
export const RETRY_EVERY_MS = 6 * 60 * 60_000;
/** An email not delivered this long after it was written is given up (failed): a card link is urgent or useless. */
export const GIVE_UP_AFTER_MS = 3 * 24 * 60 * 60_000;
/** Emails sent at the same time by one worker (each on its own SMTP connection or SES request). */
export const EMAILS_IN_PARALLEL = 4;

/**
 * When to try again an email whose `attempts`-th attempt could not deliver it, or undefined when that
 * would be more than GIVE_UP_AFTER_MS after it was written (then it fails).
 */
export const nextAttemptAt = (
  email: Pick<OutboxEmail, "attempts" | "createdAt">,
  now: Date,
): Date | undefined => {
  const delay = RETRY_DELAYS_MS[email.attempts - 1] ?? RETRY_EVERY_MS;
  const next = new Date(now.getTime() + delay);
  return next.getTime() > Date.parse(email.createdAt) + GIVE_UP_AFTER_MS ? undefined : next;
};

export interface MailLog {
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
  /** Someone must act (a state that could not be recorded, an email that may never go). */
  error(message: string, details: Record<string, unknown>): void;
}

/** What became of one email handed to `deliver`. */
export type DeliveryResult = EmailRef & { to?: string } & (
    | { outcome: "sent"; providerMessageId?: string }
    | { outcome: "retry"; reason: string; nextAttemptAt: string }
    | { outcome: "failed"; reason: string }
    /** Not `pending` (any more): sent, being sent, or waiting for its retry. Nothing done. */
    | { outcome: "skipped" }
    /** Not claimed: the claim failed unexpectedly, or the deadline came first. Hand it over again. */
    | { outcome: "unfinished"; reason: string }
  );

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
  /** The emails to hand over again (never claimed): the stream batch resumes at the first of them. */
  unfinished: EmailRef[];
  results: DeliveryResult[];
}

export interface MailDeliveryDeps {
  outbox: MailOutbox;
  mailer: Mailer;
  /**
   * The message of an email, rendered with what it needs now (the member, the program, a fresh card
   * link); undefined when the member or its program no longer exists: nothing to send, ever.
   */
  compose: (email: OutboxEmail) => Promise<OutgoingEmail | undefined>;
  log: MailLog;
  now?: () => Date;
}

/** One string per email, to tell emails apart (in a batch, among its unfinished ones). */
export const emailRefKey = (ref: EmailRef) => `${ref.memberId}/${ref.createdAt}/${ref.emailId}`;
const refOf = ({ memberId, createdAt, emailId }: EmailRef): EmailRef => ({ memberId, createdAt, emailId });
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const mailDelivery = (deps: MailDeliveryDeps) => {
  const now = deps.now ?? (() => new Date());

  /**
   * Records a claimed email's new state. A write that fails (after the SDK's own retries) leaves the
   * email `sending`, which nothing sends again: said loudly, and not thrown, so that the result still
   * says what became of the email itself.
   */
  const record = async (ref: EmailRef, state: string, write: () => Promise<void>): Promise<void> => {
    try {
      await write();
    } catch (error) {
      deps.log.error("ALERT mail: the email's state could not be recorded; it stays `sending`", {
        ...ref,
        state,
        error: messageOf(error),
      });
    }
  };

  /** A claimed email that could not go now: due again after its back-off, or failed when that is too late. */
  const later = async (email: OutboxEmail, reason: string): Promise<DeliveryResult> => {
    const ref = refOf(email);
    const next = nextAttemptAt(email, now());
    if (!next) {
      const given = `gave up after ${email.attempts} attempt(s) over ${GIVE_UP_AFTER_MS / 3_600_000} hours: ${reason}`;
      await record(ref, "failed", () => deps.outbox.failed(ref, given, now()));
      deps.log.error("mail: given up", { ...ref, attempts: email.attempts, reason });
      return { ...ref, to: email.to, outcome: "failed", reason: given };
    }
    await record(ref, "retry", () => deps.outbox.retryLater(ref, next, reason));
    deps.log.warn("mail: not delivered, will retry", {
      ...ref,
      attempts: email.attempts,
      nextAttemptAt: next.toISOString(),
      reason,
    });
    return { ...ref, to: email.to, outcome: "retry", reason, nextAttemptAt: next.toISOString() };
  };

  const fail = async (email: OutboxEmail, reason: string): Promise<DeliveryResult> => {
    const ref = refOf(email);
    await record(ref, "failed", () => deps.outbox.failed(ref, reason, now()));
    deps.log.warn("mail: failed, never sent again", { ...ref, attempts: email.attempts, reason });
    return { ...ref, to: email.to, outcome: "failed", reason };
  };

  /** A claimed email: rendered, sent once, and its state recorded. */
  const sendClaimed = async (email: OutboxEmail): Promise<DeliveryResult> => {
    const ref = refOf(email);
    let message: OutgoingEmail | undefined;
    try {
      message = await deps.compose(email);
    } catch (error) {
      // Nothing went out (a read or a secret failed): safe to try again.
      return later(email, `could not be rendered: ${messageOf(error)}`);
    }
    if (!message) return fail(email, "member gone: the member or its program no longer exists");
    let outcome: Awaited<ReturnType<Mailer["send"]>>;
    try {
      outcome = await deps.mailer.send(message);
    } catch (error) {
      // A mailer reports its failures as outcomes; a throw is a fault of its own, after which
      // nothing says whether the message left: never sent again.
      outcome = { kind: "unknown", reason: `the mailer failed: ${messageOf(error)}` };
    }
    switch (outcome.kind) {
      case "sent":
        await record(ref, "sent", () => deps.outbox.sent(ref, outcome.providerMessageId, now()));
        deps.log.info("mail: sent", { ...ref, kind: email.kind, attempts: email.attempts });
        return {
          ...ref,
          to: email.to,
          outcome: "sent",
          ...(outcome.providerMessageId ? { providerMessageId: outcome.providerMessageId } : {}),
        };
      case "retry":
        return later(email, outcome.reason);
      case "rejected":
        return fail(email, `rejected: ${outcome.reason}`);
      case "unknown":
        return fail(email, `outcome unknown, not sent again: ${outcome.reason}`);
    }
  };

  return {
    /**
     * Delivers these emails (from stream records), EMAILS_IN_PARALLEL at a time. None is claimed after
     * `deadline` (epoch ms): those are reported unfinished, as are those whose claim failed, for the
     * stream to hand over again. Once claimed, an email is settled here whatever happens; a state that
     * cannot be recorded is logged (the email stays `sending` and is never sent again).
     */
    async deliver(refs: readonly EmailRef[], options: { deadline?: number } = {}): Promise<DeliveryReport> {
      const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
      const unique = [...new Map(refs.map((ref) => [emailRefKey(ref), refOf(ref)])).values()];
      const results: DeliveryResult[] = [];
      await eachInParallel(unique, EMAILS_IN_PARALLEL, async (ref) => {
        if (Date.now() >= deadline) {
          results.push({ ...ref, outcome: "unfinished", reason: "the batch's deadline came first" });
          return;
        }
        let email: OutboxEmail | undefined;
        try {
          email = await deps.outbox.claim(ref, now());
        } catch (error) {
          deps.log.warn("mail: could not be claimed; handed over again", { ...ref, error: messageOf(error) });
          results.push({ ...ref, outcome: "unfinished", reason: `claim failed: ${messageOf(error)}` });
          return;
        }
        if (!email) {
          results.push({ ...ref, outcome: "skipped" });
          return;
        }
        results.push(await sendClaimed(email));
      });
      const count = (outcome: DeliveryResult["outcome"]) =>
        results.filter((r) => r.outcome === outcome).length;
      return {
        sent: count("sent"),
        retried: count("retry"),
        failed: count("failed"),
        skipped: count("skipped"),
        unfinished: results.filter((r) => r.outcome === "unfinished").map(refOf),
        results,
      };
    },

    /** The sweep's part (requeueDueEmails), on this outbox. */
    requeueDue: (at: Date = now()) => requeueDueEmails(deps.outbox, at),
  };
};

export type MailDelivery = ReturnType<typeof mailDelivery>;

/**
 * The sweep's part: every email whose retry is due by `at` goes back to `pending`, which hands it to the
 * mail function again through the stream. Safe to run twice at once (requeue is conditional: the second
 * finds it out of `retry` and counts it skipped).
 */
export const requeueDueEmails = async (
  outbox: Pick<MailOutbox, "dueRetries" | "requeue">,
  at: Date,
): Promise<{ requeued: number; skipped: number }> => {
  let requeued = 0;
  let skipped = 0;
  let cursor: string | undefined;
  do {
    const page = await outbox.dueRetries(at, cursor);
    for (const ref of page.items) {
      if (await outbox.requeue(ref, at)) requeued++;
      else skipped++;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { requeued, skipped };
};
