import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { apiFunction } from "../api/functions.js";
import { loyaltyOver } from "../composition/loyalty.js";
import { httpSettings, processParts } from "../composition/process.js";
import { DomainError } from "../domain/errors.js";
import type { Program } from "../domain/program.js";
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

/**
 * A refusal a visitor can act on, shown on the form they sent (the JSON twin gets the one error
 * mapping instead): too many sign-ups from their network, or a referral code no member has.
 */
const formRefusal = (
  error: unknown,
  program: Program,
  lang: Language,
  again: (issues: FormIssue[]) => RawReply,
): RawReply => {
  if (!(error instanceof DomainError)) throw error;
  if (error.kind === "rate_limited") {
    const seconds = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 3600;
    return new RawReply(tooManyRequestsPage({ lang, retryAfterSeconds: seconds, program }));
  }
  if (error.code === "unknown_referral_code")
    return again([{ path: ["referralCode"], code: error.code, message: error.message }]);
  throw error;
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
          values: query.ref ? { referralCode: query.ref } : {},
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
    joinQr: async ({ params, event }) => {
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
        body: qrSvg(`${parts.publicUrl}/join/${program.programId}`),
      });
    },
    joinPoster: async ({ params, query, event }) => {
      const program = await programOrPage(event, params.programId, query.lang);
      if (program instanceof RawReply) return program;
      const joinUrl = `${parts.publicUrl}/join/${program.programId}`;
      return new RawReply(
        posterPage({ program, lang: languageFor(event, program, query.lang), joinUrl, qr: qrSvg(joinUrl) }),
      );
    },
    signUp: async ({ params, body, bodyFormat, event }) => {
      const visitor = { ip: event.requestContext.http.sourceIp };
      if (bodyFormat !== "form") {
        if (body instanceof InvalidForm) throw new Error("an invalid form outside a form post");
        const outcome = await loyalty.signUp(params.programId, body, visitor);
        logger.info("sign-up", { programId: params.programId, outcome, via: "json" });
        return ACCEPTED;
      }
      const explicit = body instanceof InvalidForm ? (body.fields.get("lang") ?? undefined) : body.locale;
      const program = await programOrPage(event, params.programId, explicit);
      if (program instanceof RawReply) return program;
      const lang = languageFor(event, program, explicit);
      const to = paths(program.programId, lang);
      const again = (issues: readonly FormIssue[], fields: URLSearchParams) =>
        new RawReply(
          joinPage({
            program,
            lang,
            action: to.signUp,
            cardLinkFormUrl: to.cardLinkForm,
            values: valuesOf(fields),
            issues,
            status: 422,
          }),
        );
      if (body instanceof InvalidForm) return again(body.issues, body.fields);
      try {
        const outcome = await loyalty.signUp(program.programId, { ...body, locale: lang }, visitor);
        logger.info("sign-up", { programId: program.programId, outcome, via: "form" });
      } catch (error) {
        const submitted = new URLSearchParams(event.body ?? "");
        return formRefusal(error, program, lang, (issues) => again(issues, submitted));
      }
      return seeOther(to.thanks);
    },
    requestCardLink: async ({ params, body, bodyFormat, event }) => {
      const visitor = { ip: event.requestContext.http.sourceIp };
      if (bodyFormat !== "form") {
        if (body instanceof InvalidForm) throw new Error("an invalid form outside a form post");
        const outcome = await loyalty.sendCardLink(params.programId, body, visitor);
        logger.info("card link request", { programId: params.programId, outcome, via: "json" });
        return ACCEPTED;
      }
      const explicit = body instanceof InvalidForm ? (body.fields.get("lang") ?? undefined) : body.locale;
      const program = await programOrPage(event, params.programId, explicit);
      if (program instanceof RawReply) return program;
      const lang = languageFor(event, program, explicit);
      const to = paths(program.programId, lang);
      if (body instanceof InvalidForm) {
        return new RawReply(
          cardLinkFormPage({
            program,
            lang,
            action: to.cardLinks,
            values: { email: body.fields.get("email") ?? undefined },
            issues: body.issues,
          }),
        );
      }
      try {
        const outcome = await loyalty.sendCardLink(program.programId, { ...body, locale: lang }, visitor);
        logger.info("card link request", { programId: program.programId, outcome, via: "form" });
      } catch (error) {
        return formRefusal(error, program, lang, () => {
          throw error;
        });
      }
      return seeOther(to.thanks);
    },
  },
  httpSettings(parts),
);
