import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import forge from "node-forge";

/**
 * Development-only certificates, so that Carnet signs real passes and speaks real mutual TLS on a
 * laptop and in tests without an Apple developer account. The chain mirrors Apple's:
 *
 *   "Carnet DEVELOPMENT Root CA"  (stands in for the Apple Root CA)
 *     └─ "Carnet DEVELOPMENT WWDR stand-in"  (stands in for Apple's WWDR intermediate)
 *          └─ "Pass Type ID: <passTypeId>"  (the signer of passes and the APNs client certificate)
 *   "Carnet DEVELOPMENT Root CA"
 *     └─ "localhost"  (the server certificate of the local APNs stand-in)
 *
 * Every subject says DEVELOPMENT: iPhones do not trust these, and Apple's servers refuse them. Real
 * certificates come from APPLE_PASS_CERT / APPLE_PASS_KEY / APPLE_WWDR_CERT.
 *
 * Keys come from node:crypto (OpenSSL, milliseconds); node-forge only assembles and signs the X.509
 * structures, which node:crypto cannot build.
 */

export interface DevCertificates {
  dir: string;
  /** The root to trust when verifying pass signatures and the APNs stand-in (APNS_CA_FILE). */
  caCert: string;
  wwdrCert: string;
  passCert: string;
  passKey: string;
  serverCert: string;
  serverKey: string;
  passTypeId: string;
  teamId: string;
}

export const DEV_PASS_TYPE_ID = "pass.dev.carnet.local";
export const DEV_TEAM_ID = "DEVTEAM000";

const FILES = {
  caCert: "dev-root-ca.pem",
  wwdrCert: "dev-wwdr.pem",
  passCert: "dev-pass-type-id.pem",
  passKey: "dev-pass-type-id.key",
  serverCert: "dev-apns-localhost.pem",
  serverKey: "dev-apns-localhost.key",
} as const;

const rsaKeys = () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return {
    pem: privateKey,
    forgePrivate: forge.pki.privateKeyFromPem(privateKey),
    forgePublic: forge.pki.publicKeyFromPem(publicKey),
  };
};

type Keys = ReturnType<typeof rsaKeys>;

const issue = (options: {
  subject: forge.pki.CertificateField[];
  keys: Keys;
  issuer?: { cert: forge.pki.Certificate; keys: Keys };
  extensions: object[];
  years: number;
}): forge.pki.Certificate => {
  const cert = forge.pki.createCertificate();
  cert.publicKey = options.keys.forgePublic;
  cert.serialNumber = `01${randomBytes(15).toString("hex")}`;
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + options.years * 365 * 24 * 60 * 60 * 1000);
  cert.setSubject(options.subject);
  cert.setIssuer(options.issuer ? options.issuer.cert.subject.attributes : options.subject);
  cert.setExtensions([...options.extensions, { name: "subjectKeyIdentifier" }]);
  cert.sign(
    options.issuer ? options.issuer.keys.forgePrivate : options.keys.forgePrivate,
    forge.md.sha256.create(),
  );
  return cert;
};

