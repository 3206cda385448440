import { createHash, createPrivateKey, type KeyObject, sign, X509Certificate } from "node:crypto";
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  id_contentType,
  id_data,
  id_messageDigest,
  id_signedData,
  id_signingTime,
  MessageDigest,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  SigningTime,
} from "@peculiar/asn1-cms";
import {
  AsnArray,
  AsnConvert,
  AsnObjectIdentifierConverter,
  AsnType,
  AsnTypeTypes,
  OctetString,
} from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";

/**
 * The `signature` file of a pass: a detached CMS SignedData (PKCS #7, RFC 5652) over manifest.json,
 * with the structure passkit-generator's Signature.create gives it through node-forge — SHA-1 digest;
 * signed attributes contentType (data), messageDigest and signingTime; the WWDR and the signer
 * certificates; the signer identified by issuer and serial number; an RSASSA-PKCS1-v1_5 signature
 * (rsaEncryption). The ASN.1 comes from @peculiar/asn1-cms, the digest and the RSA signature from
 * node:crypto (OpenSSL): no node-forge, nothing patched; ≈ 0.5–1 ms a signature, most of it the RSA
 * operation, where forge's pure-JavaScript RSA took ≈ 25 ms. The tests check every pass they sign
 * with `openssl cms -verify`.
 *
 * Two differences from forge's bytes, neither visible to a verifier: the signed attributes are in
 * DER order (a SET OF sorted by encoding, X.690 §11.6; forge keeps insertion order), and the
 * certificates are embedded as they were given rather than re-encoded by forge.
 */

const OID_SHA1 = "1.3.14.3.2.26";
const OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1";

export interface SignerCertificates {
  /** PEM of the Pass Type ID certificate. */
  signerCert: string;
  /** PEM of its RSA private key, encrypted or not. */
  signerKey: string;
  signerKeyPassphrase?: string;
  /** PEM of Apple's WWDR intermediate certificate that issued signerCert. */
  wwdr: string;
}

/**
 * The signed attributes as the SET OF that is signed (RFC 5652 §5.4): in SignerInfo the same
 * attributes are tagged [0] IMPLICIT, but the signature covers their DER with the SET OF tag.
 */
class SignedAttributesSet extends AsnArray<Attribute> {}
AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })(SignedAttributesSet);

const der = (value: unknown): Buffer => Buffer.from(AsnConvert.serialize(value));
const sha1 = (): DigestAlgorithmIdentifier =>
  new DigestAlgorithmIdentifier({ algorithm: OID_SHA1, parameters: null });
const DATA_OID_DER: ArrayBuffer = AsnObjectIdentifierConverter.toASN(id_data).toBER(false);

/** A certificate parsed once, checked to encode back to exactly its own bytes. */
const parsedCertificate = (pem: string, what: string): Certificate => {
  const raw = new X509Certificate(pem).raw;
  const cert = AsnConvert.parse(raw, Certificate);
  if (!der(cert).equals(raw)) {
    throw new Error(
      `${what} does not encode back to its own DER bytes; it cannot be embedded in a pass signature`,
    );
  }
  return cert;
};

export interface PassSigner {
  /** The DER `signature` file for these manifest.json bytes. */
  sign(manifest: Buffer, signingTime?: Date): Buffer;
}

/**
 * Opens the key and parses the certificates once. Then, since every SignerInfo of this signer has
 * the same length (SHA-1 digest, UTCTime, RSA signature of the modulus' size), the whole ContentInfo
 * is encoded once with a stand-in SignerInfo, and each signature only encodes its own SignerInfo and
 * puts it in place of the stand-in: encoding the two certificates again for every pass would cost
 * more than the RSA signature itself. A SignerInfo of another length (a signing time after 2049, as
 * GeneralizedTime) takes the whole encoding instead.
 */
export const passSigner = (certificates: SignerCertificates): PassSigner => {
  const key: KeyObject = createPrivateKey({
    key: certificates.signerKey,
    format: "pem",
    ...(certificates.signerKeyPassphrase !== undefined
      ? { passphrase: certificates.signerKeyPassphrase }
      : {}),
  });
  if (key.asymmetricKeyType !== "rsa") throw new Error("the Pass Type ID key must be an RSA key");
  const signer = parsedCertificate(certificates.signerCert, "the Pass Type ID certificate");
  const wwdr = parsedCertificate(certificates.wwdr, "the WWDR certificate");
  const sid = new SignerIdentifier({
    issuerAndSerialNumber: new IssuerAndSerialNumber({
      issuer: signer.tbsCertificate.issuer,
      serialNumber: signer.tbsCertificate.serialNumber,
    }),
  });
  const certificateSet = new CertificateSet([
    new CertificateChoices({ certificate: wwdr }),
    new CertificateChoices({ certificate: signer }),
  ]);

  /** The SignerInfo, whose signature covers the DER of its signed attributes as a SET OF. */
  const signerInfo = (manifestDigest: Buffer, signingTime: Date, signature: (signed: Buffer) => Buffer) => {
    // In DER order (a SET OF is sorted by encoding): every attribute is a SEQUENCE, so their lengths
    // order them, and those are fixed — contentType 24 bytes, signingTime 28 (UTCTime) or 30
    // (GeneralizedTime), messageDigest 35 (SHA-1).
    const attributes = [
      new Attribute({ attrType: id_contentType, attrValues: [DATA_OID_DER] }),
      new Attribute({
        attrType: id_signingTime,
        attrValues: [AsnConvert.serialize(new SigningTime(signingTime))],
      }),
      new Attribute({
        attrType: id_messageDigest,
        attrValues: [AsnConvert.serialize(new MessageDigest(manifestDigest))],
      }),
    ];
    return new SignerInfo({
      version: CMSVersion.v1,
      sid,
      digestAlgorithm: sha1(),
      signedAttrs: attributes,
      signatureAlgorithm: new SignatureAlgorithmIdentifier({
        algorithm: OID_RSA_ENCRYPTION,
        parameters: null,
      }),
      signature: new OctetString(signature(der(new SignedAttributesSet(attributes)))),
    });
  };
  const contentInfo = (info: SignerInfo): Buffer => {
    const signedData = new SignedData({
      version: CMSVersion.v1,
      digestAlgorithms: new DigestAlgorithmIdentifiers([sha1()]),
      encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
      certificates: certificateSet,
      signerInfos: new SignerInfos([info]),
    });
    return der(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) }));
  };

  // The stand-in: a signature of the right length, and a digest no manifest has.
  const signatureLength = sign("sha1", Buffer.alloc(0), key).length;
  const standIn = der(
    signerInfo(Buffer.alloc(20, 0xa5), new Date(), () => Buffer.alloc(signatureLength, 0xa5)),
  );
  const template = contentInfo(AsnConvert.parse(standIn, SignerInfo));
  const offset = template.indexOf(standIn);
  if (offset < 0 || template.lastIndexOf(standIn) !== offset) {
    throw new Error("the pass signature template has no single place for its SignerInfo");
  }

  return {
    sign(manifest, signingTime = new Date()) {
      const info = signerInfo(createHash("sha1").update(manifest).digest(), signingTime, (signed) =>
        sign("sha1", signed, key),
      );
      const encoded = der(info);
      if (encoded.length !== standIn.length) return contentInfo(info);
      const signature = Buffer.from(template);
      encoded.copy(signature, offset);
      return signature;
    },
  };
};
