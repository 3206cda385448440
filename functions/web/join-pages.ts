import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { Program } from "../domain/program.js";
import { brandHeader, coloursOf, imageOriginsOf } from "./brand.js";
import {
  emailForm,
  errorSummary,
  type FormIssue,
  fieldError,
  formErrors,
  hasErrors,
  honeypot,
  languageField,
  textField,
} from "./form.js";
import { type Html, html, trusted } from "./html.js";
import type { Language } from "./locale.js";
import { htmlPage } from "./page.js";
import { type JoinField, minutesOf, type PageWords, wordsFor } from "./words.js";

/**
 * The public pages of a program: the join form (GET /join/{programId}), "check your inbox" after it,
 * the form that emails a member their card link again, the refusals (too many requests, no such
 * program) and the poster a shop prints next to the till. Pure: each takes what it shows and returns
 * the whole HTTP answer (page.ts).
 *
 * The join pages may be shown in an iframe by the origins the program lists (join.embedOrigins, CSP
 * frame-ancestors); every other page refuses to be framed.
 */

export type { FormIssue } from "./form.js";
export type { JoinField } from "./words.js";

export interface JoinFormValues {
  firstName?: string;
  email?: string;
  lastName?: string;
  birthDate?: string;
  postcode?: string;
  referralCode?: string;
  /** The store a printed QR code named (a hidden field: the visitor never types it). */
  store?: string;
  consent?: boolean;
  marketingConsent?: boolean;
}

/** The join form's fields, in the order they appear (and the error summary lists them). */
const JOIN_FIELDS: readonly JoinField[] = [
  "firstName",
  "lastName",
  "email",
  "birthDate",
  "postcode",
  "referralCode",
  "consent",
  "marketingConsent",
];

const frameAncestorsOf = (program: Program): readonly string[] => program.join.embedOrigins;

/** A link leaving Carnet for the merchant's own page: new tab, said so, no opener, no referrer. */
const externalLink = (href: string, text: string, words: PageWords): Html =>
  html`<a href="${href}" target="_blank" rel="noopener noreferrer">${text}<span class="visually-hidden"> ${words.opensInNewTab}</span></a>`;

const consentLabel = (program: Program, words: PageWords): Html => {
  const { termsUrl, privacyUrl } = program.join;
  const terms = termsUrl ? externalLink(termsUrl, words.terms, words) : html`${words.terms}`;
  const privacy = privacyUrl ? externalLink(privacyUrl, words.privacy, words) : html`${words.privacy}`;
  return words.consent(terms, privacy);
};

const checkbox = (
  name: "consent" | "marketingConsent",
  label: Html,
  checked: boolean,
  error: string | undefined,
  required: boolean,
): Html => {
  const errorId = `${name}-error`;
  return html`<div class="check">
<input type="checkbox" id="${name}" name="${name}" value="true"${checked ? html` checked` : ""}${required ? html` required` : ""}${error === undefined ? "" : html` aria-invalid="true" aria-describedby="${errorId}"`}>
<label for="${name}">${label}</label>
</div>
`;
};

export interface JoinPageInput {
  program: Program;
  lang: Language;
  /** Where the form posts (application/x-www-form-urlencoded). */
  action: string;
  /** The page that emails a member their card link again. */
  cardLinkFormUrl: string;
  /** What was typed, when the form comes back with errors (or a referral code from `?ref=`). */
  values?: JoinFormValues;
  /** The submission's issues (zod's); `path[0]` names the field. */
  issues?: readonly FormIssue[];
  /** Default: 200, or 422 when there are issues. */
  status?: number;
}

