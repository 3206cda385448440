import { describe, expect, it } from "vitest";
import { encodeCursor } from "../../functions/adapters/dynamodb/cursor.js";
import { dynamoProgramRepository } from "../../functions/adapters/dynamodb/program-repository.js";
import { dynamoStoreRepository } from "../../functions/adapters/dynamodb/store-repository.js";
import { keys } from "../../functions/adapters/dynamodb/table.js";
import { DomainError } from "../../functions/domain/errors.js";
import { newProgram, ProgramInput } from "../../functions/domain/program.js";
import { newStore } from "../../functions/domain/store.js";
import { hashKey } from "../../functions/shared/api-keys.js";
import { newId } from "../../functions/shared/ids.js";
import { allItems, useTestTable } from "../support/table.js";

const table = useTestTable();
const programs = dynamoProgramRepository();
const stores = dynamoStoreRepository();

const aProgram = () =>
  newProgram(ProgramInput.parse({ name: "Repo test", organizationName: "Shop" }), newId("prg"), new Date());

describe("program repository on DynamoDB Local", () => {
  it("stores a program with its key hash apart from what it returns", async () => {
    // Prepare
    const program = aProgram();

    // Act
    await programs.create(program, hashKey("the-key"));
    const read = await programs.get(program.programId);
    const hash = await programs.merchantKeyHash(program.programId);

    // Assess
    expect(read).toEqual(program);
    expect(hash).toBe(hashKey("the-key"));
  });

  it("refuses to create a program twice under one id", async () => {
    // Prepare
    const program = aProgram();
    await programs.create(program, hashKey("a"));

    // Act
    const second = programs.create({ ...program, name: "Other" }, hashKey("b"));

    // Assess
    await expect(second).rejects.toThrow(/conditional/i);
    expect((await programs.get(program.programId))?.name).toBe("Repo test");
  });

  it("replaces a program only from the version it was read at, keeping its key hash", async () => {
    // Prepare
    const program = aProgram();
    await programs.create(program, hashKey("k"));
    const next = { ...program, name: "v2", version: 2 };

    // Act
    const first = await programs.replace(next, 1);
    const stale = await programs.replace({ ...program, name: "stale", version: 2 }, 1);
    const missing = await programs.replace({ ...aProgram(), version: 2 }, 1);

    // Assess
    expect([first, stale, missing]).toEqual([true, false, false]);
    expect(await programs.get(program.programId)).toEqual(next);
    expect(await programs.merchantKeyHash(program.programId)).toBe(hashKey("k"));
  });

  it("rejects a cursor that points into another partition", async () => {
    // Prepare
    const forged = encodeCursor({ PK: "PROGRAM#prg_x", SK: "PROGRAM", GSI1PK: "OTHER", GSI1SK: "x" });

    // Act
    const listing = programs.list({ limit: 5, cursor: forged });

    // Assess
    await expect(listing).rejects.toBeInstanceOf(DomainError);
  });
});

describe("store repository on DynamoDB Local", () => {
  it("writes the store and its key record together, or nothing when the program is missing", async () => {
    // Prepare
    const program = aProgram();
    await programs.create(program, hashKey("k"));
    const store = newStore(
      { name: "S", latitude: 1, longitude: 2 },
      { storeId: newId("sto"), programId: program.programId, apiKeyPrefix: "sk.x" },
      new Date(),
    );
    const orphan = newStore(
      { name: "O", latitude: 1, longitude: 2 },
      { storeId: newId("sto"), programId: newId("prg"), apiKeyPrefix: "sk.y" },
      new Date(),
    );

    // Act
    const created = await stores.create(store, hashKey("store-key"));
    const refused = await stores.create(orphan, hashKey("orphan-key"));
    const record = await stores.keyRecord(store.storeId);

    // Assess
    expect(created).toBe(true);
    expect(refused).toBe(false);
    expect(record).toEqual({
      storeId: store.storeId,
      programId: program.programId,
      apiKeyHash: hashKey("store-key"),
    });
    expect(await stores.keyRecord(orphan.storeId)).toBeUndefined();
    const items = await allItems(table.endpoint, table.tableName);
    expect(items.some((i) => JSON.stringify(i).includes(orphan.storeId))).toBe(false);
    expect(
      items.some(
        (i) => i.PK && JSON.stringify(i.PK) === JSON.stringify({ S: keys.storeKey(store.storeId).PK }),
      ),
    ).toBe(true);
  });
});
