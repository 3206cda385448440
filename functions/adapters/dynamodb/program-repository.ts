import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Page, PageRequest, ProgramRepository } from "../../domain/ports.js";
import { Program } from "../../domain/program.js";
import { dynamo, tableName } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { readCache } from "./read-cache.js";
import { keys, META_ATTRIBUTES } from "./table.js";

const SECRET_ATTRIBUTES = ["merchantKeyHash"] as const;

/** A stored item back to the entity: storage attributes removed, the rest parsed by the schema. */
export const entityOf = <T>(
  schema: { parse(data: unknown): T },
  item: Record<string, unknown>,
  extra: readonly string[] = [],
): T => {
  const data: Record<string, unknown> = { ...item };
  for (const name of [...META_ATTRIBUTES, ...extra]) delete data[name];
  return schema.parse(data);
};

const itemOf = (program: Program, merchantKeyHash: string) => ({
  ...keys.program(program.programId),
  ...keys.programListing(program.createdAt, program.programId),
  entity: "program",
  ...program,
  merchantKeyHash,
});

/** One strongly consistent read of the program item: the program and its merchant key's hash. */
const readProgram = async (programId: string) => {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keys.program(programId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const hash = Item.merchantKeyHash;
  return {
    program: entityOf(Program, Item, SECRET_ATTRIBUTES),
    merchantKeyHash: typeof hash === "string" ? hash : undefined,
  };
};

/** Programs as recently read by this process (read-cache.ts): the hot paths and authentication. */
const recentPrograms = readCache(1_000, readProgram);

export const dynamoProgramRepository = (): ProgramRepository => ({
  async create(program, merchantKeyHash) {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: itemOf(program, merchantKeyHash),
        ConditionExpression: "attribute_not_exists(PK)",
      }),
    );
  },

  async get(programId) {
    return (await readProgram(programId))?.program;
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
      partition: { GSI1PK: "PROGRAMS" },
      prefixes: { PK: "PROGRAM#", SK: "PROGRAM" },
    });
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: "GSI1",
        KeyConditionExpression: "GSI1PK = :pk",
        ExpressionAttributeValues: { ":pk": "PROGRAMS" },
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
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName(),
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
});
