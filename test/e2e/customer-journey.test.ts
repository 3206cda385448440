import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_CERT_FILES } from "../../local/dev-certs.js";
import { useApi } from "../support/api.js";
import { axeViolations, IPHONE, launchChromium, screenshotTo } from "../support/browser.js";
import { useGoogleWallet } from "../support/google.js";
import { type ReceivedEmail, useMail } from "../support/mail.js";
import { verifyPass } from "../support/pkpass.js";
import { testCertificates } from "../support/table.js";

/**
 * A customer's whole journey in a real browser (headless Chromium), against Carnet as it runs: the
 * join form (in the browser's language, without JavaScript, with the keyboard only), its errors, the
 * "check your inbox" page, the one email in a real SMTP catcher, the card page on an iPhone, an Android
 * phone and a computer, each wallet button to its pass or save link, and the poster. Every page is
 * scanned with axe-core (no serious or critical violation) and photographed into
 * test-results/customer-journey/.
 */

const { call, table, url } = useApi();
useGoogleWallet();
const mail = useMail(table);

const ARTEFACTS = join(process.cwd(), "test-results", "customer-journey");

let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

const ANDROID: BrowserContextOptions = {
  userAgent:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
  viewport: { width: 412, height: 915 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const DESKTOP: BrowserContextOptions = {
  userAgent:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  viewport: { width: 1280, height: 900 },
};
/** The smallest phone the pages are made for. */
const SMALL_PHONE: BrowserContextOptions = { ...ANDROID, viewport: { width: 320, height: 640 } };

/**
 * A browser context that records what the page's Content-Security-Policy refused (it should refuse
 * nothing of Carnet's own: the style element is allowed by its hash).
 */
const contextOf = async (options: BrowserContextOptions = {}) => {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  const refused: string[] = [];
  context.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  return { context, refused };
};

/** Screenshots of the journey, as test artefacts. */
const photograph = screenshotTo("customer-journey");

/** axe-core's serious and critical violations of the page (its context bypasses CSP for axe alone). */
const axeScan = (page: Page) => axeViolations(page, "serious");

/** Opens `path` in a fresh CSP-bypassing context and scans it. */
const scanned = async (path: string, options: BrowserContextOptions = IPHONE) => {
  const context = await browser.newContext({ ...options, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(path.startsWith("http") ? path : `${url()}${path}`);
  const violations = await axeScan(page);
  await context.close();
  return violations;
};

let programs = 0;
/** A program of its own for each group of tests (the public side is rate limited per address and program). */
const openProgram = async (extra: Record<string, unknown> = {}) => {
  programs += 1;
  const program = await call("POST", "/v1/programs", {
    body: {
      name: `Lumière ${programs}`,
      organizationName: "Café Lumière",
      branding: { backgroundColor: "#7c2d12", foregroundColor: "#fed7aa" },
      join: {
        termsUrl: "https://cafe-lumiere.example/terms",
        privacyUrl: "https://cafe-lumiere.example/privacy",
      },
      ...extra,
    },
  });
  if (program.status !== 201) throw new Error(`program: ${program.status} ${program.text}`);
  return program.body as { programId: string; name: string };
};

let addresses = 0;
const newAddress = (who = "camille") => `${who}.${Date.now().toString(36)}.${++addresses}@example.com`;

/** The card links an email carries, in its text part and in its HTML part. */
const cardLinksOf = (email: ReceivedEmail | undefined) => {
  const links = (part: string | undefined) => [
    ...new Set([...(part ?? "").matchAll(/https?:\/\/[^\s"'<>]+\/c\/[A-Za-z0-9._~-]+/g)].map((m) => m[0])),
  ];
  return { text: links(email?.text), html: links(email?.html) };
};

/** The member a card link names (`<programId>.<memberId>.…`). */
const memberOfLink = (link: string) => new URL(link).pathname.split("/")[2]?.split(".")[1];

/** Every email sent to `address` so far, once the mail function has handled every change written. */
const emailsTo = async (address: string) => {
  await mail.drained();
  return (await mail.inbox()).filter((email) => email.to.includes(address));
};

/**
 * The focused element's id ("" for none). Read in the page rather than with a `:focus` locator: a date
 * input's calendar button takes the focus inside the input's shadow tree, where `:focus` matches nothing.
 */
const focusedId = (page: Page) =>
  page.evaluate<string>("document.activeElement ? document.activeElement.id : ''");

/** Presses Tab until the element with `id` has the focus; fails if the honeypot ever gets it. */
const tabTo = async (page: Page, id: string, most = 25) => {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press("Tab");
    const focused = await focusedId(page);
    expect(focused).not.toBe("website");
    if (focused === id) return;
  }
  throw new Error(`Tab never reached #${id}`);
};

/** Fills the join form as a person does, by label. */
const fillJoinForm = async (
  page: Page,
  fields: { firstName?: string; email?: string; consent?: boolean },
) => {
  if (fields.firstName !== undefined) await page.getByLabel("First name").fill(fields.firstName);
  if (fields.email !== undefined) await page.getByLabel("Email address").fill(fields.email);
  if (fields.consent) await page.getByRole("checkbox", { name: /I accept the program terms/ }).check();
};

/** Signs up through the form and returns the card link of the email it brings. */
const signUpByForm = async (programId: string, email: string, options: BrowserContextOptions = DESKTOP) => {
  const { context } = await contextOf(options);
  const page = await context.newPage();
  await page.goto(`${url()}/join/${programId}`);
  await fillJoinForm(page, { firstName: "Camille", email, consent: true });
  await page.getByRole("button", { name: "Join and get my card" }).click();
  await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
  await context.close();
  const [received] = await mail.waitForEmails(1, email);
  const link = cardLinksOf(received).text[0];
  if (!link) throw new Error(`no card link in the email to ${email}`);
  return link;
};

describe("the join form", () => {
  let program: { programId: string; name: string };
  beforeAll(async () => {
    program = await openProgram();
  });

  it("speaks the browser's language: English, and French for a French browser", async () => {
    // Prepare
    const english = await contextOf({ ...IPHONE, extraHTTPHeaders: { "accept-language": "en-GB,en;q=0.9" } });
    const french = await contextOf({
      ...IPHONE,
      extraHTTPHeaders: { "accept-language": "fr-FR,fr;q=0.9,en;q=0.5" },
    });
    const en = await english.context.newPage();
    const fr = await french.context.newPage();

    // Act
    const enAnswer = await en.goto(`${url()}/join/${program.programId}`);
    const frAnswer = await fr.goto(`${url()}/join/${program.programId}`);
    await photograph(en, "join-form-en");
    await photograph(fr, "join-form-fr");

    // Assess
    expect(enAnswer?.status()).toBe(200);
    expect(frAnswer?.status()).toBe(200);
    expect(await en.getAttribute("html", "lang")).toBe("en");
    expect(await fr.getAttribute("html", "lang")).toBe("fr");
    await expect(
      en.getByRole("heading", { level: 1, name: `Join ${program.name}` }).isVisible(),
    ).resolves.toBe(true);
    await expect(
      fr.getByRole("heading", { level: 1, name: `Rejoindre ${program.name}` }).isVisible(),
    ).resolves.toBe(true);
    await expect(fr.getByLabel("Prénom").isVisible()).resolves.toBe(true);
    await expect(
      fr.getByRole("button", { name: "M'inscrire et recevoir ma carte" }).isVisible(),
    ).resolves.toBe(true);
    // The style element applies under the real CSP (allowed by its hash): the button is Carnet's blue.
    const background = await en
      .getByRole("button", { name: "Join and get my card" })
      .evaluate((button) => (globalThis as any).getComputedStyle(button).backgroundColor);
    expect(background).toBe("rgb(29, 78, 216)");
    expect([...english.refused, ...french.refused]).toEqual([]);
    await english.context.close();
    await french.context.close();
  });

  it("shows every error of an empty submission inline, focused and announced, and sends no email", async () => {
    // Prepare
    const { context } = await contextOf(IPHONE);
    const page = await context.newPage();
    await page.goto(`${url()}/join/${program.programId}`);
    await mail.drained();
    const before = (await mail.inbox()).length;

    // Act
    const [answer] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "Join and get my card" }).click(),
    ]);
    await photograph(page, "join-form-empty-errors");

    // Assess
    expect(answer?.status()).toBe(422);
    const summary = page.getByRole("alert");
    await expect(summary.getByRole("heading", { name: "There is a problem" }).isVisible()).resolves.toBe(
      true,
    );
    await expect(summary.getByRole("link", { name: "Enter your first name" }).isVisible()).resolves.toBe(
      true,
    );
    await expect(summary.getByRole("link", { name: "Enter your email address" }).isVisible()).resolves.toBe(
      true,
    );
    await expect(
      summary.getByRole("link", { name: "Tick the box to accept the terms and join" }).isVisible(),
    ).resolves.toBe(true);
    expect(await page.locator(":focus").getAttribute("class")).toBe("error-summary");
    expect(await page.getByLabel("First name").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Email address").getAttribute("aria-invalid")).toBe("true");
    expect(await page.title()).toBe(`Error: Join ${program.name}`);
    // A summary link takes the focus to its field.
    await summary.getByRole("link", { name: "Enter your email address" }).click();
    expect(await focusedId(page)).toBe("email");
    await mail.drained();
    expect(await mail.inbox()).toHaveLength(before);
    await context.close();
  });

  it("keeps what was typed and says what is wrong with an invalid submission, sending nothing", async () => {
    // Prepare
    const { context } = await contextOf(DESKTOP);
    const page = await context.newPage();
    const future = newAddress("future");
    await page.goto(`${url()}/join/${program.programId}?ref=NOSUCH12`);
    await fillJoinForm(page, { firstName: "Camille", email: "camille@", consent: true });
    await page.getByLabel(/Date of birth/).fill("2999-01-01");
    const submit = () =>
      Promise.all([
        page.waitForNavigation(),
        page.getByRole("button", { name: "Join and get my card" }).click(),
      ]);

    // Act: a malformed address and a birthday to come, then a referral code no member has
    const [first] = await submit();
    await photograph(page, "join-form-invalid");
    const firstErrors = await page.getByRole("alert").getByRole("link").allTextContents();
    const kept = {
      firstName: await page.getByLabel("First name").inputValue(),
      email: await page.getByLabel("Email address").inputValue(),
      birthDate: await page.getByLabel(/Date of birth/).inputValue(),
      consent: await page.getByRole("checkbox", { name: /I accept the program terms/ }).isChecked(),
      website: await page.locator("#website").inputValue(),
    };
    await page.getByLabel("Email address").fill(future);
    await page.getByLabel(/Date of birth/).fill("");
    const [second] = await submit();
    const secondErrors = await page.getByRole("alert").getByRole("link").allTextContents();
    const referralCode = await page.getByLabel(/Referral code/).inputValue();

    // Assess
    expect(first?.status()).toBe(422);
    expect(firstErrors).toEqual([
      "Enter an email address in the right format, like name@example.com",
      "Your date of birth must be in the past",
    ]);
    expect(kept).toEqual({
      firstName: "Camille",
      email: "camille@",
      birthDate: "2999-01-01",
      consent: true,
      website: "",
    });
    expect(second?.status()).toBe(422);
    expect(secondErrors).toEqual(["We don't know this referral code: check it, or leave the field empty"]);
    expect(referralCode).toBe("NOSUCH12");
    expect(await emailsTo(future)).toEqual([]);
    await context.close();
  });

  it("works without JavaScript: a valid sign-up, check your inbox, exactly one email with one card link", async () => {
    // Prepare
    const { context, refused } = await contextOf({ ...IPHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    const address = newAddress();
    await page.goto(`${url()}/join/${program.programId}`);

    // Act
    await fillJoinForm(page, { firstName: "Camille", email: address, consent: true });
    await page.getByRole("button", { name: "Join and get my card" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    await photograph(page, "check-your-inbox");
    const emails = await mail.waitForEmails(1, address);

    // Assess
    expect(new URL(page.url()).pathname).toBe(`/join/${program.programId}/thanks`);
    expect(await emailsTo(address)).toHaveLength(1);
    const links = cardLinksOf(emails[0]);
    expect(links.text).toHaveLength(1);
    expect(links.html).toEqual(links.text);
    expect(links.text[0]).toMatch(new RegExp(`^${url()}/c/${program.programId}\\.`));
    expect(refused).toEqual([]);
    await context.close();
  });

  it("answers the same address the same page and the same member's card link", async () => {
    // Prepare
    const address = newAddress();
    const first = await signUpByForm(program.programId, address);

    // Act: the same form, the same address again
    const { context } = await contextOf(ANDROID);
    const page = await context.newPage();
    await page.goto(`${url()}/join/${program.programId}`);
    await fillJoinForm(page, { firstName: "Someone else", email: address, consent: true });
    await page.getByRole("button", { name: "Join and get my card" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    const emails = await mail.waitForEmails(2, address);

    // Assess
    const second = cardLinksOf(emails[1]).text[0] ?? "";
    expect(memberOfLink(second)).toBe(memberOfLink(first));
    const [one, two] = await Promise.all([fetch(first), fetch(second)]);
    const codeOf = (html: string) => /<span class="code">([\d ]+)<\/span>/.exec(html)?.[1];
    expect(codeOf(await two.text())).toBe(codeOf(await one.text()));
    await context.close();
  });

  it("can be filled in and sent with the keyboard alone", async () => {
    // Prepare
    const { context } = await contextOf(DESKTOP);
    const page = await context.newPage();
    const address = newAddress("keyboard");
    await page.goto(`${url()}/join/${program.programId}`);

    // Act: Tab through, type, Space on the checkbox, Enter on the button
    await tabTo(page, "firstName");
    await page.keyboard.type("Camille");
    await tabTo(page, "email");
    await page.keyboard.type(address);
    await tabTo(page, "consent");
    await page.keyboard.press("Space");
    await tabTo(page, "marketingConsent");
    const marketing = await page.evaluate<boolean>("document.activeElement.checked");
    await page.keyboard.press("Tab");
    const onButton = await page.evaluate<string>("document.activeElement.tagName");
    await photograph(page, "join-form-keyboard-focus");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();

    // Assess
    expect(marketing).toBe(false);
    expect(onButton).toBe("BUTTON");
    await expect(mail.waitForEmails(1, address)).resolves.toHaveLength(1);
    await context.close();
  });

  it("sends a member's card link again from 'Already a member?'", async () => {
    // Prepare
    const address = newAddress();
    const first = await signUpByForm(program.programId, address);
    const { context } = await contextOf(IPHONE);
    const page = await context.newPage();
    await page.goto(`${url()}/join/${program.programId}`);

    // Act
    await page.getByRole("link", { name: "Get your card link again" }).click();
    await page.getByLabel("Email address").fill(address);
    await page.getByRole("button", { name: "Email me my card link" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    const emails = await mail.waitForEmails(2, address);

    // Assess
    expect(memberOfLink(cardLinksOf(emails[1]).text[0] ?? "")).toBe(memberOfLink(first));
    await context.close();
  });

  it("fits a 320 px phone without scrolling sideways", async () => {
    // Prepare
    const { context } = await contextOf(SMALL_PHONE);
    const page = await context.newPage();

    // Act
    await page.goto(`${url()}/join/${program.programId}`);
    await photograph(page, "join-form-320px");

    // Assess
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(320);
    await context.close();
  });
});

describe("the card page", () => {
  let program: { programId: string; name: string };
  let cardUrl: string;
  let memberId: string | undefined;
  beforeAll(async () => {
    program = await openProgram();
    cardUrl = await signUpByForm(program.programId, newAddress());
    memberId = memberOfLink(cardUrl);
  });

  /** The page's wallet buttons by accessible name, in order. */
  const walletButtons = (page: Page) =>
    page.locator("a.wallet-button").evaluateAll((links) => links.map((link) => link.textContent?.trim()));

  it("puts Add to Apple Wallet first on an iPhone, and it downloads the signed pass", async () => {
    // Prepare
    const { context, refused } = await contextOf(IPHONE);
    const page = await context.newPage();

    // Act
    await page.goto(cardUrl);
    await photograph(page, "card-iphone");
    const apple = page.getByRole("link", { name: "Add to Apple Wallet" });
    const box = await apple.boundingBox();
    const [download] = await Promise.all([page.waitForEvent("download"), apple.click()]);

    // Assess
    expect(await walletButtons(page)).toEqual(["Add to Apple Wallet", "Add to Google Wallet"]);
    await expect(page.getByRole("heading", { level: 1, name: program.name }).isVisible()).resolves.toBe(true);
    expect(await page.getByTestId("points").textContent()).toBe("0 points");
    expect(box && box.y + box.height).toBeLessThanOrEqual(844); // on screen without scrolling
    const pass = verifyPass(
      readFileSync(await download.path()),
      join(testCertificates().dir, DEV_CERT_FILES.caCert),
    ).pass;
    expect(pass.serialNumber).toBe(memberId);
    expect(refused).toEqual([]);
    await context.close();
  });

  it("puts Add to Google Wallet first on an Android phone, and it leads to Google's save link", async () => {
    // Prepare: the save link's redirect is caught before the phone leaves for pay.google.com
    const { context } = await contextOf(ANDROID);
    const page = await context.newPage();
    const redirects: { status: number; location: string }[] = [];
    await context.route("**/c/*/google", async (route) => {
      const answer = await route.fetch({ maxRedirects: 0 });
      redirects.push({ status: answer.status(), location: answer.headers().location ?? "" });
      await route.fulfill({ status: 200, contentType: "text/html", body: "<title>Google Wallet</title>" });
    });

    // Act
    await page.goto(cardUrl);
    await photograph(page, "card-android");
    const google = page.getByRole("link", { name: "Add to Google Wallet" });
    const box = await google.boundingBox();
    const order = await walletButtons(page);
    await Promise.all([page.waitForURL(/\/google$/), google.click()]);

    // Assess
    expect(order).toEqual(["Add to Google Wallet", "Add to Apple Wallet"]);
    expect(redirects).toHaveLength(1);
    expect(redirects[0]?.status).toBe(302);
    expect(redirects[0]?.location).toMatch(
      /^https:\/\/pay\.google\.com\/gp\/v\/save\/[\w-]+\.[\w-]+\.[\w-]+$/,
    );
    expect(box && box.y + box.height).toBeLessThanOrEqual(915); // on screen without scrolling
    await context.close();
  });

  it("offers both wallets and a QR code to open the card on a phone, on a computer", async () => {
    // Prepare
    const { context } = await contextOf(DESKTOP);
    const page = await context.newPage();

    // Act
    await page.goto(cardUrl);
    await photograph(page, "card-desktop");
    const passHref = await page.getByRole("link", { name: "Add to Apple Wallet" }).getAttribute("href");
    const googleHref = await page.getByRole("link", { name: "Add to Google Wallet" }).getAttribute("href");
    const [pass, save] = await Promise.all([
      fetch(passHref ?? ""),
      fetch(googleHref ?? "", { redirect: "manual" }),
    ]);

    // Assess
    expect(await walletButtons(page)).toEqual(["Add to Apple Wallet", "Add to Google Wallet"]);
    await expect(
      page.getByRole("img", { name: "QR code that opens this card on your phone" }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.getByRole("img", { name: "Your card's QR code" }).isVisible()).resolves.toBe(true);
    expect(pass.status).toBe(200);
    expect(pass.headers.get("content-type")).toBe("application/vnd.apple.pkpass");
    expect(
      verifyPass(Buffer.from(await pass.arrayBuffer()), join(testCertificates().dir, DEV_CERT_FILES.caCert))
        .pass.serialNumber,
    ).toBe(memberId);
    expect(save.status).toBe(302);
    expect(save.headers.get("location")).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\//);
    await context.close();
  });

  it("speaks the browser's language, the wallet buttons in their own wording", async () => {
    // Prepare
    const { context } = await contextOf({
      ...IPHONE,
      extraHTTPHeaders: { "accept-language": "de-DE,de;q=0.9" },
    });
    const page = await context.newPage();

    // Act
    await page.goto(cardUrl);

    // Assess
    await expect(page.getByRole("link", { name: "Zu Apple Wallet hinzufügen" }).isVisible()).resolves.toBe(
      true,
    );
    await expect(page.getByRole("link", { name: "Zu Google Wallet hinzufügen" }).isVisible()).resolves.toBe(
      true,
    );
    expect(await page.getByTestId("points").textContent()).toBe("0 Punkte");
    await context.close();
  });
});

describe("a card link that no longer works", () => {
  let program: { programId: string; name: string };
  beforeAll(async () => {
    program = await openProgram();
  });

  it("says the link was replaced after a reissue, and emails a fresh link that opens the card", async () => {
    // Prepare: a member whose card the shop reissued (a forwarded email), so the first link is dead
    const address = newAddress("reissued");
    const first = await signUpByForm(program.programId, address);
    const memberId = memberOfLink(first) ?? "";
    const reissued = await call("POST", `/v1/programs/${program.programId}/members/${memberId}/card`);
    expect(reissued.status).toBe(200);
    const { context } = await contextOf(IPHONE);
    const page = await context.newPage();

    // Act
    const dead = await page.goto(first);
    await photograph(page, "link-replaced");
    await page.getByLabel("Email address").fill(address);
    await page.getByRole("button", { name: "Email me a fresh link" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    // The welcome email, the reissue's email with the new link, and the one asked for now
    const emails = await mail.waitForEmails(3, address);
    const fresh = cardLinksOf(emails[2]).text[0] ?? "";
    const opened = await page.goto(fresh);

    // Assess
    expect(dead?.status()).toBe(410);
    expect(memberOfLink(fresh)).toBe(memberId);
    expect(fresh).not.toBe(first);
    expect(opened?.status()).toBe(200);
    await expect(page.getByRole("link", { name: "Add to Apple Wallet" }).count()).resolves.toBe(1);
    await context.close();
  });

  it("explains an expired link in the browser's language and offers a fresh one, sending nothing to a stranger", async () => {
    // Prepare: a link of this program whose 90 days are over (signed with this deployment's secret)
    const { signCardLink } = await import("../../functions/shared/pass-tokens.js");
    const { TEST_PASS_SECRET } = await import("../support/table.js");
    const token = signCardLink(Buffer.from(TEST_PASS_SECRET), {
      programId: program.programId,
      memberId: "mbr_0000000000000000",
      generation: 0,
      expiresAt: Math.floor(Date.now() / 1000) - 3600,
    });
    const stranger = newAddress("stranger");
    const { context } = await contextOf({ ...IPHONE, locale: "fr-FR" });
    const page = await context.newPage();

    // Act
    const expired = await page.goto(`${url()}/c/${token}`);
    await page.getByLabel("Adresse e-mail").fill(stranger);
    await page.getByRole("button", { name: /nouveau lien/ }).click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    await mail.drained();

    // Assess
    expect(expired?.status()).toBe(410);
    expect(await emailsTo(stranger)).toEqual([]);
    await context.close();
  });
});

describe("the poster", () => {
  it("prints the call to join, the QR code and the address on one A5 page", async () => {
    // Prepare
    const program = await openProgram();
    const { context } = await contextOf(DESKTOP);
    const page = await context.newPage();

    // Act
    const answer = await page.goto(`${url()}/join/${program.programId}/poster`);
    await photograph(page, "poster");
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    const qr = await fetch(`${url()}/join/${program.programId}/qr.svg`);

    // Assess
    expect(answer?.status()).toBe(200);
    await expect(
      page.getByText(`Scan to join ${program.name} and get your card in your phone's wallet`).isVisible(),
    ).resolves.toBe(true);
    await expect(
      page.getByRole("img", { name: `QR code to join ${program.name}` }).isVisible(),
    ).resolves.toBe(true);
    await expect(
      page.getByText(`${url()}/join/${program.programId}`, { exact: true }).isVisible(),
    ).resolves.toBe(true);
    const text = pdf.toString("latin1");
    expect(text.match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
    expect(text).toMatch(/MediaBox\s*\[0 0 419\.\d+ 59[45]\.\d+\]|MediaBox\s*\[0 0 420 59[45](\.\d+)?\]/); // A5 in points
    expect(qr.status).toBe(200);
    expect(qr.headers.get("content-type")).toBe("image/svg+xml");
    await context.close();
  });
});

describe("accessibility", () => {
  it("finds no serious or critical axe-core violation on the form, its errors, the thanks page, the card and the poster", async () => {
    // Prepare
    const program = await openProgram({
      branding: { backgroundColor: "#fde68a", foregroundColor: "#fef3c7" },
    });
    const cardLink = await signUpByForm(program.programId, newAddress());
    const errors = await browser.newContext({ ...IPHONE, bypassCSP: true });
    const errorPage = await errors.newPage();
    await errorPage.goto(`${url()}/join/${program.programId}`);
    await errorPage.getByRole("button", { name: "Join and get my card" }).click();
    await errorPage.getByRole("alert").waitFor();

    // Act
    const found = {
      form: await scanned(`/join/${program.programId}`),
      errors: await axeScan(errorPage),
      thanks: await scanned(`/join/${program.programId}/thanks?lang=fr`),
      cardLinkForm: await scanned(`/join/${program.programId}/link`),
      cardIphone: await scanned(cardLink, IPHONE),
      cardDesktop: await scanned(cardLink, DESKTOP),
      poster: await scanned(`/join/${program.programId}/poster`, DESKTOP),
      brokenLink: await scanned(`${cardLink.slice(0, -4)}XXXX`),
    };
    await errors.close();

    // Assess
    expect(found).toEqual({
      form: [],
      errors: [],
      thanks: [],
      cardLinkForm: [],
      cardIphone: [],
      cardDesktop: [],
      poster: [],
      brokenLink: [],
    });
  }, 60_000);
});
