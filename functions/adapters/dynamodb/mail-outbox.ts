import type { OutboxEmail } from "../../domain/ports.js";
import { emailKeys } from "../../shared/keys.js";

/** How long an email's delivery record is kept (it holds an address): TTL, data-model.md §9. */
export const EMAIL_RETENTION_DAYS = 90;

/** The `email` item of an outbox email (its key, and `expiresAt` for TTL). */
export const emailItem = (email: OutboxEmail) => ({
  ...emailKeys.email(email.memberId, email.createdAt, email.emailId),
  entity: "email",
  ...email,
  expiresAt: Math.floor(Date.parse(email.createdAt) / 1000) + EMAIL_RETENTION_DAYS * 24 * 60 * 60,
});
