import { join } from "node:path";
import { PKPass } from "passkit-generator";
import { fillPass, passProps, passTemplatesDir } from "../functions/adapters/apple/pass-factory.js";
import type { AppleCardContent } from "../functions/domain/pass/apple-card.js";
import type { DevCertificates } from "../local/dev-certs.js";

/**
 * The baseline the benchmarks compare Carnet's passes with: a pass built and signed the way
 * passkit-generator documents it — `PKPass.from` reads the model folder, then the fields are set, then
 * `getAsBuffer()` (node-forge's signature, do-not-zip) — on the same model, content and certificates.
 * The tests also compare Carnet's passes with it (test/unit/wallet/pass-factory.test.ts).
 */
export const plainPassBuilder = (
  certs: DevCertificates,
  service: { webServiceUrl: string; authenticationToken: string },
) => {
  const model = join(passTemplatesDir(), "apple", "storecard.pass");
  const certificates = { signerCert: certs.passCert, signerKey: certs.passKey, wwdr: certs.wwdrCert };
  const identity = { passTypeId: certs.passTypeId, teamId: certs.teamId };
  return async (content: AppleCardContent): Promise<Buffer> => {
    const pass = await PKPass.from({ model, certificates }, passProps(content, identity, service));
    fillPass(pass, content);
    return pass.getAsBuffer();
  };
};
