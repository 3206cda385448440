import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { GoogleWalletError } from "../adapters/google/wallet-api.js";
import { apiFunction } from "../api/functions.js";
import { deviceLog } from "../app/device-log.js";
import { GoogleSavesLimited } from "../app/google-wallet.js";
import type { MyStoresView } from "../app/my-stores.js";
import { CardLinkError, type PassAnswer, RegistrationRateLimited } from "../app/wallet.js";
import { googleLogo, googleWalletOver } from "../composition/google.js";
import { httpSettings, processParts } from "../composition/process.js";
import { myStoresOver, walletOver } from "../composition/wallet.js";
import { ConfigError } from "../config/env.js";
import { DomainError } from "../domain/errors.js";
import { HttpError } from "../http/errors.js";
import { InvalidForm, RawReply } from "../http/operation.js";
import { ifModifiedSince, requestHeader } from "../http/request.js";
import { logger } from "../shared/logger.js";
import {
  cardPage,
  googleUnavailablePage,
  linkProblemPage,
  passesUnavailablePage,
  tooManyAttemptsPage,
} from "../web/card-pages.js";
import { type Language, pickLanguage } from "../web/locale.js";
import { platformOf } from "../web/platform.js";
import { type StoresProblem, storesPage } from "../web/stores-page.js";

/** Apple Wallet, customer side: the card link (page and pass) and Apple's PassKit web service. */
const parts = processParts();
const wallet = walletOver(parts);
/** "My stores": the favourite stores a member pins from the card page. */
const stores = myStoresOver(parts, wallet);
/** Undefined without Google credentials: the card page then offers Apple Wallet only. */
const google = googleWalletOver(parts);
const logo = googleLogo();
/** Devices' PassKit log messages, bounded per request and per process (app/device-log.ts). */
const deviceLogs = deviceLog((line, fields) => logger.warn(line, fields));

/** The pass's webServiceURL: Apple appends /v1/devices/… to it. */
const webServiceUrl = `${parts.publicUrl}/passkit`;

const httpDate = (epochSeconds: number) => new Date(epochSeconds * 1000).toUTCString();

/** A pass, or 304, as Apple's web service reference and browsers expect. */
const passReply = (answer: PassAnswer, download: boolean): RawReply => {
  if (answer.kind === "not_modified") {
    return new RawReply({ statusCode: 304, headers: { "last-modified": httpDate(answer.lastModified) } });
  }
  const { pass } = answer;
  return new RawReply({
    statusCode: 200,
    headers: {
      "content-type": "application/vnd.apple.pkpass",
      "last-modified": httpDate(pass.lastModified),
      "cache-control": "no-cache, private",
      ...(download ? { "content-disposition": 'attachment; filename="card.pkpass"' } : {}),
    },
    body: pass.body.toString("base64"),
    isBase64Encoded: true,
  });
};

/** A page's language: the browser's (Accept-Language), else the member's or program's locale. */
const languageOf = (event: APIGatewayProxyEventV2, locale?: string): Language =>
  pickLanguage({ acceptLanguage: requestHeader(event, "accept-language"), programLocale: locale });

/**
 * A broken card link gets a friendly page in the visitor's language; when the link names a program,
 * with a form to email a fresh link (which only ever goes to a member's own address). Anything else
 * goes to the one error mapping.
 */
const orLinkPage = async (
  event: APIGatewayProxyEventV2,
  work: () => Promise<RawReply>,
): Promise<RawReply> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CardLinkError) {
      const program = error.programId ? await parts.repositories.programs.recent(error.programId) : undefined;
      const lang = languageOf(event, program?.locale);
      return new RawReply(
        linkProblemPage(error.reason, {
          lang,
          ...(program
            ? { freshLink: { program, action: `/v1/programs/${program.programId}/card-links` } }
            : {}),
        }),
      );
    }
    if (error instanceof DomainError && error.kind === "unavailable") {
      logger.warn("card link answered without a pass", { code: error.code });
      return new RawReply(passesUnavailablePage(languageOf(event)));
    }
    throw error;
  }
};

const empty = (statusCode: number) => new RawReply({ statusCode, headers: { "cache-control": "no-store" } });

/** Relative, as a form's action and a redirect: the page posts where it was served from. */
const storesPath = (token: string) => `/c/${encodeURIComponent(token)}/stores`;

/** "My stores" in the language of the card page: the browser's, else the member's, else the program's. */
const storesReply = (
  event: APIGatewayProxyEventV2,
  token: string,
  view: MyStoresView,
  shown: { saved?: boolean; problem?: StoresProblem },
): RawReply =>
  new RawReply(
    storesPage({
      ...view,
      ...shown,
      lang: languageOf(event, view.profile?.locale ?? view.program.locale),
      action: storesPath(token),
      cardUrl: `/c/${encodeURIComponent(token)}`,
    }),
  );

/** What a refused choice shows: a form the schema refused (more than the limit, or not a storeId)… */
const formProblem = (form: InvalidForm): StoresProblem =>
  form.issues.some((issue) => issue.code === "too_big") ? "too_many" : "unknown_store";

/** …or a choice the engine refused (a store that is not one of the program's open stores). */
const refusalOf = (error: unknown): StoresProblem | undefined => {
  if (!(error instanceof DomainError) || error.kind !== "validation") return undefined;
  if (error.code === "too_many_favourite_stores") return "too_many";
  return error.code === "unknown_store" ? "unknown_store" : undefined;
};

