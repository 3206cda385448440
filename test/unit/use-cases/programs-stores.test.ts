import { describe, expect, it } from "vitest";
import { ProgramInput } from "../../../functions/api/schemas.js";
import { programService } from "../../../functions/app/programs.js";
import { storeService } from "../../../functions/app/stores.js";
import type { ProgramRepository } from "../../../functions/domain/ports.js";
import { keyMatches, keyOwner } from "../../../functions/shared/api-keys.js";
import { memoryRepositories } from "../../support/memory-repositories.js";
import { NOW, rejection, testClock } from "../../support/memory-shop.js";

/** The program and store use cases over memory. */

const setUp = () => {
  const repos = memoryRepositories();
  const clock = testClock();
  return {
    repos,
    clock,
    programs: programService(repos.programs, clock.now),
    stores: storeService(repos.stores, clock.now),
  };
};

const input = (name: string) => ProgramInput.parse({ name, organizationName: "Café" });

describe("programs", () => {
  it("creates a program with its defaults and a merchant key shown once, only its hash kept", async () => {
    // Prepare
    const { programs, repos } = setUp();

    // Act
    const created = await programs.create(input("Lumière"));

    // Assess
    const { merchantKey, ...program } = created;
    expect(program).toMatchObject({
      programId: expect.stringMatching(/^prg_[0-9a-z]{16}$/),
      name: "Lumière",
      locale: "en",
      timeZone: "UTC",
      currency: "EUR",
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(program.rules.earn.pointsPerEuro).toBe(1);
    expect(keyOwner("mk", merchantKey)).toBe(program.programId);
    expect(keyMatches(merchantKey, (await repos.programs.merchantKey(program.programId))?.hash ?? "")).toBe(
      true,
    );
    expect(await programs.get(program.programId)).toEqual(program);
  });

  it("answers an unknown program with program_not_found", async () => {
    // Prepare
    const { programs } = setUp();

    // Act
    const refused = await rejection(() => programs.get("prg_0000000000000000"));

    // Assess
    expect(refused).toEqual({ kind: "not_found", code: "program_not_found" });
  });

  it("replaces the fields a change gives, whole, with the next version", async () => {
    // Prepare
    const { programs, clock } = setUp();
    const created = await programs.create(input("Lumière"));
    clock.set("2026-03-11T09:00:00Z");

    // Act
    const updated = await programs.update(created.programId, {
      name: "Lumière Rewards",
      rules: ProgramInput.shape.rules.parse({ earn: { pointsPerEuro: 2 } }),
    });

    // Assess
    expect(updated).toMatchObject({
      name: "Lumière Rewards",
      version: 2,
      updatedAt: "2026-03-11T09:00:00.000Z",
    });
    expect(updated.rules.earn.pointsPerEuro).toBe(2);
    expect(updated.organizationName).toBe("Café");
    expect(await programs.get(created.programId)).toEqual(updated);
  });

  it("applies a change again on the newer version after losing a race, and gives up after 3 with concurrent_modification", async () => {
    // Prepare: the stored program changes before each of the first `races` replacements
    const { repos, clock } = setUp();
    const racing = (races: number): ProgramRepository => {
      let left = races;
      return {
        ...repos.programs,
        async replace(program, expectedVersion) {
          if (left-- > 0) {
            const stored = await repos.programs.get(program.programId);
            if (stored)
              await repos.programs.replace({ ...stored, version: stored.version + 1 }, stored.version);
          }
          return repos.programs.replace(program, expectedVersion);
        },
      };
    };
    const created = await programService(repos.programs, clock.now).create(input("Lumière"));

    // Act
    const won = await programService(racing(2), clock.now).update(created.programId, { name: "Second try" });
    const lost = await rejection(() =>
      programService(racing(3), clock.now).update(created.programId, { name: "Never" }),
    );

    // Assess: 2 other changes, then this one; 3 more, and none of this one
    expect(won).toMatchObject({ name: "Second try", version: 4 });
    expect(lost).toEqual({ kind: "conflict", code: "concurrent_modification" });
    expect(await repos.programs.get(created.programId)).toMatchObject({ name: "Second try", version: 7 });
  });

  it("lists the merchant's own program only, and every program, newest first, for the admin", async () => {
    // Prepare
    const { programs, clock } = setUp();
    const first = await programs.create(input("First"));
    clock.set("2026-03-11T09:00:00Z");
    const second = await programs.create(input("Second"));
    clock.set("2026-03-12T09:00:00Z");
    const third = await programs.create(input("Third"));

    // Act
    const own = await programs.list({ limit: 10 }, second.programId);
    const none = await programs.list({ limit: 10 }, "prg_0000000000000000");
    const page1 = await programs.list({ limit: 2 });
    const page2 = await programs.list({ limit: 2, cursor: page1.nextCursor ?? "" });

    // Assess
    expect(own.items.map((p) => p.name)).toEqual(["Second"]);
    expect(none).toEqual({ items: [] });
    expect(page1.items.map((p) => p.programId)).toEqual([third.programId, second.programId]);
    expect(page2.items.map((p) => p.programId)).toEqual([first.programId]);
    expect(page2.nextCursor).toBeUndefined();
  });
});

describe("stores", () => {
  const main = { name: "Main street", latitude: 48.85, longitude: 2.35 };

  it("creates a store of a program with a store key shown once, only its hash kept", async () => {
    // Prepare
    const { programs, stores, repos } = setUp();
    const program = await programs.create(input("Lumière"));

    // Act
    const created = await stores.create(program.programId, { ...main, relevantText: "Coffee's on" });

    // Assess
    const { apiKey, ...store } = created;
    expect(store).toEqual({
      ...main,
      relevantText: "Coffee's on",
      storeId: expect.stringMatching(/^sto_[0-9a-z]{16}$/),
      programId: program.programId,
      status: "active",
      apiKeyPrefix: apiKey.slice(0, `sk.${created.storeId}.`.length + 4),
      createdAt: NOW,
    });
    expect(await stores.get(program.programId, store.storeId)).toEqual(store);
    const record = await repos.stores.keyRecord(store.storeId);
    expect(record?.programId).toBe(program.programId);
    expect(keyMatches(apiKey, record?.key.hash ?? "")).toBe(true);
  });

  it("refuses a store of a program that does not exist, and hides a store from another program", async () => {
    // Prepare
    const { programs, stores } = setUp();
    const [mine, theirs] = [await programs.create(input("Mine")), await programs.create(input("Theirs"))];
    const store = await stores.create(theirs.programId, main);

    // Act
    const noProgram = await rejection(() => stores.create("prg_0000000000000000", main));
    const hidden = await rejection(() => stores.get(mine.programId, store.storeId));

    // Assess
    expect(noProgram).toEqual({ kind: "not_found", code: "program_not_found" });
    expect(hidden).toEqual({ kind: "not_found", code: "store_not_found" });
  });

  it("pages through a program's stores, and tells an empty program from one that does not exist", async () => {
    // Prepare
    const { programs, stores } = setUp();
    const program = await programs.create(input("Lumière"));
    const empty = await programs.create(input("Empty"));
    const created = [];
    for (const name of ["A", "B", "C"])
      created.push(await stores.create(program.programId, { ...main, name }));
    const exists = (programId: string) => async () =>
      (await programs.list({ limit: 1 }, programId)).items.length > 0;

    // Act
    const page1 = await stores.list(program.programId, { limit: 2 }, exists(program.programId));
    const page2 = await stores.list(
      program.programId,
      { limit: 2, cursor: page1.nextCursor ?? "" },
      exists(program.programId),
    );
    const none = await stores.list(empty.programId, { limit: 2 }, exists(empty.programId));
    const missing = await rejection(() =>
      stores.list("prg_0000000000000000", { limit: 2 }, exists("prg_0000000000000000")),
    );

    // Assess: in id order
    const ids = created.map((s) => s.storeId).sort();
    expect([...page1.items, ...page2.items].map((s) => s.storeId)).toEqual(ids);
    expect(page2.nextCursor).toBeUndefined();
    expect(none).toEqual({ items: [] });
    expect(missing).toEqual({ kind: "not_found", code: "program_not_found" });
  });
});
