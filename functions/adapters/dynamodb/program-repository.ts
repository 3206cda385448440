import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Page, PageRequest, ProgramRepository } from "../../domain/ports.js";
import { Program } from "../../domain/program.js";
import { keys, PROGRAM_PREFIX, PROGRAM_SK, PROGRAMS_LISTING } from "../../shared/keys.js";
import type { DynamoTable } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { entityOf } from "./entity.js";

const SECRET_ATTRIBUTES = ["merchantKeyHash"] as const;

const itemOf = (program: Program, merchantKeyHash: string) => ({
  ...keys.program(program.programId),
  ...keys.programListing(program.createdAt, program.programId),
  entity: "program",
  ...program,
  merchantKeyHash,
});

/** One strongly consistent read of the program item: the program and its merchant key's hash. */
const readProgram = async (table: DynamoTable, programId: string) => {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: keys.program(programId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const hash = Item.merchantKeyHash;
  return {
    program: entityOf(Program, Item, SECRET_ATTRIBUTES),
    merchantKeyHash: typeof hash === "string" ? hash : undefined,
  };
};

export const dynamoProgramRepository = (table: DynamoTable): ProgramRepository => {
  /** Programs as recently read by this process (read-cache.ts): the hot paths and authentication. */
  const recentPrograms = table.cache("programs", 1_000, (programId) => readProgram(table, programId));
  return {
    async create(program, merchantKeyHash) {
      await table.client.send(
        new PutCommand({
          TableName: table.name,
          Item: itemOf(program, merchantKeyHash),
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    },

    async get(programId) {
      return (await readProgram(table, programId))?.program;
    },

    async recent(programId) {
      return (await recentPrograms.get(programId))?.program;
    },

    async merchantKeyHash(programId) {
      return (await recentPrograms.get(programId))?.merchantKeyHash;
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
        items: (result.Items ?? []).map((item) => entityOf(Program, item, SECRET_ATTRIBUTES)),
        nextCursor: encodeCursor(result.LastEvaluatedKey),
      };
    },

    async replace(program, expectedVersion) {
      // Every field but the identity is set; the merchant key hash and the keys stay as stored.
      const fields = Object.entries(program).filter(([name]) => name !== "programId" && name !== "createdAt");
      try {
        await table.client.send(
          new UpdateCommand({
            TableName: table.name,
            Key: keys.program(program.programId),
            UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(", ")}`,
            ConditionExpression: "attribute_exists(PK) AND version = :expected",
            ExpressionAttributeNames: Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
            ExpressionAttributeValues: {
              ...Object.fromEntries(fields.map(([, value], i) => [`:f${i}`, value])),
              ":expected": expectedVersion,
            },
          }),
        );
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
