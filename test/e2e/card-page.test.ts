import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_CERT_FILES } from "../../local/dev-certs.js";
import { useApi } from "../support/api.js";
import { launchChromium } from "../support/browser.js";
import { enrollMember, openShop, type Shop, tillCall } from "../support/loyalty.js";
import { verifyPass } from "../support/pkpass.js";
import { testCertificates } from "../support/table.js";

/** The customer's card page from the emailed link, in a real headless Chromium at a phone's size. */

const { call } = useApi();
let browser: Browser;
let shop: Shop;

beforeAll(async () => {
  browser = await launchChromium();
  shop = await openShop(call, undefined, "Page test");
});

afterAll(async () => {
  await browser?.close();
});

const phone = () => browser.newPage({ viewport: { width: 390, height: 844 }, acceptDownloads: true });

describe("the card page", () => {
  it("shows the card and its balance, and Add to Apple Wallet downloads the signed pass", async () => {
    // Prepare: a member with points
    const member = (await enrollMember(call, shop)) as unknown as { memberId: string; cardUrl: string };
    await tillCall(call, shop, "purchases", { member: member.memberId, amountCents: 4200, currency: "EUR" });
    const page = await phone();

    // Act
    const response = await page.goto(member.cardUrl);
    const button = page.getByRole("link", { name: "Add to Apple Wallet" });
    const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);

    // Assess
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("heading", { name: "Page test" }).isVisible()).resolves.toBe(true);
    const points = await page.getByTestId("points").textContent();
    expect(points).toMatch(/^\d+ points$/);
    expect(Number.parseInt(points ?? "", 10)).toBeGreaterThan(0);
    const box = await button.boundingBox();
    expect(box && box.y + box.height).toBeLessThanOrEqual(844); // on screen without scrolling
    expect(download.suggestedFilename()).toBe("card.pkpass");
    const pass = verifyPass(
      readFileSync(await download.path()),
      join(testCertificates().dir, DEV_CERT_FILES.caCert),
    ).pass;
    expect(pass.serialNumber).toBe(member.memberId);
    await page.close();
  });

  it("hides Add to Google Wallet on a deployment without Google credentials, and its link says why", async () => {
    // Prepare: this file configures no GOOGLE_WALLET_ISSUER_ID
    const member = (await enrollMember(call, shop)) as unknown as { cardUrl: string };
    const page = await phone();

    // Act
    await page.goto(member.cardUrl);
    const buttons = await page.getByRole("link", { name: "Add to Google Wallet" }).count();
    const direct = await fetch(`${member.cardUrl}/google`, { redirect: "manual" });

    // Assess
    expect(buttons).toBe(0);
    expect(await page.getByRole("link", { name: "Add to Apple Wallet" }).count()).toBe(1);
    expect(direct.status).toBe(503);
    expect(await direct.text()).toContain("Google Wallet is not available right now");
    await page.close();
  });

  it("shows Add to Google Wallet and Add to Apple Wallet on a deployment with both", async () => {
    // Prepare: the page's HTML as the wallet handler renders it with Google Wallet on
    const { cardPage } = await import("../../functions/web/card-pages.js");
    const { enroll } = await import("../../functions/domain/loyalty/enrollment.js");
    const { Program } = await import("../../functions/domain/program.js");
    const program = Program.parse({ ...(await call("GET", `/v1/programs/${shop.programId}`)).body });
    const page = await phone();
    const html = cardPage({
      program,
      member: enroll(
        { memberId: "mbr_0000000000000001", cardCode: "4000000000000002", referralCode: "ABC123" },
        program,
        new Date(),
      ),
      lang: "en",
      platform: "apple",
      passUrl: "https://loyalty.example.com/c/t/pass.pkpass",
      googleUrl: "https://loyalty.example.com/c/t/google",
      cardUrl: "https://loyalty.example.com/c/t",
    }).body;

    // Act
    await page.setContent(html ?? "");
    const google = page.getByRole("link", { name: "Add to Google Wallet" });

    // Assess
    expect(await google.getAttribute("href")).toBe("https://loyalty.example.com/c/t/google");
    const box = await google.boundingBox();
    expect(box && box.y + box.height).toBeLessThanOrEqual(844); // on screen without scrolling
    await page.close();
  });

  it("explains a broken link instead of showing a card", async () => {
    const member = (await enrollMember(call, shop)) as unknown as { cardUrl: string };
    const page = await phone();
    const response = await page.goto(`${member.cardUrl.slice(0, -4)}XXXX`);
    expect(response?.status()).toBe(404);
    await expect(
      page.getByRole("heading", { name: "This card link is not valid" }).isVisible(),
    ).resolves.toBe(true);
    expect(await page.getByRole("link", { name: "Add to Apple Wallet" }).count()).toBe(0);
    await page.close();
  });
});
