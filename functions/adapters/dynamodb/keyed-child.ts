import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../../shared/keys.js";
import type { DynamoTable } from "./client.js";

/**
 * Things a program owns that have their own API key (stores, partners): the item in the program's
 * partition and the key record under the owner's id, written in one transaction that also checks the
 * program exists. False when it does not.
 */
export const createWithKey = async (
  table: DynamoTable,
  programId: string,
  item: Record<string, unknown>,
  keyItem: Record<string, unknown>,
): Promise<boolean> => {
  const put = (Item: Record<string, unknown>) => ({
    Put: { TableName: table.name, Item, ConditionExpression: "attribute_not_exists(PK)" },
  });
  try {
    await table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: table.name,
              Key: keys.program(programId),
              ConditionExpression: "attribute_exists(PK)",
            },
          },
          put(item),
          put(keyItem),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === "ConditionalCheckFailed"
    ) {
      return false;
    }
    throw error;
  }
};

/** The key record of a store or partner: its program and the hash to compare a presented key with. */
export const readKeyRecord = async (
  table: DynamoTable,
  key: { PK: string; SK: string },
): Promise<{ programId: string; apiKeyHash: string } | undefined> => {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }),
  );
  if (!Item || typeof Item.programId !== "string" || typeof Item.apiKeyHash !== "string") return undefined;
  return { programId: Item.programId, apiKeyHash: Item.apiKeyHash };
};
