import { createVerify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";
import { useGoogleWallet } from "../support/google.js";
import { enrollMember, openShop, type Shop, tillCall } from "../support/loyalty.js";
import { usePushes } from "../support/pushes.js";

/**
 * Google Wallet from the outside, as an Android phone, a till and Google see it: the save link's JWT
 * (verified with the service account's public key), the object inserted before the redirect, live
 * PATCHes after purchases within the notification budget, and Google's faults, against the local
 * Google Wallet stand-in configured by GOOGLE_WALLET_API_URL / GOOGLE_OAUTH_TOKEN_URL.
 */

const { call, table, url } = useApi();
const google = useGoogleWallet();
const pushes = usePushes(table);

/** One voucher per 10 points: every purchase of 10 € earns one (a change that deserves a notification). */
const voucherRules = {
  earn: { pointsPerEuro: 1 },
  rewards: {
    autoConvert: true,
    catalogue: [
      {
        rewardId: "coffee",
        title: "A free coffee",
        pointsCost: 10,
        voucher: { kind: "gift", description: "Any coffee" },
      },
    ],
  },
};

interface Card {
  memberId: string;
  cardCode: string;
  cardUrl: string;
}

const base64url = (text: string) => Buffer.from(text, "base64url").toString("utf8");

/** The save link's JWT, its signature checked with the service account's public key. */
const saveJwt = (location: string) => {
  const prefix = "https://pay.google.com/gp/v/save/";
  expect(location.startsWith(prefix)).toBe(true);
  const jwt = location.slice(prefix.length);
  const [header = "", claims = "", signature = ""] = jwt.split(".");
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${header}.${claims}`);
  return {
    jwt,
    verified: verifier.verify(google.publicKey, Buffer.from(signature, "base64url")),
    header: JSON.parse(base64url(header)) as Record<string, unknown>,
    claims: JSON.parse(base64url(claims)) as Record<string, any>,
  };
};

/** "Add to Google Wallet", as the phone follows it: the redirect, not Google's page behind it. */
const addToGoogle = async (card: Card) => {
  const response = await fetch(`${card.cardUrl}/google`, { redirect: "manual" });
  return {
    status: response.status,
    location: response.headers.get("location") ?? "",
    text: await response.text(),
  };
};

const objectIdOf = (card: Card, generation = 0) =>
  `${google.issuerId}.${card.memberId}${generation > 0 ? `-g${generation}` : ""}`;

const balanceOf = (object: Record<string, any> | undefined): number | undefined =>
  object?.loyaltyPoints?.balance?.int ?? object?.secondaryLoyaltyPoints?.balance?.int;

/** Waits until the stand-in holds the object showing `points`. */
const objectShowing = async (objectId: string, points: number, timeoutMs = 10_000) => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const object = google.standIn().objects.get(objectId);
    if (balanceOf(object) === points) return object as Record<string, any>;
    if (Date.now() > until)
      throw new Error(
        `object ${objectId} shows ${balanceOf(object)} points, not ${points}, after ${timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

const buy = async (shop: Shop, card: Card, amountCents: number) => {
  const response = await tillCall(call, shop, "purchases", {
    member: card.cardCode,
    amountCents,
    currency: "EUR",
  });
  expect(response.status).toBe(201);
  return response.body as { member: { points: number } };
};

const newCard = async (shop: Shop): Promise<Card> => {
  const member = await enrollMember(call, shop);
  const view = await call("GET", `/v1/programs/${shop.programId}/members/${member.memberId}`);
  return { memberId: member.memberId, cardCode: member.cardCode, cardUrl: view.body.cardUrl };
};

describe("Add to Google Wallet", () => {
  it("offers the Google button on the card page", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);

    // Act
    const page = await fetch(card.cardUrl);
    const html = await page.text();

    // Assess
    expect(page.status).toBe(200);
    expect(html).toContain('id="add-to-google-wallet"');
    expect(html).toContain(`href="${card.cardUrl}/google"`);
  });

  it("inserts the object with the card's balance, then redirects to a skinny save JWT signed by the service account", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    await buy(shop, card, 700);

    // Act
    const answer = await addToGoogle(card);

    // Assess: the object exists with the balance before the phone reaches Google
    expect(answer.status).toBe(302);
    const object = google.standIn().objects.get(objectIdOf(card));
    expect(balanceOf(object)).toBe(7);
    expect(object?.classId).toBe(`${google.issuerId}.${shop.programId}`);
    expect(object?.barcode).toMatchObject({ value: card.cardCode });
    expect(object?.merchantLocations).toEqual([{ latitude: 48.85, longitude: 2.35 }]);
    expect(google.standIn().classes.get(`${google.issuerId}.${shop.programId}`)?.programName).toBe(
      "Loyalty test",
    );
    const { jwt, verified, header, claims } = saveJwt(answer.location);
    expect(verified).toBe(true);
    expect(jwt.length).toBeLessThan(1800);
    expect(header).toMatchObject({ alg: "RS256", kid: google.keyId });
    expect(claims).toMatchObject({
      iss: google.clientEmail,
      aud: "google",
      typ: "savetowallet",
      origins: [url()],
    });
    expect(claims.payload).toEqual({ loyaltyObjects: [{ id: objectIdOf(card) }] });
  });

  it("patches the existing object when the link is opened again (409 on insert)", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    expect((await addToGoogle(card)).status).toBe(302);
    await pushes.drained();
    const before = google.standIn().requests.length;

    // Act
    const again = await addToGoogle(card);

    // Assess
    expect(again.status).toBe(302);
    const sent = google
      .standIn()
      .requests.slice(before)
      .filter((r) => r.path !== "/token");
    expect(sent.map((r) => `${r.method} ${r.status}`)).toEqual(["POST 409", "PATCH 200"]);
  });

  it("answers a friendly 429 when one card's save link is opened more than 10 times a minute, calling Google no more", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    // The limit counts per clock minute: start early in one, so that all 11 opens fall in it.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    const answers: number[] = [];
    for (let i = 0; i < 10; i += 1) answers.push((await addToGoogle(card)).status);
    const before = google.standIn().requests.length;

    // Act
    const eleventh = await fetch(`${card.cardUrl}/google`, { redirect: "manual" });

    // Assess
    expect(answers).toEqual(Array(10).fill(302));
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await eleventh.text()).toContain("Please wait a moment");
    expect(google.standIn().requests.length).toBe(before);
  }, 60_000);

  it("answers a friendly 503 page, not a redirect, when Google keeps failing the insert", async () => {
    // Prepare: more 5xx than the client's attempts
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    google.standIn().fail({ status: 503, count: 4, method: "POST", path: /\/loyaltyObject$/ });

    // Act
    const answer = await addToGoogle(card);

    // Assess
    expect(answer.status).toBe(503);
    expect(answer.location).toBe("");
    expect(answer.text).toContain("Google Wallet is not available right now");
    expect(google.standIn().objects.has(objectIdOf(card))).toBe(false);
  });

  it("refuses a forged link with the friendly page and inserts nothing", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    const objects = google.standIn().objects.size;

    // Act
    const answer = await addToGoogle({ ...card, cardUrl: `${card.cardUrl.slice(0, -3)}AAA` });

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.text).toContain("This card link is not valid");
    expect(google.standIn().objects.size).toBe(objects);
  });
});

