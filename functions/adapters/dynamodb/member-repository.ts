import { createHash } from "node:crypto";
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { LedgerEntry, Member, MemberProfile } from "../../domain/loyalty/member.js";
import { PurchaseRecord as PurchaseRecordSchema } from "../../domain/loyalty/records.js";
import type {
  CommitResult,
  EnrollResult,
  IdempotencyRecord,
  MemberRepository,
  MemberWrite,
  Page,
} from "../../domain/ports.js";
import { cancellationCodes, dynamo, queryAll, tableName } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { entityOf } from "./program-repository.js";
import { dueShardKey, keys, LEDGER_PREFIX, memberKeys, SPEND_PREFIX } from "./table.js";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

const IDEMPOTENCY_TTL_SECONDS = 7 * 86_400;
const SPEND_TTL_DAYS = 1100;

const sha256 = (value: string): string => createHash("sha256").update(value, "utf8").digest("hex");
const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

const read = async (key: { PK: string; SK: string }, projection?: string) => {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: key,
      ConsistentRead: true,
      ...(projection ? { ProjectionExpression: projection } : {}),
    }),
  );
  return Item;
};

const memberIdAt = async (key: { PK: string; SK: string }): Promise<string | undefined> => {
  const item = await read(key, "memberId");
  return typeof item?.memberId === "string" ? item.memberId : undefined;
};

/** The stored member item: the member, its keys, and the due-work index keys when something is due. */
const memberItem = (member: Member) => ({
  ...memberKeys.member(member.memberId),
  ...(member.dueAt !== undefined && member.status === "active"
    ? keys.due(member.memberId, member.dueAt)
    : {}),
  entity: "member",
  ...member,
});

const put = (
  Item: Record<string, unknown>,
  ConditionExpression: string,
  values?: Record<string, unknown>,
) => ({
  Put: {
    TableName: tableName(),
    Item,
    ConditionExpression,
    ...(values ? { ExpressionAttributeValues: values } : {}),
  },
});

const transactItem = (write: MemberWrite, now: Date): TransactItem => {
  switch (write.kind) {
    case "member":
      return write.expectedVersion === null
        ? put(memberItem(write.member), "attribute_not_exists(PK)")
        : put(memberItem(write.member), "programId = :p AND version = :v", {
            ":p": write.member.programId,
            ":v": write.expectedVersion,
          });
    case "ledger":
      return put(
        { ...memberKeys.ledger(write.memberId, write.entry.seq), entity: "ledgerEntry", ...write.entry },
        "attribute_not_exists(PK)",
      );
    case "purchase": {
      const item = {
        ...memberKeys.purchase(write.record.transactionId),
        entity: "purchase",
        ...write.record,
      };
      return write.expectedRefundedCents === null
        ? put(item, "attribute_not_exists(PK)")
        : put(item, "refundedCents = :r", { ":r": write.expectedRefundedCents });
    }
    case "spend": {
      const expires = new Date(`${write.day}T00:00:00.000Z`).getTime() / 1000 + SPEND_TTL_DAYS * 86_400;
      return {
        Update: {
          TableName: tableName(),
          Key: memberKeys.spend(write.memberId, write.day),
          UpdateExpression: "ADD cents :c, purchases :n SET entity = :e, expiresAt = :x",
          ExpressionAttributeValues: {
            ":c": write.cents,
            ":n": write.purchases,
            ":e": "spendDay",
            ":x": expires,
          },
        },
      };
    }
    case "idempotency": {
      const { record } = write;
      return put(
        {
          ...memberKeys.idempotency(record.scope, sha256(record.clientKey)),
          entity: "idempotency",
          ...record,
          // As JSON text: a DynamoDB map does not keep key order, and a replay must be byte-identical.
          response: JSON.stringify(record.response),
          expiresAt: epochSeconds(now) + IDEMPOTENCY_TTL_SECONDS,
        },
        "attribute_not_exists(PK) OR expiresAt < :now",
        { ":now": epochSeconds(now) },
      );
    }
  }
};

