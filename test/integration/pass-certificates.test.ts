import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkPassCertificates,
  passFactory,
  passTemplatesDir,
} from "../../functions/adapters/apple/pass-factory.js";
import { ProgramInput } from "../../functions/api/schemas.js";
import { appleCardContent } from "../../functions/domain/pass/apple-card.js";
import { newProgram } from "../../functions/domain/program.js";
import { DEV_CERT_FILES, generateDevCertificates } from "../../local/dev-certs.js";
import { cmsVerify, verifyPass } from "../support/pkpass.js";
import { testCertificates } from "../support/table.js";
import { newMember } from "../unit/loyalty/fixtures.js";

/** Certificates are checked once at start, as Wallet would check the passes they sign. */

const mine = () => testCertificates();
const of = (c: { passCert: string; passKey: string; wwdrCert: string }) => ({
  signerCert: c.passCert,
  signerKey: c.passKey,
  wwdr: c.wwdrCert,
});

describe("the pass certificates", () => {
  it("are accepted when the key, the Pass Type ID certificate and the WWDR certificate belong together", () => {
    expect(() => checkPassCertificates(of(mine()), mine().passTypeId)).not.toThrow();
  });

  it("are refused with a clear reason when something does not belong", () => {
    // Prepare: another development chain, to mix with ours
    const other = generateDevCertificates("pass.com.other", "OTHERTEAM0");

    // Act + Assess
    expect(() => checkPassCertificates(of(mine()), "pass.com.example")).toThrow(/not for the pass type id/);
    expect(() =>
      checkPassCertificates({ ...of(mine()), signerKey: other.passKey }, mine().passTypeId),
    ).toThrow(/is not the key of APPLE_PASS_CERT/);
    expect(() => checkPassCertificates({ ...of(mine()), wwdr: other.wwdrCert }, mine().passTypeId)).toThrow(
      /not issued by APPLE_WWDR_CERT/,
    );
    expect(() =>
      checkPassCertificates({ ...of(mine()), signerCert: "not a certificate" }, mine().passTypeId),
    ).toThrow(/cannot be read/);
  });

  const signedPass = () => {
    const certs = mine();
    const factory = passFactory(
      of(certs),
      { passTypeId: certs.passTypeId, teamId: certs.teamId },
      passTemplatesDir(),
    );
    const program = newProgram(
      ProgramInput.parse({ name: "P", organizationName: "O" }),
      "prg_00000000000000pp",
      new Date(),
    );
    const member = newMember(program, "2026-06-01T10:00:00Z");
    const content = appleCardContent({ program, member, stores: [], now: new Date() });
    return factory.render("storecard", content, {
      webServiceUrl: "https://x.example/passkit",
      authenticationToken: "t".repeat(43),
    });
  };
  const caFile = () => join(mine().dir, DEV_CERT_FILES.caCert);

  it("sign passes that OpenSSL verifies against the root, with every file in the manifest", () => {
    // Prepare + Act
    const archive = signedPass();

    // Assess
    const opened = verifyPass(archive, caFile());
    expect(Object.keys(opened.manifest).sort()).toEqual([
      "icon.png",
      "icon@2x.png",
      "icon@3x.png",
      "logo.png",
      "logo@2x.png",
      "logo@3x.png",
      "pass.json",
      "strip.png",
      "strip@2x.png",
      "strip@3x.png",
    ]);
  });

  it("make OpenSSL refuse a manifest changed after signing", () => {
    // Prepare: the pass's manifest with another hash for pass.json
    const { files } = verifyPass(signedPass(), caFile());
    const manifest = JSON.parse(files["manifest.json"]?.toString() ?? "{}");
    manifest["pass.json"] = "0".repeat(40);

    // Act + Assess
    expect(() =>
      cmsVerify(files.signature ?? Buffer.alloc(0), Buffer.from(JSON.stringify(manifest)), caFile()),
    ).toThrow();
  });
});