describe("live updates", () => {
  it("patches the object with the new balance within seconds of a purchase", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    expect((await addToGoogle(card)).status).toBe(302);

    // Act
    const started = Date.now();
    await buy(shop, card, 500);
    const object = await objectShowing(objectIdOf(card), 5);

    // Assess
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(object.state).toBe("ACTIVE");
  });

  it("never sends more than 3 notifying updates a day, however many vouchers are earned", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    expect((await addToGoogle(card)).status).toBe(302);

    // Act: six purchases, each earning a voucher (each a change that deserves a notification)
    for (let i = 0; i < 6; i += 1) {
      await buy(shop, card, 1000);
      await pushes.drained();
    }

    // Assess: the first three notified, the rest went silent, and the card shows all six vouchers
    const objectId = objectIdOf(card);
    expect(google.standIn().notifications(objectId)).toHaveLength(3);
    const last = google.standIn().objects.get(objectId) as Record<string, any>;
    expect(last.messages).toHaveLength(6);
    const patches = google
      .standIn()
      .requests.filter((r) => r.method === "PATCH" && r.path.endsWith(objectId));
    expect(patches.length).toBeGreaterThanOrEqual(6);
  });

  it("updates the program's class when its branding changes", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    expect((await addToGoogle(card)).status).toBe(302);
    const classId = `${google.issuerId}.${shop.programId}`;

    // Act
    const patched = await call("PATCH", `/v1/programs/${shop.programId}`, {
      body: { branding: { backgroundColor: "#123456" } },
    });
    await pushes.drained();

    // Assess
    expect(patched.status).toBe(200);
    expect(google.standIn().classes.get(classId)?.hexBackgroundColor).toBe("#123456");
  });

  it("retires the old object when the card is reissued, and the new link saves a new one", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    expect((await addToGoogle(card)).status).toBe(302);

    // Act
    const reissued = await call("POST", `/v1/programs/${shop.programId}/members/${card.memberId}/card`);
    await pushes.drained();
    const oldLink = await addToGoogle(card);
    const newLink = await addToGoogle({ ...card, cardUrl: reissued.body.cardUrl });

    // Assess
    expect(reissued.status).toBe(200);
    expect(google.standIn().objects.get(objectIdOf(card))?.state).toBe("INACTIVE");
    expect(oldLink.status).toBe(410);
    expect(newLink.status).toBe(302);
    expect(saveJwt(newLink.location).claims.payload).toEqual({
      loyaltyObjects: [{ id: objectIdOf(card, 1) }],
    });
    expect(google.standIn().objects.get(objectIdOf(card, 1))?.state).toBe("ACTIVE");
  });
});