export const handler = apiFunction(
  "wallet",
  {
    cardPage: ({ params, event }) =>
      orLinkPage(event, async () => {
        const { program, member, profile } = await wallet.cardByLink(params.token);
        const holderName = [profile?.firstName, profile?.lastName].filter(Boolean).join(" ");
        const cardUrl = `${parts.publicUrl}/c/${params.token}`;
        return new RawReply(
          cardPage({
            program,
            member,
            lang: languageOf(event, profile?.locale ?? program.locale),
            platform: platformOf(requestHeader(event, "user-agent")),
            ...(holderName ? { holderName } : {}),
            passUrl: `${cardUrl}/pass.pkpass`,
            ...(google ? { googleUrl: `${cardUrl}/google` } : {}),
            cardUrl,
            storesUrl: `${cardUrl}/stores`,
          }),
        );
      }),
    myStores: ({ params, query, event }) =>
      orLinkPage(event, async () =>
        storesReply(event, params.token, await stores.page(params.token, { query: query.q }), {
          saved: query.saved !== undefined,
        }),
      ),
    chooseStores: ({ params, body, bodyFormat, event }) =>
      orLinkPage(event, async () => {
        // A refused choice: the page again with what was ticked (the link is checked first: a bad
        // link gets its own page, and nothing refused is ever written).
        const again = async (problem: StoresProblem, chosen: readonly string[]) =>
          storesReply(event, params.token, await stores.page(params.token, { chosen }), { problem });
        if (body instanceof InvalidForm) return again(formProblem(body), body.fields.getAll("store"));
        try {
          await stores.save(params.token, body.storeIds);
        } catch (error) {
          // A JSON caller gets the one error mapping's 422; a person gets the page.
          const problem = bodyFormat === "form" ? refusalOf(error) : undefined;
          if (problem === undefined) throw error;
          return again(problem, body.storeIds);
        }
        // 303: reloading the page that says "saved" posts nothing again.
        return new RawReply({
          statusCode: 303,
          headers: { location: `${storesPath(params.token)}?saved=1`, "cache-control": "no-store" },
        });
      }),
    googleSaveLink: ({ params, event }) =>
      orLinkPage(event, async () => {
        if (!google) return new RawReply(googleUnavailablePage(languageOf(event)));
        const card = await wallet.cardByLink(params.token);
        try {
          const location = await google.saveLink(card);
          return new RawReply({
            statusCode: 302,
            headers: { location, "cache-control": "no-store", "referrer-policy": "no-referrer" },
          });
        } catch (error) {
          const lang = languageOf(event, card.profile?.locale ?? card.program.locale);
          if (error instanceof GoogleSavesLimited)
            return new RawReply(tooManyAttemptsPage(lang, error.retryAfterSeconds));
          // Google did not answer, or the service account is wrong: not the customer's doing.
          if (!(error instanceof GoogleWalletError) && !(error instanceof ConfigError)) throw error;
          logger.error("Google Wallet save link failed", {
            memberId: card.member.memberId,
            error: (error as Error).message,
          });
          return new RawReply(googleUnavailablePage(lang));
        }
      }),
    googleLogo: async () =>
      new RawReply({
        statusCode: 200,
        headers: { "content-type": "image/png", "cache-control": "public, max-age=86400" },
        body: logo().toString("base64"),
        isBase64Encoded: true,
      }),
    downloadPass: ({ params, event }) =>
      orLinkPage(event, async () =>
        passReply(await wallet.passByLink(params.token, webServiceUrl, ifModifiedSince(event)), true),
      ),
    registerDevice: async ({ params, body, principal }) => {
      try {
        const outcome = await wallet.register({
          deviceLibraryIdentifier: params.deviceLibraryIdentifier,
          passTypeId: params.passTypeIdentifier,
          serialNumber: params.serialNumber,
          token: principal.token,
          pushToken: body.pushToken,
        });
        return empty(outcome === "created" ? 201 : 200);
      } catch (error) {
        // Too many new devices for this pass this hour: Apple's device tries again after Retry-After.
        if (!(error instanceof RegistrationRateLimited)) throw error;
        throw new HttpError(429, "too_many_registrations", error.message, undefined, {
          "retry-after": String(error.retryAfterSeconds),
        });
      }
    },
    unregisterDevice: async ({ params, principal }) => {
      await wallet.unregister({
        deviceLibraryIdentifier: params.deviceLibraryIdentifier,
        passTypeId: params.passTypeIdentifier,
        serialNumber: params.serialNumber,
        token: principal.token,
      });
      return empty(200);
    },
    listUpdatedPasses: async ({ params, query }) => {
      const tag = query.passesUpdatedSince === undefined ? undefined : Number(query.passesUpdatedSince);
      const updated = await wallet.updatedSerials(
        params.deviceLibraryIdentifier,
        params.passTypeIdentifier,
        tag,
      );
      return updated ?? empty(204);
    },
    getLatestPass: async ({ params, principal, event }) =>
      passReply(
        await wallet.latestPass(
          {
            passTypeId: params.passTypeIdentifier,
            serialNumber: params.serialNumber,
            token: principal.token,
          },
          webServiceUrl,
          ifModifiedSince(event),
        ),
        false,
      ),
    logMessages: async ({ body }) => {
      deviceLogs.record(body.logs);
      return empty(200);
    },
  },
  httpSettings(parts),
);
