import Negotiator from "negotiator";

/**
 * The languages of Carnet's pages and emails (the same four as the cards, domain/pass/card-text.ts),
 * and how one is chosen for a visitor: what the page was asked in (`?lang=`, or the form's hidden
 * field), else the browser's Accept-Language (negotiated by `negotiator`, the library Express uses),
 * else the program's own locale, else English.
 */
export const LANGUAGES = ["en", "fr", "de", "es"] as const;
export type Language = (typeof LANGUAGES)[number];

const isLanguage = (code: string): code is Language => (LANGUAGES as readonly string[]).includes(code);

/** The language of a locale such as `fr-FR` when Carnet has it. */
export const languageOf = (locale: string | undefined): Language | undefined => {
  const code = locale?.toLowerCase().split(/[-_]/)[0] ?? "";
  return isLanguage(code) ? code : undefined;
};

export interface LanguageChoice {
  /** An explicit choice (a `?lang=` link, the form's own hidden field): wins when Carnet has it. */
  explicit?: string | undefined;
  /** The request's Accept-Language header. */
  acceptLanguage?: string | undefined;
  /** The program's locale, e.g. `fr-FR`. */
  programLocale?: string | undefined;
}

export const pickLanguage = ({ explicit, acceptLanguage, programLocale }: LanguageChoice): Language => {
  const chosen = languageOf(explicit);
  if (chosen) return chosen;
  if (acceptLanguage) {
    // Negotiator matches `fr-CA` to `fr`; it answers nothing when no language of ours is acceptable.
    const negotiated = new Negotiator({ headers: { "accept-language": acceptLanguage } }).language([
      ...LANGUAGES,
    ]);
    const language = languageOf(negotiated);
    if (language) return language;
  }
  return languageOf(programLocale) ?? "en";
};
