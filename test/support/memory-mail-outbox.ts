import type { EmailRef, MailOutbox, OutboxEmail, Page } from "../../functions/domain/ports.js";
import { UNCLAIMED_EMAIL_MS } from "../../functions/shared/keys.js";

/**
 * MailOutbox in memory, for the use-case tests: the same state machine as the DynamoDB adapter
 * (functions/adapters/dynamodb/mail-outbox.ts), which test/contract/mail-outbox.contract.ts checks
 * both of: every change conditional on the state it leaves, `sent`/`retryLater`/`failed` only from
 * `sending`. `emails()` shows what is stored, as a test's Assess reads it.
 */
export const memoryMailOutbox = (): MailOutbox & {
  emails(): OutboxEmail[];
  get(ref: EmailRef): OutboxEmail | undefined;
} => {
  const stored = new Map<string, OutboxEmail>();
  /** Emails requeued (or claimed): no longer in the index until a new retry puts them back. */
  const requeued = new Set<string>();
  const keyOf = (ref: EmailRef) => `${ref.memberId}/${ref.createdAt}/${ref.emailId}`;
  const settle = (ref: EmailRef, to: string, change: Partial<OutboxEmail>) => {
    const email = stored.get(keyOf(ref));
    if (email?.status !== "sending")
      throw new Error(`email ${ref.emailId} could not be marked ${to}: it is not being sent`);
    stored.set(keyOf(ref), { ...email, ...change });
  };
  return {
    emails: () => [...stored.values()].map((e) => ({ ...e })),
    get: (ref) => {
      const email = stored.get(keyOf(ref));
      return email && { ...email };
    },
    async add(email) {
      if (stored.has(keyOf(email))) throw new Error(`email ${email.emailId} exists already`);
      stored.set(keyOf(email), { ...email, status: "pending" });
    },
    async claim(ref) {
      const email = stored.get(keyOf(ref));
      if (email?.status !== "pending") return undefined;
      const claimed: OutboxEmail = { ...email, status: "sending", attempts: email.attempts + 1 };
      stored.set(keyOf(ref), claimed);
      requeued.add(keyOf(ref));
      return { ...claimed };
    },
    async sent(ref, providerMessageId, at) {
      settle(ref, "sent", {
        status: "sent",
        sentAt: at.toISOString(),
        nextAttemptAt: undefined,
        ...(providerMessageId ? { providerMessageId } : {}),
      });
    },
    async retryLater(ref, nextAttemptAt, error) {
      requeued.delete(keyOf(ref));
      settle(ref, "retry", { status: "retry", nextAttemptAt: nextAttemptAt.toISOString(), lastError: error });
    },
    async failed(ref, error) {
      settle(ref, "failed", { status: "failed", lastError: error, nextAttemptAt: undefined });
    },
    async dueRetries(now, cursor): Promise<Page<EmailRef>> {
      // As GSI2 orders them (`<nextAttemptAt>#<memberId>#<emailId>`), continuing after the last key
      // returned, like DynamoDB's LastEvaluatedKey: emails requeued meanwhile shift nothing.
      // A pending email is listed from UNCLAIMED_EMAIL_MS after it was written (its safety net).
      const dueAt = (e: OutboxEmail) =>
        e.status === "pending"
          ? new Date(Date.parse(e.createdAt) + UNCLAIMED_EMAIL_MS).toISOString()
          : (e.nextAttemptAt ?? "");
      const sortKey = (e: OutboxEmail) => `${dueAt(e)}#${e.memberId}#${e.emailId}`;
      const due = [...stored.values()]
        .filter(
          (e) =>
            (e.status === "retry" || (e.status === "pending" && !requeued.has(keyOf(e)))) &&
            dueAt(e) <= now.toISOString(),
        )
        .filter((e) => cursor === undefined || sortKey(e) > cursor)
        .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
      // Two a page, so that the callers' paging is exercised.
      const page = due.slice(0, 2);
      const last = page[page.length - 1];
      return {
        items: page.map(({ memberId, createdAt, emailId }) => ({ memberId, createdAt, emailId })),
        ...(due.length > 2 && last ? { nextCursor: sortKey(last) } : {}),
      };
    },
    async requeue(ref) {
      const email = stored.get(keyOf(ref));
      const listedPending = email?.status === "pending" && !requeued.has(keyOf(ref));
      if (email?.status !== "retry" && !listedPending) return false;
      stored.set(keyOf(ref), { ...email, status: "pending" });
      // Its index entry is gone: listed again only after another retry.
      requeued.add(keyOf(ref));
      return true;
    },
  };
};
