import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type Zippable, zipSync } from "fflate";
import { LRUCache } from "lru-cache";
import { PKPass } from "passkit-generator";
import type { AppleCardContent } from "../../domain/pass/apple-card.js";
import type { PassFactory } from "../../domain/ports.js";
import { useOpenSslFor } from "./openssl-signer.js";

/**
 * Signed Apple Wallet passes, built with passkit-generator from a model folder of pass-templates/apple.
 * The model files and the certificates are read and checked once per process; a pass is then built
 * from buffers in memory and signed through OpenSSL (openssl-signer.ts).
 *
 * The last passes signed are kept (up to RECENT_PASS_BYTES): a pass asked for again with the same
 * content — a second device of the same card, a phone fetching a pass whose card did not change —
 * is the same archive, so it is not built and signed again.
 */

const RECENT_PASS_BYTES = 32 * 1024 * 1024;

export interface PassCertificates {
  signerCert: string;
  signerKey: string;
  signerKeyPassphrase?: string;
  wwdr: string;
}

export class PassConfigError extends Error {
  override name = "PassConfigError";
}

/** A PEM value from the environment: the PEM text itself, or the path of a file holding it. */
export const pemFrom = (name: string, value: string | undefined): string => {
  if (value === undefined) throw new PassConfigError(`${name} is not set`);
  if (value.includes("-----BEGIN")) return value.replace(/\\n/g, "\n");
  if (!existsSync(value)) throw new PassConfigError(`${name} names '${value}', which does not exist`);
  const text = readFileSync(value, "utf8");
  if (!text.includes("-----BEGIN")) throw new PassConfigError(`${name}: '${value}' is not a PEM file`);
  return text;
};

/**
 * Checks the certificates as Wallet would, so that a wrong file fails at start with a clear message
 * rather than as a pass an iPhone silently refuses: the key opens and belongs to the certificate, the
 * certificate is in date, issued by the WWDR certificate, and made for this pass type id.
 */
export const checkPassCertificates = (
  certs: PassCertificates,
  passTypeId: string,
  now = new Date(),
): void => {
  let cert: X509Certificate;
  let wwdr: X509Certificate;
  try {
    cert = new X509Certificate(certs.signerCert);
    wwdr = new X509Certificate(certs.wwdr);
  } catch (error) {
    throw new PassConfigError(`a pass certificate cannot be read: ${(error as Error).message}`);
  }
  if (!cert.subject.includes(passTypeId)) {
    throw new PassConfigError(
      `APPLE_PASS_CERT is for '${cert.subject.replace(/\n/g, ", ")}', not for the pass type id '${passTypeId}' (APPLE_PASS_TYPE_ID)`,
    );
  }
  if (Date.parse(cert.validTo) <= now.getTime()) {
    throw new PassConfigError(
      `APPLE_PASS_CERT expired on ${cert.validTo}; renew it in Apple's developer portal`,
    );
  }
  if (!cert.checkIssued(wwdr) || !cert.verify(wwdr.publicKey)) {
    throw new PassConfigError(
      "APPLE_PASS_CERT was not issued by APPLE_WWDR_CERT (use Apple's current WWDR certificate)",
    );
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey({
      key: certs.signerKey,
      format: "pem",
      ...(certs.signerKeyPassphrase !== undefined ? { passphrase: certs.signerKeyPassphrase } : {}),
    });
  } catch (error) {
    throw new PassConfigError(`APPLE_PASS_KEY cannot be opened: ${(error as Error).message}`);
  }
  if (!cert.checkPrivateKey(key))
    throw new PassConfigError("APPLE_PASS_KEY is not the key of APPLE_PASS_CERT");
};

/** Where the models are: CARNET_PASS_TEMPLATES, ./pass-templates (Lambda bundle, `npm start`), or the repo's. */
export const passTemplatesDir = (): string => {
  const candidates = [
    process.env.CARNET_PASS_TEMPLATES,
    join(process.cwd(), "pass-templates"),
    join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "pass-templates"),
  ].filter((d): d is string => d !== undefined);
  const found = candidates.find((d) => existsSync(join(d, "apple")));
  if (!found) throw new PassConfigError(`no pass-templates/apple folder in ${candidates.join(", ")}`);
  return found;
};

