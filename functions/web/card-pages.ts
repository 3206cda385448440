import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { countOf } from "../domain/loyalty/counts.js";
import type { Member, Voucher } from "../domain/loyalty/member.js";
import { tierName } from "../domain/loyalty/tiers.js";
import { formatMoney } from "../domain/money.js";
import { groupedCode, nextReward } from "../domain/pass/apple-card.js";
import { type CardText, cardText } from "../domain/pass/card-text.js";
import type { Program } from "../domain/program.js";
import { barcodeSvg, qrSvg } from "./barcode.js";
import { coloursOf, imageOriginsOf, logo } from "./brand.js";
import { emailForm } from "./form.js";
import { type Html, html, trusted } from "./html.js";
import type { Language } from "./locale.js";
import { htmlPage } from "./page.js";
import type { Platform } from "./platform.js";
import { type LinkProblem, minutesOf, type PageWords, wordsFor } from "./words.js";

/**
 * The customer's card behind the emailed link (GET /c/{token}) and the pages that answer a link that
 * gives no card. The card page shows what the wallet pass shows (balance, stamps, tier, vouchers,
 * the card's barcode) and the wallet buttons for the visitor's phone.
 *
 * The wallet buttons follow Apple's "Add to Apple Wallet" badge guidelines and Google's "Add to
 * Google Wallet" button guidelines as far as is possible without their artwork: black, the official
 * wording in the page's language, never reworded, at least 48 px high (Google's minimum, and the
 * same for both so neither is smaller), the same width, more than the required clear space around
 * each (Apple: 0.1 × the height; Google: 8 dp) and one of each per page. The glyph is a generic
 * wallet, not either brand's mark.
 *
 * OFFICIAL ARTWORK: both companies ask for their own files, not a look-alike. Apple's localised SVG
 * badges (developer.apple.com/wallet/add-to-apple-wallet-guidelines) and Google's localised SVG
 * buttons (developers.google.com/wallet/generic/resources/brand-guidelines) go in
 * `functions/web/badges/<lang>/apple.svg` and `google.svg`, read once per process, and replace the
 * content of the two links in `walletButton` below (the SVG with `role="img"` and `aria-label` set to
 * the same wording, so the links' accessible names stay "Add to Apple Wallet" and "Add to Google
 * Wallet"). Until then, these buttons stand in.
 */

export type { LinkProblem } from "./words.js";

/** A generic wallet glyph (not Apple's nor Google's mark): decorative, the link's text names it. */
const WALLET_GLYPH = trusted(
  `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" d="M3.5 7.5A2.5 2.5 0 0 1 6 5h12a2.5 2.5 0 0 1 2.5 2.5v9A2.5 2.5 0 0 1 18 19H6a2.5 2.5 0 0 1-2.5-2.5z"/><path fill="none" stroke="currentColor" stroke-width="1.8" d="M3.5 9.5h17M14.5 14h3"/></svg>`,
);

const walletButton = (wallet: "apple" | "google", href: string, words: PageWords): Html =>
  wallet === "apple"
    ? html`<a class="wallet-button wallet-apple" id="add-to-apple-wallet" href="${href}" type="application/vnd.apple.pkpass">${WALLET_GLYPH}<span>${words.appleWallet}</span></a>\n`
    : // The save link redirects to pay.google.com: no referrer goes with it (the page's policy says so too).
      html`<a class="wallet-button wallet-google" id="add-to-google-wallet" href="${href}" rel="noreferrer">${WALLET_GLYPH}<span>${words.googleWallet}</span></a>\n`;

const dateOf = (day: string, lang: Language): string => {
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" }).format(
      new Date(`${day}T00:00:00Z`),
    );
  } catch {
    return day;
  }
};

const moneyOf = (cents: number, currency: string, lang: Language): string => {
  try {
    return new Intl.NumberFormat(lang, { style: "currency", currency }).format(cents / 100);
  } catch {
    return formatMoney(cents, currency);
  }
};

const voucherLine = (voucher: Voucher, program: Program, lang: Language, t: CardText): string =>
  t.voucherLine(
    voucher.title,
    voucher.kind === "amount" && voucher.valueCents !== undefined
      ? ` (${moneyOf(voucher.valueCents, program.currency, lang)})`
      : "",
    dateOf(voucher.validTo, lang),
  );

const fact = (label: string, value: string | Html, testId?: string): Html =>
  html`<div><dt>${label}</dt><dd${testId ? html` data-testid="${testId}"` : ""}>${value}</dd></div>\n`;

