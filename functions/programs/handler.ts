import { apiFunction } from "../api/functions.js";
import { programService } from "../app/programs.js";
import { httpSettings, processParts } from "../composition/process.js";

/** The merchant API's programs: create (admin key), list, read, change. */
const parts = processParts();
const programs = programService(parts.repositories.programs);

export const handler = apiFunction(
  "programs",
  {
    createProgram: ({ body }) => programs.create(body),
    listPrograms: ({ query, principal }) =>
      programs.list(query, principal.kind === "merchant" ? principal.programId : undefined),
    getProgram: ({ params }) => programs.get(params.programId),
    updateProgram: ({ params, body }) => programs.update(params.programId, body),
  },
  httpSettings(parts),
);
