import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, it } from "vitest";
import {
  dynamoMailOutbox,
  EMAIL_RETENTION_DAYS,
  emailItem,
} from "../../functions/adapters/dynamodb/mail-outbox.js";
import { requeueDueEmails } from "../../functions/app/mail.js";
import { emailKeys } from "../../functions/shared/keys.js";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import { allDue, anEmail, mailOutboxContract, refOf } from "../contract/mail-outbox.contract.js";
import { testTable, useTestTable } from "../support/table.js";

const table = useTestTable();

mailOutboxContract("DynamoDB", () => dynamoMailOutbox(testTable()));

const stored = async (email: { memberId: string; createdAt: string; emailId: string }) => {
  const client = localDynamoClient(table.endpoint);
  try {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: {
          PK: { S: emailKeys.email(email.memberId, email.createdAt, email.emailId).PK },
          SK: { S: emailKeys.email(email.memberId, email.createdAt, email.emailId).SK },
        },
        ConsistentRead: true,
      }),
    );
    return Item && unmarshall(Item);
  } finally {
    client.destroy();
  }
};

describe("the email item in DynamoDB", () => {
  it("lives in the member's partition under SEND#<createdAt>#<emailId>, expiring 90 days after it was written", async () => {
    // Prepare
    const outbox = dynamoMailOutbox(testTable());
    const email = anEmail();

    // Act
    await outbox.add(email);

    // Assess
    const item = await stored(email);
    expect(item).toMatchObject({
      PK: `MEMBER#${email.memberId}`,
      SK: `SEND#${email.createdAt}#${email.emailId}`,
      entity: "email",
      status: "pending",
      attempts: 0,
      to: email.to,
      expiresAt: Date.parse(email.createdAt) / 1000 - 0.123 + EMAIL_RETENTION_DAYS * 86_400,
    });
    expect(item).toEqual({ ...emailItem(email) });
  });

  it("holds GSI2 keys only while waiting for a retry, and records what became of each attempt", async () => {
    // Prepare
    const outbox = dynamoMailOutbox(testTable());
    const email = anEmail();
    await outbox.add(email);
    const claimedAt = new Date("2031-05-06T07:09:00.000Z");

    // Act
    await outbox.claim(refOf(email), claimedAt);
    await outbox.retryLater(
      refOf(email),
      new Date("2031-05-06T07:10:00.000Z"),
      `421 busy\r\n${"x".repeat(900)}`,
    );
    const waiting = await stored(email);
    await outbox.requeue(refOf(email), new Date("2031-05-06T07:10:00.000Z"));
    const requeued = await stored(email);
    await outbox.claim(refOf(email), claimedAt);
    await outbox.sent(refOf(email), "250 Ok: queued as 4F1B2", new Date("2031-05-06T07:10:01.000Z"));
    const sent = await stored(email);

    // Assess
    expect(waiting).toMatchObject({
      status: "retry",
      attempts: 1,
      claimedAt: claimedAt.toISOString(),
      nextAttemptAt: "2031-05-06T07:10:00.000Z",
      GSI2PK: "MAILRETRY",
      GSI2SK: `2031-05-06T07:10:00.000Z#${email.memberId}#${email.emailId}`,
    });
    expect(waiting?.lastError).toMatch(/^421 busy x+$/);
    expect(waiting?.lastError).toHaveLength(500);
    expect(requeued).toMatchObject({ status: "pending", attempts: 1 });
    expect(requeued?.GSI2PK).toBeUndefined();
    expect(requeued?.GSI2SK).toBeUndefined();
    expect(sent).toMatchObject({
      status: "sent",
      attempts: 2,
      sentAt: "2031-05-06T07:10:01.000Z",
      providerMessageId: "250 Ok: queued as 4F1B2",
    });
    expect(sent?.nextAttemptAt).toBeUndefined();
  });

  it("lists more due retries than a page holds, each once, requeues them all, and refuses a forged cursor", async () => {
    // Prepare: more than the 100 keys a page of the GSI2 Query returns, written straight in `retry`
    const outbox = dynamoMailOutbox(testTable());
    const emails = Array.from({ length: 110 }, (_, i) =>
      anEmail({
        createdAt: "2031-06-01T00:00:00.000Z",
        status: "retry",
        attempts: 1,
        nextAttemptAt: new Date(Date.parse("2031-06-01T00:01:00.000Z") + i).toISOString(),
      }),
    );
    const { client, name } = testTable();
    for (let i = 0; i < emails.length; i += 25) {
      await client.send(
        new BatchWriteCommand({
          RequestItems: {
            [name]: emails.slice(i, i + 25).map((email) => ({
              PutRequest: {
                Item: {
                  ...emailItem(email),
                  ...emailKeys.retry(email.nextAttemptAt ?? "", email.memberId, email.emailId),
                },
              },
            })),
          },
        }),
      );
    }

    // Act
    const first = await outbox.dueRetries(new Date("2031-06-01T01:00:00.000Z"));
    const due = await allDue(outbox, new Date("2031-06-01T01:00:00.000Z"));
    const forged = Buffer.from(
      JSON.stringify({ PK: "PROGRAM#x", SK: "PROGRAM", GSI2PK: "DUE#0", GSI2SK: "x" }),
    ).toString("base64url");

    // Assess
    expect(first.items).toHaveLength(100);
    expect(first.nextCursor).toBeDefined();
    const ours = due.filter((ref) => emails.some((e) => e.emailId === ref.emailId));
    expect(ours).toHaveLength(110);
    expect(new Set(ours.map((r) => r.emailId)).size).toBe(110);
    await expect(outbox.dueRetries(new Date(), forged)).rejects.toMatchObject({ code: "invalid_cursor" });
    const requeued = await requeueDueEmails(outbox, new Date("2031-06-01T01:00:00.000Z"));
    expect(requeued.requeued).toBeGreaterThanOrEqual(110);
    expect((await Promise.all(emails.map(stored))).map((item) => item?.status)).toEqual(
      Array(110).fill("pending"),
    );
  });
});
