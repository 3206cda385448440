import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_SAVE_URL_JWT_LENGTH, saveUrl } from "../../functions/adapters/google/save-link.js";
import { testServiceAccount } from "../support/google-service-account.js";

const account = testServiceAccount("carnet-save-link");
const OBJECT_ID = "3388000000012345678.mbr_0123456789abcdef-g3";
const ORIGINS = ["https://loyalty.example.com"];
const NOW = new Date("2031-01-01T12:00:00.000Z");

/** The three parts of the link's JWT. */
const parts = (url: string) => {
  const jwt = url.slice("https://pay.google.com/gp/v/save/".length);
  const [header = "", claims = "", signature = ""] = jwt.split(".");
  const decode = (part: string): unknown => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  return { jwt, header, claims, signature, decoded: { header: decode(header), claims: decode(claims) } };
};

const signedBy = (publicKeyPem: string, signingInput: string, signature: string) =>
  verify(
    "sha256",
    Buffer.from(signingInput),
    createPublicKey(publicKeyPem),
    Buffer.from(signature, "base64url"),
  );

describe("the Add to Google Wallet save link", () => {
  it("is a skinny RS256 JWT naming the object by id only, with exactly Google's claims", () => {
    // Act
    const url = saveUrl({
      serviceAccount: account.serviceAccount,
      objectId: OBJECT_ID,
      origins: ORIGINS,
      now: NOW,
    });

    // Assess
    expect(url.startsWith("https://pay.google.com/gp/v/save/")).toBe(true);
    const { decoded } = parts(url);
    expect(decoded.header).toEqual({ alg: "RS256", typ: "JWT", kid: account.serviceAccount.private_key_id });
    expect(decoded.claims).toEqual({
      iss: account.serviceAccount.client_email,
      aud: "google",
      typ: "savetowallet",
      iat: NOW.getTime() / 1000,
      origins: ORIGINS,
      payload: { loyaltyObjects: [{ id: OBJECT_ID }] },
    });
  });

  it("is signed by the service account's key, in base64url without padding", () => {
    // Act
    const { jwt, header, claims, signature } = parts(
      saveUrl({ serviceAccount: account.serviceAccount, objectId: OBJECT_ID, origins: ORIGINS, now: NOW }),
    );

    // Assess
    expect(jwt).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(signedBy(account.publicKeyPem, `${header}.${claims}`, signature)).toBe(true);
  });

  it("fails verification when forged: other claims, or another key's signature", () => {
    // Prepare
    const genuine = parts(
      saveUrl({ serviceAccount: account.serviceAccount, objectId: OBJECT_ID, origins: ORIGINS }),
    );
    const other = testServiceAccount("someone-else");
    const forgedClaims = Buffer.from(
      JSON.stringify({
        ...(genuine.decoded.claims as object),
        payload: { loyaltyObjects: [{ id: `${OBJECT_ID}x` }] },
      }),
    ).toString("base64url");
    const signedByOther = parts(
      saveUrl({ serviceAccount: other.serviceAccount, objectId: OBJECT_ID, origins: ORIGINS }),
    );

    // Act
    const tampered = signedBy(account.publicKeyPem, `${genuine.header}.${forgedClaims}`, genuine.signature);
    const wrongKey = signedBy(
      account.publicKeyPem,
      `${signedByOther.header}.${signedByOther.claims}`,
      signedByOther.signature,
    );

    // Assess
    expect(tampered).toBe(false);
    expect(wrongKey).toBe(false);
  });

  it("leaves kid out when the key has no id", () => {
    // Prepare
    const { private_key_id: _, ...withoutKeyId } = account.serviceAccount;

    // Act
    const { decoded } = parts(
      saveUrl({ serviceAccount: withoutKeyId, objectId: OBJECT_ID, origins: ORIGINS }),
    );

    // Assess
    expect(decoded.header).toEqual({ alg: "RS256", typ: "JWT" });
  });

  it("stays under the length limit for a realistic object id and origin", () => {
    // Act
    const { jwt } = parts(
      saveUrl({ serviceAccount: account.serviceAccount, objectId: OBJECT_ID, origins: ORIGINS }),
    );

    // Assess
    expect(MAX_SAVE_URL_JWT_LENGTH).toBe(1800);
    expect(jwt.length).toBeLessThan(MAX_SAVE_URL_JWT_LENGTH);
  });

  it("refuses to make a link whose JWT would be longer than the limit", () => {
    // Prepare
    const origins = Array.from({ length: 40 }, (_, i) => `https://shop-${i}.loyalty.example.com`);

    // Act
    const make = () => saveUrl({ serviceAccount: account.serviceAccount, objectId: OBJECT_ID, origins });

    // Assess
    expect(make).toThrow(/more than 1800/);
  });
});
