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
import { createdBefore, creationClaim, type RotatedKey, rotateKey } from "./keys.js";
import type { IdempotencyClaim } from "./writes.js";

/** The program use cases, over any ProgramRepository. */
export const programService = (programs: ProgramRepository, now: () => Date = () => new Date()) => ({
  /** A new program with its merchant key, shown once; with a claim, a retry gets the same program (creationClaim). */
  async create(input: ProgramSettings, claim?: IdempotencyClaim): Promise<Program & { merchantKey: string }> {
    const at = now();
    const program = newProgram(input, newId("prg"), at);
    const key = issueKey("mk", program.programId);
    const seen = await programs.create(
      program,
      key.hash,
      creationClaim(claim, { programId: program.programId }, at),
      at,
    );
    if (!seen || !claim) return { ...program, merchantKey: key.key };
    const earlier = createdBefore(seen, claim, "programId");
    const { apiKey } = await this.rotateKey(earlier, 0);
    return { ...(await this.get(earlier)), merchantKey: apiKey };
  },

  /** A new merchant key for the program; the old one refused at once or after `graceSeconds`. */
  rotateKey(programId: string, graceSeconds: number): Promise<RotatedKey> {
    return rotateKey(
      "mk",
      programId,
      {
        read: () => programs.merchantKey(programId),
        write: (next, _prefix, expected) => programs.setMerchantKey(programId, next, expected),
      },
      graceSeconds,
      now,
      () => notFound("program", programId),
    );
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
