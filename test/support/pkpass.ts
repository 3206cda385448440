import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { DEV_CERT_FILES, type DevCertificates, ensureDevCertificates } from "../../local/dev-certs.js";

/** A downloaded pass, opened as Wallet opens it. */
export interface OpenedPass {
  files: Record<string, Buffer>;
  pass: any;
  manifest: Record<string, string>;
}

export const openPass = (archive: Buffer): OpenedPass => {
  const files = Object.fromEntries(
    Object.entries(unzipSync(new Uint8Array(archive))).map(([name, data]) => [name, Buffer.from(data)]),
  );
  const json = (name: string) => JSON.parse(files[name]?.toString("utf8") ?? "null");
  return { files, pass: json("pass.json"), manifest: json("manifest.json") };
};

/**
 * Development certificates of its own for a test file that runs without the global setup (the unit
 * tests), in a temporary folder; `remove` deletes it.
 */
export const unitTestCertificates = (): { certs: DevCertificates; caFile: string; remove: () => void } => {
  const certs = ensureDevCertificates(mkdtempSync(join(tmpdir(), "carnet-unit-certs-")));
  return {
    certs,
    caFile: join(certs.dir, DEV_CERT_FILES.caCert),
    remove: () => rmSync(certs.dir, { recursive: true, force: true }),
  };
};

/** `openssl cms -cmsout -print` of a DER signature: the CMS structure as OpenSSL reads it. */
export const cmsPrint = (signature: Buffer): string => {
  const dir = mkdtempSync(join(tmpdir(), "carnet-pass-"));
  try {
    writeFileSync(join(dir, "signature"), signature);
    return execFileSync(
      "openssl",
      ["cms", "-cmsout", "-print", "-inform", "DER", "-in", join(dir, "signature")],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** `openssl cms -verify` of a detached signature over a manifest; throws with OpenSSL's words. */
export const cmsVerify = (signature: Buffer, manifest: Buffer, caFile: string): void => {
  const dir = mkdtempSync(join(tmpdir(), "carnet-pass-"));
  try {
    writeFileSync(join(dir, "signature"), signature);
    writeFileSync(join(dir, "manifest.json"), manifest);
    execFileSync(
      "openssl",
      [
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        join(dir, "signature"),
        "-content",
        join(dir, "manifest.json"),
        "-CAfile",
        caFile,
        "-purpose",
        "any",
        "-out",
        "/dev/null",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/**
 * What an iPhone checks before accepting a pass: `openssl cms -verify` of the detached signature over
 * manifest.json against the given root CA, and every file's SHA-1 in the manifest. Throws on any
 * mismatch, with OpenSSL's own words.
 */
export const verifyPass = (archive: Buffer, caFile: string): OpenedPass => {
  const opened = openPass(archive);
  const signature = opened.files.signature;
  const manifest = opened.files["manifest.json"];
  if (!signature || !manifest) throw new Error("the pass has no signature or no manifest.json");
  cmsVerify(signature, manifest, caFile);
  const listed = Object.keys(opened.manifest).sort();
  const present = Object.keys(opened.files)
    .filter((f) => f !== "manifest.json" && f !== "signature")
    .sort();
  if (JSON.stringify(listed) !== JSON.stringify(present)) {
    throw new Error(`manifest lists ${listed.join(",")} but the pass holds ${present.join(",")}`);
  }
  for (const [name, hash] of Object.entries(opened.manifest)) {
    const actual = createHash("sha1")
      .update(opened.files[name] ?? Buffer.alloc(0))
      .digest("hex");
    if (actual !== hash) throw new Error(`manifest hash of ${name} is ${hash}, the file's is ${actual}`);
  }
  return opened;
};
