import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Program } from "../../../functions/domain/program.js";
import { qrSvg } from "../../../functions/web/barcode.js";
import {
  cardLinkFormPage,
  checkInboxPage,
  type FormIssue,
  joinPage,
  posterPage,
  programNotFoundPage,
  tooManyRequestsPage,
} from "../../../functions/web/join-pages.js";
import { lumiereProgram } from "../loyalty/fixtures.js";

/** The public join pages: the form, its errors, the answers after it, the refusals and the poster. */

const ACTION = "https://loyalty.example.com/v1/programs/prg_00000000000000pp/enrollments";
const LINK_FORM = "https://loyalty.example.com/join/prg_00000000000000pp/link";

const programOf = (input: Record<string, unknown> = {}): Program => lumiereProgram(input);

const form = (input: Partial<Parameters<typeof joinPage>[0]> = {}) =>
  joinPage({ program: programOf(), lang: "en", action: ACTION, cardLinkFormUrl: LINK_FORM, ...input });

/** The opening tag of the element with this id. */
const tagOf = (body: string | undefined, id: string): string =>
  new RegExp(`<[a-z]+ [^>]*id="${id}"[^>]*>`).exec(body ?? "")?.[0] ?? "";

const issue = (field: string, code: string): FormIssue => ({ path: [field], code, message: "zod's words" });

const HOSTILE = `<img src=x onerror=alert(1)>"'&`;
const ESCAPED = "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;";

