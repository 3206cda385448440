import { apiFunction } from "../api/functions.js";
import { programService } from "../app/programs.js";
import { claimFor } from "../app/writes.js";
import { httpSettings, processParts } from "../composition/process.js";

/** The merchant API's programs: create (admin key), list, read, change, rotate the merchant key. */
const parts = processParts();
const programs = programService(parts.repositories.programs);

export const handler = apiFunction(
  "programs",
  {
    createProgram: (r) => programs.create(r.body, claimFor({ kind: "admin" }, r)),
    listPrograms: ({ query, principal }) =>
      programs.list(query, principal.kind === "merchant" ? principal.programId : undefined),
    getProgram: ({ params }) => programs.get(params.programId),
    updateProgram: ({ params, body }) => programs.update(params.programId, body),
    rotateMerchantKey: ({ params, body }) => programs.rotateKey(params.programId, body.graceSeconds),
  },
  httpSettings(parts),
);
