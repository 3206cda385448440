import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { dynamoMemberRepository } from "../../functions/adapters/dynamodb/member-repository.js";
import { signCardLink } from "../../functions/shared/pass-tokens.js";
import { DEV_CERT_FILES } from "../../local/dev-certs.js";
import { useApi } from "../support/api.js";
import { enrollMember, openShop, richRules, type Shop, tillCall } from "../support/loyalty.js";
import { verifyPass } from "../support/pkpass.js";
import { usePushes } from "../support/pushes.js";
import { allItems, TEST_PASS_SECRET, testCertificates, testTable } from "../support/table.js";

/**
 * Apple Wallet from the outside, as an iPhone and a till see it: the pass from the emailed link, the
 * PassKit web service, and the push that reaches the APNs stand-in after a purchase.
 */

const { call, table, url } = useApi();
const pushes = usePushes(table);

const PASS_TYPE_ID = "pass.dev.carnet.local";
const caFile = () => join(testCertificates().dir, DEV_CERT_FILES.caCert);
const pushToken = () => randomBytes(32).toString("hex");
const deviceId = () => `device-${randomBytes(8).toString("hex")}`;

/** A plain HTTP request, bytes and headers as they come. */
const raw = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
  const response = await fetch(path.startsWith("http") ? path : `${url()}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
};

const applePass = (token: string) => ({ authorization: `ApplePass ${token}` });

interface Card {
  memberId: string;
  cardCode: string;
  cardUrl: string;
}

let shop: Shop;

/** A new member, once its enrollment has gone through the push fan-out (so it cannot reach a device registered later). */
const newCard = async (): Promise<Card> => {
  const member = await enrollMember(call, shop);
  await pushes.drained();
  return member as unknown as Card;
};

/** The pass behind a card link, verified as Wallet verifies it. */
const download = async (card: Card) => {
  const response = await raw("GET", `${card.cardUrl}/pass.pkpass`);
  expect(response.status).toBe(200);
  return { response, pass: verifyPass(response.bytes, caFile()).pass };
};

const register = (card: Card, token: string, device: string, push: string) =>
  raw(
    "POST",
    `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${card.memberId}`,
    applePass(token),
    {
      pushToken: push,
    },
  );

const primaryValue = (pass: any) => pass.storeCard.primaryFields[0].value;

beforeAll(async () => {
  shop = await openShop(call, richRules, "Wallet test");
});

describe("the pass from the emailed link", () => {
  it("is a signed storeCard with the member's code, the web service and a long authentication token", async () => {
    // Prepare
    const card = await newCard();

    // Act
    const { response, pass } = await download(card);

    // Assess
    expect(response.headers.get("content-type")).toBe("application/vnd.apple.pkpass");
    expect(Date.parse(response.headers.get("last-modified") ?? "")).not.toBeNaN();
    expect(pass.passTypeIdentifier).toBe(PASS_TYPE_ID);
    expect(pass.serialNumber).toBe(card.memberId);
    expect(pass.webServiceURL).toBe(`${url()}/passkit`);
    expect(pass.authenticationToken.length).toBeGreaterThanOrEqual(16);
    expect(pass.barcodes[0]).toMatchObject({ format: "PKBarcodeFormatQR", message: card.cardCode });
    expect(pass.barcodes[0].altText.replace(/ /g, "")).toBe(card.cardCode);
    expect(pass.sharingProhibited).toBe(true);
    expect(pass.voided).toBe(false);
    expect(pass.locations).toEqual([expect.objectContaining({ latitude: 48.85, longitude: 2.35 })]);
    expect(primaryValue(pass)).toBe(0);
  });

  it("puts %@ in the change message of every field that has one, and has one on every changing field", async () => {
    const { pass } = await download(await newCard());
    const fields = [
      "headerFields",
      "primaryFields",
      "secondaryFields",
      "auxiliaryFields",
      "backFields",
    ].flatMap((kind) => pass.storeCard[kind] ?? []);
    for (const field of fields) {
      if (field.changeMessage !== undefined) expect(field.changeMessage).toContain("%@");
    }
    const changing = [
      "points",
      "tier",
      "next-reward",
      "vouchers",
      "vouchers-list",
      "expiring",
      "valid-until",
    ];
    for (const key of changing) {
      const field = fields.find((f: any) => f.key === key);
      if (field) expect(field.changeMessage, key).toContain("%@");
    }
    expect(fields.find((f: any) => f.key === "stamps-coffee")?.changeMessage).toContain("%@");
  });

  it("answers 304 to If-Modified-Since when nothing changed", async () => {
    const card = await newCard();
    const first = await raw("GET", `${card.cardUrl}/pass.pkpass`);
    const again = await raw("GET", `${card.cardUrl}/pass.pkpass`, {
      "if-modified-since": first.headers.get("last-modified") ?? "",
    });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
  });

  it.each([
    [
      "tampered",
      (t: string) => `${t.slice(0, -3)}${t.slice(-3) === "AAA" ? "BBB" : "AAA"}`,
      404,
      "not valid",
    ],
    ["cut short", (t: string) => t.slice(0, 30), 404, "not valid"],
    ["far too long", (t: string) => t.repeat(40), 404, "not valid"],
    [
      "of another member",
      (t: string) => t.replace(/mbr_[0-9a-z]{16}/, "mbr_0000000000000000"),
      404,
      "not valid",
    ],
  ])("refuses a %s link with a friendly page, never a pass", async (_what, change, status, words) => {
    // Prepare
    const card = await newCard();
    const token = card.cardUrl.split("/c/")[1] ?? "";
    const before = await allItems(table.endpoint, table.tableName);

    // Act
    const response = await raw("GET", `/c/${change(token)}/pass.pkpass`);

    // Assess
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.bytes.toString()).toContain(words);
    expect(await allItems(table.endpoint, table.tableName)).toEqual(before);
  });

  it("refuses an expired link with a page that says how to get a new one", async () => {
    // Prepare: a link signed with the deployment's secret, expired a minute ago
    const card = await newCard();
    const token = signCardLink(Buffer.from(TEST_PASS_SECRET), {
      programId: shop.programId,
      memberId: card.memberId,
      generation: 0,
      expiresAt: Math.floor(Date.now() / 1000) - 60,
    });

    // Act
    const response = await raw("GET", `/c/${token}/pass.pkpass`);

    // Assess
    expect(response.status).toBe(410);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.bytes.toString()).toContain("expired");
  });

  it("shows the card page with an Add to Apple Wallet link", async () => {
    const card = await newCard();
    const response = await raw("GET", card.cardUrl);
    expect(response.status).toBe(200);
    const html = response.bytes.toString();
    expect(html).toContain("Add to Apple Wallet");
    expect(html).toContain(`${card.cardUrl}/pass.pkpass`);
  });

  it("ignores what a mail client or a newsletter tool adds to the link (utm_source, …)", async () => {
    // Prepare
    const card = await newCard();

    // Act
    const page = await raw("GET", `${card.cardUrl}?utm_source=newsletter&utm_medium=email`);
    const pass = await raw("GET", `${card.cardUrl}/pass.pkpass?utm_source=newsletter`);

    // Assess
    expect(page.status).toBe(200);
    expect(page.bytes.toString()).toContain("Add to Apple Wallet");
    expect(pass.status).toBe(200);
    expect(pass.headers.get("content-type")).toBe("application/vnd.apple.pkpass");
  });
});

describe("the PassKit web service and pushes, as an iPhone uses them", () => {
  it("registers, is pushed after a purchase, lists the pass and downloads the new balance", async () => {
    // Prepare: the phone adds the pass and registers for updates
    const card = await newCard();
    const { pass } = await download(card);
    const device = deviceId();
    const token = pushToken();
    const registered = await register(card, pass.authenticationToken, device, token);
    expect(registered.status).toBe(201);
    const initial = await raw("GET", `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}`);
    expect(initial.status).toBe(200);
    const { lastUpdated } = JSON.parse(initial.bytes.toString());
    const pushed = pushes.apns().pushes.length;

    // Act: a purchase at the till
    const bought = await tillCall(call, shop, "purchases", {
      member: card.cardCode,
      amountCents: 1250,
      currency: "EUR",
    });
    expect(bought.status).toBe(201);

    // Assess: one empty push with the pass type id as topic, over the Pass Type ID certificate
    const arrived = (await pushes.apns().waitForPushes(pushed + 1)).filter((p) => p.token === token);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]).toMatchObject({
      topic: PASS_TYPE_ID,
      payload: "{}",
      clientSubject: `Pass Type ID: ${PASS_TYPE_ID}`,
    });
    const listed = await raw(
      "GET",
      `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}?passesUpdatedSince=${lastUpdated}`,
    );
    expect(listed.status).toBe(200);
    expect(JSON.parse(listed.bytes.toString()).serialNumbers).toEqual([card.memberId]);
    const latest = await raw(
      "GET",
      `/passkit/v1/passes/${PASS_TYPE_ID}/${card.memberId}`,
      applePass(pass.authenticationToken),
    );
    expect(latest.status).toBe(200);
    expect(latest.headers.get("content-type")).toBe("application/vnd.apple.pkpass");
    const updated = verifyPass(latest.bytes, caFile()).pass;
    expect(primaryValue(updated)).toBe(bought.body.member.points);
    expect(bought.body.member.points).toBeGreaterThan(0);
    const notModified = await raw("GET", `/passkit/v1/passes/${PASS_TYPE_ID}/${card.memberId}`, {
      ...applePass(pass.authenticationToken),
      "if-modified-since": latest.headers.get("last-modified") ?? "",
    });
    expect(notModified.status).toBe(304);
  });

  it("answers 200 to a second registration of the same device and refreshes its push token", async () => {
    const card = await newCard();
    const { pass } = await download(card);
    const device = deviceId();
    expect((await register(card, pass.authenticationToken, device, pushToken())).status).toBe(201);
    const fresh = pushToken();
    expect((await register(card, pass.authenticationToken, device, fresh)).status).toBe(200);
    const before = pushes.apns().pushes.length;
    await tillCall(call, shop, "purchases", { member: card.memberId, amountCents: 800, currency: "EUR" });
    const arrived = await pushes.apns().waitForPushes(before + 1);
    expect(arrived.filter((p) => p.token === fresh)).toHaveLength(1);
  });

  it("answers 204 when nothing changed since the tag, and for a device without passes", async () => {
    const card = await newCard();
    const { pass } = await download(card);
    const device = deviceId();
    await register(card, pass.authenticationToken, device, pushToken());
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect(
      (
        await raw(
          "GET",
          `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}?passesUpdatedSince=${future}`,
        )
      ).status,
    ).toBe(204);
    expect((await raw("GET", `/passkit/v1/devices/${deviceId()}/registrations/${PASS_TYPE_ID}`)).status).toBe(
      204,
    );
  });

  it("does not push when a write leaves the card as it was", async () => {
    // Prepare: a registered device
    const card = await newCard();
    const { pass } = await download(card);
    const token = pushToken();
    await register(card, pass.authenticationToken, deviceId(), token);
    await pushes.drained();
    const before = pushes.apns().pushes.filter((p) => p.token === token).length;

    // Act: a purchase too small to earn anything (no points, no stamps)
    const small = await tillCall(call, shop, "purchases", {
      member: card.memberId,
      amountCents: 50,
      currency: "EUR",
    });
    expect(small.body.pointsEarned).toBe(0);
    await pushes.drained();

    // Assess
    expect(pushes.apns().pushes.filter((p) => p.token === token).length).toBe(before);
  });

  it("unregisters a device, which then gets no more pushes", async () => {
    const card = await newCard();
    const { pass } = await download(card);
    const device = deviceId();
    const token = pushToken();
    await register(card, pass.authenticationToken, device, token);
    const removed = await raw(
      "DELETE",
      `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${card.memberId}`,
      applePass(pass.authenticationToken),
    );
    expect(removed.status).toBe(200);
    await tillCall(call, shop, "purchases", { member: card.memberId, amountCents: 900, currency: "EUR" });
    await pushes.drained();
    expect(pushes.apns().pushes.filter((p) => p.token === token)).toHaveLength(0);
    expect((await raw("GET", `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}`)).status).toBe(
      204,
    );
  });

  it("accepts device logs", async () => {
    const response = await raw("POST", "/passkit/v1/log", {}, { logs: ["Could not download pass"] });
    expect(response.status).toBe(200);
  });
});

describe("the PassKit web service refuses what it cannot authenticate with 401, writing nothing", () => {
  let card: Card;
  let token: string;
  let otherToken: string;
  beforeAll(async () => {
    card = await newCard();
    token = (await download(card)).pass.authenticationToken;
    otherToken = (await download(await newCard())).pass.authenticationToken;
  });

  const registration = (serial: string, type = PASS_TYPE_ID) =>
    `/passkit/v1/devices/${deviceId()}/registrations/${type}/${serial}`;

  it.each([
    [
      "no Authorization header",
      () => raw("POST", registration(card.memberId), {}, { pushToken: pushToken() }),
    ],
    [
      "a bearer key",
      () =>
        raw(
          "POST",
          registration(card.memberId),
          { authorization: `Bearer ${token}` },
          { pushToken: pushToken() },
        ),
    ],
    [
      "a wrong token",
      () => raw("POST", registration(card.memberId), applePass("x".repeat(43)), { pushToken: pushToken() }),
    ],
    [
      "another pass's token",
      () => raw("POST", registration(card.memberId), applePass(otherToken), { pushToken: pushToken() }),
    ],
    [
      "another pass type",
      () =>
        raw("POST", registration(card.memberId, "pass.com.other"), applePass(token), {
          pushToken: pushToken(),
        }),
    ],
    [
      "an unknown serial",
      () => raw("POST", registration("mbr_0000000000000000"), applePass(token), { pushToken: pushToken() }),
    ],
    [
      "a nonsense serial",
      () => raw("POST", registration("not-a-member~serial"), applePass(token), { pushToken: pushToken() }),
    ],
    [
      "an unregistration with a wrong token",
      () => raw("DELETE", registration(card.memberId), applePass("y".repeat(43))),
    ],
    [
      "a pass download with a wrong token",
      () => raw("GET", `/passkit/v1/passes/${PASS_TYPE_ID}/${card.memberId}`, applePass("z".repeat(43))),
    ],
    [
      "a pass download without a token",
      () => raw("GET", `/passkit/v1/passes/${PASS_TYPE_ID}/${card.memberId}`),
    ],
  ])("refuses %s", async (_what, act) => {
    const before = await allItems(table.endpoint, table.tableName);
    const response = await act();
    expect(response.status).toBe(401);
    expect(await allItems(table.endpoint, table.tableName)).toEqual(before);
  });

  it.each([
    ["no push token", {}],
    ["a push token with spaces", { pushToken: "a b" }],
    ["an overlong push token", { pushToken: "a".repeat(513) }],
  ])("refuses a registration with %s as a 4xx", async (_what, body) => {
    const before = await allItems(table.endpoint, table.tableName);
    const response = await raw("POST", registration(card.memberId), applePass(token), body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await allItems(table.endpoint, table.tableName)).toEqual(before);
  });
});

describe("APNs replies, through the push fan-out", () => {
  const registeredCard = async () => {
    const card = await newCard();
    const { pass } = await download(card);
    const device = deviceId();
    const token = pushToken();
    await register(card, pass.authenticationToken, device, token);
    await pushes.drained();
    return { card, device, token };
  };
  const serialsOn = (device: string) =>
    raw("GET", `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}`);
  const buy = (card: Card) =>
    tillCall(call, shop, "purchases", { member: card.memberId, amountCents: 1000, currency: "EUR" });

  it.each([
    [410, "Unregistered"],
    [400, "BadDeviceToken"],
  ])("removes the registration when APNs answers %i %s", async (status, reason) => {
    // Prepare
    const { card, device, token } = await registeredCard();
    pushes.apns().script(token, [{ status, reason }]);

    // Act
    await buy(card);
    await pushes.drained();

    // Assess
    expect((await serialsOn(device)).status).toBe(204);
  });

  it("keeps the registration when APNs answers 403 (an alert for the operator, not the device's fault)", async () => {
    const { card, device, token } = await registeredCard();
    pushes.apns().script(token, [{ status: 403, reason: "InvalidProviderToken" }]);
    await buy(card);
    await pushes.drained();
    expect((await serialsOn(device)).status).toBe(200);
  });

  it.each([
    [429, "TooManyRequests"],
    [500, "InternalServerError"],
    [503, "ServiceUnavailable"],
  ])("backs off and delivers when APNs first answers %i", async (status, reason) => {
    const { card, token } = await registeredCard();
    pushes.apns().script(token, [{ status, reason }]);
    const before = pushes.apns().pushes.length;
    await buy(card);
    const arrived = await pushes.apns().waitForPushes(before + 1, 15_000);
    expect(arrived.filter((p) => p.token === token)).toHaveLength(1);
  });
});

describe("the member's count of devices, as iPhones and APNs move it", () => {
  /** `Member.devices` as stored (the push function is not invoked for a member at 0). */
  const devicesOf = async (card: Card) =>
    (await dynamoMemberRepository(testTable()).load(card.memberId))?.devices;
  const unregister = (card: Card, token: string, device: string) =>
    raw(
      "DELETE",
      `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${card.memberId}`,
      applePass(token),
    );

  it("counts the device that registers, and is back at 0 once the pass's only device unregisters", async () => {
    // Prepare
    const card = await newCard();
    const { pass } = await download(card);
    const device = deviceId();
    const atEnrollment = await devicesOf(card);
    expect((await register(card, pass.authenticationToken, device, pushToken())).status).toBe(201);
    const registered = await devicesOf(card);

    // Act
    const removed = await unregister(card, pass.authenticationToken, device);

    // Assess
    expect(removed.status).toBe(200);
    expect(atEnrollment).toBe(0);
    expect(registered).toBe(1);
    expect(await devicesOf(card)).toBe(0);
  });

  it("is back at 0 when APNs answers 410 for the pass's only device", async () => {
    // Prepare
    const card = await newCard();
    const { pass } = await download(card);
    const token = pushToken();
    await register(card, pass.authenticationToken, deviceId(), token);
    await pushes.drained();
    pushes.apns().script(token, [{ status: 410, reason: "Unregistered" }]);

    // Act
    await tillCall(call, shop, "purchases", { member: card.memberId, amountCents: 1000, currency: "EUR" });
    await pushes.drained();

    // Assess
    expect(await devicesOf(card)).toBe(0);
  });
});
