import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { CreationClaim, IdempotencyRecord } from "../../domain/ports.js";
import { memberKeys } from "../../shared/keys.js";
import { cancellationCodes, type DynamoTable } from "./client.js";

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

/**
 * The Put of an item that holds a claimed key (a purchase, or a claim of its own): refused while the
 * key's earlier use is live (a claim of its own expires; a purchase never does), and then the item
 * that holds it comes back with the refusal (ALL_OLD), so a retry is answered without another read.
 */
export const claimPut = (table: DynamoTable, item: Record<string, unknown>, now: Date) => ({
  Put: {
    TableName: table.name,
    Item: item,
    ConditionExpression: "attribute_not_exists(PK) OR expiresAt < :now",
    ExpressionAttributeValues: { ":now": epochSeconds(now) },
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
  },
});

/** A claim of its own, under the transaction id its key names; it lives IDEMPOTENCY_TTL_SECONDS. */
export const claimItem = (claim: CreationClaim, now: Date): Record<string, unknown> => ({
  ...memberKeys.transaction(claim.transactionId),
  entity: "idempotency",
  ...idempotencyAttributes(claim.record),
  expiresAt: epochSeconds(now) + IDEMPOTENCY_TTL_SECONDS,
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

/** The claim held by the item a cancelled transaction returned for its item at `index` (ALL_OLD). */
export const claimReturnedAt = (error: unknown, index: number): IdempotencyRecord | undefined => {
  const item =
    error instanceof TransactionCanceledException ? error.CancellationReasons?.[index]?.Item : undefined;
  return claimOfItem(item && unmarshall(item as Record<string, AttributeValue>));
};

/**
 * The live claim that made a transaction fail at `index` (where its claimPut was), or undefined when
 * the transaction failed for another reason.
 */
export const claimThatRefused = (error: unknown, index: number): IdempotencyRecord | undefined =>
  cancellationCodes(error)?.[index] === "ConditionalCheckFailed" ? claimReturnedAt(error, index) : undefined;
