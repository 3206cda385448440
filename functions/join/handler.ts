import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { apiFunction } from "../api/functions.js";
import type { PublicOutcome, Visitor } from "../app/loyalty/enrollment.js";
import { loyaltyOver } from "../composition/loyalty.js";
import { httpSettings, processParts } from "../composition/process.js";
import { DomainError } from "../domain/errors.js";
import type { Program } from "../domain/program.js";
import { retryAfterOf } from "../http/errors.js";
import { InvalidForm, RawReply } from "../http/operation.js";
import { requestHeader } from "../http/request.js";
import { ID_PATTERN } from "../shared/ids.js";
import { logger } from "../shared/logger.js";
import { qrSvg } from "../web/barcode.js";
import {
  cardLinkFormPage,
  checkInboxPage,
  type FormIssue,
  type JoinFormValues,
  joinPage,
  posterPage,
  programNotFoundPage,
  tooManyRequestsPage,
} from "../web/join-pages.js";
import { type Language, pickLanguage } from "../web/locale.js";

/**
 * The customer side of a program: the join form (and its JSON twin for merchants' own sites), the
 * "check your inbox" page, "email me my card link again", and the QR code poster for the till. Every
 * answer to a sign-up is the same whatever the email; the use cases (app/loyalty/enrollment.ts) decide
 * what actually happens.
 */
const parts = processParts();
const loyalty = loyaltyOver(parts);
const { programs } = parts.repositories;

/** The page's language: `?lang=` (or the form's own field), else Accept-Language, else the program's. */
const languageFor = (event: APIGatewayProxyEventV2, program: Program | undefined, explicit?: string) =>
  pickLanguage({
    explicit,
    acceptLanguage: requestHeader(event, "accept-language"),
    programLocale: program?.locale,
  });

/** The program a page is for, or the friendly 404 page (an id that cannot exist is not even read). */
const programOrPage = async (
  event: APIGatewayProxyEventV2,
  programId: string,
  explicit?: string,
): Promise<Program | RawReply> => {
  const program = ID_PATTERN.test(programId) ? await programs.recent(programId) : undefined;
  return program ?? new RawReply(programNotFoundPage(languageFor(event, undefined, explicit)));
};

/** As long as a referral code may be (SignUpBody): anything longer is not one, and is not shown. */
const referralShaped = (ref: string): boolean => ref.trim().length > 0 && ref.length <= 20;
/** A `?store=` hint kept only when it could be a store id (anything else is ignored, never an error). */
const storeShaped = (store: string | undefined): string | undefined =>
  store !== undefined && ID_PATTERN.test(store) && store.startsWith("sto_") ? store : undefined;
/** The join link a store's printed QR code or poster carries. */
const joinUrlOf = (programId: string, store: string | undefined): string => {
  const storeId = storeShaped(store);
  return `${parts.publicUrl}/join/${programId}${storeId ? `?store=${storeId}` : ""}`;
};

const paths = (programId: string, lang: Language) => ({
  // Relative: the form posts to wherever the page was served from (CSP form-action 'self').
  signUp: `/v1/programs/${programId}/enrollments`,
  cardLinks: `/v1/programs/${programId}/card-links`,
  cardLinkForm: `/join/${programId}/link?lang=${lang}`,
  thanks: `/join/${programId}/thanks?lang=${lang}`,
});

/** What the visitor typed, to show the form again (never the honeypot). */
const valuesOf = (fields: URLSearchParams): JoinFormValues => {
  const text = (name: string) => fields.get(name) ?? undefined;
  return {
    firstName: text("firstName"),
    email: text("email"),
    lastName: text("lastName"),
    birthDate: text("birthDate"),
    postcode: text("postcode"),
    referralCode: text("referralCode"),
    store: storeShaped(fields.get("store") ?? undefined),
    consent: fields.get("consent") === "true",
    marketingConsent: fields.get("marketingConsent") === "true",
  };
};

const seeOther = (location: string) =>
  new RawReply({ statusCode: 303, headers: { location, "cache-control": "no-store" } });

const ACCEPTED = {
  status: "accepted" as const,
  message: "If this address may receive one, an email with the card link is on its way.",
};

interface PublicPost<B extends { locale?: string | undefined }> {
  /** For the log line. */
  what: string;
  programId: string;
  body: B | InvalidForm;
  bodyFormat: "json" | "form" | "none";
  /** The form post's fields as sent (the HTTP layer's). */
  formFields: URLSearchParams | undefined;
  event: APIGatewayProxyEventV2;
  run: (programId: string, body: B, visitor: Visitor) => Promise<PublicOutcome>;
  /** The form again, with what was typed and what is wrong (422). */
  formAgain: (shown: {
    program: Program;
    lang: Language;
    to: ReturnType<typeof paths>;
    fields: URLSearchParams;
    issues: readonly FormIssue[];
  }) => APIGatewayProxyStructuredResultV2;
}

/**
 * A public post (sign-up, "email my card link"): the same answer whatever the email. JSON gets 202,
 * or the one error mapping; an HTML form post is sent on to the thanks page (303, so that reloading
 * it posts nothing again), or gets its form again with what is wrong next to the fields: invalid
 * fields, a referral code no member has; too many sign-ups from the visitor's network get a page
 * saying when to try again.
 */
