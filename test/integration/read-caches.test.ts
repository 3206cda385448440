import { DeleteItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoProgramRepository } from "../../functions/adapters/dynamodb/program-repository.js";
import { dynamoStoreRepository } from "../../functions/adapters/dynamodb/store-repository.js";
import { ProgramInput } from "../../functions/api/schemas.js";
import { newProgram, type Program } from "../../functions/domain/program.js";
import { newStore } from "../../functions/domain/store.js";
import { hashKey } from "../../functions/shared/api-keys.js";
import { newId } from "../../functions/shared/ids.js";
import { keys } from "../../functions/shared/keys.js";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import { testTable, useTestTable } from "../support/table.js";

/**
 * What the in-process read caches of the repositories let a process see (docs/api.md, "Caching"):
 * its own changes at once, another process's changes to a program only after CARNET_CACHE_SECONDS
 * on the hot paths (the merchant API's get() at once), and anything new at once.
 */

const table = useTestTable();
const programs = dynamoProgramRepository(testTable());
const stores = dynamoStoreRepository(testTable());

/** Another Lambda container: its own client on the same table, with caches of its own. */
const elsewhere = localDynamoClient(table.endpoint);
afterAll(() => elsewhere.destroy());

/** A GetItem of one key this process's client holds back until the test lets it go. */
let hold: { pk: string; released: Promise<void>; reached: () => void } | undefined;

beforeAll(() => {
  testTable().client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: { PK?: unknown } }).Key;
      const held = hold;
      if (held && context.commandName === "GetItemCommand" && key?.PK === held.pk) {
        hold = undefined;
        held.reached();
        await held.released;
      }
      return next(args);
    },
    { step: "initialize", name: "holdARead" },
  );
});

/** A promise and the function that settles it. */
const signal = () => {
  let settle: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    settle = done;
  });
  return { promise, settle };
};

const aProgram = async (): Promise<Program> => {
  const program = newProgram(
    ProgramInput.parse({ name: "Cached", organizationName: "Shop" }),
    newId("prg"),
    new Date(),
  );
  await programs.create(program, hashKey("merchant-key"));
  return program;
};

const aStore = (programId: string) =>
  newStore(
    { name: "Corner", latitude: 48.85, longitude: 2.35 },
    { storeId: newId("sto"), programId, apiKeyPrefix: "sk.x" },
    new Date(),
  );

describe("programs as the hot paths read them", () => {
  it("sees a program replaced in this process at once", async () => {
    // Prepare
    const program = await aProgram();
    expect((await programs.recent(program.programId))?.name).toBe("Cached");

    // Act
    const replaced = await programs.replace({ ...program, name: "Renamed", version: 2 }, 1);
    const recent = await programs.recent(program.programId);

    // Assess
    expect(replaced).toBe(true);
    expect(recent).toMatchObject({ name: "Renamed", version: 2 });
  });

  it("serves a program changed by another process from memory, while get() sees the change at once", async () => {
    // Prepare
    const program = await aProgram();
    expect((await programs.recent(program.programId))?.name).toBe("Cached");

    // Act: another container renames it
    await elsewhere.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { PK: { S: keys.program(program.programId).PK }, SK: { S: keys.program(program.programId).SK } },
        UpdateExpression: "SET #name = :name, #version = :version",
        ExpressionAttributeNames: { "#name": "name", "#version": "version" },
        ExpressionAttributeValues: { ":name": { S: "Renamed elsewhere" }, ":version": { N: "2" } },
      }),
    );
    const recent = await programs.recent(program.programId);
    const strong = await programs.get(program.programId);

    // Assess
    expect(recent).toMatchObject({ name: "Cached", version: 1 });
    expect(strong).toMatchObject({ name: "Renamed elsewhere", version: 2 });
  });

  it("finds a program created after it was looked for in vain", async () => {
    // Prepare
    const program = newProgram(
      ProgramInput.parse({ name: "Late", organizationName: "Shop" }),
      newId("prg"),
      new Date(),
    );
    expect(await programs.recent(program.programId)).toBeUndefined();
    expect(await programs.merchantKey(program.programId)).toBeUndefined();

    // Act
    await programs.create(program, hashKey("late-key"));

    // Assess
    expect((await programs.recent(program.programId))?.name).toBe("Late");
    expect((await programs.merchantKey(program.programId))?.hash).toBe(hashKey("late-key"));
  });

  it("still answers a read of the program in flight while this process replaces it", async () => {
    // Prepare: the program is not in memory yet, and its read is held on its way to DynamoDB
    const program = await aProgram();
    const reached = signal();
    const released = signal();
    hold = { pk: keys.program(program.programId).PK, released: released.promise, reached: reached.settle };
    const reading = programs.recent(program.programId).then(
      (value) => ({ value }),
      (error: unknown) => ({ error: String(error) }),
    );
    await reached.promise;

    // Act: a PATCH in the same process (under npm start, every request) replaces the program
    let replaced: boolean;
    try {
      replaced = await programs.replace({ ...program, name: "Renamed", version: 2 }, 1);
    } finally {
      released.settle();
    }
    const answered = await reading;

    // Assess: the purchase or pass that was reading it is answered, not failed
    expect(replaced).toBe(true);
    expect(answered).toEqual({ value: expect.objectContaining({ programId: program.programId }) });
    expect((await programs.recent(program.programId))?.name).toBe("Renamed");
  });
});

