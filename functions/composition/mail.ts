import { sesMailer } from "../adapters/mail/ses.js";
import { smtpMailer } from "../adapters/mail/smtp.js";
import { type MailDelivery, mailDelivery } from "../app/mail.js";
import { ConfigError } from "../config/env.js";
import { googleWalletSettings } from "../config/google-wallet.js";
import { type MailSettings, mailSettings, mailTarget } from "../config/mail.js";
import type { MemberRepository, OutboxEmail, OutgoingEmail, ProgramRepository } from "../domain/ports.js";
import type { Program } from "../domain/program.js";
import { logger } from "../shared/logger.js";
import { cardLinkFor } from "../shared/pass-tokens.js";
import { cardLinkEmail } from "../web/email.js";
import { pickLanguage } from "../web/locale.js";
import type { ProcessParts } from "./process.js";

/**
 * The mail function's wiring (docs/email.md): the outbox in the table, the mailer the configuration
 * names (SMTP when SMTP_URL is set, else Amazon SES), and `compose`, which renders an outbox email with
 * what it needs at the moment it is sent: the member and its profile (read strongly), the program, a
 * card link made now (so a retry a day later still carries a link valid CARD_LINK_DAYS).
 */

/** `"Name" <address>`, the name quoted and escaped (RFC 5322 quoted-string) and kept to one line. */
export const mailbox = (name: string, address: string): string =>
  `"${name
    .replace(/\s+/g, " ")
    .trim()
    .replace(/(["\\])/g, "\\$1")}" <${address}>`;

/** "Café Lumière via Carnet" with MAIL_FROM="Carnet <…>": the shop the customer knows, and who sends for it. */
export const senderName = (
  program: Pick<Program, "organizationName">,
  settings: Pick<MailSettings, "fromName">,
): string =>
  settings.fromName ? `${program.organizationName} via ${settings.fromName}` : program.organizationName;

export interface ComposeDeps {
  members: Pick<MemberRepository, "card">;
  programs: Pick<ProgramRepository, "recent">;
  passSecret: () => Promise<Buffer>;
  /** Where customers reach the deployment (links), without a trailing slash. */
  publicUrl: string;
  /** Whether "Add to Google Wallet" can be offered (the deployment has Google Wallet). */
  googleWallet: boolean;
  settings: Pick<MailSettings, "fromAddress" | "fromName" | "messageIdDomain">;
  now?: () => Date;
}

export const emailComposer =
  (deps: ComposeDeps) =>
  async (email: OutboxEmail): Promise<OutgoingEmail | undefined> => {
    const card = await deps.members.card(email.memberId);
    if (card?.member.status !== "active" || card.member.programId !== email.programId) return undefined;
    const program = await deps.programs.recent(email.programId);
    if (!program) return undefined;
    const now = deps.now?.() ?? new Date();
    const cardUrl = `${deps.publicUrl}/c/${cardLinkFor(await deps.passSecret(), card.member, now)}`;
    const lang = pickLanguage({ explicit: email.locale, programLocale: program.locale });
    const rendered = cardLinkEmail({
      program,
      lang,
      firstName: card.profile?.firstName,
      cardUrl,
      passUrl: `${cardUrl}/pass.pkpass`,
      googleUrl: deps.googleWallet ? `${cardUrl}/google` : undefined,
      cardCode: card.member.cardCode,
      reason: email.reason,
    });
    return {
      from: mailbox(senderName(program, deps.settings), deps.settings.fromAddress),
      to: email.to,
      ...rendered,
      // The same on every attempt: a server that received an earlier attempt can tell it is one email.
      messageId: email.messageId ?? `<${email.emailId}@${deps.settings.messageIdDomain}>`,
      date: now,
      headers: {
        "Content-Language": lang,
        // Replies reach the shop, not a mailbox nobody reads.
        ...(program.contact.email ? { "Reply-To": program.contact.email } : {}),
      },
    };
  };

export interface MailParts {
  delivery: MailDelivery;
  settings: MailSettings;
  /** Where the mail goes, for the log (no password). */
  target: string;
}

/**
 * The mail function's settings, checked at its cold start: without MAIL_FROM it stops there, with one
 * log line saying what to set (as processParts does for the rest of the configuration).
 */
export const mailSettingsAtStart = (p: ProcessParts): MailSettings => {
  try {
    return mailSettings(p.env);
  } catch (error) {
    if (error instanceof ConfigError) logger.error(error.message);
    throw error;
  }
};

export const mailOver = (p: ProcessParts, settings: MailSettings = mailSettingsAtStart(p)): MailParts => {
  const { transport } = settings;
  const mailer =
    transport.kind === "smtp"
      ? smtpMailer({ url: transport.url })
      : sesMailer({ region: transport.region, fromAddress: settings.fromAddress });
  const compose = emailComposer({
    members: p.repositories.members,
    programs: p.repositories.programs,
    passSecret: p.passSecret,
    publicUrl: p.publicUrl,
    googleWallet: googleWalletSettings(p.env).on,
    settings,
  });
  return {
    delivery: mailDelivery({ outbox: p.repositories.mail, mailer, compose, log: logger }),
    settings,
    target: mailTarget(settings),
  };
};
