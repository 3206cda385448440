import { type Config, ConfigError, MAIL_FROM_PATTERN } from "./env.js";

/**
 * The mail function's settings (docs/email.md): who emails come from, and how they leave — through the
 * SMTP server SMTP_URL names (locally the mail catcher `npm start` runs), else through Amazon SES in
 * the function's region. Only the mail function reads them, at its cold start: a deployment without
 * MAIL_FROM serves everything else, and its mail function stops at once saying what to set.
 */
export interface MailSettings {
  /** MAIL_FROM's address: in AWS an address (or of a domain) verified in Amazon SES. */
  fromAddress: string;
  /** MAIL_FROM's name, if it has one: the sender's name of an email whose program has none. */
  fromName?: string;
  /** The right-hand side of every Message-ID (`<emailId@domain>`): MAIL_FROM's domain. */
  messageIdDomain: string;
  transport: { kind: "smtp"; url: string } | { kind: "ses"; region: string };
}

export const MAIL_FROM_MISSING =
  'MAIL_FROM is missing: set it to the address emails are sent from, e.g. MAIL_FROM="Carnet <cards@example.com>" (in AWS an address or domain verified in Amazon SES; the CDK context value mailFrom sets it)';

export const mailSettings = (env: Config): MailSettings => {
  const from = env.MAIL_FROM === undefined ? undefined : MAIL_FROM_PATTERN.exec(env.MAIL_FROM)?.groups;
  if (!from) throw new ConfigError(`Carnet's mail function is not configured: ${MAIL_FROM_MISSING}.`);
  const fromAddress = (from.address ?? from.bare ?? "").trim();
  const fromName = (from.quoted ?? from.name ?? "").trim();
  return {
    fromAddress,
    ...(fromName ? { fromName } : {}),
    messageIdDomain: fromAddress.slice(fromAddress.lastIndexOf("@") + 1).toLowerCase(),
    transport: env.SMTP_URL ? { kind: "smtp", url: env.SMTP_URL } : { kind: "ses", region: env.AWS_REGION },
  };
};

/** Where the mail goes, for a log line: the SMTP server without its password, or SES and its region. */
export const mailTarget = (settings: MailSettings): string => {
  if (settings.transport.kind === "ses") return `Amazon SES (${settings.transport.region})`;
  const url = new URL(settings.transport.url);
  if (url.password) url.password = "***";
  return url.toString();
};