/** Every file of a model folder (`<look>.pass`), keyed by its path inside the pass. */
export const readModel = (dir: string): Record<string, Buffer> => {
  if (!existsSync(join(dir, "pass.json"))) throw new PassConfigError(`${dir} has no pass.json`);
  const files: Record<string, Buffer> = {};
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      if (name.startsWith(".")) continue;
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path).split(sep).join("/")] = readFileSync(path);
    }
  };
  walk(dir);
  return files;
};

/**
 * The .pkpass archive. passkit-generator's own zipping (do-not-zip) copies JavaScript arrays for
 * every byte, ≈ 40 ms for a 35 KB pass; it offers `getAsRaw()` precisely to zip elsewhere. fflate
 * stores images as they are (PNG is already compressed) and deflates the JSON.
 */
const zipPass = (files: Readonly<Record<string, Buffer>>): Buffer => {
  const entries: Zippable = {};
  for (const [path, data] of Object.entries(files)) {
    entries[path] = [data, { level: /\.(png|jpe?g)$/i.test(path) ? 0 : 6 }];
  }
  const zipped = zipSync(entries, { mtime: new Date("2020-01-01T00:00:00Z") });
  return Buffer.from(zipped.buffer, zipped.byteOffset, zipped.byteLength);
};

export interface PassIdentity {
  passTypeId: string;
  teamId: string;
}

/** The pass.json properties of a card: its content's, plus identity and web service. */
export const passProps = (
  content: AppleCardContent,
  identity: PassIdentity,
  service: { webServiceUrl: string; authenticationToken: string },
) => {
  const {
    barcode: _barcode,
    locations: _locations,
    expirationDate: _expirationDate,
    headerFields: _header,
    primaryFields: _primary,
    secondaryFields: _secondary,
    auxiliaryFields: _auxiliary,
    backFields: _back,
    ...props
  } = content;
  return {
    ...props,
    passTypeIdentifier: identity.passTypeId,
    teamIdentifier: identity.teamId,
    webServiceURL: service.webServiceUrl,
    authenticationToken: service.authenticationToken,
  };
};

/** Puts a card's fields, barcode, locations and expiration on a pass being built. */
export const fillPass = (pass: PKPass, content: AppleCardContent): void => {
  pass.headerFields.push(...content.headerFields);
  pass.primaryFields.push(...content.primaryFields);
  pass.secondaryFields.push(...content.secondaryFields);
  pass.auxiliaryFields.push(...content.auxiliaryFields);
  pass.backFields.push(...content.backFields);
  pass.setBarcodes(content.barcode);
  if (content.locations.length > 0) pass.setLocations(...content.locations);
  if (content.expirationDate !== undefined) pass.setExpirationDate(new Date(content.expirationDate));
};

export const passFactory = (
  certificates: PassCertificates,
  identity: PassIdentity,
  templatesDir: string,
): PassFactory => {
  checkPassCertificates(certificates, identity.passTypeId);
  useOpenSslFor({
    signerKey: certificates.signerKey,
    ...(certificates.signerKeyPassphrase !== undefined
      ? { passphrase: certificates.signerKeyPassphrase }
      : {}),
    certs: [certificates.signerCert, certificates.wwdr],
  });
  const models = new Map<string, Record<string, Buffer>>();
  const model = (look: string) => {
    let files = models.get(look);
    if (!files) {
      files = readModel(join(templatesDir, "apple", `${look}.pass`));
      models.set(look, files);
    }
    return files;
  };
  const recent = new LRUCache<string, Buffer>({
    maxSize: RECENT_PASS_BYTES,
    sizeCalculation: (pass) => pass.length,
  });
  return {
    render(look, content, service) {
      const key = createHash("sha256")
        .update(JSON.stringify([look, content, service]))
        .digest("base64");
      const known = recent.get(key);
      if (known) return known;
      const pass = new PKPass(model(look), certificates, passProps(content, identity, service));
      fillPass(pass, content);
      const archive = zipPass(pass.getAsRaw());
      recent.set(key, archive);
      return archive;
    },
  };
};
