import { describe, expect, it } from "vitest";
import { Branding } from "../../../functions/domain/program.js";
import { CARD_LINK_DAYS } from "../../../functions/shared/pass-tokens.js";
import { type CardLinkEmailInput, cardLinkEmail, spacedCardCode } from "../../../functions/web/email.js";
import { LANGUAGES } from "../../../functions/web/locale.js";

/** The card link email (web/email.ts): what a customer reads, in every language Carnet speaks. */

const CARD = "https://loyalty.example.com/c/prg_0000000000000001.mbr_0000000000000001.t2x0ab.c2lnbmF0dXJl";

const input = (overrides: Partial<CardLinkEmailInput> = {}): CardLinkEmailInput => ({
  program: {
    name: "Café Lumière Rewards",
    organizationName: "Café Lumière",
    branding: Branding.parse({ backgroundColor: "#7C2D12", foregroundColor: "#FFF7ED" }),
  },
  lang: "en",
  firstName: "Camille",
  cardUrl: CARD,
  passUrl: `${CARD}/pass.pkpass`,
  googleUrl: `${CARD}/google`,
  cardCode: "4000123412341234",
  ...overrides,
});

/** Every URL the HTML points at: links and images. */
const urlsIn = (html: string): string[] =>
  [...html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => (m[1] ?? "").replaceAll("&amp;", "&"));