/** `GET /join/{programId}`: the sign-up form, and the same form again with its errors. */
export const joinPage = ({
  program,
  lang,
  action,
  cardLinkFormUrl,
  values = {},
  issues,
  status,
}: JoinPageInput): APIGatewayProxyStructuredResultV2 => {
  const words = wordsFor(lang);
  const errors = formErrors(issues, JOIN_FIELDS, words);
  const error = (field: JoinField) => errors.byField.get(field);
  const title = words.joinTitle(program.name);
  const consentError = error("consent");
  const marketingError = error("marketingConsent");
  const fields = [
    textField(
      {
        name: "firstName",
        type: "text",
        label: words.labels.firstName,
        value: values.firstName,
        required: true,
        error: error("firstName"),
        autocomplete: "given-name",
      },
      words,
    ),
    textField(
      {
        name: "lastName",
        type: "text",
        label: words.labels.lastName,
        value: values.lastName,
        optional: true,
        error: error("lastName"),
        autocomplete: "family-name",
      },
      words,
    ),
    textField(
      {
        name: "email",
        type: "email",
        label: words.labels.email,
        value: values.email,
        required: true,
        hint: words.emailHint,
        error: error("email"),
        autocomplete: "email",
        literal: true,
      },
      words,
    ),
    textField(
      {
        name: "birthDate",
        type: "date",
        label: words.labels.birthDate,
        value: values.birthDate,
        optional: true,
        hint: words.birthDateHint,
        error: error("birthDate"),
        autocomplete: "bday",
      },
      words,
    ),
    textField(
      {
        name: "postcode",
        type: "text",
        label: words.labels.postcode,
        value: values.postcode,
        optional: true,
        error: error("postcode"),
        autocomplete: "postal-code",
        short: true,
      },
      words,
    ),
    textField(
      {
        name: "referralCode",
        type: "text",
        label: words.labels.referralCode,
        value: values.referralCode,
        optional: true,
        hint: words.referralHint,
        error: error("referralCode"),
        autocomplete: "off",
        short: true,
        literal: true,
      },
      words,
    ),
  ];
  const marketingLabel = html`${words.marketing(program.organizationName)} <span class="optional">${words.optional}</span>`;
  const consents = html`<fieldset${consentError === undefined && marketingError === undefined ? "" : html` class="has-error"`}>
<legend>${words.consentLegend}</legend>
${fieldError("consent-error", consentError, words)}${checkbox("consent", consentLabel(program, words), values.consent === true, consentError, true)}${fieldError("marketingConsent-error", marketingError, words)}${checkbox("marketingConsent", marketingLabel, values.marketingConsent === true, marketingError, false)}</fieldset>
`;
  const body = html`${brandHeader(program, title)}${errorSummary(errors, words)}<div class="panel">
<p class="lead">${words.joinIntro}</p>
<form method="post" action="${action}" novalidate>
${fields}${consents}${
  values.store === undefined
    ? ""
    : html`<input type="hidden" name="store" value="${values.store}">
`
}${languageField(lang)}${honeypot(words)}<button type="submit">${words.joinButton}</button>
</form>
<p>${words.alreadyMember} <a href="${cardLinkFormUrl}">${words.getLinkAgain}</a></p>
</div>
`;
  return htmlPage({
    status: status ?? (hasErrors(errors) ? 422 : 200),
    lang,
    title: hasErrors(errors) ? `${words.errorPrefix}${title}` : title,
    body,
    colours: coloursOf(program),
    frameAncestors: frameAncestorsOf(program),
    imageOrigins: imageOriginsOf(program),
  });
};

/**
 * After the form: the same page whatever the address (new member, existing member, refused), so it
 * never tells whether an address is known.
 */
export const checkInboxPage = ({
  program,
  lang,
}: {
  program: Program;
  lang: Language;
}): APIGatewayProxyStructuredResultV2 => {
  const words = wordsFor(lang);
  return htmlPage({
    status: 200,
    lang,
    title: `${words.checkInboxTitle} - ${program.name}`,
    body: html`${brandHeader(program, program.name)}<div class="panel">
<h2>${words.checkInboxTitle}</h2>
<p class="lead">${words.checkInbox(program.name)}</p>
<p class="muted">${words.checkInboxLater(program.organizationName)}</p>
</div>
`,
    colours: coloursOf(program),
    frameAncestors: frameAncestorsOf(program),
    imageOrigins: imageOriginsOf(program),
  });
};

/** `GET /join/{programId}/link`: "get your card link again", an email-only form. */
export const cardLinkFormPage = ({
  program,
  lang,
  action,
  values = {},
  issues,
}: {
  program: Program;
  lang: Language;
  action: string;
  values?: { email?: string };
  issues?: readonly FormIssue[];
}): APIGatewayProxyStructuredResultV2 => {
  const words = wordsFor(lang);
  const errors = formErrors(issues, ["email"], words);
  const title = words.cardLinkTitle;
  return htmlPage({
    status: hasErrors(errors) ? 422 : 200,
    lang,
    title: `${hasErrors(errors) ? words.errorPrefix : ""}${title} - ${program.name}`,
    body: html`${brandHeader(program, program.name)}${errorSummary(errors, words)}<div class="panel">
<h2>${title}</h2>
<p>${words.cardLinkIntro(program.name)}</p>
${emailForm({ action, lang, button: words.cardLinkButton, value: values.email, error: errors.byField.get("email") }, words)}</div>
`,
    colours: coloursOf(program),
    frameAncestors: frameAncestorsOf(program),
    imageOrigins: imageOriginsOf(program),
  });
};