/** A stamp card's progress as a row of circles (hidden from screen readers, which hear "3 of 8"). */
const stampRow = (count: number, required: number): Html =>
  html`<ol class="stamps" aria-hidden="true">${Array.from({ length: required }, (_, i) => (i < count ? html`<li class="on"></li>` : html`<li></li>`))}</ol>\n`;

const stampValue = (count: number, required: number, words: PageWords): Html =>
  html`<span aria-hidden="true">${count} / ${required}</span><span class="visually-hidden">${words.stampsOf(count, required)}</span>`;

/** The card itself: the program's colours, its name as the page's heading, the balance and the facts. */
const cardFace = (
  program: Program,
  member: Member,
  lang: Language,
  holderName: string | undefined,
  words: PageWords,
): Html => {
  const t = cardText(lang);
  const stampCards = program.rules.stamps.cards;
  const [firstCard, ...otherCards] = stampCards;
  const stampsFirst = program.branding.cardFront === "stamps" && firstCard !== undefined;
  const points = member.points;
  const pointsText = html`<strong>${points}</strong> ${words.pointsUnit(points)}`;

  const primary =
    stampsFirst && firstCard
      ? html`<div class="balance">
<p class="label">${t.stamps(firstCard.category)}</p>
<p><strong>${stampValue(countOf(member.stamps, firstCard.category), firstCard.stampsRequired, words)}</strong></p>
${stampRow(Math.min(countOf(member.stamps, firstCard.category), firstCard.stampsRequired), firstCard.stampsRequired)}</div>
`
      : html`<p class="balance" data-testid="points">${pointsText}</p>\n`;

  const facts: Html[] = [];
  if (stampsFirst) facts.push(fact(t.points, html`${points} ${words.pointsUnit(points)}`, "points"));
  for (const card of stampsFirst ? otherCards : stampCards) {
    facts.push(
      fact(
        t.stamps(card.category),
        stampValue(countOf(member.stamps, card.category), card.stampsRequired, words),
      ),
    );
  }
  const tier = tierName(program.rules.tiers.levels, member.tierId);
  if (tier !== null) facts.push(fact(t.tier, tier));
  const reward = nextReward(program, member.points, t);
  if (reward !== undefined) facts.push(fact(t.nextReward, reward));
  if (member.vouchers.length > 0) facts.push(fact(t.vouchers, String(member.vouchers.length), "vouchers"));
  if (holderName) facts.push(fact(t.member, holderName));
  if (member.validUntil !== null) facts.push(fact(t.validUntil, dateOf(member.validUntil, lang)));

  return html`<section class="card" aria-labelledby="card-name">
${logo(program)}<h1 id="card-name">${program.name}</h1>
<p class="org">${program.organizationName}</p>
${primary}${facts.length > 0 ? html`<dl class="facts">\n${facts}</dl>\n` : ""}${
  member.vouchers.length > 0
    ? html`<h2 class="vouchers-title">${t.voucherList}</h2>
<ul class="vouchers">
${member.vouchers.map((v) => html`<li>${voucherLine(v, program, lang, t)}</li>\n`)}</ul>
`
    : ""
}</section>
`;
};

/** The card's barcode, to show at the till, with the code written out for when the scanner fails. */
const cardCode = (program: Program, member: Member, words: PageWords): Html => {
  const format = program.branding.barcodeFormat;
  let svg: string | undefined;
  try {
    svg = barcodeSvg(format, member.cardCode);
  } catch {
    svg = undefined; // a code the symbology cannot draw: the written code still works at the till
  }
  return html`<div class="code-box">
<figure class="${format === "qr" ? "qr" : "linear"}">
${svg === undefined ? "" : html`<div role="img" aria-label="${words.barcodeAlt[format]}">${trusted(svg)}</div>\n`}<figcaption><span class="code">${groupedCode(member.cardCode)}</span> ${words.showAtTill}</figcaption>
</figure>
</div>
`;
};

export interface CardPageInput {
  program: Program;
  member: Member;
  lang: Language;
  /** The visitor's phone (platform.ts): which wallet button comes first, and the QR code on a computer. */
  platform: Platform;
  holderName?: string;
  /** `…/c/{token}/pass.pkpass`. */
  passUrl: string;
  /** `…/c/{token}/google`; undefined when the deployment has no Google Wallet (the button is hidden). */
  googleUrl?: string;
  /** `…/c/{token}`: this page, for the QR code a computer shows. */
  cardUrl: string;
  /** `…/c/{token}/stores`: "My stores", where the member pins the stores the card shows first. */
  storesUrl?: string;
}

