import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_LIMITS } from "../../functions/app/loyalty/enrollment.js";
import { useApi } from "../support/api.js";
import { openShop, type Shop } from "../support/loyalty.js";
import { expectRejectedWithoutWrite } from "../support/no-write.js";
import { allItems } from "../support/table.js";

/**
 * The public sign-up through HTTP, as a merchant's site or a browser posts it: the JSON twin (202,
 * the same answer whatever the email), the HTML form post (303 to the thanks page, or the form again
 * with its errors), the limits, and what each writes. The pages themselves are checked in a real
 * browser (customer-journey.test.ts).
 */

const { call, table, url } = useApi();
let shop: Shop;

beforeAll(async () => {
  shop = await openShop(call, undefined, "Join test");
});

/** The table's items of one entity, as plain values. */
const itemsOf = async (entity: string): Promise<Record<string, any>[]> =>
  (await allItems(table.endpoint, table.tableName))
    .map((item) => unmarshall(item as Record<string, AttributeValue>))
    .filter((item) => item.entity === entity);

const formPost = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${url()}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });

/** Each test signs up from its own address, so the per-address limit is the limit test's alone. */
let visitors = 0;
const from = () => ({ "x-forwarded-for": `198.51.100.${++visitors}` });

const signUp = (body: Record<string, unknown>) =>
  call("POST", `/v1/programs/${shop.programId}/enrollments`, { key: null, body, headers: from() });

describe("signing up through the JSON twin", () => {
  it("answers 202 with the same body for a new and for an existing email, and makes one member with two emails", async () => {
    // Prepare
    const body = { firstName: "Inès", email: "ines@example.com", consent: true, locale: "fr" };

    // Act
    const first = await signUp(body);
    const again = await signUp({ ...body, email: "INES@example.com", firstName: "Someone" });

    // Assess
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(first.body).toEqual({ status: "accepted", message: expect.any(String) });
    const profiles = (await itemsOf("memberProfile")).filter((p) => p.email === "ines@example.com");
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({
      firstName: "Inès",
      enrolledVia: "form",
      locale: "fr",
      marketingConsent: false,
    });
    const emails = (await itemsOf("email")).filter((e) => e.memberId === profiles[0]?.memberId);
    expect(emails.map((e) => [e.kind, e.status, e.to])).toEqual([
      ["card_link", "pending", "ines@example.com"],
      ["card_link", "pending", "INES@example.com"],
    ]);
  });

  it("refuses a sign-up without consent, naming the field, and writes nothing", async () => {
    await expectRejectedWithoutWrite(
      table,
      () => signUp({ firstName: "Jo", email: "jo@example.com", consent: false }),
      422,
      "validation_failed",
    );
  });

  it("refuses an unknown field, an invalid email and a birthday in the future, and writes nothing", async () => {
    await expectRejectedWithoutWrite(
      table,
      () => signUp({ firstName: "Jo", email: "jo@example.com", consent: true, admin: true }),
      400,
      "unknown_field",
    );
    await expectRejectedWithoutWrite(
      table,
      () => signUp({ firstName: "Jo", email: "jo@", consent: true }),
      422,
      "validation_failed",
    );
    await expectRejectedWithoutWrite(
      table,
      () => signUp({ firstName: "Jo", email: "jo@example.com", consent: true, birthDate: "2999-01-01" }),
      422,
      "validation_failed",
    );
  });

  it("accepts a filled honeypot with the same answer and writes no member and no email", async () => {
    // Prepare
    const before = (await itemsOf("memberProfile")).length;

    // Act
    const answer = await signUp({ firstName: "Bot", email: "bot@example.com", consent: true, honeypot: "x" });

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.body.status).toBe("accepted");
    expect(await itemsOf("memberProfile")).toHaveLength(before);
  });

  it("answers 404 for a program that does not exist", async () => {
    await expectRejectedWithoutWrite(
      table,
      () =>
        call("POST", "/v1/programs/prg_0000000000000000/enrollments", {
          key: null,
          body: { firstName: "Jo", email: "jo@example.com", consent: true },
        }),
      404,
      "program_not_found",
    );
  });
});

