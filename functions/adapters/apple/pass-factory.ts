import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type Zippable, zipSync } from "fflate";
import { LRUCache } from "lru-cache";
import { PKPass } from "passkit-generator";
import type { AppleCardContent } from "../../domain/pass/apple-card.js";
import type { PassFactory } from "../../domain/ports.js";
import { type PassSigner, passSigner } from "./pass-signature.js";

/**
 * Signed Apple Wallet passes from a model folder of pass-templates/apple. The model files and the
 * certificates are read and checked once per process. passkit-generator, through its public API
 * only, gives a pass its content: it validates the model's pass.json and the props, takes the fields
 * and gives back `pass.props`, which is what it would write as pass.json. This file then writes the
 * pass itself: pass.json, the model's other files as they are, manifest.json (SHA-1 of each file)
 * and the signature (pass-signature.ts: CMS from @peculiar/asn1-cms, RSA by OpenSSL). passkit-generator
 * never signs here (its getAsRaw/getAsBuffer would, with node-forge's pure-JavaScript RSA).
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

/** A model as the factory uses it: all its files for passkit-generator, and what goes into every pass. */
interface Model {
  /** Every file of the model folder, given to passkit-generator (which reads pass.json from them). */
  files: Record<string, Buffer>;
  /** The files copied into every pass as they are, with their SHA-1 (hex) for the manifest. */
  assets: Record<string, { data: Buffer; sha1: string }>;
}

/** Written for each pass, never taken from the model (passkit-generator ignores them too). */
const WRITTEN_PER_PASS = new Set(["pass.json", "manifest.json", "signature"]);

const sha1Hex = (data: Buffer): string => createHash("sha1").update(data).digest("hex");

const modelOf = (files: Record<string, Buffer>): Model => ({
  files,
  assets: Object.fromEntries(
    Object.entries(files)
      // passkit-generator drops empty files; *.lproj/pass.strings are copied as they are.
      .filter(([path, data]) => !WRITTEN_PER_PASS.has(path) && data.length > 0)
      .map(([path, data]) => [path, { data, sha1: sha1Hex(data) }]),
  ),
});

/**
 * The files of a signed pass: the model's, pass.json, manifest.json — `{ path: sha1 hex }` of every
 * other file, as passkit-generator writes it — and the detached signature over manifest.json.
 */
const signedPassFiles = (
  assets: Model["assets"],
  passJson: Buffer,
  signer: PassSigner,
): Record<string, Buffer> => {
  const files: Record<string, Buffer> = {};
  const manifest: Record<string, string> = {};
  for (const [path, asset] of Object.entries(assets)) {
    files[path] = asset.data;
    manifest[path] = asset.sha1;
  }
  files["pass.json"] = passJson;
  manifest["pass.json"] = sha1Hex(passJson);
  const manifestJson = Buffer.from(JSON.stringify(manifest));
  files["manifest.json"] = manifestJson;
  files.signature = signer.sign(manifestJson);
  return files;
};

export interface PassIdentity {
  passTypeId: string;
  teamId: string;
}

/**
 * The pass.json properties of a card: its content's (`maxDistance` among them: passkit-generator takes
 * it as a prop), plus identity and web service. What passkit-generator sets through its own methods
 * (fillPass) is left out: it would drop it from the props.
 */
export const passProps = (
  content: AppleCardContent,
  identity: PassIdentity,
  service: { webServiceUrl: string; authenticationToken: string },
) => {
  const {
    barcode: _barcode,
    locations: _locations,
    beacons: _beacons,
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

/** Puts a card's fields, barcode, locations, beacons and expiration on a pass being built. */
export const fillPass = (pass: PKPass, content: AppleCardContent): void => {
  pass.headerFields.push(...content.headerFields);
  pass.primaryFields.push(...content.primaryFields);
  pass.secondaryFields.push(...content.secondaryFields);
  pass.auxiliaryFields.push(...content.auxiliaryFields);
  pass.backFields.push(...content.backFields);
  pass.setBarcodes(content.barcode);
  if (content.locations.length > 0) pass.setLocations(...content.locations);
  if (content.beacons.length > 0) pass.setBeacons(...content.beacons);
  if (content.expirationDate !== undefined) pass.setExpirationDate(new Date(content.expirationDate));
};

export const passFactory = (
  certificates: PassCertificates,
  identity: PassIdentity,
  templatesDir: string,
): PassFactory => {
  checkPassCertificates(certificates, identity.passTypeId);
  const signer = passSigner(certificates);
  const models = new Map<string, Model>();
  const model = (look: string) => {
    let found = models.get(look);
    if (!found) {
      found = modelOf(readModel(join(templatesDir, "apple", `${look}.pass`)));
      models.set(look, found);
    }
    return found;
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
      const { files, assets } = model(look);
      // No certificates: this PKPass is never closed, so it never signs.
      const pass = new PKPass(files, undefined, passProps(content, identity, service));
      fillPass(pass, content);
      // Translations given to pass.localize() would be written by passkit-generator's close step only;
      // the model's *.lproj/pass.strings are copied as they are.
      const strings = Object.keys(assets).filter((path) => path.endsWith(".lproj/pass.strings"));
      const unwritten = pass.languages.filter(
        (lang) => !strings.some((path) => path.endsWith(`${lang}.lproj/pass.strings`)),
      );
      if (unwritten.length > 0) throw new Error(`translations for ${unwritten.join(", ")} would be lost`);
      // `props` = the props with the pass type's fields merged: the pass.json passkit-generator writes.
      const archive = zipPass(signedPassFiles(assets, Buffer.from(JSON.stringify(pass.props)), signer));
      recent.set(key, archive);
      return archive;
    },
  };
};