/** `GET /c/{token}`: the card, its wallet buttons (the phone's own first) and its barcode. */
export const cardPage = ({
  program,
  member,
  lang,
  platform,
  holderName,
  passUrl,
  googleUrl,
  cardUrl,
  storesUrl,
}: CardPageInput): APIGatewayProxyStructuredResultV2 => {
  const words = wordsFor(lang);
  const apple = walletButton("apple", passUrl, words);
  const google = googleUrl === undefined ? html`` : walletButton("google", googleUrl, words);
  const buttons = platform === "android" ? [google, apple] : [apple, google];
  const scan =
    platform === "desktop"
      ? html`<div class="scan panel">
<figure>
<div role="img" aria-label="${words.scanQrAlt}">${trusted(qrSvg(cardUrl))}</div>
<figcaption>${words.scanToOpen}</figcaption>
</figure>
</div>
`
      : "";
  return htmlPage({
    status: 200,
    lang,
    title: words.cardTitle(program.name),
    body: html`${cardFace(program, member, lang, holderName, words)}<section aria-labelledby="wallets-title">
<h2 id="wallets-title" class="visually-hidden">${words.addToPhone}</h2>
<div class="wallets">
${buttons}</div>
${scan}</section>
${cardCode(program, member, words)}${
  storesUrl === undefined
    ? ""
    : html`<p><a href="${storesUrl}">${words.myStores.link}</a><span class="hint">${words.myStores.linkHint}</span></p>
`
}<p class="note">${words.cardNote}</p>
`,
    colours: coloursOf(program),
    imageOrigins: imageOriginsOf(program),
  });
};

const PROBLEM_STATUS: Record<LinkProblem, number> = {
  malformed: 404,
  forged: 404,
  expired: 410,
  gone: 410,
  replaced: 410,
};

/** A link that gives no card: what happened and what to do; with `freshLink`, a form to get a new one. */
export const linkProblemPage = (
  problem: LinkProblem,
  {
    lang,
    freshLink,
  }: {
    lang: Language;
    /** The program the link names, and where its "email me a fresh link" form posts. */
    freshLink?: { program: Program; action: string };
  },
): APIGatewayProxyStructuredResultV2 => {
  const words = wordsFor(lang);
  const { title, text } =
    words.linkProblems[problem === "malformed" || problem === "forged" ? "invalid" : problem];
  return htmlPage({
    status: PROBLEM_STATUS[problem],
    lang,
    title,
    body: html`<div class="panel">
<h1>${title}</h1>
<p>${text}</p>
</div>
${
  freshLink
    ? html`<div class="panel">
<h2>${words.freshLinkTitle}</h2>
<p>${words.freshLinkIntro(freshLink.program.name)}</p>
${emailForm({ action: freshLink.action, lang, button: words.freshLinkButton }, words)}</div>
`
    : ""
}`,
  });
};

const problemPage = (
  status: number,
  lang: Language,
  title: string,
  text: string,
  headers?: Record<string, string>,
) =>
  htmlPage({
    status,
    lang,
    title,
    ...(headers ? { headers } : {}),
    body: html`<div class="panel">
<h1>${title}</h1>
<p>${text}</p>
</div>
`,
  });

/** 503: the deployment cannot sign passes right now (no or wrong certificates): not the customer's doing. */
export const passesUnavailablePage = (lang: Language): APIGatewayProxyStructuredResultV2 => {
  const { title, text } = wordsFor(lang).passesUnavailable;
  return problemPage(503, lang, title, text);
};

/** 503: no Google Wallet on this deployment, or Google did not answer: the card is safe. */
export const googleUnavailablePage = (lang: Language): APIGatewayProxyStructuredResultV2 => {
  const { title, text } = wordsFor(lang).googleUnavailable;
  return problemPage(503, lang, title, text);
};

/** 429: the card's save link was opened too often this minute; nothing is wrong with the card. */
export const tooManyAttemptsPage = (
  lang: Language,
  retryAfterSeconds: number,
): APIGatewayProxyStructuredResultV2 => {
  const words = wordsFor(lang);
  const seconds = Math.max(1, Math.ceil(Number.isFinite(retryAfterSeconds) ? retryAfterSeconds : 60));
  return problemPage(429, lang, words.tooManyAttemptsTitle, words.tooManyAttempts(minutesOf(seconds)), {
    "retry-after": String(seconds),
  });
};