const ca = (pathLen: number) => [
  { name: "basicConstraints", cA: true, pathLenConstraint: pathLen, critical: true },
  { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
];

/** Generates the whole development chain (≈ 0.3 s: four RSA keys). */
export const generateDevCertificates = (
  passTypeId = DEV_PASS_TYPE_ID,
  teamId = DEV_TEAM_ID,
): Omit<DevCertificates, "dir"> => {
  const caKeys = rsaKeys();
  const root = issue({
    subject: [
      { name: "commonName", value: "Carnet DEVELOPMENT Root CA - not trusted by any device" },
      { name: "organizationName", value: "Carnet (development only)" },
    ],
    keys: caKeys,
    extensions: ca(1),
    years: 10,
  });
  const wwdrKeys = rsaKeys();
  const wwdr = issue({
    subject: [
      { name: "commonName", value: "Carnet DEVELOPMENT WWDR stand-in - not Apple" },
      { name: "organizationName", value: "Carnet (development only)" },
    ],
    keys: wwdrKeys,
    issuer: { cert: root, keys: caKeys },
    extensions: ca(0),
    years: 10,
  });
  const passKeys = rsaKeys();
  const pass = issue({
    subject: [
      { name: "commonName", value: `Pass Type ID: ${passTypeId}` },
      { type: "0.9.2342.19200300.100.1.1", value: passTypeId }, // UID, as in Apple's certificates
      { name: "organizationalUnitName", value: teamId },
      { name: "organizationName", value: "Carnet (development only)" },
    ],
    keys: passKeys,
    issuer: { cert: wwdr, keys: wwdrKeys },
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", clientAuth: true, emailProtection: true },
    ],
    years: 5,
  });
  const serverKeys = rsaKeys();
  const server = issue({
    subject: [
      { name: "commonName", value: "localhost" },
      { name: "organizationName", value: "Carnet DEVELOPMENT APNs stand-in" },
    ],
    keys: serverKeys,
    issuer: { cert: root, keys: caKeys },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
    years: 5,
  });
  return {
    caCert: forge.pki.certificateToPem(root),
    wwdrCert: forge.pki.certificateToPem(wwdr),
    passCert: forge.pki.certificateToPem(pass),
    passKey: passKeys.pem,
    serverCert: forge.pki.certificateToPem(server),
    serverKey: serverKeys.pem,
    passTypeId,
    teamId,
  };
};

/**
 * The development certificates kept in `dir` (created on first use). Another pass type id than the
 * one they were made for makes new ones, since the pass type id is written into the certificate.
 */
export const ensureDevCertificates = (
  dir: string,
  passTypeId = DEV_PASS_TYPE_ID,
  teamId = DEV_TEAM_ID,
): DevCertificates & { created: boolean } => {
  const identity = join(dir, "identity.json");
  const wanted = JSON.stringify({ passTypeId, teamId });
  const complete = Object.values(FILES).every((file) => existsSync(join(dir, file)));
  if (complete && existsSync(identity) && readFileSync(identity, "utf8") === wanted) {
    const read = (file: string) => readFileSync(join(dir, file), "utf8");
    return {
      dir,
      created: false,
      passTypeId,
      teamId,
      ...(Object.fromEntries(Object.entries(FILES).map(([k, file]) => [k, read(file)])) as Record<
        keyof typeof FILES,
        string
      >),
    };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certs = generateDevCertificates(passTypeId, teamId);
  for (const [key, file] of Object.entries(FILES)) {
    writeFileSync(join(dir, file), certs[key as keyof typeof FILES], { mode: 0o600 });
  }
  writeFileSync(
    join(dir, "README.txt"),
    "DEVELOPMENT-ONLY certificates generated by Carnet. No iPhone trusts them and Apple's push\n" +
      "service refuses them. Delete this folder to generate new ones. Never use them in production:\n" +
      "set APPLE_PASS_CERT, APPLE_PASS_KEY and APPLE_WWDR_CERT to your real Pass Type ID files.\n",
  );
  writeFileSync(identity, wanted);
  return { dir, created: true, ...certs };
};

/** The environment that points Carnet at development certificates kept in `dir`. */
export const devCertificateEnv = (certs: DevCertificates): Record<string, string> => ({
  APPLE_PASS_TYPE_ID: certs.passTypeId,
  APPLE_TEAM_ID: certs.teamId,
  APPLE_PASS_CERT: join(certs.dir, FILES.passCert),
  APPLE_PASS_KEY: join(certs.dir, FILES.passKey),
  APPLE_WWDR_CERT: join(certs.dir, FILES.wwdrCert),
  APPLE_CERTS_DEVELOPMENT: "1",
});

export const DEV_CERT_FILES = FILES;
