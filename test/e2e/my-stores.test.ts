import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoMemberRepository } from "../../functions/adapters/dynamodb/member-repository.js";
import { signCardLink } from "../../functions/shared/pass-tokens.js";
import { useApi } from "../support/api.js";
import { IPHONE as AN_IPHONE, axeViolations, launchChromium, screenshotTo } from "../support/browser.js";
import { enrollMember, openShop, type Shop } from "../support/loyalty.js";
import { openPass } from "../support/pkpass.js";
import { allItems, TEST_PASS_SECRET, testTable } from "../support/table.js";

/**
 * "My stores" in a real browser (headless Chromium), against Carnet as it runs: from the card page to
 * the page, a search, two stores pinned, the saved message, the member's favourites and the pass's
 * locations; the refusals (too many stores, a store of another program: the page again, 422, nothing
 * written); a broken or expired link; French. Every page is scanned with axe-core (no violation at
 * all) and photographed into test-results/my-stores/.
 */

const { call, table, url } = useApi();

const ARTEFACTS = join(process.cwd(), "test-results", "my-stores");

const IPHONE: BrowserContextOptions = { ...AN_IPHONE, locale: "en-GB" };

/** The program's stores besides openShop's "Main street" (48.85, 2.35): Paris, Lyon, Lille. */
const STORES = [
  { name: "Lumière Bastille", latitude: 48.8532, longitude: 2.3691, postcode: "75011" },
  { name: "Lumière Opéra", latitude: 48.8709, longitude: 2.3317, postcode: "75009" },
  { name: "Lumière Marais", latitude: 48.857, longitude: 2.359, postcode: "75004" },
  { name: "Lumière Lyon Part-Dieu", latitude: 45.7606, longitude: 4.859, postcode: "69003" },
  { name: "Lumière Lyon Bellecour", latitude: 45.7578, longitude: 4.832, postcode: "69002" },
  { name: "Lumière Lille", latitude: 50.6292, longitude: 3.0573, postcode: "59000" },
];

let browser: Browser;
let shop: Shop;
/** storeId → the store as created. */
const stores = new Map<string, (typeof STORES)[number]>();
/** A store of another program: never a favourite here. */
let foreignStoreId: string;

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  browser = await launchChromium();
  shop = await openShop(call, undefined, "Café Lumière");
  for (const store of STORES) {
    const made = await call("POST", `/v1/programs/${shop.programId}/stores`, { body: store });
    if (made.status !== 201) throw new Error(`store: ${made.status} ${made.text}`);
    stores.set(made.body.storeId, store);
  }
  const other = await openShop(call, undefined, "Another café");
  foreignStoreId = other.storeId;
});

afterAll(async () => {
  await browser?.close();
});

/** A member of the shop and its card link (`…/c/{token}`). */
const newMember = async () =>
  (await enrollMember(call, shop)) as unknown as { memberId: string; cardUrl: string };

/** The member as stored, read strongly. */
const memberItem = (memberId: string) => dynamoMemberRepository(testTable()).get(shop.programId, memberId);

const photograph = screenshotTo("my-stores");

const phone = async (options: BrowserContextOptions = IPHONE) => {
  const context = await browser.newContext({ ...options, bypassCSP: true });
  return { context, page: await context.newPage() };
};

/** Clicks the save button and waits for the answer to the post (the 303's page, or the 422 page). */
const save = async (page: Page, button = "Save my stores") => {
  const [posted] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST"),
    page.getByRole("button", { name: button }).click(),
  ]);
  await page.waitForLoadState();
  return posted;
};