const publicPost = async <B extends { locale?: string | undefined }>(
  post: PublicPost<B>,
): Promise<RawReply | typeof ACCEPTED> => {
  const { body, event } = post;
  const visitor = { ip: event.requestContext.http.sourceIp };
  if (post.bodyFormat !== "form") {
    if (body instanceof InvalidForm) throw new Error("an invalid form outside a form post");
    const outcome = await post.run(post.programId, body, visitor);
    logger.info(post.what, { programId: post.programId, outcome, via: "json" });
    return ACCEPTED;
  }
  const explicit = body instanceof InvalidForm ? (body.fields.get("lang") ?? undefined) : body.locale;
  const program = await programOrPage(event, post.programId, explicit);
  if (program instanceof RawReply) return program;
  const lang = languageFor(event, program, explicit);
  const to = paths(program.programId, lang);
  const again = (fields: URLSearchParams, issues: readonly FormIssue[]) =>
    new RawReply(post.formAgain({ program, lang, to, fields, issues }));
  if (body instanceof InvalidForm) return again(body.fields, body.issues);
  try {
    const outcome = await post.run(program.programId, { ...body, locale: lang }, visitor);
    logger.info(post.what, { programId: program.programId, outcome, via: "form" });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.kind === "rate_limited") {
      const seconds = retryAfterOf(error.details) ?? 3600;
      return new RawReply(tooManyRequestsPage({ lang, retryAfterSeconds: seconds, program }));
    }
    if (error.code === "unknown_referral_code")
      return again(post.formFields ?? new URLSearchParams(), [
        { path: ["referralCode"], code: error.code, message: error.message },
      ]);
    throw error;
  }
  return seeOther(to.thanks);
};

export const handler = apiFunction(
  "join",
  {
    joinForm: async ({ params, query, event }) => {
      const program = await programOrPage(event, params.programId, query.lang);
      if (program instanceof RawReply) return program;
      const lang = languageFor(event, program, query.lang);
      const to = paths(program.programId, lang);
      return new RawReply(
        joinPage({
          program,
          lang,
          action: to.signUp,
          cardLinkFormUrl: to.cardLinkForm,
          // Prefilled as given (the form says if no member has it), unless too long to be a code.
          values: {
            ...(query.ref && referralShaped(query.ref) ? { referralCode: query.ref } : {}),
            ...(storeShaped(query.store) ? { store: storeShaped(query.store) } : {}),
          },
        }),
      );
    },
    joinThanks: async ({ params, query, event }) => {
      const program = await programOrPage(event, params.programId, query.lang);
      if (program instanceof RawReply) return program;
      return new RawReply(checkInboxPage({ program, lang: languageFor(event, program, query.lang) }));
    },
    cardLinkForm: async ({ params, query, event }) => {
      const program = await programOrPage(event, params.programId, query.lang);
      if (program instanceof RawReply) return program;
      const lang = languageFor(event, program, query.lang);
      return new RawReply(
        cardLinkFormPage({ program, lang, action: paths(program.programId, lang).cardLinks }),
      );
    },
    joinQr: async ({ params, query, event }) => {
      const program = await programOrPage(event, params.programId);
      if (program instanceof RawReply) return program;
      return new RawReply({
        statusCode: 200,
        headers: {
          "content-type": "image/svg+xml",
          "cache-control": "public, max-age=3600",
          "content-security-policy": "default-src 'none'",
          "x-content-type-options": "nosniff",
          "content-disposition": `inline; filename="join-${program.programId}.svg"`,
        },
        body: qrSvg(joinUrlOf(program.programId, query.store)),
      });
    },
    joinPoster: async ({ params, query, event }) => {
      const program = await programOrPage(event, params.programId, query.lang);
      if (program instanceof RawReply) return program;
      const joinUrl = joinUrlOf(program.programId, query.store);
      return new RawReply(
        posterPage({ program, lang: languageFor(event, program, query.lang), joinUrl, qr: qrSvg(joinUrl) }),
      );
    },
    signUp: ({ params, body, bodyFormat, formFields, event }) =>
      publicPost({
        what: "sign-up",
        programId: params.programId,
        body,
        bodyFormat,
        formFields,
        event,
        run: (programId, valid, visitor) => loyalty.signUp(programId, valid, visitor),
        formAgain: ({ program, lang, to, fields, issues }) =>
          joinPage({
            program,
            lang,
            action: to.signUp,
            cardLinkFormUrl: to.cardLinkForm,
            values: valuesOf(fields),
            issues,
            status: 422,
          }),
      }),
    requestCardLink: ({ params, body, bodyFormat, formFields, event }) =>
      publicPost({
        what: "card link request",
        programId: params.programId,
        body,
        bodyFormat,
        formFields,
        event,
        run: (programId, valid, visitor) => loyalty.sendCardLink(programId, valid, visitor),
        formAgain: ({ program, lang, to, fields, issues }) =>
          cardLinkFormPage({
            program,
            lang,
            action: to.cardLinks,
            values: { email: fields.get("email") ?? undefined },
            issues,
          }),
      }),
  },
  httpSettings(parts),
);