describe("the card link email", () => {
  it.each(LANGUAGES)(
    "is written in %s, with the same card link, pass and card number in both parts",
    (lang) => {
      // Act
      const email = cardLinkEmail(input({ lang }));

      // Assess
      expect(email.subject).toContain("Café Lumière Rewards");
      expect(email.html).toContain(`<html lang="${lang}">`);
      for (const part of [email.text, email.html]) {
        expect(part).toContain(CARD);
        expect(part).toContain(`${CARD}/pass.pkpass`);
        expect(part).toContain(`${CARD}/google`);
        expect(part).toContain("4000 1234 1234 1234");
        expect(part).toContain("Camille");
        expect(part).toContain(String(CARD_LINK_DAYS));
      }
      expect(email.html).toContain(`href="${CARD}"`);
      expect(email.html).toContain(`href="${CARD}/pass.pkpass"`);
    },
  );

  it("says it differently in each language", () => {
    // Act
    const emails = LANGUAGES.map((lang) => cardLinkEmail(input({ lang })));

    // Assess
    expect(new Set(emails.map((e) => e.subject)).size).toBe(LANGUAGES.length);
    expect(new Set(emails.map((e) => e.text)).size).toBe(LANGUAGES.length);
    expect(emails.map((e) => e.subject)).toEqual([
      "Your Café Lumière Rewards card",
      "Votre carte Café Lumière Rewards",
      "Ihre Karte für Café Lumière Rewards",
      "Tu tarjeta de Café Lumière Rewards",
    ]);
    expect(emails[1]?.text).toContain("Ajouter à Apple Wallet\u00a0:");
    expect(emails[2]?.html).toContain("Zu Apple Wallet hinzufügen");
  });

  it.each(LANGUAGES)(
    "in %s, welcomes a new member, but not one who asked again or whose card was reissued",
    (lang) => {
      // Act
      const [welcome, again, reissued] = (["welcome", "again", "reissued"] as const).map(
        (reason) => cardLinkEmail(input({ lang, reason })).text,
      );
      const unsaid = cardLinkEmail(input({ lang })).text;

      // Assess
      expect(unsaid).toBe(welcome);
      expect(new Set([welcome, again, reissued]).size).toBe(3);
      for (const text of [again, reissued]) expect(text).toContain(CARD);
    },
  );

  it("greets the customer by first name when known, and politely without one", () => {
    // Act
    const named = cardLinkEmail(input({ lang: "fr", firstName: "Camille" }));
    const unnamed = cardLinkEmail(input({ lang: "fr", firstName: undefined }));
    const blank = cardLinkEmail(input({ lang: "en", firstName: "  " }));

    // Assess
    expect(named.text.split("\n")[0]).toBe("Bonjour Camille,");
    expect(unnamed.text.split("\n")[0]).toBe("Bonjour,");
    expect(blank.text.split("\n")[0]).toBe("Hello,");
    expect(unnamed.html).not.toContain("undefined");
  });

  it("offers Google Wallet only when the deployment has it", () => {
    // Act
    const withGoogle = cardLinkEmail(input());
    const withoutGoogle = cardLinkEmail(input({ googleUrl: undefined }));

    // Assess
    expect(withGoogle.html).toContain('id="add-to-google-wallet"');
    expect(withGoogle.text).toContain("Add to Google Wallet");
    expect(withoutGoogle.html).not.toContain("Google");
    expect(withoutGoogle.text).not.toContain("Google");
    expect(withoutGoogle.html).toContain('id="add-to-apple-wallet"');
  });

  it("escapes every name in the HTML, and keeps them as written in the text", () => {
    // Prepare
    const hostile = input({
      program: {
        name: '<script>alert("p")</script>',
        organizationName: `Tom & Jerry's "Café"`,
        branding: Branding.parse({ logoUrl: 'https://cdn.example.com/logo.png?a=1&b="x"' }),
      },
      firstName: "<img src=x onerror=alert(1)>",
    });

    // Act
    const email = cardLinkEmail(hostile);

    // Assess
    expect(email.html).not.toMatch(/<script|<img src=x|onerror=alert\(1\)>/);
    expect(email.html).toContain("&lt;script&gt;alert(&quot;p&quot;)&lt;/script&gt;");
    expect(email.html).toContain("Tom &amp; Jerry&#39;s &quot;Café&quot;");
    expect(email.html).toContain('src="https://cdn.example.com/logo.png?a=1&amp;b=&quot;x&quot;"');
    expect(email.text).toContain('<script>alert("p")</script>');
    expect(email.text).toContain("Hello <img src=x onerror=alert(1)>,");
  });

  it("shows the program's own logo, named for screen readers, and no other image", () => {
    // Act
    const withLogo = cardLinkEmail(
      input({
        program: {
          ...input().program,
          branding: Branding.parse({ logoUrl: "https://cdn.example.com/cafe-lumiere.png" }),
        },
      }),
    );
    const withoutLogo = cardLinkEmail(input());

    // Assess
    expect(withLogo.html.match(/<img /g)).toHaveLength(1);
    expect(withLogo.html).toContain('<img src="https://cdn.example.com/cafe-lumiere.png" alt="Café Lumière"');
    expect(withoutLogo.html).not.toContain("<img");
  });

  it("tracks nothing: every link is one of the customer's own, the only image the program's logo", () => {
    // Prepare
    const logoUrl = "https://cdn.example.com/cafe-lumiere.png";
    const given = input({ program: { ...input().program, branding: Branding.parse({ logoUrl }) } });

    // Act
    const email = cardLinkEmail(given);

    // Assess
    expect(new Set(urlsIn(email.html))).toEqual(
      new Set([CARD, `${CARD}/pass.pkpass`, `${CARD}/google`, logoUrl]),
    );
    expect(email.html).not.toMatch(/<script|url\(|<link |@import|width="1"|height="1"/i);
  });

  it("brands the header and the card button with the program's colours", () => {
    // Act
    const email = cardLinkEmail(input());

    // Assess
    expect(email.html).toContain('bgcolor="#7c2d12"');
    expect(email.html).toContain("color:#fff7ed");
    expect(email.html).toMatch(/<a id="open-card" href="[^"]+" style="[^"]*color:#fff7ed/);
  });

  it("keeps a name written over several lines on one line, so the subject stays one header line", () => {
    // Act
    const email = cardLinkEmail(
      input({ program: { ...input().program, name: "Café\r\nLumière\nRewards" }, firstName: "Ca\nmille" }),
    );

    // Assess
    expect(email.subject).toBe("Your Café Lumière Rewards card");
    expect(email.text.split("\n")[0]).toBe("Hello Ca mille,");
  });

  it("writes a card number in groups of four, and any other code as it is", () => {
    // Act + Assess
    expect(spacedCardCode("4000123412341234")).toBe("4000 1234 1234 1234");
    expect(spacedCardCode("CARD-7")).toBe("CARD-7");
  });
});
