import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEV_CERT_FILES } from "../../local/dev-certs.js";
import { useApi } from "../support/api.js";
import { enrollMember, openShop, richRules, type Shop } from "../support/loyalty.js";
import { verifyPass } from "../support/pkpass.js";
import { usePushes } from "../support/pushes.js";
import { testCertificates } from "../support/table.js";

/**
 * A card that reached the wrong person (a forwarded email), reissued by the merchant: from outside,
 * the old link and the old pass's token stop working, the old pass's devices are unregistered, and
 * the new link gives a pass that works.
 */

const { call, table, url } = useApi();
const pushes = usePushes(table);

const PASS_TYPE_ID = "pass.dev.carnet.local";
const caFile = () => join(testCertificates().dir, DEV_CERT_FILES.caCert);

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(path.startsWith("http") ? path : `${url()}${path}`, { headers });

/** The pass behind a card link, and its authentication token, as Wallet reads them. */
const passOf = async (cardUrl: string) => {
  const response = await get(`${cardUrl}/pass.pkpass`);
  expect(response.status).toBe(200);
  const { pass } = verifyPass(Buffer.from(await response.arrayBuffer()), caFile());
  return pass as { authenticationToken: string; serialNumber: string };
};

const registrationPath = (device: string, memberId: string) =>
  `/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}/${memberId}`;

let shop: Shop;
beforeAll(async () => {
  shop = await openShop(call, richRules, "Reissue test");
});

describe("reissuing a member's card", () => {
  it("refuses the old link and the old pass token, unregisters the old devices, and gives a working new card", async () => {
    // Prepare: the member's pass is on a phone, registered for updates
    const member = (await enrollMember(call, shop)) as unknown as { memberId: string; cardUrl: string };
    await pushes.drained();
    const oldPass = await passOf(member.cardUrl);
    const device = `device-${randomBytes(8).toString("hex")}`;
    const registered = await fetch(`${url()}${registrationPath(device, member.memberId)}`, {
      method: "POST",
      headers: {
        authorization: `ApplePass ${oldPass.authenticationToken}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ pushToken: randomBytes(32).toString("hex") }),
    });

    // Act
    const reissued = await call("POST", `/v1/programs/${shop.programId}/members/${member.memberId}/card`, {
      key: shop.merchantKey,
    });
    await pushes.drained();
    const oldLink = await get(member.cardUrl);
    const oldDownload = await get(`${member.cardUrl}/pass.pkpass`);
    const oldToken = await get(`/passkit/v1/passes/${PASS_TYPE_ID}/${member.memberId}`, {
      authorization: `ApplePass ${oldPass.authenticationToken}`,
    });
    const serialsOnDevice = await get(`/passkit/v1/devices/${device}/registrations/${PASS_TYPE_ID}`);
    const newPass = await passOf(reissued.body.cardUrl);
    const newToken = await get(`/passkit/v1/passes/${PASS_TYPE_ID}/${member.memberId}`, {
      authorization: `ApplePass ${newPass.authenticationToken}`,
    });

    // Assess
    expect(registered.status).toBe(201);
    expect(reissued.status).toBe(200);
    expect(reissued.body.memberId).toBe(member.memberId);
    expect(reissued.body.cardUrl).not.toBe(member.cardUrl);
    expect(oldLink.status).toBe(410);
    expect(await oldLink.text()).toContain("This card link was replaced");
    expect(oldDownload.status).toBe(410);
    expect(oldToken.status).toBe(401);
    expect(serialsOnDevice.status).toBe(204);
    expect(newPass.serialNumber).toBe(member.memberId);
    expect(newPass.authenticationToken).not.toBe(oldPass.authenticationToken);
    expect(newToken.status).toBe(200);
  });

  it("keeps the member's balance and refuses a member of another program", async () => {
    // Prepare
    const member = await enrollMember(call, shop);
    const other = await openShop(call, richRules, "Other");

    // Act
    const elsewhere = await call("POST", `/v1/programs/${other.programId}/members/${member.memberId}/card`, {
      key: other.merchantKey,
    });
    const byOtherKey = await call("POST", `/v1/programs/${shop.programId}/members/${member.memberId}/card`, {
      key: other.merchantKey,
    });
    const reissued = await call("POST", `/v1/programs/${shop.programId}/members/${member.memberId}/card`);

    // Assess
    expect(elsewhere.status).toBe(404);
    expect(byOtherKey.status).toBe(404);
    expect(reissued.status).toBe(200);
    expect(reissued.body).toMatchObject({ memberId: member.memberId, cardCode: member.cardCode, points: 0 });
  });
});
