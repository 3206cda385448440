import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { Page, PageRequest, ProgramRepository } from "../../domain/ports.js";
import { Program } from "../../domain/program.js";
import { type KeyState, keyView } from "../../shared/key-lifecycle.js";
import { keys, PROGRAM_PREFIX, PROGRAM_SK, PROGRAMS_LISTING } from "../../shared/keys.js";
import { claimItem, claimPut, claimThatRefused } from "./claims.js";
import type { DynamoTable } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { entityOf } from "./entity.js";
import { keyStateOf, transactIfPresent, updateOf } from "./keyed-child.js";

/** Where the program item keeps its merchant key's state (KeyState's fields, by these names). */
const MERCHANT_KEY: Record<keyof KeyState, string> = {
  hash: "merchantKeyHash",
  previousHash: "previousMerchantKeyHash",
  previousValidUntil: "previousMerchantKeyValidUntil",
  lastUsedAt: "merchantKeyLastUsedAt",
  previousLastUsedAt: "previousMerchantKeyLastUsedAt",
};
const KEY_ATTRIBUTES = Object.values(MERCHANT_KEY);

/** The program as the API shows it: its merchant key's use and rotation, never the hashes. */
const programOf = (item: Record<string, unknown>): Program => {
  const key = keyStateOf(item, MERCHANT_KEY);
  const view = key && keyView(key);
  return entityOf(
    Program,
    { ...item, ...(view && Object.keys(view).length > 0 ? { merchantKey: view } : {}) },
    KEY_ATTRIBUTES,
  );
};

const itemOf = (program: Program, merchantKeyHash: string) => ({
  ...keys.program(program.programId),
  ...keys.programListing(program.createdAt, program.programId),
  entity: "program",
  ...program,
  merchantKeyHash,
});

/** One strongly consistent read of the program item. */
const readProgram = async (table: DynamoTable, programId: string) => {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: keys.program(programId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return programOf(Item);
};

export const dynamoProgramRepository = (table: DynamoTable): ProgramRepository => {
  /** Programs as recently read by this process (read-cache.ts): the hot paths and authentication. */
  const recentPrograms = table.cache("programs", 1_000, (programId) => readProgram(table, programId));
  return {
    async create(program, merchantKeyHash, claim, now = new Date()) {
      const put = {
        Put: {
          TableName: table.name,
          Item: itemOf(program, merchantKeyHash),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      };
      if (!claim) {
        await table.client.send(new PutCommand(put.Put));
        return undefined;
      }
      try {
        await table.client.send(
          new TransactWriteCommand({ TransactItems: [put, claimPut(table, claimItem(claim, now), now)] }),
        );
        return undefined;
      } catch (error) {
        const seen = claimThatRefused(error, 1);
        if (seen) return seen;
        throw error;
      }
    },

    get: (programId) => readProgram(table, programId),

    recent: (programId) => recentPrograms.get(programId),

    async merchantKey(programId) {
      const { Item } = await table.client.send(
        new GetCommand({
          TableName: table.name,
          Key: keys.program(programId),
          ConsistentRead: true,
          ProjectionExpression: KEY_ATTRIBUTES.join(", "),
        }),
      );
      return Item && keyStateOf(Item, MERCHANT_KEY);
    },

    setMerchantKey: (programId, next, expectedHash) =>
      transactIfPresent(table, [
        updateOf(
          table,
          keys.program(programId),
          Object.fromEntries(
            (Object.keys(MERCHANT_KEY) as (keyof KeyState)[]).map((field) => [
              MERCHANT_KEY[field],
              next[field],
            ]),
          ),
          { expression: "merchantKeyHash = :expected", values: { ":expected": expectedHash } },
        ),
      ]),

    async recordKeyUse(programId, which, hash, at) {
      const field = which === "current" ? MERCHANT_KEY.lastUsedAt : MERCHANT_KEY.previousLastUsedAt;
      const hashAttribute = which === "current" ? MERCHANT_KEY.hash : MERCHANT_KEY.previousHash;
      await transactIfPresent(table, [
        updateOf(
          table,
          keys.program(programId),
          { [field]: at.toISOString() },
          { expression: `${hashAttribute} = :hash`, values: { ":hash": hash } },
        ),
      ]);
    },

    async list({ limit, cursor }: PageRequest): Promise<Page<Program>> {
      const start = decodeCursor(cursor, {
        attributes: ["PK", "SK", "GSI1PK", "GSI1SK"],
        partition: { GSI1PK: PROGRAMS_LISTING },
        prefixes: { PK: PROGRAM_PREFIX, SK: PROGRAM_SK },
      });
      const result = await table.client.send(
        new QueryCommand({
          TableName: table.name,
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :pk",
          ExpressionAttributeValues: { ":pk": PROGRAMS_LISTING },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: start,
        }),
      );
      return {
        items: (result.Items ?? []).map(programOf),
        nextCursor: encodeCursor(result.LastEvaluatedKey),
      };
    },

    async replace(program, expectedVersion) {
      // Every field but the identity is set; the merchant key's state and the keys stay as stored.
      const fields = Object.fromEntries(
        Object.entries(program).filter(
          ([name]) => name !== "programId" && name !== "createdAt" && name !== "merchantKey",
        ),
      );
      try {
        const { Update } = updateOf(table, keys.program(program.programId), fields, {
          expression: "version = :expected",
          values: { ":expected": expectedVersion },
        });
        await table.client.send(new UpdateCommand(Update));
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      } finally {
        recentPrograms.forget(program.programId);
      }
    },
  };
};
