import { constants, createPrivateKey, type KeyObject, privateEncrypt } from "node:crypto";
import forge from "node-forge";

/**
 * passkit-generator signs the manifest with node-forge's PKCS #7 code, whose RSA signature is pure
 * JavaScript: ≈ 25 ms of the ≈ 28 ms a pass costs. This module keeps passkit-generator's whole CMS
 * structure (forge builds and encodes it) and hands only the RSA private-key operation to OpenSSL
 * through node:crypto (≈ 0.3 ms). The output is byte-for-byte what forge would produce, since
 * RSASSA-PKCS1-v1_5 is deterministic; `openssl cms -verify` checks every pass in the tests.
 *
 * How: passkit-generator turns the PEM key into a forge key with `forge.pki.decryptRsaPrivateKey`
 * on every pass. For the one key registered here, that call returns (from a cache, skipping forge's
 * slow key parsing too) a forge-compatible key object whose `sign(md)` runs in OpenSSL. Every other
 * key goes to forge untouched. Certificates parsed from PEM are cached the same way. No library
 * offers this hook; the alternative, re-implementing passkit-generator's bundle and manifest around
 * a CMS library, would be far more hand-written code.
 */

interface SignerKey {
  sign(md: forge.md.MessageDigest, scheme?: string): string;
}

const fastKeys = new Map<string, SignerKey>();
const certificates = new Map<string, forge.pki.Certificate>();
let installed = false;

const { asn1 } = forge;

/** DER DigestInfo (RFC 8017 §9.2) of a finished forge digest: what RSASSA-PKCS1-v1_5 encrypts. */
const digestInfo = (md: forge.md.MessageDigest): Buffer => {
  const oid = (forge.pki.oids as Record<string, string>)[md.algorithm];
  if (!oid) throw new Error(`unsupported digest algorithm ${md.algorithm}`);
  const der = asn1
    .toDer(
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ""),
        ]),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, md.digest().getBytes()),
      ]),
    )
    .getBytes();
  return Buffer.from(der, "binary");
};

const openSslKey = (key: KeyObject): SignerKey => ({
  sign(md, scheme = "RSASSA-PKCS1-V1_5") {
    if (scheme !== "RSASSA-PKCS1-V1_5") throw new Error(`unsupported signature scheme ${scheme}`);
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo(md)).toString("binary");
  },
});

const install = () => {
  if (installed) return;
  installed = true;
  const pki = forge.pki as unknown as {
    decryptRsaPrivateKey: (pem: string, password?: string) => unknown;
    certificateFromPem: (pem: string, ...rest: unknown[]) => forge.pki.Certificate;
  };
  const decrypt = pki.decryptRsaPrivateKey.bind(forge.pki);
  pki.decryptRsaPrivateKey = (pem, password) => fastKeys.get(pem) ?? decrypt(pem, password);
  const parse = pki.certificateFromPem.bind(forge.pki);
  pki.certificateFromPem = (pem, ...rest) => certificates.get(pem) ?? parse(pem, ...rest);
};

/**
 * Makes passkit-generator sign with OpenSSL whenever it is given exactly these PEM texts. Returns
 * the key object, which also checks here that the key opens with the passphrase given.
 */
export const useOpenSslFor = (pem: { signerKey: string; passphrase?: string; certs: string[] }): void => {
  install();
  const key = createPrivateKey({
    key: pem.signerKey,
    format: "pem",
    ...(pem.passphrase !== undefined ? { passphrase: pem.passphrase } : {}),
  });
  if (key.asymmetricKeyType !== "rsa") throw new Error("the Pass Type ID key must be an RSA key");
  fastKeys.set(pem.signerKey, openSslKey(key));
  for (const cert of pem.certs) certificates.set(cert, forge.pki.certificateFromPem(cert));
};