describe("Google's faults", () => {
  it("refreshes an access token Google no longer accepts (401) once", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    expect((await addToGoogle(card)).status).toBe(302);
    google.standIn().expireTokens();

    // Act
    await buy(shop, card, 300);

    // Assess
    await objectShowing(objectIdOf(card), 3);
  });

  it("backs off and retries on 429, quota 403 and 5xx, losing no update", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    expect((await addToGoogle(card)).status).toBe(302);
    await pushes.drained();
    const path = new RegExp(`/loyaltyObject/${objectIdOf(card).replace(/\./g, "\\.")}$`);
    google.standIn().fail({ status: 429, count: 1, method: "PATCH", path });
    google.standIn().fail({ status: 403, reason: "rateLimitExceeded", count: 1, method: "PATCH", path });
    google.standIn().fail({ status: 503, count: 1, method: "PATCH", path });

    // Act
    await buy(shop, card, 400);

    // Assess
    await objectShowing(objectIdOf(card), 4);
  });

  it("hands a batch over again when Google keeps failing, and delivers the update once it answers", async () => {
    // Prepare: more failures than one batch's attempts
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    expect((await addToGoogle(card)).status).toBe(302);
    await pushes.drained();
    const path = new RegExp(`/loyaltyObject/${objectIdOf(card).replace(/\./g, "\\.")}$`);
    google.standIn().fail({ status: 500, count: 6, method: "PATCH", path });

    // Act
    await buy(shop, card, 200);

    // Assess
    await objectShowing(objectIdOf(card), 2, 15_000);
  });

  it("inserts the object again when a PATCH finds it missing (404)", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    expect((await addToGoogle(card)).status).toBe(302);
    await pushes.drained();
    google.standIn().objects.delete(objectIdOf(card));

    // Act
    await buy(shop, card, 600);

    // Assess
    await objectShowing(objectIdOf(card), 6);
  });

  it("sends cards without store locations once Google says the issuer is not allowlisted for them", async () => {
    // Prepare
    const shop = await openShop(call, voucherRules);
    const card = await newCard(shop);
    google.standIn().allowMerchantLocations = false;

    try {
      // Act
      const answer = await addToGoogle(card);

      // Assess
      expect(answer.status).toBe(302);
      const object = google.standIn().objects.get(objectIdOf(card));
      expect(object).toBeDefined();
      expect(object?.merchantLocations ?? []).toEqual([]);
    } finally {
      google.standIn().allowMerchantLocations = true;
    }
  });
});
