import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import forge from "node-forge";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { plainPassBuilder } from "../../../bench/plain-pass.js";
import { passFactory, passTemplatesDir } from "../../../functions/adapters/apple/pass-factory.js";
import type { AppleCardContent } from "../../../functions/domain/pass/apple-card.js";
import { openPass, unitTestCertificates, verifyPass } from "../../support/pkpass.js";

/** The pass factory: passkit-generator's content, Carnet's own manifest and signature. */

const { certs, caFile, remove } = unitTestCertificates();
afterAll(remove);
afterEach(() => {
  vi.restoreAllMocks();
});

const certificates = { signerCert: certs.passCert, signerKey: certs.passKey, wwdr: certs.wwdrCert };
const identity = { passTypeId: certs.passTypeId, teamId: certs.teamId };
const service = { webServiceUrl: "https://carnet.example/passkit", authenticationToken: "t".repeat(43) };

/** A card with every kind of content the factory puts on a pass. */
const card = (points: number): AppleCardContent => ({
  serialNumber: "prg_00000000000000pp.mbr_0000000000000001",
  description: "Café Lumière loyalty card",
  organizationName: "Café Lumière",
  logoText: "Lumière",
  backgroundColor: "rgb(31, 41, 55)",
  foregroundColor: "rgb(255, 255, 255)",
  labelColor: "rgb(209, 213, 219)",
  sharingProhibited: true,
  voided: false,
  expirationDate: "2027-06-01T22:00:00.000Z",
  headerFields: [{ key: "tier", label: "TIER", value: "Gold", changeMessage: "You are now %@" }],
  primaryFields: [{ key: "points", label: "POINTS", value: points, changeMessage: "You now have %@ points" }],
  secondaryFields: [{ key: "holder", label: "MEMBER", value: "Camille Martin" }],
  auxiliaryFields: [
    { key: "next-reward", label: "NEXT REWARD", value: "Cake in 30 points", changeMessage: "%@" },
  ],
  backFields: [{ key: "terms", label: "Terms", value: "Personal card. Points expire after 12 months." }],
  barcode: {
    format: "PKBarcodeFormatQR",
    message: "4539148803436467",
    messageEncoding: "iso-8859-1",
    altText: "4539 1488 0343 6467",
  },
  locations: [
    { latitude: 48.85, longitude: 2.35, relevantText: "Your coffee is waiting" },
    { latitude: 48.86, longitude: 2.36, relevantText: "Welcome back, Camille — 120 points, Cake at 150" },
  ],
  maxDistance: 100,
  beacons: [
    {
      proximityUUID: "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0",
      major: 1,
      minor: 7,
      relevantText: "Your coffee is waiting",
    },
    { proximityUUID: "E2C56DB5-DFFB-48D2-B060-D0F5A71096E1", relevantText: "Double points: all week" },
  ],
});

const forgeSigningSpies = () => [
  vi.spyOn(forge.pkcs7, "createSignedData"),
  vi.spyOn(forge.pki, "decryptRsaPrivateKey"),
  vi.spyOn(forge.pki, "privateKeyFromPem"),
  vi.spyOn(forge.pki.rsa, "setPrivateKey"),
];

describe("the Apple pass factory", () => {
  it("signs a pass without node-forge's RSA or PKCS #7 code", async () => {
    // Prepare: spies on forge's signing, which do see plain passkit-generator sign
    const plain = plainPassBuilder(certs, service);
    const factory = passFactory(certificates, identity, passTemplatesDir());
    const spies = forgeSigningSpies();
    await plain(card(1));
    expect(spies[0]).toHaveBeenCalled();
    expect(spies[1]).toHaveBeenCalled();
    for (const spy of spies) spy.mockClear();

    // Act
    const archive = factory.render("storecard", card(120), service);

    // Assess
    verifyPass(archive, caFile);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it("writes the pass.json, the files and the manifest plain passkit-generator writes for the same card", async () => {
    // Prepare
    const factory = passFactory(certificates, identity, passTemplatesDir());

    // Act
    const plain = openPass(await plainPassBuilder(certs, service)(card(120)));
    const ours = verifyPass(factory.render("storecard", card(120), service), caFile);

    // Assess
    expect(ours.files["pass.json"]?.toString()).toBe(plain.files["pass.json"]?.toString());
    expect(ours.pass.storeCard.primaryFields).toEqual([
      expect.objectContaining({ key: "points", value: 120 }),
    ]);
    expect(Object.keys(ours.files).sort()).toEqual(Object.keys(plain.files).sort());
    for (const [name, data] of Object.entries(plain.files)) {
      if (name === "signature") continue;
      if (name === "manifest.json") expect(ours.manifest).toEqual(plain.manifest);
      else expect(ours.files[name]?.equals(data), name).toBe(true);
    }
  });

  it("writes each store's location with its text, the relevance distance and the stores' beacons into pass.json", () => {
    // Prepare
    const factory = passFactory(certificates, identity, passTemplatesDir());
    const content = card(120);

    // Act
    const { pass } = verifyPass(factory.render("storecard", content, service), caFile);

    // Assess
    expect(pass.locations).toEqual(content.locations);
    expect(pass.maxDistance).toBe(100);
    expect(pass.beacons).toEqual(content.beacons);
  });

  it("writes no beacons for a card whose stores have none", () => {
    // Prepare
    const factory = passFactory(certificates, identity, passTemplatesDir());

    // Act
    const { pass } = verifyPass(factory.render("storecard", { ...card(120), beacons: [] }, service), caFile);

    // Assess
    expect(pass).not.toHaveProperty("beacons");
    expect(pass.locations).toHaveLength(2);
  });

  it("copies a model's translations (pass.strings) into the pass as they are", () => {
    // Prepare: the store card model with a French pass.strings
    const templates = mkdtempSync(join(tmpdir(), "carnet-templates-"));
    try {
      cpSync(join(passTemplatesDir(), "apple"), join(templates, "apple"), { recursive: true });
      const strings = Buffer.from('"POINTS" = "Points";\n"MEMBER" = "Membre";\n');
      const folder = join(templates, "apple", "storecard.pass", "fr.lproj");
      mkdirSync(folder);
      cpSync(join(templates, "apple", "storecard.pass", "icon.png"), join(folder, "icon.png"));
      writeFileSync(join(folder, "pass.strings"), strings);
      const factory = passFactory(certificates, identity, templates);

      // Act
      const opened = verifyPass(factory.render("storecard", card(120), service), caFile);

      // Assess
      expect(opened.files["fr.lproj/pass.strings"]?.equals(strings)).toBe(true);
      expect(Object.keys(opened.manifest)).toContain("fr.lproj/icon.png");
    } finally {
      rmSync(templates, { recursive: true, force: true });
    }
  });
});
