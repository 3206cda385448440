import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { encodeCursor } from "../../functions/adapters/dynamodb/cursor.js";
import { dynamoRepositories } from "../../functions/adapters/dynamodb/repositories.js";
import { hashKey } from "../../functions/shared/api-keys.js";
import { newId } from "../../functions/shared/ids.js";
import { dueShardKey, keys, memberKeys } from "../../functions/shared/keys.js";
import {
  aClaim,
  anEnrollment,
  aProgram,
  aPurchase,
  aStore,
  DAY_SECONDS,
  expectInvalidCursor,
  wholeSecond,
} from "../contract/fixtures.js";
import { allItems, testTable, useTestTable } from "../support/table.js";

/**
 * What is particular to the DynamoDB adapters: the items they write and the keys inside their cursors.
 * Their behaviour through the ports is the contract's (dynamo-repositories.test.ts, test/contract).
 */

const table = useTestTable();
const repos = () => dynamoRepositories(testTable());
const itemAt = async (key: { PK: string; SK: string }) =>
  (
    await testTable().client.send(
      new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
    )
  ).Item;

describe("program items on DynamoDB Local", () => {
  it("keeps the merchant key hash on the program item, listed under GSI1 by creation date", async () => {
    // Prepare
    const { programs } = repos();
    const program = aProgram();

    // Act
    await programs.create(program, hashKey("the-key"));

    // Assess
    expect(await itemAt(keys.program(program.programId))).toMatchObject({
      ...keys.programListing(program.createdAt, program.programId),
      entity: "program",
      merchantKeyHash: hashKey("the-key"),
    });
  });

  it("refuses a second program under one id with DynamoDB's failed condition", async () => {
    // Prepare
    const { programs } = repos();
    const program = aProgram();
    await programs.create(program, hashKey("a"));

    // Act
    const second = programs.create({ ...program, name: "Other" }, hashKey("b"));

    // Assess
    await expect(second).rejects.toThrow(/conditional/i);
  });
});

describe("store items on DynamoDB Local", () => {
  it("writes the store and its key record as two items, or nothing when the program is missing", async () => {
    // Prepare
    const { programs, stores } = repos();
    const program = aProgram();
    await programs.create(program, hashKey("k"));
    const store = aStore(program.programId);
    const orphan = aStore(newId("prg"));

    // Act
    await stores.create(store, hashKey("store-key"));
    await stores.create(orphan, hashKey("orphan-key"));

    // Assess
    expect(await itemAt(keys.store(program.programId, store.storeId))).toMatchObject({ entity: "store" });
    expect(await itemAt(keys.storeKey(store.storeId))).toMatchObject({
      entity: "storeKey",
      programId: program.programId,
      apiKeyHash: hashKey("store-key"),
    });
    const items = await allItems(table.endpoint, table.tableName);
    expect(items.some((i) => JSON.stringify(i).includes(orphan.storeId))).toBe(false);
  });
});

describe("cursors on DynamoDB Local", () => {
  it("refuses cursors that name keys of another partition or listing", async () => {
    // Prepare
    const { programs, stores, members } = repos();
    const memberId = newId("mbr");
    const forged = {
      programs: encodeCursor({ PK: "PROGRAM#prg_x", SK: "PROGRAM", GSI1PK: "OTHER", GSI1SK: "x" }),
      stores: encodeCursor(keys.store("prg_other", "sto_x")),
      storesOutside: encodeCursor({ PK: keys.program("prg_mine").PK, SK: "PARTNER#prt_x" }),
      history: encodeCursor(memberKeys.ledger(newId("mbr"), 3)),
      historyOutside: encodeCursor({ PK: memberKeys.member(memberId).PK, SK: "SPEND#2030-01-01" }),
      due: encodeCursor({ PK: "MEMBER#m", SK: "MEMBER", GSI2PK: dueShardKey("r"), GSI2SK: "2030#m" }),
    };

    // Act
    const listings = {
      programs: () => programs.list({ limit: 5, cursor: forged.programs }),
      stores: () => stores.list("prg_mine", { limit: 5, cursor: forged.stores }),
      storesOutside: () => stores.list("prg_mine", { limit: 5, cursor: forged.storesOutside }),
      history: () => members.history(memberId, { limit: 5, cursor: forged.history }),
      historyOutside: () => members.history(memberId, { limit: 5, cursor: forged.historyOutside }),
      due: () => members.due("q", new Date(), forged.due),
    };

    // Assess
    for (const list of Object.values(listings)) await expectInvalidCursor(list());
  });
});

describe("transaction items on DynamoDB Local", () => {
  it("lets TTL remove a claim of its own after 7 days, never a purchase that holds one", async () => {
    // Prepare
    const { members } = repos();
    const enrollment = anEnrollment(newId("prg"));
    await members.enroll(enrollment);
    const now = wholeSecond();
    const claimed = newId("txn");
    const claim = aClaim(now, { b: 1, a: 2 });
    const purchase = aPurchase(enrollment.member);

    // Act
    await members.commit([{ kind: "idempotency", transactionId: claimed, record: claim }], now);
    await members.commit(
      [{ kind: "purchase", record: purchase, expectedRefundedCents: null, idempotency: claim }],
      now,
    );

    // Assess
    expect(await itemAt(memberKeys.transaction(claimed))).toMatchObject({
      entity: "idempotency",
      response: JSON.stringify(claim.response),
      expiresAt: now.getTime() / 1000 + 7 * DAY_SECONDS,
    });
    const held = await itemAt(memberKeys.transaction(purchase.transactionId));
    expect(held).toMatchObject({ entity: "purchase", requestHash: claim.requestHash });
    expect(held?.expiresAt).toBeUndefined();
  });
});
