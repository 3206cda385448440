import type { CardLinkReason } from "../domain/ports.js";
import type { Program } from "../domain/program.js";
import { CARD_LINK_DAYS } from "../shared/pass-tokens.js";
import { imageOriginsOf } from "./brand.js";
import { CARD_LINK_WORDS } from "./email-words.js";
import { type Html, html, trusted } from "./html.js";
import type { Language } from "./locale.js";

/**
 * The emails a customer receives, rendered: pure functions of what they show (no clock, no I/O), in
 * the customer's language, as a subject, a plain-text part and an HTML part that say the same and carry
 * the same links. The HTML is what mail clients render reliably: tables for layout, inline styles, no
 * scripts, no web fonts, no CSS they would strip. It holds no tracking pixel and no per-recipient image:
 * the only image is the program's own logo (an https URL, the same for every customer), and every link
 * is one the customer needs (their card, their wallet). Every value is escaped (web/html.ts).
 */

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface CardLinkEmailInput {
  program: Pick<Program, "name" | "organizationName" | "branding">;
  lang: Language;
  firstName?: string | undefined;
  /** The card page, `<public URL>/c/{token}`: the link the email is about. */
  cardUrl: string;
  /** The Apple pass, `<public URL>/c/{token}/pass.pkpass`. */
  passUrl: string;
  /** The Google save link, `<public URL>/c/{token}/google`: only when the deployment has Google Wallet. */
  googleUrl?: string | undefined;
  cardCode: string;
  /** Why it is sent (OutboxEmail.reason): the welcome by default. */
  reason?: CardLinkReason | undefined;
}

/** One line: a name with a line break in it must not break a header or the text's layout. */
const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();

/** A 16-digit card code in groups of four, as the till and the pass show it; any other code as it is. */
export const spacedCardCode = (code: string): string =>
  /^\d{8,}$/.test(code) ? code.replace(/(\d{4})(?=\d)/g, "$1 ") : code;

/** Carnet's own constant (quotes kept as they are, not escaped): the system fonts of each platform. */
const FONT = trusted("-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif");

const button = (href: string, label: string, colours: { bg: string; fg: string }, id: string): Html =>
  html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 12px"><tr><td align="center" bgcolor="${colours.bg}" style="border-radius:8px;background:${colours.bg}"><a id="${id}" href="${href}" style="display:block;padding:14px 20px;font-family:${FONT};font-size:16px;font-weight:600;line-height:20px;color:${colours.fg};text-decoration:none;border-radius:8px">${label}</a></td></tr></table>`;

/** The welcome email of a new card (and of a card link sent again): `card_link`. */
export const cardLinkEmail = (input: CardLinkEmailInput): RenderedEmail => {
  const words = CARD_LINK_WORDS[input.lang];
  const programName = oneLine(input.program.name);
  const organization = oneLine(input.program.organizationName);
  const firstName = input.firstName ? oneLine(input.firstName) || undefined : undefined;
  const code = spacedCardCode(input.cardCode);
  const { backgroundColor, foregroundColor, logoUrl } = input.program.branding;
  const wallet = { bg: "#000000", fg: "#ffffff" };
  const subject = oneLine(words.subject(programName));
  const intro =
    input.reason === "again"
      ? words.introAgain
      : input.reason === "reissued"
        ? words.introReissued
        : words.intro;

  const text = [
    words.greeting(firstName),
    "",
    intro(programName, organization),
    words.wallet,
    "",
    `${words.openCard}${words.colon}`,
    input.cardUrl,
    "",
    `${words.addToAppleWallet}${words.colon}`,
    input.passUrl,
    ...(input.googleUrl ? ["", `${words.addToGoogleWallet}${words.colon}`, input.googleUrl] : []),
    "",
    `${words.cardCode}${words.colon} ${code}`,
    "",
    words.linkValidity(CARD_LINK_DAYS),
    words.personal,
    "",
    "-- ",
    words.why(programName, organization),
    "",
  ].join("\n");

  const logo =
    logoUrl && imageOriginsOf(input.program).length > 0
      ? html`<img src="${logoUrl}" alt="${organization}" height="48" style="display:block;height:48px;width:auto;max-width:240px;border:0;margin:0 0 16px">`
      : null;
  const page = html`<!doctype html>
<html lang="${input.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${subject}</title>
</head>
<body style="margin:0;padding:0;background:#f3f4f6">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">${words.preheader(organization)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background:#ffffff;border-radius:12px">
<tr><td bgcolor="${backgroundColor}" style="background:${backgroundColor};color:${foregroundColor};padding:24px;border-radius:12px 12px 0 0;font-family:${FONT}">
${logo}<h1 style="margin:0;font-size:22px;line-height:28px;color:${foregroundColor}">${programName}</h1>
<p style="margin:4px 0 0;font-size:15px;color:${foregroundColor}">${organization}</p>
</td></tr>
<tr><td style="padding:24px;font-family:${FONT};font-size:16px;line-height:24px;color:#111827">
<p style="margin:0 0 16px">${words.greeting(firstName)}</p>
<p style="margin:0 0 16px">${intro(programName, organization)}</p>
<p style="margin:0 0 24px">${words.wallet}</p>
${button(input.passUrl, words.addToAppleWallet, wallet, "add-to-apple-wallet")}
${input.googleUrl ? button(input.googleUrl, words.addToGoogleWallet, wallet, "add-to-google-wallet") : null}
${button(input.cardUrl, words.openCard, { bg: backgroundColor, fg: foregroundColor }, "open-card")}
<p style="margin:12px 0 16px">${words.cardCode}${words.colon} <strong style="font-family:Menlo,Consolas,monospace;letter-spacing:1px">${code}</strong></p>
<p style="margin:0 0 8px;font-size:14px;line-height:20px;color:#4b5563">${words.linkValidity(CARD_LINK_DAYS)} ${words.personal}</p>
<p style="margin:0;font-size:14px;line-height:20px;color:#4b5563">${words.buttonTrouble} <a href="${input.cardUrl}" style="color:#1d4ed8;word-break:break-all">${input.cardUrl}</a></p>
</td></tr>
<tr><td style="padding:16px 24px 24px;font-family:${FONT};font-size:12px;line-height:18px;color:#6b7280;border-top:1px solid #e5e7eb">${words.why(programName, organization)}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
  return { subject, text, html: page.text };
};
