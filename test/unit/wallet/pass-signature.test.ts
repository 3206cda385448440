import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { ContentInfo, id_messageDigest, SignedData } from "@peculiar/asn1-cms";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { afterAll, describe, expect, it } from "vitest";
import { passSigner } from "../../../functions/adapters/apple/pass-signature.js";
import { cmsPrint, cmsVerify, unitTestCertificates } from "../../support/pkpass.js";

/** The `signature` file of a pass: a detached CMS SignedData over manifest.json, as Wallet checks it. */

const { certs, caFile, remove } = unitTestCertificates();
afterAll(remove);

const certificates = { signerCert: certs.passCert, signerKey: certs.passKey, wwdr: certs.wwdrCert };
const manifest = Buffer.from(JSON.stringify({ "pass.json": "0".repeat(40), "icon.png": "1".repeat(40) }));

/** What OpenSSL prints under one heading of `openssl cms -cmsout -print`, up to the next one. */
const section = (printed: string, heading: string, next: string): string =>
  printed.slice(printed.indexOf(heading), printed.indexOf(next, printed.indexOf(heading)));

describe("the signature of a pass", () => {
  it("is a SHA-1, RSA signature with the contentType, signingTime and messageDigest attributes", () => {
    // Prepare
    const signer = passSigner(certificates);

    // Act
    const signature = signer.sign(manifest, new Date("2026-06-15T10:00:00Z"));

    // Assess
    cmsVerify(signature, manifest, caFile);
    const printed = cmsPrint(signature);
    const signerInfo = printed.slice(printed.indexOf("signerInfos:"));
    expect(printed).toMatch(/digestAlgorithms:\s+algorithm: sha1 \(1\.3\.14\.3\.2\.26\)/);
    expect(printed).toMatch(/eContentType: pkcs7-data[^\n]*\n\s+eContent: <ABSENT>/);
    expect(signerInfo).toMatch(/d\.issuerAndSerialNumber:/);
    expect(signerInfo).toMatch(/digestAlgorithm:\s+algorithm: sha1 \(1\.3\.14\.3\.2\.26\)/);
    expect(signerInfo).toMatch(
      /signatureAlgorithm:\s+algorithm: rsaEncryption \(1\.2\.840\.113549\.1\.1\.1\)/,
    );
    const attributes = section(signerInfo, "signedAttrs:", "signatureAlgorithm:");
    expect([...attributes.matchAll(/object: (\w+) \(/g)].map((m) => m[1])).toEqual([
      "contentType",
      "signingTime",
      "messageDigest",
    ]);
    expect(attributes).toMatch(/OBJECT:pkcs7-data/);
    expect(attributes).toMatch(/UTCTIME:Jun 15 10:00:00 2026 GMT/);
  });

  it("carries the manifest's SHA-1, and the WWDR and signer certificates exactly as given", () => {
    // Prepare
    const signer = passSigner(certificates);

    // Act
    const signature = signer.sign(manifest);

    // Assess
    const signedData = AsnConvert.parse(AsnConvert.parse(signature, ContentInfo).content, SignedData);
    const digest = signedData.signerInfos[0]?.signedAttrs?.find((a) => a.attrType === id_messageDigest);
    const digestValue = AsnConvert.parse(digest?.attrValues[0] ?? new ArrayBuffer(0), OctetString);
    expect(Buffer.from(digestValue.buffer)).toEqual(createHash("sha1").update(manifest).digest());
    expect(
      (signedData.certificates ?? []).map((c) => Buffer.from(AsnConvert.serialize(c.certificate))),
    ).toEqual([new X509Certificate(certs.wwdrCert).raw, new X509Certificate(certs.passCert).raw]);
  });

  it("is refused by OpenSSL for any other manifest", () => {
    // Prepare
    const signature = passSigner(certificates).sign(manifest);
    const changed = Buffer.from(manifest.toString().replace("0000", "0001"));

    // Act + Assess
    expect(() => cmsVerify(signature, changed, caFile)).toThrow();
  });

  it("opens a key encrypted with a passphrase, and refuses a wrong passphrase", () => {
    // Prepare
    const encrypted = createPrivateKey(certs.passKey).export({
      type: "pkcs8",
      format: "pem",
      cipher: "aes-256-cbc",
      passphrase: "a passphrase",
    }) as string;

    // Act
    const signature = passSigner({
      ...certificates,
      signerKey: encrypted,
      signerKeyPassphrase: "a passphrase",
    }).sign(manifest);

    // Assess
    cmsVerify(signature, manifest, caFile);
    expect(() =>
      passSigner({ ...certificates, signerKey: encrypted, signerKeyPassphrase: "wrong" }),
    ).toThrow();
  });

  it("keeps a signing time after 2049, as a GeneralizedTime", () => {
    // Prepare
    const signer = passSigner(certificates);

    // Act
    const signature = signer.sign(manifest, new Date("2051-01-02T03:04:05Z"));

    // Assess
    cmsVerify(signature, manifest, caFile);
    expect(cmsPrint(signature)).toMatch(/GENERALIZEDTIME:Jan {2}2 03:04:05 2051 GMT/);
  });
});
