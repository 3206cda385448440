import { conflict, notFound } from "../domain/errors.js";
import type { Page, PageRequest, ProgramRepository } from "../domain/ports.js";
import {
  applyProgramPatch,
  newProgram,
  type Program,
  type ProgramChanges,
  type ProgramSettings,
} from "../domain/program.js";
import { issueKey } from "../shared/api-keys.js";
import { newId } from "../shared/ids.js";

/** The program use cases, over any ProgramRepository. */
export const programService = (programs: ProgramRepository, now: () => Date = () => new Date()) => ({
  async create(input: ProgramSettings): Promise<Program & { merchantKey: string }> {
    const program = newProgram(input, newId("prg"), now());
    const key = issueKey("mk", program.programId);
    await programs.create(program, key.hash);
    return { ...program, merchantKey: key.key };
  },

  async get(programId: string): Promise<Program> {
    const program = await programs.get(programId);
    if (!program) throw notFound("program", programId);
    return program;
  },

  /** A merchant key sees its own program only; the admin key pages through all of them. */
  async list(page: PageRequest, onlyProgramId?: string): Promise<Page<Program>> {
    if (onlyProgramId === undefined) return programs.list(page);
    const program = await programs.get(onlyProgramId);
    return { items: program ? [program] : [] };
  },

  /**
   * Applies a patch on the latest version. A concurrent change makes the conditional write fail;
   * the patch is then applied again on the newer version (its fields replace whole values, so
   * re-applying is safe), and after a few lost races the caller gets a 409 to retry.
   */
  async update(programId: string, patch: ProgramChanges): Promise<Program> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.get(programId);
      const next = applyProgramPatch(current, patch, now());
      if (await programs.replace(next, current.version)) return next;
    }
    throw conflict(
      "concurrent_modification",
      "The program kept changing while this change was applied; try again.",
    );
  },
});
