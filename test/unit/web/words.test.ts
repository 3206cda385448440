import { describe, expect, it } from "vitest";
import { html } from "../../../functions/web/html.js";
import { LANGUAGES } from "../../../functions/web/locale.js";
import { minutesOf, type PageWords, wordsFor } from "../../../functions/web/words.js";

/** The pages' words: complete in every language, each language its own. */

/** Every sentence of a catalogue, its functions called with sample arguments. */
const sentences = (words: PageWords): string[] => {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (typeof value === "function") {
      const result = value.length === 2 && value.name === "consent" ? value(html`T`, html`P`) : value(3, 8);
      walk(typeof result === "object" && result !== null && "text" in result ? result.text : result);
    } else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(words);
  return out;
};

describe("the pages' words", () => {
  it("has every sentence in every language, none empty", () => {
    for (const lang of LANGUAGES) {
      // Act
      const all = sentences(wordsFor(lang));

      // Assess
      expect(all.length).toBeGreaterThan(80);
      for (const sentence of all) expect(sentence.trim().length, `${lang}: "${sentence}"`).toBeGreaterThan(0);
    }
  });

  it("speaks each language in its own words", () => {
    // Act
    const [en, fr, de, es] = LANGUAGES.map((lang) => wordsFor(lang));

    // Assess
    expect(en?.labels.firstName).toBe("First name");
    expect(fr?.labels.firstName).toBe("Prénom");
    expect(de?.labels.firstName).toBe("Vorname");
    expect(es?.labels.firstName).toBe("Nombre");
    const firstNames = new Set(LANGUAGES.map((lang) => wordsFor(lang).joinButton));
    expect(firstNames.size).toBe(4);
  });

  it("keeps the English words of the pages that existing links and tests know", () => {
    // Act
    const en = wordsFor("en");

    // Assess
    expect(en.appleWallet).toBe("Add to Apple Wallet");
    expect(en.googleWallet).toBe("Add to Google Wallet");
    expect(en.linkProblems.invalid.title).toBe("This card link is not valid");
    expect(en.googleUnavailable.title).toBe("Google Wallet is not available right now");
  });

  it("writes French with a no-break space before : ; ? !", () => {
    // Act
    const french = sentences(wordsFor("fr"));

    // Assess
    for (const sentence of french) expect(sentence, sentence).not.toMatch(/ [:;?!]/);
    expect(wordsFor("fr").alreadyMember).toBe("Déjà membre\u00a0?");
  });

  it("counts points in each language's plural", () => {
    expect([0, 1, 2].map(wordsFor("en").pointsUnit)).toEqual(["points", "point", "points"]);
    expect([0, 1, 2].map(wordsFor("fr").pointsUnit)).toEqual(["point", "point", "points"]);
    expect([0, 1, 2].map(wordsFor("de").pointsUnit)).toEqual(["Punkte", "Punkt", "Punkte"]);
    expect([0, 1, 2].map(wordsFor("es").pointsUnit)).toEqual(["puntos", "punto", "puntos"]);
  });

  it("turns retry-after seconds into whole minutes, at least one", () => {
    expect([0, 1, 60, 61, 3600, Number.NaN].map(minutesOf)).toEqual([1, 1, 1, 2, 60, 1]);
  });
});
