import { describe, expect, it } from "vitest";
import type { Member } from "../../../functions/domain/loyalty/member.js";
import type { Program } from "../../../functions/domain/program.js";
import {
  cardPage,
  googleUnavailablePage,
  type LinkProblem,
  linkProblemPage,
  passesUnavailablePage,
  tooManyAttemptsPage,
} from "../../../functions/web/card-pages.js";
import type { Platform } from "../../../functions/web/platform.js";
import { lumiereProgram, newMember } from "../loyalty/fixtures.js";

/** The customer's card page and the pages of a card link that gives no card. */

const BASE = "https://loyalty.example.com/c/tok";
const programOf = (input: Record<string, unknown> = {}): Program => lumiereProgram(input);
const memberOf = (program: Program, changes: Partial<Member> = {}): Member => ({
  ...newMember(program, "2026-06-01T10:00:00Z"),
  ...changes,
});

const render = (input: Partial<Parameters<typeof cardPage>[0]> = {}) => {
  const program = input.program ?? programOf();
  return cardPage({
    program,
    member: memberOf(program, { points: 42 }),
    lang: "en",
    platform: "apple",
    passUrl: `${BASE}/pass.pkpass`,
    googleUrl: `${BASE}/google`,
    cardUrl: BASE,
    ...input,
  });
};

/** The text of an element, tags removed and the page's few entities decoded. */
const text = (markup: string): string =>
  markup
    .replace(/<[^>]+>/g, "")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

const byTestId = (body: string | undefined, id: string): string =>
  text(new RegExp(`data-testid="${id}">([\\s\\S]*?)</(p|dd)>`).exec(body ?? "")?.[1] ?? "");