export const dynamoMemberRepository = (): MemberRepository => ({
  async get(programId, memberId) {
    const item = await read(memberKeys.member(memberId));
    if (!item || item.programId !== programId) return undefined;
    return entityOf(Member, item);
  },

  async load(memberId) {
    const item = await read(memberKeys.member(memberId));
    return item ? entityOf(Member, item) : undefined;
  },

  async profile(memberId) {
    const item = await read(memberKeys.profile(memberId));
    return item ? entityOf(MemberProfile, item) : undefined;
  },

  idByCardCode: (programId, cardCode) => memberIdAt(memberKeys.cardCode(programId, cardCode)),
  idByEmailHash: (programId, emailHash) => memberIdAt(memberKeys.email(programId, emailHash)),
  idByReferralCode: (programId, code) => memberIdAt(memberKeys.referralCode(programId, code)),

  async spend(memberId, fromDay, toDay) {
    const items = await queryAll({
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": memberKeys.member(memberId).PK,
        ":from": `${SPEND_PREFIX}${fromDay}`,
        ":to": `${SPEND_PREFIX}${toDay}`,
      },
      ProjectionExpression: "SK, cents",
    });
    return Object.fromEntries(
      items.map((item) => [String(item.SK).slice(SPEND_PREFIX.length), Number(item.cents ?? 0)]),
    );
  },

  async history(memberId, { limit, cursor }): Promise<Page<LedgerEntry>> {
    const partition = memberKeys.member(memberId).PK;
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :ledger)",
        ExpressionAttributeValues: { ":pk": partition, ":ledger": LEDGER_PREFIX },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, {
          attributes: ["PK", "SK"],
          partition: { PK: partition },
          prefixes: { SK: LEDGER_PREFIX },
        }),
      }),
    );
    return {
      items: (result.Items ?? []).map((item) => entityOf(LedgerEntry, item)),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  },

  async ledger(memberId) {
    const items = await queryAll({
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :ledger)",
      ExpressionAttributeValues: { ":pk": memberKeys.member(memberId).PK, ":ledger": LEDGER_PREFIX },
    });
    return items.map((item) => entityOf(LedgerEntry, item));
  },

  async purchase(transactionId) {
    const item = await read(memberKeys.purchase(transactionId));
    return item ? entityOf(PurchaseRecordSchema, item) : undefined;
  },

  async idempotency(scope, clientKey, now) {
    const item = await read(memberKeys.idempotency(scope, sha256(clientKey)));
    if (!item || (typeof item.expiresAt === "number" && item.expiresAt < epochSeconds(now))) return undefined;
    return {
      scope: String(item.scope),
      clientKey: String(item.clientKey),
      requestHash: String(item.requestHash),
      response: JSON.parse(String(item.response)) as IdempotencyRecord["response"],
      createdAt: String(item.createdAt),
    };
  },

  async enroll({ member, profile, emailHash }): Promise<EnrollResult> {
    const { memberId, programId } = member;
    const items: TransactItem[] = [
      {
        ConditionCheck: {
          TableName: tableName(),
          Key: keys.program(programId),
          ConditionExpression: "attribute_exists(PK)",
        },
      },
      put(
        { ...memberKeys.email(programId, emailHash), entity: "memberEmail", memberId },
        "attribute_not_exists(PK)",
      ),
      put(
        { ...memberKeys.cardCode(programId, member.cardCode), entity: "cardCode", memberId },
        "attribute_not_exists(PK)",
      ),
      put(
        { ...memberKeys.referralCode(programId, member.referralCode), entity: "referralCode", memberId },
        "attribute_not_exists(PK)",
      ),
      put(memberItem(member), "attribute_not_exists(PK)"),
      put(
        {
          ...memberKeys.profile(memberId),
          ...memberKeys.profileListing(programId, profile.enrolledAt, memberId),
          entity: "memberProfile",
          ...profile,
        },
        "attribute_not_exists(PK)",
      ),
    ];
    try {
      await dynamo().send(new TransactWriteCommand({ TransactItems: items }));
      return { kind: "enrolled" };
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[0] === "ConditionalCheckFailed")
        throw new Error(`program ${programId} vanished during enrollment`);
      if (codes[1] === "ConditionalCheckFailed") {
        const existing = await memberIdAt(memberKeys.email(programId, emailHash));
        if (existing) return { kind: "email_taken", memberId: existing };
      }
      if (codes.some((c) => c === "ConditionalCheckFailed" || c === "TransactionConflict"))
        return { kind: "code_taken" };
      throw error;
    }
  },

  async commit(writes, now): Promise<CommitResult> {
    const idempotencyAt = writes.findIndex((w) => w.kind === "idempotency");
    try {
      await dynamo().send(
        new TransactWriteCommand({ TransactItems: writes.map((w) => transactItem(w, now)) }),
      );
      return "committed";
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (idempotencyAt >= 0 && codes[idempotencyAt] === "ConditionalCheckFailed")
        return "idempotency_key_taken";
      if (codes.some((c) => c === "ConditionalCheckFailed" || c === "TransactionConflict")) return "changed";
      throw error;
    }
  },

  async due(shard, now, cursor): Promise<Page<string>> {
    const partition = { GSI2PK: dueShardKey(shard) };
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: "GSI2",
        KeyConditionExpression: "GSI2PK = :pk AND GSI2SK < :now",
        ExpressionAttributeValues: { ":pk": partition.GSI2PK, ":now": now.toISOString() },
        Limit: 100,
        ExclusiveStartKey: decodeCursor(cursor, { attributes: ["PK", "SK", "GSI2PK", "GSI2SK"], partition }),
      }),
    );
    return {
      items: (result.Items ?? []).map((item) => String(item.GSI2SK).split("#")[1] ?? "").filter(Boolean),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  },
});
