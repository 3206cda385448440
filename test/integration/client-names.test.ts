import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { dynamoRepositories } from "../../functions/adapters/dynamodb/repositories.js";
import type { LedgerEntry, Member } from "../../functions/domain/loyalty/member.js";
import { newId } from "../../functions/shared/ids.js";
import { memberKeys } from "../../functions/shared/keys.js";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import { anEnrollment, aPurchase } from "../contract/fixtures.js";
import { testTable, useTestTable } from "../support/table.js";

/**
 * Stamp categories are names merchants choose (issue 13): on DynamoDB Local, a member, its ledger
 * entries and its purchases keep stamps of categories named `__proto__`, `constructor` and the like
 * through the write and every read, stored as the plain map of numbers any other category gets.
 */

const table = useTestTable();
const repos = () => dynamoRepositories(testTable());
const raw = localDynamoClient(table.endpoint);
afterAll(() => raw.destroy());

/** Stamps as JSON gives them: own properties named like Object.prototype's, and a plain one. */
const STAMPS_JSON = '{"__proto__":3,"constructor":2,"toString":1,"hasOwnProperty":5,"coffee":4}';
const stamps = (): Record<string, number> => JSON.parse(STAMPS_JSON);
const entriesOf = (record: object) => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));

/** A member enrolled, then committed with those stamps, an entry crediting them and its purchase. */
const memberWithStamps = async () => {
  const { members } = repos();
  const enrollment = anEnrollment(newId("prg"));
  expect(await members.enroll(enrollment)).toEqual({ kind: "enrolled" });
  const member: Member = { ...enrollment.member, version: 2, ledgerSeq: 1, stamps: stamps() };
  const entry: LedgerEntry = {
    seq: 1,
    type: "earn",
    at: new Date().toISOString(),
    points: 0,
    stamps: stamps(),
    lots: {},
    balanceAfter: 0,
  };
  const record = { ...aPurchase(member), stampsEarned: stamps() };
  const committed = await members.commit(
    [
      { kind: "member", member, expectedVersion: 1 },
      { kind: "ledger", memberId: member.memberId, entry },
      { kind: "purchase", record, expectedRefundedCents: null },
    ],
    new Date(),
  );
  expect(committed).toEqual({ kind: "committed" });
  return { member, record };
};

describe("stamps of categories named like Object.prototype's properties on DynamoDB Local", () => {
  it("survive the write and every read of the member, its ledger and its purchase", async () => {
    // Prepare
    const { member, record } = await memberWithStamps();
    const { members } = repos();

    // Act
    const got = await members.get(member.programId, member.memberId);
    const loaded = await members.load(member.memberId);
    const card = await members.card(member.memberId);
    const snapshot = await members.snapshot(member.programId, member.memberId, 5);
    const history = await members.history(member.memberId, { limit: 5 });
    const ledger = await members.ledger(member.memberId);
    const purchase = await members.purchase(record.transactionId);

    // Assess
    const expected = entriesOf(stamps());
    for (const read of [got, loaded, card?.member, snapshot?.member]) {
      expect(entriesOf(read?.stamps ?? {})).toEqual(expected);
      expect(Object.getPrototypeOf(read?.stamps)).toBe(Object.prototype);
    }
    for (const entries of [snapshot?.history.items, history.items, ledger]) {
      expect(entries?.map((e) => entriesOf(e.stamps))).toEqual([expected]);
    }
    expect(entriesOf(purchase?.stampsEarned ?? {})).toEqual(expected);
    // As the API answers it (a DynamoDB map keeps no order of its keys)
    expect(entriesOf(JSON.parse(JSON.stringify(got?.stamps)))).toEqual(expected);
  });

  it("stores them as the map of numbers every category gets, keyed by the category names", async () => {
    // Prepare
    const { member } = await memberWithStamps();

    // Act
    const { Item } = await raw.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: {
          PK: { S: memberKeys.member(member.memberId).PK },
          SK: { S: memberKeys.member(member.memberId).SK },
        },
        ConsistentRead: true,
      }),
    );

    // Assess
    expect(entriesOf(Item?.stamps?.M ?? {})).toEqual(
      entriesOf(stamps()).map(([category, count]) => [category, { N: String(count) }]),
    );
    expect(Object.keys(Item?.stamps?.M ?? {})).toContain("__proto__");
  });

  it("keep them through the next write, from the member as it was read", async () => {
    // Prepare
    const { member } = await memberWithStamps();
    const { members } = repos();
    const read = await members.get(member.programId, member.memberId);
    if (!read) throw new Error("the member was not read back");

    // Act
    const next = { ...read, version: 3, stamps: { ...read.stamps, coffee: 5 } };
    const committed = await members.commit(
      [{ kind: "member", member: next, expectedVersion: 2 }],
      new Date(),
    );

    // Assess
    expect(committed).toEqual({ kind: "committed" });
    const again = await members.get(member.programId, member.memberId);
    expect(entriesOf(again?.stamps ?? {})).toEqual(entriesOf({ ...stamps(), coffee: 5 }));
  });
});