/** 429: too many sign-ups or link requests from here; `retry-after` says when to come back. */
export const tooManyRequestsPage = ({
  lang,
  retryAfterSeconds,
  program,
}: {
  lang: Language;
  retryAfterSeconds: number;
  program?: Program;
}): APIGatewayProxyStructuredResultV2 => {
  const words = wordsFor(lang);
  const seconds = Math.max(1, Math.ceil(Number.isFinite(retryAfterSeconds) ? retryAfterSeconds : 60));
  return htmlPage({
    status: 429,
    lang,
    title: words.waitTitle,
    // With the program, its header is the page's h1 (as on the form this answers); without, the title is.
    body: program
      ? html`${brandHeader(program, program.name)}<div class="panel">
<h2>${words.waitTitle}</h2>
<p>${words.waitText(minutesOf(seconds))}</p>
</div>
`
      : html`<div class="panel">
<h1>${words.waitTitle}</h1>
<p>${words.waitText(minutesOf(seconds))}</p>
</div>
`,
    ...(program
      ? {
          colours: coloursOf(program),
          frameAncestors: frameAncestorsOf(program),
          imageOrigins: imageOriginsOf(program),
        }
      : {}),
    headers: { "retry-after": String(seconds) },
  });
};

/** 404: no program behind this join link. */
export const programNotFoundPage = (lang: Language): APIGatewayProxyStructuredResultV2 => {
  const words = wordsFor(lang);
  return htmlPage({
    status: 404,
    lang,
    title: words.notFound.title,
    body: html`<div class="panel">
<h1>${words.notFound.title}</h1>
<p>${words.notFound.text}</p>
</div>
`,
  });
};

/** The poster's print rules: one A5 page, the QR code large, the colours printed as they are. */
const POSTER_CSS = `@page{size:A5;margin:10mm}
.poster{text-align:center}
.poster .brand{text-align:center}
.poster .logo{margin:0 auto .75rem}
.poster .cta{font-size:1.375rem;font-weight:700;line-height:1.3;margin:0 0 1rem}
.poster .qr{background:#fff;margin:0 auto 1rem;max-width:18rem}
.poster .qr svg{display:block;width:100%;height:auto}
.poster .url{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1rem;font-weight:600;word-break:break-all;margin:0}
.print-hint{border:2px dashed #4b5563;border-radius:.5rem;padding:.75rem 1rem;color:#374151}
@media print{html,body{background:#fff}main{max-width:none;margin:0;padding:0}.print-hint{display:none}.poster{break-inside:avoid}.poster .brand{padding:6mm;margin:0 0 6mm}.poster .panel{box-shadow:none;padding:0;margin:0}.poster .qr{max-width:78mm;margin-bottom:4mm}.poster .cta{font-size:16pt;margin-bottom:5mm}.poster p{margin-bottom:2mm}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}`;

/** `GET /join/{programId}/poster`: an A5 poster for the till: the call to join, the QR code, the URL. */
export const posterPage = ({
  program,
  lang,
  joinUrl,
  qr,
}: {
  program: Program;
  lang: Language;
  joinUrl: string;
  /** The SVG of the join link's QR code (barcode.ts qrSvg): Carnet's own markup, inserted as is. */
  qr: string;
}): APIGatewayProxyStructuredResultV2 => {
  const words = wordsFor(lang);
  return htmlPage({
    status: 200,
    lang,
    title: words.joinTitle(program.name),
    body: html`<p class="print-hint">${words.posterPrintHint}</p>
<article class="poster">
${brandHeader(program, program.name)}<div class="panel">
<p class="cta">${words.posterCta(program.name)}</p>
<div class="qr" role="img" aria-label="${words.posterQrAlt(program.name)}">${trusted(qr)}</div>
<p>${words.posterFree}</p>
<p class="muted">${words.posterOrVisit}</p>
<p class="url">${joinUrl}</p>
</div>
</article>
`,
    colours: coloursOf(program),
    imageOrigins: imageOriginsOf(program),
    extraCss: POSTER_CSS,
  });
};
