import { dynamoProgramRepository } from "../adapters/dynamodb/program-repository.js";
import { httpFunction } from "../http/handler.js";
import { programService } from "./service.js";

const repository = dynamoProgramRepository();
const programs = programService(repository);

export const handler = httpFunction(
  "programs",
  {
    createProgram: ({ body }) => programs.create(body),
    listPrograms: ({ query, principal }) =>
      programs.list(query, principal.kind === "merchant" ? principal.programId : undefined),
    getProgram: ({ params }) => programs.get(params.programId),
    updateProgram: ({ params, body }) => programs.update(params.programId, body),
  },
  { programs: repository },
);