/** A form post as a browser sends it. */
const postForm = (path: string, storeIds: readonly string[]) =>
  fetch(`${url()}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(storeIds.map((id): [string, string] => ["store", id])).toString(),
    redirect: "manual",
  });

describe("My stores", () => {
  it("pins two stores found by a search: saved, and the card carries them first", async () => {
    // Prepare: a member, on its card page
    const member = await newMember();
    const { context, page } = await phone();
    await page.goto(member.cardUrl);
    const scans: Record<string, string[]> = {};

    // Act: My stores → search → tick two → save
    await page.getByRole("link", { name: "My stores" }).click();
    await page.getByRole("heading", { name: "My stores", level: 1 }).waitFor();
    scans.page = await axeViolations(page);
    await photograph(page, "my-stores");
    await page.getByRole("searchbox", { name: "Find a store" }).fill("LYON");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("heading", { name: "Stores matching “LYON”" }).waitFor();
    scans.search = await axeViolations(page);
    await photograph(page, "my-stores-search");
    const found = await page
      .getByRole("checkbox")
      .evaluateAll((boxes) => boxes.map((box) => box.getAttribute("value") ?? ""));
    await page.getByRole("checkbox", { name: /Lumière Lyon Part-Dieu/ }).check();
    await page.getByRole("checkbox", { name: /Lumière Lyon Bellecour/ }).check();
    const posted = await save(page);
    scans.saved = await axeViolations(page);
    await photograph(page, "my-stores-saved");
    const saved = await memberItem(member.memberId);
    const pass = openPass(
      Buffer.from(await (await fetch(`${member.cardUrl}/pass.pkpass`)).arrayBuffer()),
    ).pass;

    // Assess
    expect(posted.status()).toBe(303);
    expect(posted.headers().location).toMatch(/^\/c\/[^/]+\/stores\?saved=1$/);
    expect(page.url()).toMatch(/\/stores\?saved=1$/);
    await expect(page.getByRole("status").textContent()).resolves.toContain(
      "Saved. Your card will show these stores first.",
    );
    const lyon = [...stores].filter(([, s]) => s.name.includes("Lyon")).map(([id]) => id);
    expect(found.sort()).toEqual([...lyon].sort());
    // Ticked in the page's order (storeId order, as the search lists them), kept in that order
    expect(saved?.favouriteStoreIds).toEqual([...lyon].sort());
    for (const id of lyon) await expect(page.locator(`#store-${id}`).isChecked()).resolves.toBe(true);
    expect(scans).toEqual({ page: [], search: [], saved: [] });
    const favourites = (saved?.favouriteStoreIds ?? []).map((id) => stores.get(id));
    expect(saved?.passStoreIds?.slice(0, 2)).toEqual(saved?.favouriteStoreIds);
    // Apple Wallet shows the card near its first locations: the favourites.
    expect(
      (pass.locations as { latitude: number; longitude: number }[])
        .slice(0, 2)
        .map(({ latitude, longitude }) => ({ latitude, longitude })),
    ).toEqual(favourites.map((s) => ({ latitude: s?.latitude, longitude: s?.longitude })));
    await context.close();
  }, 60_000);

  it("finds stores with accents and case ignored, by name or postcode", async () => {
    // Prepare
    const member = await newMember();
    const { context, page } = await phone();

    // Act
    await page.goto(`${member.cardUrl}/stores?q=opera`);
    const byName = await page.locator(".check label").allTextContents();
    await page.goto(`${member.cardUrl}/stores?q=${encodeURIComponent("75 011")}`);
    const byPostcode = await page.locator(".check label").allTextContents();
    await page.goto(`${member.cardUrl}/stores?q=nowhere`);
    const none = await page.getByText("No store matches “nowhere”.").count();

    // Assess
    expect(byName).toEqual([expect.stringContaining("Lumière Opéra")]);
    expect(byPostcode).toEqual([expect.stringContaining("Lumière Bastille")]);
    expect(none).toBe(1);
    await context.close();
  });

  it("refuses four stores with the page again (422) and its error summary, writing nothing", async () => {
    // Prepare
    const member = await newMember();
    const before = await memberItem(member.memberId);
    const { context, page } = await phone();
    await page.goto(`${member.cardUrl}/stores`);
    const boxes = page.getByRole("checkbox");

    // Act
    for (let i = 0; i < 4; i++) await boxes.nth(i).check();
    const posted = await save(page);
    const summary = page.getByRole("alert");
    await summary.waitFor();
    const violations = await axeViolations(page);
    await photograph(page, "my-stores-too-many");

    // Assess
    expect(posted.status()).toBe(422);
    await expect(summary.textContent()).resolves.toContain("Choose no more than 3 stores");
    await expect(page.title()).resolves.toMatch(/^Error: /);
    await expect(page.getByRole("group", { name: "Choose your favourite stores" }).isVisible()).resolves.toBe(
      true,
    );
    await expect(page.locator("input[name=store]:checked").count()).resolves.toBe(4);
    expect(await memberItem(member.memberId)).toEqual(before);
    expect(violations).toEqual([]);
    await context.close();
  });

  it("refuses a store of another program, or no store id at all, with the page again (422), writing nothing", async () => {
    // Prepare
    const member = await newMember();
    const path = `${new URL(member.cardUrl).pathname}/stores`;
    const [mine] = [...stores.keys()];
    const before = await allItems(table.endpoint, table.tableName);

    // Act
    const foreign = await postForm(path, [mine ?? "", foreignStoreId]);
    const malformed = await postForm(path, ["<script>"]);
    const json = await call("POST", path, { key: null, body: { storeIds: [foreignStoreId] } });

    // Assess
    expect(foreign.status).toBe(422);
    expect(foreign.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await foreign.text()).toContain("one you chose is not a store of this program");
    expect(malformed.status).toBe(422);
    expect(await malformed.text()).not.toContain("<script>");
    expect(json.status).toBe(422);
    expect(json.body.error.code).toBe("unknown_store");
    expect(await allItems(table.endpoint, table.tableName)).toEqual(before);
  });

  it("answers an expired or cut link with the card page's friendly pages, writing nothing", async () => {
    // Prepare: a link of a real member whose 90 days are over
    const member = await newMember();
    const token = signCardLink(Buffer.from(TEST_PASS_SECRET), {
      programId: shop.programId,
      memberId: member.memberId,
      generation: 0,
      expiresAt: Math.floor(Date.now() / 1000) - 60,
    });
    const [storeId] = [...stores.keys()];
    const before = await allItems(table.endpoint, table.tableName);
    const { context, page } = await phone();

    // Act
    const expired = await page.goto(`${url()}/c/${token}/stores`);
    const violations = await axeViolations(page);
    await photograph(page, "my-stores-expired");
    const posted = await postForm(`/c/${token}/stores`, [storeId ?? ""]);
    const cut = await postForm(`${new URL(member.cardUrl).pathname.slice(0, -4)}XXXX/stores`, [
      storeId ?? "",
    ]);

    // Assess
    expect(expired?.status()).toBe(410);
    await expect(page.getByRole("heading", { name: "This card link has expired" }).isVisible()).resolves.toBe(
      true,
    );
    expect(posted.status).toBe(410);
    expect(await posted.text()).toContain("This card link has expired");
    expect(cut.status).toBe(404);
    expect(await cut.text()).toContain("This card link is not valid");
    expect(await allItems(table.endpoint, table.tableName)).toEqual(before);
    expect(violations).toEqual([]);
    await context.close();
  });

  it("speaks French to a French browser, from the card page's link to its refusal", async () => {
    // Prepare
    const member = await newMember();
    const { context, page } = await phone({ ...IPHONE, locale: "fr-FR" });
    await page.goto(member.cardUrl);

    // Act
    await page.getByRole("link", { name: "Mes magasins" }).click();
    await page.getByRole("heading", { name: "Mes magasins", level: 1 }).waitFor();
    const violations = { page: await axeViolations(page), refused: [] as string[] };
    const legend = await page.getByRole("group", { name: "Choisissez vos magasins préférés" }).count();
    const limit = await page.getByText("Vous pouvez en choisir jusqu'à 3.").count();
    await photograph(page, "my-stores-fr");
    for (let i = 0; i < 4; i++) await page.getByRole("checkbox").nth(i).check();
    const posted = await save(page, "Enregistrer mes magasins");
    violations.refused = await axeViolations(page);
    const summary = await page.getByRole("alert").textContent();
    await page.locator("input[name=store]:checked").nth(3).uncheck();
    const saved = await save(page, "Enregistrer mes magasins");

    // Assess
    expect(legend).toBe(1);
    expect(limit).toBe(1);
    expect(posted.status()).toBe(422);
    expect(summary).toContain("Il y a un problème");
    expect(summary).toContain("Choisissez au plus 3 magasins");
    expect(saved.status()).toBe(303);
    await expect(page.getByRole("status").textContent()).resolves.toContain(
      "C'est enregistré. Votre carte affichera ces magasins en premier.",
    );
    expect((await memberItem(member.memberId))?.favouriteStoreIds).toHaveLength(3);
    expect(violations).toEqual({ page: [], refused: [] });
    await context.close();
  }, 60_000);
});
