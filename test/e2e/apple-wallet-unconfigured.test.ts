import { beforeAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "../../functions/config/env.js";
import { useApi } from "../support/api.js";
import { enrollMember, openShop } from "../support/loyalty.js";

/**
 * A deployment whose Apple certificates are missing: customers get a page saying so and devices a
 * 503 naming the fix; nothing is a 500, and the rest of the API works.
 */

const { call, url } = useApi();

beforeAll(() => {
  process.env.APPLE_PASS_CERT = "/nonexistent/pass.pem";
  resetConfigForTests();
});

describe("without Apple certificates", () => {
  it("shows the customer a page instead of a pass, and says what to fix on the web service", async () => {
    // Prepare
    const shop = await openShop(call);
    const member = (await enrollMember(call, shop)) as unknown as { memberId: string; cardUrl: string };

    // Act
    const page = await fetch(`${member.cardUrl}/pass.pkpass`);
    const device = await fetch(`${url()}/passkit/v1/passes/pass.dev.carnet.local/${member.memberId}`, {
      headers: { authorization: `ApplePass ${"x".repeat(43)}` },
    });
    const cardPage = await fetch(member.cardUrl);

    // Assess
    expect(page.status).toBe(503);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("cannot be added right now");
    expect(device.status).toBe(401); // the token is checked before anything is signed
    expect(cardPage.status).toBe(200);
  });

  it("answers 503 apple_wallet_unavailable, naming the variable, to an authenticated pass request", async () => {
    // Prepare: a real token, from a member whose pass cannot be built
    const shop = await openShop(call);
    const member = (await enrollMember(call, shop)) as unknown as { memberId: string };
    const { passAuthToken } = await import("../../functions/shared/pass-tokens.js");
    const token = passAuthToken(Buffer.from(process.env.CARNET_PASS_SECRET ?? ""), member.memberId, 0);

    // Act
    const response = await call("GET", `/passkit/v1/passes/pass.dev.carnet.local/${member.memberId}`, {
      key: null,
      headers: { authorization: `ApplePass ${token}` },
    });

    // Assess
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe("apple_wallet_unavailable");
    expect(response.body.error.message).toContain("APPLE_PASS_CERT");
  });
});