describe("the join form", () => {
  it("asks for each field under its form name, the optional ones marked optional", () => {
    // Act
    const body = form().body ?? "";

    // Assess
    expect(tagOf(body, "firstName")).toMatch(
      /type="text" .*name="firstName" .*autocomplete="given-name".* required/,
    );
    expect(tagOf(body, "email")).toMatch(/type="email" .*name="email" .*autocomplete="email".* required/);
    expect(tagOf(body, "lastName")).toMatch(/name="lastName"/);
    expect(tagOf(body, "birthDate")).toMatch(/type="date" .*name="birthDate"/);
    expect(tagOf(body, "postcode")).toMatch(/name="postcode" .*autocomplete="postal-code"/);
    expect(tagOf(body, "referralCode")).toMatch(/name="referralCode"/);
    for (const optional of ["lastName", "birthDate", "postcode", "referralCode"]) {
      expect(body).toMatch(
        new RegExp(`<label for="${optional}">[^<]+ <span class="optional">\\(optional\\)</span></label>`),
      );
      expect(tagOf(body, optional)).not.toContain("required");
    }
    expect(body).toMatch(/<label for="firstName">First name<\/label>/);
    expect(body).toContain(`<form method="post" action="${ACTION}" novalidate>`);
    expect(body).toContain('<input type="hidden" name="lang" value="en">');
    expect(body).toContain(`<a href="${LINK_FORM}">Get your card link again</a>`);
    expect(body).toContain("Already a member?");
  });

  it("asks for consent in a fieldset, the terms and privacy notice opening in a new tab", () => {
    // Prepare
    const program = programOf({
      join: { termsUrl: "https://cafe.example/terms", privacyUrl: "https://cafe.example/privacy" },
    });

    // Act
    const body = form({ program }).body ?? "";

    // Assess
    expect(body).toMatch(/<fieldset>\n<legend>Your consent<\/legend>/);
    expect(tagOf(body, "consent")).toBe(
      '<input type="checkbox" id="consent" name="consent" value="true" required>',
    );
    expect(tagOf(body, "marketingConsent")).toBe(
      '<input type="checkbox" id="marketingConsent" name="marketingConsent" value="true">',
    );
    expect(body).toContain(
      '<a href="https://cafe.example/terms" target="_blank" rel="noopener noreferrer">program terms<span class="visually-hidden"> (opens in a new tab)</span></a>',
    );
    expect(body).toContain(
      '<a href="https://cafe.example/privacy" target="_blank" rel="noopener noreferrer">',
    );
  });

  it("names the terms without a link when the program has none", () => {
    // Act
    const body = form().body ?? "";

    // Assess
    expect(body).toContain(
      '<label for="consent">I accept the program terms and I have read the privacy notice.</label>',
    );
    expect(body).not.toContain('target="_blank"');
  });

  it("has a honeypot off-screen, hidden from screen readers, out of the tab order and of autofill", () => {
    // Act
    const body = form().body ?? "";

    // Assess
    expect(body).toContain(`<div class="hp" aria-hidden="true">
<label for="website">Leave this field empty</label>
<input type="text" id="website" name="website" value="" tabindex="-1" autocomplete="off">
</div>`);
    expect(body).toMatch(/\.hp\{position:absolute;left:-10000px/);
  });

  it("keeps what was typed, and never the honeypot", () => {
    // Prepare
    const values = {
      firstName: "Camille",
      email: "camille@example",
      lastName: "Martin",
      birthDate: "1990-03-14",
      postcode: "75011",
      referralCode: "ABCD2345",
      consent: true,
      marketingConsent: true,
      website: "http://spam.example",
    };

    // Act
    const body = form({ values, issues: [issue("email", "invalid_format")] }).body ?? "";

    // Assess
    expect(tagOf(body, "firstName")).toContain('value="Camille"');
    expect(tagOf(body, "email")).toContain('value="camille@example"');
    expect(tagOf(body, "lastName")).toContain('value="Martin"');
    expect(tagOf(body, "birthDate")).toContain('value="1990-03-14"');
    expect(tagOf(body, "postcode")).toContain('value="75011"');
    expect(tagOf(body, "referralCode")).toContain('value="ABCD2345"');
    expect(tagOf(body, "consent")).toContain(" checked");
    expect(tagOf(body, "marketingConsent")).toContain(" checked");
    expect(tagOf(body, "website")).toContain('value=""');
    expect(body).not.toContain("spam.example");
  });

  it("prefills a referral code from the link, with the marketing consent unchecked", () => {
    // Act
    const body = form({ values: { referralCode: "ABCD2345" } }).body ?? "";

    // Assess
    expect(tagOf(body, "referralCode")).toContain('value="ABCD2345"');
    expect(tagOf(body, "marketingConsent")).not.toContain("checked");
    expect(body).not.toContain('role="alert"');
  });

  it.each([
    ["firstName", "too_small", "Enter your first name"],
    ["firstName", "invalid_type", "Enter your first name"],
    ["firstName", "too_big", "Your first name is too long"],
    ["email", "invalid_format", "Enter an email address in the right format, like name@example.com"],
    ["email", "too_small", "Enter your email address"],
    ["email", "too_big", "Your email address is too long"],
    ["lastName", "too_big", "Your last name is too long"],
    ["birthDate", "invalid_format", "Enter a real date of birth"],
    ["birthDate", "custom", "Your date of birth must be in the past"],
    ["birthDate", "in_future", "Your date of birth must be in the past"],
    ["postcode", "invalid_format", "Enter a valid postcode"],
    [
      "referralCode",
      "unknown_referral_code",
      "We don&#39;t know this referral code: check it, or leave the field empty",
    ],
    ["referralCode", "invalid_format", "Check the referral code: it has 8 letters and numbers"],
    ["consent", "invalid_value", "Tick the box to accept the terms and join"],
    ["consent", "invalid_type", "Tick the box to accept the terms and join"],
  ])("says what is wrong with %s (%s) under the field and in the summary", (field, code, message) => {
    // Act
    const answer = form({ issues: [issue(field, code)] });
    const body = answer.body ?? "";

    // Assess
    expect(answer.statusCode).toBe(422);
    expect(body).toContain(
      `<span class="error" id="${field}-error"><span class="visually-hidden">Error: </span>${message}</span>`,
    );
    expect(tagOf(body, field)).toContain('aria-invalid="true"');
    expect(tagOf(body, field)).toMatch(new RegExp(`aria-describedby="([^"]* )?${field}-error"`));
    expect(body).toContain(`<li><a href="#${field}">${message}</a></li>`);
    expect(body).toMatch(
      /<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>/,
    );
    expect(body).toContain("<title>Error: Join Lumière</title>");
  });

  it("lists the errors in the form's order, one per field, and a general line for anything else", () => {
    // Prepare
    const issues = [
      issue("consent", "invalid_value"),
      issue("email", "invalid_format"),
      issue("email", "too_big"),
      issue("firstName", "too_small"),
      { path: [], code: "custom", message: "body" },
      issue("website", "custom"),
    ];

    // Act
    const body = form({ issues }).body ?? "";

    // Assess
    const links = [...body.matchAll(/<li><a href="#([a-zA-Z]+)">/g)].map((m) => m[1]);
    expect(links).toEqual(["firstName", "email", "consent"]);
    expect(body.match(/<span class="error" id="email-error">/g)).toHaveLength(1);
    expect(body).toContain("<li>Check the form and try again</li>");
    expect(tagOf(body, "lastName")).not.toContain("aria-invalid");
  });

  it("speaks French, German and Spanish, errors included", () => {
    // Act
    const pages = (["fr", "de", "es"] as const).map(
      (lang) => form({ lang, issues: [issue("email", "invalid_format")] }).body ?? "",
    );

    // Assess
    const [fr = "", de = "", es = ""] = pages;
    expect(fr).toContain('<html lang="fr">');
    expect(fr).toContain("<h1>Rejoindre Lumière</h1>");
    expect(fr).toContain('<label for="firstName">Prénom</label>');
    expect(fr).toContain("Saisissez une adresse e-mail valide");
    expect(fr).toContain("(facultatif)");
    expect(fr).toContain('<input type="hidden" name="lang" value="fr">');
    expect(de).toContain('<label for="firstName">Vorname</label>');
    expect(de).toContain("Geben Sie eine gültige E-Mail-Adresse ein");
    expect(es).toContain('<label for="firstName">Nombre</label>');
    expect(es).toContain("Escribe un correo electrónico válido");
  });

  it("escapes every text the program or the visitor provides", () => {
    // Prepare
    const program = {
      ...programOf(),
      name: HOSTILE,
      organizationName: HOSTILE,
      branding: { ...programOf().branding, logoText: HOSTILE },
      join: { termsUrl: `https://cafe.example/"><script>`, embedOrigins: [] },
    } as Program;

    // Act
    const body =
      form({
        program,
        action: `${ACTION}"><script>`,
        cardLinkFormUrl: `${LINK_FORM}"><script>`,
        values: {
          firstName: HOSTILE,
          email: HOSTILE,
          lastName: HOSTILE,
          postcode: HOSTILE,
          referralCode: HOSTILE,
        },
      }).body ?? "";

    // Assess
    expect(body).not.toContain("<img src=x");
    expect(body).not.toContain("<script");
    expect(body).toContain(`<h1>Join ${ESCAPED}</h1>`);
    expect(body).toContain(`<p>${ESCAPED}</p>`);
    expect(body).toContain(`<p class="logo-text" aria-hidden="true">${ESCAPED}</p>`);
    expect(body).toContain(`Send me offers and news from ${ESCAPED} by email.`);
    expect(tagOf(body, "firstName")).toContain(`value="${ESCAPED}"`);
    expect(body).toContain('href="https://cafe.example/&quot;&gt;&lt;script&gt;"');
  });

  it("shows the logo image, alt text empty beside the name, and lets its origin into img-src", () => {
    // Prepare
    const program = programOf({ branding: { logoUrl: "https://cdn.cafe.example/logo.png?v=2" } });

    // Act
    const answer = form({ program });

    // Assess
    expect(answer.body).toContain(
      '<img class="logo" src="https://cdn.cafe.example/logo.png?v=2" alt="" height="48"',
    );
    expect(answer.headers?.["content-security-policy"]).toContain(
      "img-src 'self' data: https://cdn.cafe.example;",
    );
  });

  it("may be framed by the program's embed origins only", () => {
    // Prepare
    const program = programOf({ join: { embedOrigins: ["https://www.cafe.example"] } });

    // Act
    const embedded = form({ program }).headers ?? {};
    const alone = form().headers ?? {};

    // Assess
    expect(embedded["content-security-policy"]).toContain("frame-ancestors https://www.cafe.example");
    expect(embedded["x-frame-options"]).toBeUndefined();
    expect(alone["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(alone["x-frame-options"]).toBe("DENY");
  });

  it("draws the header in the program's colours", () => {
    // Prepare
    const program = programOf({ branding: { backgroundColor: "#7c2d12", foregroundColor: "#fed7aa" } });

    // Act
    const body = form({ program }).body ?? "";

    // Assess
    expect(body).toContain(":root{--brand-bg:#7c2d12;--brand-fg:#fed7aa}");
    expect(body).toContain('<header class="brand">');
  });

  it("answers 200 without issues, and the status asked for", () => {
    expect(form().statusCode).toBe(200);
    expect(form({ status: 400, issues: [issue("email", "too_small")] }).statusCode).toBe(400);
  });
});

describe("the pages around the form", () => {
  it("says to check the inbox without a word on whether the address is known, framed like the form", () => {
    // Prepare
    const program = programOf({ join: { embedOrigins: ["https://www.cafe.example"] } });

    // Act
    const answer = checkInboxPage({ program, lang: "en" });

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain("<h2>Check your inbox</h2>");
    expect(answer.body).not.toMatch(/already|new member|not found|unknown/i);
    expect(answer.headers?.["content-security-policy"]).toContain("frame-ancestors https://www.cafe.example");
  });

  it("asks for the email only to send the card link again, with the honeypot and the language", () => {
    // Act
    const body =
      cardLinkFormPage({ program: programOf(), lang: "de", action: `${LINK_FORM}/post` }).body ?? "";

    // Assess
    expect(body).toContain(`<form method="post" action="${LINK_FORM}/post" novalidate>`);
    expect([...body.matchAll(/<input [^>]*name="([a-zA-Z]+)"/g)].map((m) => m[1])).toEqual([
      "email",
      "lang",
      "website",
    ]);
    expect(body).toContain('<input type="hidden" name="lang" value="de">');
    expect(body).toContain("<h2>Link zu meiner Karte erneut erhalten</h2>");
  });

  it("shows the card link form's email error inline, keeping the address", () => {
    // Act
    const answer = cardLinkFormPage({
      program: programOf(),
      lang: "en",
      action: LINK_FORM,
      values: { email: "nope" },
      issues: [issue("email", "invalid_format")],
    });

    // Assess
    expect(answer.statusCode).toBe(422);
    expect(tagOf(answer.body, "email")).toContain('value="nope"');
    expect(tagOf(answer.body, "email")).toContain('aria-invalid="true"');
    expect(answer.body).toContain('<li><a href="#email">Enter an email address in the right format');
  });

  it("asks to wait with a retry-after header and the minutes in words", () => {
    // Act
    const answer = tooManyRequestsPage({ lang: "fr", retryAfterSeconds: 125 });

    // Assess
    expect(answer.statusCode).toBe(429);
    expect(answer.headers?.["retry-after"]).toBe("125");
    expect(answer.body).toContain("Réessayez dans 3 minutes.");
  });

  it("answers a framed form's 429 in the program's frame", () => {
    // Prepare
    const program = programOf({ join: { embedOrigins: ["https://www.cafe.example"] } });

    // Act
    const answer = tooManyRequestsPage({ lang: "en", retryAfterSeconds: 30, program });

    // Assess
    expect(answer.headers?.["content-security-policy"]).toContain("frame-ancestors https://www.cafe.example");
    expect(answer.body).toContain("Please try again in 1 minute.");
  });

  it("says when there is no such program", () => {
    // Act
    const answer = programNotFoundPage("es");

    // Assess
    expect(answer.statusCode).toBe(404);
    expect(answer.body).toContain("<h1>No encontramos este programa de fidelidad</h1>");
  });
});

describe("the poster", () => {
  it("prints on A5 with the call to join, the QR code and the address written out", () => {
    // Prepare
    const joinUrl = "https://loyalty.example.com/join/prg_00000000000000pp";

    // Act
    const answer = posterPage({ program: programOf(), lang: "en", joinUrl, qr: qrSvg(joinUrl) });
    const body = answer.body ?? "";

    // Assess
    const css = /<style>([\s\S]*?)<\/style>/.exec(body)?.[1] ?? "";
    expect(css).toContain("@page{size:A5;");
    expect(css).toContain("@media print{");
    expect(css).toContain(".print-hint{display:none}");
    expect(body).toContain("Scan to join Lumière and get your card in your phone&#39;s wallet");
    expect(body).toMatch(
      /<div class="qr" role="img" aria-label="QR code to join Lumière"><svg class="barcode barcode-qr" aria-hidden="true"/,
    );
    expect(body).toContain(`<p class="url">${joinUrl}</p>`);
    expect(answer.headers?.["x-frame-options"]).toBe("DENY");
    const hash = createHash("sha256").update(css, "utf8").digest("base64");
    expect(answer.headers?.["content-security-policy"]).toContain(`style-src 'sha256-${hash}';`);
  });
});