describe("signing up with an HTML form post", () => {
  it("sends the browser to the thanks page in the form's language", async () => {
    // Act
    const response = await formPost(
      `/v1/programs/${shop.programId}/enrollments`,
      { firstName: "Léa", email: "lea@example.com", consent: "true", lang: "fr", website: "" },
      from(),
    );

    // Assess
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/join/${shop.programId}/thanks?lang=fr`);
    const thanks = await fetch(`${url()}${response.headers.get("location")}`);
    expect(thanks.status).toBe(200);
    expect(thanks.headers.get("content-type")).toContain("text/html");
    expect(await thanks.text()).toContain('lang="fr"');
  });

  it("shows the form again with the errors (422), keeps what was typed and writes nothing", async () => {
    // Prepare
    const before = await allItems(table.endpoint, table.tableName);

    // Act
    const response = await formPost(
      `/v1/programs/${shop.programId}/enrollments`,
      { firstName: "", email: "not-an-email", lastName: "<b>Durand</b>", lang: "en" },
      from(),
    );
    const page = await response.text();

    // Assess
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(page).toContain("not-an-email");
    expect(page).toContain("&lt;b&gt;Durand&lt;/b&gt;");
    expect(page).not.toContain("<b>Durand</b>");
    expect(page).toContain('aria-invalid="true"');
    expect(await allItems(table.endpoint, table.tableName)).toHaveLength(before.length);
  });

  it("shows an unknown referral code on the form, next to its field", async () => {
    // Act
    const response = await formPost(
      `/v1/programs/${shop.programId}/enrollments`,
      { firstName: "Max", email: "max@example.com", consent: "true", referralCode: "NOPE99", lang: "en" },
      from(),
    );

    // Assess
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/referral/i);
    expect((await itemsOf("memberProfile")).some((p) => p.email === "max@example.com")).toBe(false);
  });
});

describe("the pages around the form", () => {
  it("serves the form with security headers, framing allowed only from the program's embed origins", async () => {
    // Prepare
    const embedded = await call("POST", "/v1/programs", {
      body: {
        name: "Embedded",
        organizationName: "Shop",
        join: { embedOrigins: ["https://www.shop.example"] },
      },
    });

    // Act
    const plain = await fetch(`${url()}/join/${shop.programId}`);
    const framed = await fetch(`${url()}/join/${embedded.body.programId}`);
    const poster = await fetch(`${url()}/join/${embedded.body.programId}/poster`);

    // Assess
    expect(plain.status).toBe(200);
    const csp = plain.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).not.toContain("'unsafe-inline'");
    expect(plain.headers.get("x-frame-options")).toBe("DENY");
    expect(plain.headers.get("referrer-policy")).toBe("no-referrer");
    expect(framed.headers.get("content-security-policy")).toContain(
      "frame-ancestors https://www.shop.example",
    );
    expect(framed.headers.get("x-frame-options")).toBeNull();
    expect(poster.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("prefills the referral code from ?ref= and speaks the browser's language", async () => {
    // Act
    const page = await fetch(`${url()}/join/${shop.programId}?ref=abcd2345`, {
      headers: { "accept-language": "de-DE,de;q=0.9,en;q=0.5" },
    });
    const html = await page.text();

    // Assess
    expect(html).toContain('lang="de"');
    expect(html).toContain('value="abcd2345"');
  });

  it("answers a friendly 404 page for a program that does not exist, whatever the id looks like", async () => {
    // Act
    const unknown = await fetch(`${url()}/join/prg_0000000000000000`);
    const nonsense = await fetch(`${url()}/join/not-an-id`);

    // Assess
    for (const response of [unknown, nonsense]) {
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toContain("text/html");
    }
  });

  it("draws the QR code of the join form as an SVG", async () => {
    // Act
    const qr = await fetch(`${url()}/join/${shop.programId}/qr.svg`);

    // Assess
    expect(qr.status).toBe(200);
    expect(qr.headers.get("content-type")).toBe("image/svg+xml");
    expect(await qr.text()).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });
});

describe("emailing the card link again", () => {
  it("answers the same for a member and for a stranger, and only the member's partition gets an email", async () => {
    // Prepare
    await signUp({ firstName: "Noé", email: "noe@example.com", consent: true });
    const emailsBefore = (await itemsOf("email")).length;

    // Act
    const member = await call("POST", `/v1/programs/${shop.programId}/card-links`, {
      key: null,
      body: { email: "noe@example.com" },
      headers: from(),
    });
    const stranger = await call("POST", `/v1/programs/${shop.programId}/card-links`, {
      key: null,
      body: { email: "stranger@example.com" },
      headers: from(),
    });

    // Assess
    expect(member.status).toBe(202);
    expect(stranger.body).toEqual(member.body);
    expect((await itemsOf("email")).length).toBe(emailsBefore + 1);
  });
});

describe("the per-address limit", () => {
  it(`refuses a sign-up beyond ${PUBLIC_LIMITS.perIpPerHour} in an hour from one address with 429 and Retry-After`, async () => {
    // Prepare
    const address = { "x-forwarded-for": "203.0.113.99" };
    for (let i = 0; i < PUBLIC_LIMITS.perIpPerHour; i++) {
      const ok = await call("POST", `/v1/programs/${shop.programId}/enrollments`, {
        key: null,
        body: { firstName: "Many", email: `many-${i}@example.com`, consent: true },
        headers: address,
      });
      expect(ok.status).toBe(202);
    }

    // Act
    const limited = await call("POST", `/v1/programs/${shop.programId}/enrollments`, {
      key: null,
      body: { firstName: "Late", email: "late@example.com", consent: true },
      headers: address,
    });

    // Assess
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("too_many_sign_ups");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
