import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import type { EmailRef, MailOutbox, OutboxEmail } from "../../domain/ports.js";
import { EMAIL_PREFIX, emailKeys, MAIL_RETRY_PARTITION } from "../../shared/keys.js";
import type { DynamoTable } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { entityOf } from "./entity.js";

/** How long an email's delivery record is kept (it holds an address): TTL, data-model.md §9. */
export const EMAIL_RETENTION_DAYS = 90;

/**
 * The `email` item of an outbox email: its key, `expiresAt` for TTL, and, while it is `pending`, its
 * safety-net entry in GSI2 MAILRETRY (removed by the claim; the sweep hands over an email still
 * unclaimed UNCLAIMED_EMAIL_MS after it was written).
 */
export const emailItem = (email: OutboxEmail) => ({
  ...emailKeys.email(email.memberId, email.createdAt, email.emailId),
  ...(email.status === "pending" ? emailKeys.unclaimed(email.createdAt, email.memberId, email.emailId) : {}),
  entity: "email",
  ...email,
  expiresAt: Math.floor(Date.parse(email.createdAt) / 1000) + EMAIL_RETENTION_DAYS * 24 * 60 * 60,
});

/**
 * The outbox (data-model.md, `email`; docs/email.md): one `email` item per email in the member's
 * partition, moved from state to state by conditional writes only, so that two workers handed the same
 * stream record (a batch retried, a requeue racing a late record) never both send it: `claim` is the
 * one write that lets an email go out, and it succeeds once per `pending`.
 */

const StoredEmail = z.object({
  emailId: z.string(),
  memberId: z.string(),
  programId: z.string(),
  kind: z.enum(["card_link"]),
  reason: z.enum(["welcome", "again", "reissued"]).optional(),
  to: z.string(),
  locale: z.string(),
  createdAt: z.string(),
  status: z.enum(["pending", "sending", "retry", "sent", "failed"]),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.string().optional(),
  lastError: z.string().optional(),
  messageId: z.string().optional(),
  providerMessageId: z.string().optional(),
  sentAt: z.string().optional(),
});

/** A delivery error as stored: one line, bounded (a mail server's answer may be long). */
const MAX_ERROR_CHARS = 500;
const errorText = (error: string): string => error.replace(/\s+/g, " ").trim().slice(0, MAX_ERROR_CHARS);

const keyOf = (ref: EmailRef) => emailKeys.email(ref.memberId, ref.createdAt, ref.emailId);

/** The ref of a GSI2 `MAILRETRY` entry (keys only: PK, SK, GSI2PK, GSI2SK). */
const refOfRetryKey = (item: Record<string, unknown>): EmailRef | undefined => {
  const sk = String(item.SK ?? "");
  const [, memberId, emailId] = String(item.GSI2SK ?? "").split("#");
  const createdAt = sk.slice(EMAIL_PREFIX.length, sk.lastIndexOf("#"));
  if (!sk.startsWith(EMAIL_PREFIX) || !memberId || !emailId || !createdAt) return undefined;
  return { memberId, createdAt, emailId };
};

/** Sorts after every `<memberId>#<emailId>` (lower-case ids): `GSI2SK <= <now>#~` is "due by now". */
const AFTER_IDS = "~";
const RETRY_PAGE = 100;

