import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { CreationClaim, IdempotencyRecord } from "../../domain/ports.js";
import { memberKeys } from "../../shared/keys.js";
import type { DynamoTable } from "./client.js";

/**
 * How a claim on an Idempotency-Key is stored (member writes' claims, member-repository.ts, and these),
 * and claims outside a member's transaction: the creation of a program, a store or a
 * partner writes the claim item (memberKeys.transaction, the same item and format as member writes'
 * claims, data-model.md 2.3.2) in the creation's own transaction, so a retry finds either both or
 * neither. A key used before fails the transaction on the claim, whose item comes back with the
 * cancellation (ALL_OLD).
 */

export const IDEMPOTENCY_TTL_SECONDS = 7 * 86_400;

const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** A claim as stored: on its own item, or on the purchase that holds it. */
export const idempotencyAttributes = (record: IdempotencyRecord) => ({
  scope: record.scope,
  clientKey: record.clientKey,
  requestHash: record.requestHash,
  // As JSON text: a DynamoDB map does not keep key order, and a replay must be byte-identical.
  response: JSON.stringify(record.response),
  createdAt: record.createdAt,
});

/** The Put of a claim item, refused while an earlier claim of the same key is live. */
export const claimPut = (table: DynamoTable, claim: CreationClaim, now: Date) => ({
  Put: {
    TableName: table.name,
    Item: {
      ...memberKeys.transaction(claim.transactionId),
      entity: "idempotency",
      ...idempotencyAttributes(claim.record),
      expiresAt: epochSeconds(now) + IDEMPOTENCY_TTL_SECONDS,
    },
    ConditionExpression: "attribute_not_exists(PK) OR expiresAt < :now",
    ExpressionAttributeValues: { ":now": epochSeconds(now) },
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
  },
});

/**
 * The claim a transaction item (memberKeys.transaction) holds (its response is stored as JSON text),
 * or undefined for an item that holds none. Whether it is still live is the reader's question
 * (expiresAt).
 */
export const claimOfItem = (item: Record<string, unknown> | undefined): IdempotencyRecord | undefined =>
  typeof item?.requestHash === "string"
    ? {
        scope: String(item.scope),
        clientKey: String(item.clientKey),
        requestHash: item.requestHash,
        response: JSON.parse(String(item.response)) as IdempotencyRecord["response"],
        createdAt: String(item.createdAt),
      }
    : undefined;

/**
 * The live claim that made a transaction fail at `index` (where its claimPut was), or undefined when
 * the transaction failed for another reason.
 */
export const claimThatRefused = (error: unknown, index: number): IdempotencyRecord | undefined => {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reason = error.CancellationReasons?.[index];
  if (reason?.Code !== "ConditionalCheckFailed") return undefined;
  return claimOfItem(reason.Item && unmarshall(reason.Item as Record<string, AttributeValue>));
};
