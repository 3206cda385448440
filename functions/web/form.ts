import { type Html, html } from "./html.js";
import type { Language } from "./locale.js";
import type { IssueKind, JoinField, PageWords } from "./words.js";

/**
 * The parts every form of the customer pages shares: text fields with their hint and inline error,
 * the error summary, the hidden language field and the honeypot.
 *
 * Forms are `novalidate`: the browser's own validation bubbles speak the browser's language rather
 * than the page's, look different in every browser, are not reliably announced by screen readers and
 * vanish without a trace on a second attempt, while the server's answer is localised, listed in an
 * error summary and kept beside each field. The fields still carry `required`, `type="email"` and
 * `autocomplete`, so assistive technology announces them as required and phones offer the right
 * keyboard and autofill; the form works the same with or without JavaScript and with any browser.
 */

/** One problem with a submission: zod 4's issues fit it as they are (`path[0]` is the form field). */
export interface FormIssue {
  path: readonly PropertyKey[];
  code: string;
  message: string;
}

/**
 * The kind of issue a code means for a field. Zod 4's codes: `invalid_type` (missing), `too_small`
 * (empty), `too_big` (too long; for a date: after the maximum, i.e. in the future), `invalid_format`
 * and `invalid_value` (malformed, consent not "true"), `custom` (a refinement: for a date of birth, in
 * the future). Carnet's own codes: `unknown_referral_code` (on `referralCode`), `in_future` (on
 * `birthDate`), `required`. Anything else falls back to the field's "check this" message.
 */
export const issueKind = (field: JoinField, code: string): IssueKind => {
  if (code === "unknown_referral_code") return "unknown";
  if (field === "birthDate" && (code === "in_future" || code === "too_big" || code === "custom")) {
    return "future";
  }
  if (code === "too_big") return "tooLong";
  if (code === "required" || code === "invalid_type" || code === "too_small") return "required";
  if (field === "consent") return "required";
  return "invalid";
};

export interface FormErrors {
  /** The message under each field, in the form's order. */
  byField: ReadonlyMap<JoinField, string>;
  /** Problems with no field of this form to point at. */
  other: readonly string[];
}

/** The first issue of each of `fields`, in words; issues about anything else become one general line. */
export const formErrors = (
  issues: readonly FormIssue[] | undefined,
  fields: readonly JoinField[],
  words: PageWords,
): FormErrors => {
  const found = new Map<JoinField, string>();
  let other = false;
  for (const issue of issues ?? []) {
    const head = issue.path[0];
    const field = fields.find((f) => f === head);
    if (!field) {
      other = true;
      continue;
    }
    if (found.has(field)) continue;
    const messages = words.issues[field];
    found.set(field, messages[issueKind(field, issue.code)] ?? messages.invalid);
  }
  const byField = new Map<JoinField, string>();
  for (const field of fields) {
    const message = found.get(field);
    if (message !== undefined) byField.set(field, message);
  }
  return { byField, other: other ? [words.formProblem] : [] };
};

export const hasErrors = (errors: FormErrors): boolean => errors.byField.size > 0 || errors.other.length > 0;

/**
 * The error summary at the top of a form, GOV.UK's pattern: announced (role="alert"), focused when the
 * page loads (`autofocus`, no script needed), each message a link to its field.
 */
export const errorSummary = (errors: FormErrors, words: PageWords): Html => {
  if (!hasErrors(errors)) return html``;
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
<h2 id="error-summary-title">${words.errorSummaryTitle}</h2>
<ul>
${[...errors.byField].map(([field, message]) => html`<li><a href="#${field}">${message}</a></li>\n`)}${errors.other.map((message) => html`<li>${message}</li>\n`)}</ul>
</div>
`;
};

/** The message shown under a field, with a hidden "Error:" for screen readers. */
export const fieldError = (id: string, message: string | undefined, words: PageWords): Html =>
  message === undefined
    ? html``
    : html`<span class="error" id="${id}"><span class="visually-hidden">${words.errorPrefix}</span>${message}</span>\n`;

export interface TextField {
  name: Exclude<JoinField, "consent" | "marketingConsent">;
  type: "text" | "email" | "date";
  label: string;
  value?: string | undefined;
  required?: boolean;
  /** Marked "(optional)" in its label. */
  optional?: boolean;
  hint?: string;
  error?: string | undefined;
  autocomplete: string;
  /** A narrower box (codes). */
  short?: boolean;
  /** Phones: no automatic capital letter or spelling fixes (emails, codes). */
  literal?: boolean;
}

/** A labelled input with its hint and its error, the error and hint tied to it by aria-describedby. */
export const textField = (field: TextField, words: PageWords): Html => {
  const hintId = field.hint === undefined ? undefined : `${field.name}-hint`;
  const errorId = field.error === undefined ? undefined : `${field.name}-error`;
  const describedBy = [hintId, errorId].filter((id) => id !== undefined).join(" ");
  return html`<div class="field${field.error === undefined ? "" : " has-error"}">
<label for="${field.name}">${field.label}${field.optional ? html` <span class="optional">${words.optional}</span>` : ""}</label>
${hintId === undefined ? "" : html`<span class="hint" id="${hintId}">${field.hint}</span>\n`}${errorId === undefined ? "" : fieldError(errorId, field.error, words)}<input type="${field.type}" id="${field.name}" name="${field.name}" value="${field.value ?? ""}" autocomplete="${field.autocomplete}"${field.short ? html` class="short"` : ""}${field.literal ? html` autocapitalize="none" spellcheck="false"` : ""}${field.required ? html` required` : ""}${describedBy ? html` aria-describedby="${describedBy}"` : ""}${field.error === undefined ? "" : html` aria-invalid="true"`}>
</div>
`;
};

/** The page's language, posted with the form so the answer speaks it too. */
export const languageField = (lang: Language): Html =>
  html`<input type="hidden" name="lang" value="${lang}">\n`;

/**
 * A field people never see and bots fill in: off-screen, hidden from assistive technology, out of the
 * tab order and of autofill; a submission with `website` set is a bot's. Never re-rendered with a
 * value.
 */
export const honeypot = (words: PageWords): Html => html`<div class="hp" aria-hidden="true">
<label for="website">${words.honeypot}</label>
<input type="text" id="website" name="website" value="" tabindex="-1" autocomplete="off">
</div>
`;

export interface EmailForm {
  action: string;
  lang: Language;
  button: string;
  value?: string | undefined;
  error?: string | undefined;
}

/** An email-only form (the card link again, a fresh link): email, hidden language, honeypot, button. */
export const emailForm = (form: EmailForm, words: PageWords): Html =>
  html`<form method="post" action="${form.action}" novalidate>
${textField(
  {
    name: "email",
    type: "email",
    label: words.labels.email,
    value: form.value,
    required: true,
    error: form.error,
    autocomplete: "email",
    literal: true,
  },
  words,
)}${languageField(form.lang)}${honeypot(words)}<button type="submit">${form.button}</button>
</form>
`;