/** The wallet buttons' ids, in the page's order. */
const buttons = (body: string | undefined): string[] =>
  [...(body ?? "").matchAll(/<a class="wallet-button [^"]+" id="([a-z-]+)"/g)].map((m) => m[1] ?? "");

describe("the card page", () => {
  it("shows the program's name as the heading and the balance as `<n> points`", () => {
    // Act
    const body = render().body;

    // Assess
    expect(body).toContain('<h1 id="card-name">Lumière</h1>');
    expect(byTestId(body, "points")).toBe("42 points");
    expect(body).toContain("<title>Lumière - your card</title>");
  });

  it("says 1 point, and counts in the page's language", () => {
    // Prepare
    const program = programOf();

    // Act
    const one = render({ member: memberOf(program, { points: 1 }) }).body;
    const french = render({ member: memberOf(program, { points: 0 }), lang: "fr" }).body;
    const german = render({ member: memberOf(program, { points: 7 }), lang: "de" }).body;

    // Assess
    expect(byTestId(one, "points")).toBe("1 point");
    expect(byTestId(french, "points")).toBe("0 point");
    expect(byTestId(german, "points")).toBe("7 Punkte");
  });

  it.each<[Platform, string[]]>([
    ["apple", ["add-to-apple-wallet", "add-to-google-wallet"]],
    ["android", ["add-to-google-wallet", "add-to-apple-wallet"]],
    ["desktop", ["add-to-apple-wallet", "add-to-google-wallet"]],
  ])("puts the %s phone's own wallet first", (platform, order) => {
    // Act
    const body = render({ platform }).body;

    // Assess
    expect(buttons(body)).toEqual(order);
  });

  it("names the buttons with Apple's and Google's wording, and sends no referrer to Google", () => {
    // Act
    const body = render().body ?? "";

    // Assess
    expect(body).toMatch(
      /<a class="wallet-button wallet-apple" id="add-to-apple-wallet" href="https:\/\/loyalty\.example\.com\/c\/tok\/pass\.pkpass"[^>]*><svg[^>]*aria-hidden="true"[\s\S]*?<\/svg><span>Add to Apple Wallet<\/span><\/a>/,
    );
    expect(body).toMatch(
      /<a class="wallet-button wallet-google" id="add-to-google-wallet" href="https:\/\/loyalty\.example\.com\/c\/tok\/google" rel="noreferrer">[\s\S]*?<span>Add to Google Wallet<\/span><\/a>/,
    );
  });

  it.each([
    ["fr", "Ajouter à Apple Wallet", "Ajouter à Google Wallet"],
    ["de", "Zu Apple Wallet hinzufügen", "Zu Google Wallet hinzufügen"],
    ["es", "Añadir a Apple Wallet", "Añadir a Google Wallet"],
  ] as const)("uses the wallets' own wording in %s", (lang, apple, google) => {
    // Act
    const body = render({ lang }).body;

    // Assess
    expect(body).toContain(`<span>${apple}</span>`);
    expect(body).toContain(`<span>${google}</span>`);
  });

  it("hides Add to Google Wallet without a Google save link", () => {
    // Act
    const body = render({ googleUrl: undefined, platform: "android" }).body;

    // Assess
    expect(buttons(body)).toEqual(["add-to-apple-wallet"]);
    expect(body).not.toContain("Google Wallet");
  });

  it("offers a computer a QR code of the card page to open it on a phone, and phones none", () => {
    // Act
    const desktop = render({ platform: "desktop" }).body ?? "";
    const phone = render({ platform: "apple" }).body ?? "";

    // Assess
    expect(desktop).toMatch(
      /<div role="img" aria-label="QR code that opens this card on your phone"><svg class="barcode barcode-qr"/,
    );
    expect(desktop).toContain("Scan this code with your phone&#39;s camera");
    expect(phone).not.toContain("QR code that opens this card");
  });

  it.each([
    ["qr", "qr", "Your card&#39;s QR code"],
    ["pdf417", "linear", "Your card&#39;s barcode"],
    ["code128", "linear", "Your card&#39;s barcode"],
  ] as const)("draws the card's code as a %s barcode, written out under it", (barcodeFormat, kind, alt) => {
    // Prepare
    const program = programOf({ branding: { barcodeFormat } });

    // Act
    const body = render({ program, member: memberOf(program, { cardCode: "4539148803436467" }) }).body ?? "";

    // Assess
    expect(body).toContain(`<figure class="${kind}">`);
    expect(body).toMatch(
      new RegExp(
        `<div role="img" aria-label="${alt}"><svg class="barcode barcode-${barcodeFormat}" aria-hidden="true"[^>]*viewBox="0 0 \\d+ \\d+"`,
      ),
    );
    expect(body).toContain(
      '<figcaption><span class="code">4539 1488 0343 6467</span> Show this at the till</figcaption>',
    );
  });

  it("shows the first stamp card in front when the card's front is stamps, the points beside", () => {
    // Prepare
    const program = programOf({
      branding: { cardFront: "stamps" },
      rules: { stamps: { cards: [{ category: "coffee", stampsRequired: 5, rewardTitle: "A coffee" }] } },
    });

    // Act
    const body =
      render({ program, member: memberOf(program, { points: 12, stamps: { coffee: 3 } }) }).body ?? "";

    // Assess
    expect(body).toContain('<p class="label">COFFEE STAMPS</p>');
    expect(body).toContain(
      '<span aria-hidden="true">3 / 5</span><span class="visually-hidden">3 of 5</span>',
    );
    expect(body.match(/<li class="on"><\/li>/g)).toHaveLength(3);
    expect(body.match(/<li><\/li>/g)).toHaveLength(2);
    expect(byTestId(body, "points")).toBe("12 points");
  });

  it("shows the tier, the next reward, the holder and the vouchers", () => {
    // Prepare
    const program = programOf({
      currency: "EUR",
      rules: {
        tiers: { levels: [{ tierId: "gold", name: "Gold", entrySpendCents: 100 }] },
        rewards: {
          catalogue: [
            {
              rewardId: "cake",
              title: "Cake",
              pointsCost: 50,
              voucher: { kind: "gift", description: "Cake" },
            },
          ],
        },
      },
    });
    const voucher = {
      voucherId: "vch_1",
      title: "5 € off",
      kind: "amount" as const,
      valueCents: 500,
      source: "reward" as const,
      sourceId: "five",
      issuedAt: "2026-06-01T10:00:00Z",
      validTo: "2026-12-31",
    };

    // Act
    const body =
      render({
        program,
        member: memberOf(program, { points: 42, tierId: "gold", vouchers: [voucher] }),
        holderName: "Camille Martin",
      }).body ?? "";

    // Assess
    expect(body).toContain("<div><dt>TIER</dt><dd>Gold</dd></div>");
    expect(body).toContain("<div><dt>NEXT REWARD</dt><dd>Cake in 8 points</dd></div>");
    expect(body).toContain('<div><dt>VOUCHERS</dt><dd data-testid="vouchers">1</dd></div>');
    expect(body).toContain("<div><dt>MEMBER</dt><dd>Camille Martin</dd></div>");
    expect(body).toContain("<li>5 € off (€5.00), valid until December 31, 2026</li>");
  });

  it("escapes every text the program or the member provides", () => {
    // Prepare
    const hostile = `<img src=x onerror=alert(1)>"'`;
    const program = {
      ...programOf({
        rules: {
          stamps: { cards: [{ category: "coffee", stampsRequired: 5, rewardTitle: "x" }] },
          tiers: { levels: [{ tierId: "gold", name: "Gold", entrySpendCents: 100 }] },
        },
      }),
    };
    const evil = {
      ...program,
      name: hostile,
      organizationName: hostile,
      branding: { ...program.branding, logoText: hostile },
      rules: {
        ...program.rules,
        stamps: { cards: [{ category: hostile, stampsRequired: 5, rewardTitle: hostile }] },
        tiers: { ...program.rules.tiers, levels: [{ ...program.rules.tiers.levels[0], name: hostile }] },
      },
    } as Program;
    const voucher = {
      voucherId: "v",
      title: hostile,
      kind: "gift" as const,
      source: "reward" as const,
      sourceId: "r",
      issuedAt: "2026-06-01T10:00:00Z",
      validTo: "2026-12-31",
    };

    // Act
    const body =
      render({
        program: evil,
        member: memberOf(evil, { tierId: "gold", vouchers: [voucher], cardCode: "4539148803436467" }),
        holderName: hostile,
        passUrl: `${BASE}"><script>`,
      }).body ?? "";

    // Assess
    expect(body).not.toContain("<img src=x");
    expect(body).not.toContain("<script");
    expect(body).toContain(`<h1 id="card-name">&lt;img src=x onerror=alert(1)&gt;&quot;&#39;</h1>`);
  });

  it("keeps the page out of frames, with no script", () => {
    // Act
    const answer = render();

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.["x-frame-options"]).toBe("DENY");
    expect(answer.body).not.toMatch(/<script|\sstyle=/);
  });
});

