import { describe, expect, it } from "vitest";
import { hashKey } from "../../functions/shared/api-keys.js";
import {
  allPages,
  aProgram,
  aStore,
  expectInvalidCursor,
  FORGED_CURSORS,
  type MakeRepositories,
} from "./fixtures.js";

/** ProgramRepository: what the program use cases and authentication rely on. */
export const describeProgramRepositoryContract = (name: string, make: MakeRepositories): void => {
  describe(`ProgramRepository contract: ${name}`, () => {
    it("stores a program with its key hash apart from what it returns", async () => {
      // Prepare
      const { programs } = make();
      const program = aProgram();

      // Act
      await programs.create(program, hashKey("the-key"));

      // Assess
      expect(await programs.get(program.programId)).toEqual(program);
      expect(await programs.recent(program.programId)).toEqual(program);
      expect(await programs.merchantKey(program.programId)).toEqual({ hash: hashKey("the-key") });
    });

    it("knows nothing of a program that was never created", async () => {
      // Prepare
      const { programs } = make();
      const absent = aProgram().programId;

      // Act
      const read = await Promise.all([
        programs.get(absent),
        programs.recent(absent),
        programs.merchantKey(absent),
      ]);

      // Assess
      expect(read).toEqual([undefined, undefined, undefined]);
    });

    it("refuses to create a program twice under one id, keeping the first", async () => {
      // Prepare
      const { programs } = make();
      const program = aProgram();
      await programs.create(program, hashKey("a"));

      // Act
      const second = programs.create({ ...program, name: "Other" }, hashKey("b"));

      // Assess
      await expect(second).rejects.toThrow();
      expect(await programs.get(program.programId)).toEqual(program);
      expect(await programs.merchantKey(program.programId)).toEqual({ hash: hashKey("a") });
    });

    it("replaces a program only from the version it was read at, keeping its identity and key hash", async () => {
      // Prepare
      const { programs } = make();
      const program = aProgram();
      await programs.create(program, hashKey("k"));
      const next = {
        ...program,
        name: "v2",
        version: 2,
        updatedAt: new Date(Date.now() + 1000).toISOString(),
      };

      // Act
      const first = await programs.replace(next, 1);
      const stale = await programs.replace({ ...program, name: "stale", version: 2 }, 1);
      const missing = aProgram();
      const absent = await programs.replace({ ...missing, version: 2 }, 1);

      // Assess
      expect([first, stale, absent]).toEqual([true, false, false]);
      expect(await programs.get(program.programId)).toEqual(next);
      expect(await programs.merchantKey(program.programId)).toEqual({ hash: hashKey("k") });
      expect(await programs.get(missing.programId)).toBeUndefined();
    });

    it("keeps the stored creation date when a replacement carries another", async () => {
      // Prepare
      const { programs } = make();
      const program = aProgram(new Date("2031-03-04T05:06:07.000Z"));
      await programs.create(program, hashKey("k"));

      // Act
      await programs.replace({ ...program, version: 2, createdAt: new Date().toISOString() }, 1);

      // Assess
      expect(await programs.get(program.programId)).toEqual({ ...program, version: 2 });
    });

    it("shows this process's own change on the hot path at once", async () => {
      // Prepare
      const { programs } = make();
      const program = aProgram();
      await programs.create(program, hashKey("k"));
      await programs.recent(program.programId);

      // Act
      await programs.replace({ ...program, name: "Renamed", version: 2 }, 1);

      // Assess
      expect(await programs.recent(program.programId)).toMatchObject({ name: "Renamed", version: 2 });
    });

    it("lists programs newest first, a page at a time, each once, without their key hash", async () => {
      // Prepare
      const { programs } = make();
      const base = Date.parse("2032-01-01T00:00:00.000Z") + Math.floor(Math.random() * 1e9);
      const mine = [0, 1, 2, 3, 4].map((i) => aProgram(new Date(base + i * 60_000)));
      for (const program of mine) await programs.create(program, hashKey(program.programId));

      // Act
      const { items, pages } = await allPages((page) => programs.list(page), 2);

      // Assess
      const ids = new Set(mine.map((p) => p.programId));
      const listed = items.filter((p) => ids.has(p.programId));
      expect(listed).toEqual([...mine].reverse());
      expect(new Set(items.map((p) => p.programId)).size).toBe(items.length);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(items.every((p) => !("merchantKeyHash" in p))).toBe(true);
    });

    it("refuses a cursor that the program listing did not issue", async () => {
      // Prepare
      const { programs, stores } = make();
      const program = aProgram();
      await programs.create(program, hashKey("k"));
      for (let i = 0; i < 2; i++) await stores.create(aStore(program.programId), hashKey(`s${i}`));
      const storeCursor = (await stores.list(program.programId, { limit: 1 })).nextCursor;

      // Act
      const list = (cursor: string) => programs.list({ limit: 5, cursor });

      // Assess
      expect(storeCursor).toBeDefined();
      for (const cursor of [...FORGED_CURSORS, storeCursor ?? ""]) await expectInvalidCursor(list(cursor));
    });
  });
};