export const dynamoMailOutbox = (table: DynamoTable): MailOutbox => {
  /** One conditional state change; false when the email is not in the state the condition names. */
  const move = async (
    ref: EmailRef,
    update: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> => {
    try {
      await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: keyOf(ref),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  /** From `sending` only: the worker that claimed the email is the one that settles it. */
  const settle = async (ref: EmailRef, to: string, update: string, values: Record<string, unknown>) => {
    const moved = await move(ref, update, "#status = :sending", { ...values, ":sending": "sending" });
    if (!moved)
      throw new Error(
        `email ${ref.emailId} of member ${ref.memberId} could not be marked ${to}: it is not being sent (any more), or no longer exists`,
      );
  };

  return {
    async add(email) {
      await table.client.send(
        new PutCommand({
          TableName: table.name,
          Item: emailItem({ ...email, status: "pending" }),
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    },

    async claim(ref, now) {
      try {
        const { Attributes } = await table.client.send(
          new UpdateCommand({
            TableName: table.name,
            Key: keyOf(ref),
            // claimedAt: when an email was last handed to a mail server (one stuck in `sending` says when).
            UpdateExpression:
              "SET #status = :sending, attempts = if_not_exists(attempts, :zero) + :one, claimedAt = :now REMOVE GSI2PK, GSI2SK",
            ConditionExpression: "#status = :pending",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: {
              ":sending": "sending",
              ":pending": "pending",
              ":zero": 0,
              ":one": 1,
              ":now": now.toISOString(),
            },
            ReturnValues: "ALL_NEW",
          }),
        );
        return Attributes ? entityOf(StoredEmail, Attributes) : undefined;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },

    async sent(ref, providerMessageId, at) {
      await settle(
        ref,
        "sent",
        `SET #status = :sent, sentAt = :at${providerMessageId ? ", providerMessageId = :provider" : ""} REMOVE GSI2PK, GSI2SK, nextAttemptAt`,
        {
          ":sent": "sent",
          ":at": at.toISOString(),
          ...(providerMessageId ? { ":provider": providerMessageId.slice(0, MAX_ERROR_CHARS) } : {}),
        },
      );
    },

    async retryLater(ref, nextAttemptAt, error) {
      const next = nextAttemptAt.toISOString();
      const index = emailKeys.retry(next, ref.memberId, ref.emailId);
      await settle(
        ref,
        "retry",
        "SET #status = :retry, nextAttemptAt = :next, lastError = :error, GSI2PK = :gpk, GSI2SK = :gsk",
        {
          ":retry": "retry",
          ":next": next,
          ":error": errorText(error),
          ":gpk": index.GSI2PK,
          ":gsk": index.GSI2SK,
        },
      );
    },

    async failed(ref, error, at) {
      await settle(
        ref,
        "failed",
        "SET #status = :failed, lastError = :error, failedAt = :at REMOVE GSI2PK, GSI2SK, nextAttemptAt",
        { ":failed": "failed", ":error": errorText(error), ":at": at.toISOString() },
      );
    },

    async dueRetries(now, cursor) {
      // GSI2 is eventually consistent: an email moved on since (requeued by another sweep) may still
      // be listed; its requeue then finds it out of `retry` and does nothing.
      const result = await table.client.send(
        new QueryCommand({
          TableName: table.name,
          IndexName: "GSI2",
          KeyConditionExpression: "GSI2PK = :partition AND GSI2SK <= :due",
          ExpressionAttributeValues: {
            ":partition": MAIL_RETRY_PARTITION,
            ":due": `${now.toISOString()}#${AFTER_IDS}`,
          },
          Limit: RETRY_PAGE,
          ExclusiveStartKey: decodeCursor(cursor, {
            attributes: ["PK", "SK", "GSI2PK", "GSI2SK"],
            partition: { GSI2PK: MAIL_RETRY_PARTITION },
            prefixes: { SK: EMAIL_PREFIX },
          }),
        }),
      );
      return {
        items: (result.Items ?? []).flatMap((item) => refOfRetryKey(item) ?? []),
        nextCursor: encodeCursor(result.LastEvaluatedKey),
      };
    },

    async requeue(ref, at) {
      // Back to `pending` (or, for one never claimed, touched while `pending`): the MODIFY record that
      // write makes is what hands it to the mail worker again.
      return move(
        ref,
        "SET #status = :pending, requeuedAt = :at REMOVE GSI2PK, GSI2SK",
        // A pending one only while it is listed (not claimed, not already requeued): requeued once.
        "#status = :retry OR (#status = :pending AND attribute_exists(GSI2PK))",
        { ":pending": "pending", ":retry": "retry", ":at": at.toISOString() },
      );
    },
  };
};