describe("a card link that gives no card", () => {
  it.each<[LinkProblem, number, string]>([
    ["malformed", 404, "This card link is not valid"],
    ["forged", 404, "This card link is not valid"],
    ["expired", 410, "This card link has expired"],
    ["gone", 410, "This card no longer exists"],
    ["replaced", 410, "This card link was replaced"],
  ])("explains a %s link with %i", (problem, status, title) => {
    // Act
    const answer = linkProblemPage(problem, { lang: "en" });

    // Assess
    expect(answer.statusCode).toBe(status);
    expect(answer.body).toContain(`<h1>${title}</h1>`);
    expect(answer.body).not.toContain("<form");
    expect(answer.body).not.toContain("Add to Apple Wallet");
  });

  it("offers to email a fresh link when the program is known, in the page's language", () => {
    // Act
    const body =
      linkProblemPage("expired", {
        lang: "fr",
        freshLink: { program: programOf(), action: "https://loyalty.example.com/v1/programs/p/card-links" },
      }).body ?? "";

    // Assess
    expect(body).toContain("<h1>Ce lien de carte a expiré</h1>");
    expect(body).toContain(
      '<form method="post" action="https://loyalty.example.com/v1/programs/p/card-links" novalidate>',
    );
    expect([...body.matchAll(/<input [^>]*name="([a-zA-Z]+)"/g)].map((m) => m[1])).toEqual([
      "email",
      "lang",
      "website",
    ]);
    expect(body).toContain('<input type="hidden" name="lang" value="fr">');
    expect(body).toContain('<button type="submit">M&#39;envoyer un nouveau lien</button>');
    expect(body).toContain("Lumière");
  });

  it("says passes and Google Wallet are unavailable with 503, and to wait with 429 and retry-after", () => {
    // Act
    const passes = passesUnavailablePage("en");
    const google = googleUnavailablePage("de");
    const wait = tooManyAttemptsPage("en", 60);

    // Assess
    expect(passes.statusCode).toBe(503);
    expect(passes.body).toContain("<h1>Your card cannot be added right now</h1>");
    expect(google.statusCode).toBe(503);
    expect(google.body).toContain("<h1>Google Wallet ist gerade nicht verfügbar</h1>");
    expect(wait.statusCode).toBe(429);
    expect(wait.headers?.["retry-after"]).toBe("60");
    expect(wait.body).toContain("try again in a minute.");
  });
});