describe("stores as the hot paths read them", () => {
  it("shows a store created in this process on the program's passes at once", async () => {
    // Prepare
    const program = await aProgram();
    expect(await stores.passStores(program.programId)).toEqual([]);
    const store = aStore(program.programId);

    // Act
    const created = await stores.create(store, hashKey("store-key"));
    const shown = await stores.passStores(program.programId);

    // Assess
    expect(created).toBe(true);
    expect(shown).toEqual([store]);
  });

  it("never keeps a store key: a key disabled or deleted by another container is refused at once", async () => {
    // Prepare: this process has read the store's key record
    const program = await aProgram();
    const store = aStore(program.programId);
    await stores.create(store, hashKey("store-key"));
    expect((await stores.keyRecord(store.storeId))?.status).toBe("active");
    const recordKey = keys.storeKey(store.storeId);

    // Act: another container disables the store, then deletes its key record
    await elsewhere.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { PK: { S: recordKey.PK }, SK: { S: recordKey.SK } },
        UpdateExpression: "SET #status = :disabled",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":disabled": { S: "disabled" } },
      }),
    );
    const disabled = await stores.keyRecord(store.storeId);
    await elsewhere.send(
      new DeleteItemCommand({
        TableName: table.tableName,
        Key: { PK: { S: recordKey.PK }, SK: { S: recordKey.SK } },
      }),
    );
    const deleted = await stores.keyRecord(store.storeId);

    // Assess
    expect(disabled?.status).toBe("disabled");
    expect(deleted).toBeUndefined();
  });
});

describe("a card code kept in memory", () => {
  it("no longer finds a member whose card no longer holds the code, though its id is still in memory", async () => {
    // Prepare: a member bought once by card code (its code → id now kept), then its card changed
    // behind this process's back, as a reissue in another container would change it
    const { directService, openShopDirect, purchaseOf, storeClaim } = await import("../support/services.js");
    const service = directService();
    const { caller, enroll } = await openShopDirect(service);
    const member = await enroll();
    await service.purchase(caller, purchaseOf(member.cardCode, 500), storeClaim(caller.storeId, {}));
    await elsewhere.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { PK: { S: `MEMBER#${member.memberId}` }, SK: { S: "MEMBER" } },
        UpdateExpression: "SET cardCode = :c",
        ExpressionAttributeValues: { ":c": { S: "4539148803436467" } },
      }),
    );

    // Act
    const byOldCode = service.purchase(
      caller,
      purchaseOf(member.cardCode, 500),
      storeClaim(caller.storeId, {}),
    );

    // Assess
    await expect(byOldCode).rejects.toMatchObject({ code: "member_not_found" });
  });
});
