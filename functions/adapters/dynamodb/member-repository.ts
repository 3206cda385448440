import { setTimeout as sleep } from "node:timers/promises";
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { LedgerEntry, Member, MemberProfile } from "../../domain/loyalty/member.js";
import { PurchaseRecord as PurchaseRecordSchema } from "../../domain/loyalty/records.js";
import type { CommitResult, EnrollResult, MemberRepository, MemberWrite, Page } from "../../domain/ports.js";
import {
  dueShardKey,
  keys,
  LEDGER_PREFIX,
  MEMBER_PREFIX,
  MEMBER_SK,
  memberIdOfDueKey,
  memberKeys,
  memberListingPartition,
  PROFILE_SK,
  SPEND_PREFIX,
} from "../../shared/keys.js";
import {
  fromAttributes,
  getItem,
  queryEvery,
  queryPage,
  toAttributes,
  transactItemAttributes,
} from "./attributes.js";
import { claimItem, claimOfItem, claimPut, claimReturnedAt, idempotencyAttributes } from "./claims.js";
import { cancellationCodes, type DynamoTable } from "./client.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { entityOf } from "./entity.js";
import { emailItem } from "./mail-outbox.js";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

const SPEND_TTL_DAYS = 1100;

const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

const read = async (table: DynamoTable, key: { PK: string; SK: string }, projection?: string) => {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.name,
      Key: key,
      ConsistentRead: true,
      ...(projection ? { ProjectionExpression: projection } : {}),
    }),
  );
  return Item;
};

const memberIdAt = async (
  table: DynamoTable,
  key: { PK: string; SK: string },
): Promise<string | undefined> => {
  const item = await read(table, key, "memberId");
  return typeof item?.memberId === "string" ? item.memberId : undefined;
};

/**
 * The head of a member's partition, newest first, in one strongly consistent Query: its profile and
 * member items (sort keys "PROFILE" and "MEMBER", adjacent: shared/keys.ts), then, with `ledger` > 0, that
 * many of the newest ledger entries, which sort just below "MEMBER".
 */
const memberHead = async (table: DynamoTable, memberId: string, ledger: number) => {
  const partition = memberKeys.member(memberId).PK;
  // Member and ledger items hold maps keyed by client-chosen names: read as attribute values.
  const { items } = await queryPage(table, {
    KeyConditionExpression:
      ledger > 0 ? "PK = :pk AND SK <= :profile" : "PK = :pk AND SK BETWEEN :member AND :profile",
    ExpressionAttributeValues: {
      ":pk": partition,
      ":profile": PROFILE_SK,
      ...(ledger > 0 ? {} : { ":member": MEMBER_SK }),
    },
    ScanIndexForward: false,
    // The profile and the member, then the ledger page.
    Limit: ledger > 0 ? ledger + 2 : 2,
  });
  const at = (sk: string) => items.find((item) => item.SK === sk);
  const member = at(MEMBER_SK);
  const profile = at(PROFILE_SK);
  const entries = items.filter((item) => String(item.SK).startsWith(LEDGER_PREFIX)).slice(0, ledger);
  const last = entries[entries.length - 1];
  // A full page may have more behind it: continue after its last entry (history()'s cursor).
  const more = ledger > 0 && entries.length === ledger && last !== undefined;
  const history: Page<LedgerEntry> = { items: entries.map((item) => entityOf(LedgerEntry, item)) };
  const nextCursor = more ? encodeCursor({ PK: partition, SK: last.SK }) : undefined;
  if (nextCursor) history.nextCursor = nextCursor;
  return {
    member: member ? entityOf(Member, member) : undefined,
    profile: profile ? entityOf(MemberProfile, profile) : undefined,
    history,
  };
};

/** The stored member item: the member, its keys, and the due-work index keys when something is due. */
export const memberItem = (member: Member) => ({
  ...memberKeys.member(member.memberId),
  ...(member.dueAt !== undefined && member.status === "active"
    ? keys.due(member.memberId, member.dueAt)
    : {}),
  entity: "member",
  ...member,
});

/** The stored profile item: the profile, its key, and its place in the program's member listing (GSI1). */
export const profileItem = (profile: MemberProfile) => ({
  ...memberKeys.profile(profile.memberId),
  ...memberKeys.profileListing(profile.programId, profile.enrolledAt, profile.memberId),
  entity: "memberProfile",
  ...profile,
});

const put = (
  table: DynamoTable,
  Item: Record<string, unknown>,
  ConditionExpression: string,
  values?: Record<string, unknown>,
) => ({
  Put: {
    TableName: table.name,
    Item,
    ConditionExpression,
    ...(values ? { ExpressionAttributeValues: values } : {}),
  },
});

const transactItem = (table: DynamoTable, write: MemberWrite, now: Date): TransactItem => {
  switch (write.kind) {
    case "member":
      return write.expectedVersion === null
        ? put(table, memberItem(write.member), "attribute_not_exists(PK)")
        : put(table, memberItem(write.member), "programId = :p AND version = :v", {
            ":p": write.member.programId,
            ":v": write.expectedVersion,
          });
    case "ledger":
      return put(
        table,
        { ...memberKeys.ledger(write.memberId, write.entry.seq), entity: "ledgerEntry", ...write.entry },
        "attribute_not_exists(PK)",
      );
    case "purchase": {
      if (write.expectedRefundedCents !== null) {
        // A refund changes only what refunds count; the rest of the record (and the claim it
        // holds) stays as written.
        const { refundedCents, pointsRefunded, stampsRefunded } = write.record;
        return {
          Update: {
            TableName: table.name,
            Key: memberKeys.transaction(write.record.transactionId),
            UpdateExpression: "SET refundedCents = :r, pointsRefunded = :p, stampsRefunded = :s",
            ConditionExpression: "refundedCents = :expected",
            ExpressionAttributeValues: {
              ":r": refundedCents,
              ":p": pointsRefunded,
              ":s": stampsRefunded,
              ":expected": write.expectedRefundedCents,
            },
          },
        };
      }
      const item = {
        ...memberKeys.transaction(write.record.transactionId),
        entity: "purchase",
        ...write.record,
        ...(write.idempotency ? idempotencyAttributes(write.idempotency) : {}),
      };
      return write.idempotency ? claimPut(table, item, now) : put(table, item, "attribute_not_exists(PK)");
    }
    case "spend": {
      const expires = new Date(`${write.day}T00:00:00.000Z`).getTime() / 1000 + SPEND_TTL_DAYS * 86_400;
      return {
        Update: {
          TableName: table.name,
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
    case "idempotency":
      return claimPut(table, claimItem(write, now), now);
    case "email":
      return put(table, emailItem(write.email), "attribute_not_exists(PK)");
  }
};

/** BatchGetItem takes at most this many keys. */
const MAX_BATCH_GET = 100;
/** Rounds of a BatchGetItem's UnprocessedKeys (throttling) before giving up. */
const BATCH_GET_ROUNDS = 8;

/**
 * The member items of these ids, strongly consistent, in one BatchGetItem (≤ 100 ids), with the keys
 * DynamoDB left unprocessed asked again after a short back-off. As attribute values: members hold
 * maps keyed by client-chosen names (attributes.ts).
 */
const membersByIds = async (
  table: DynamoTable,
  memberIds: readonly string[],
): Promise<Map<string, Member>> => {
  const found = new Map<string, Member>();
  if (memberIds.length === 0) return found;
  if (memberIds.length > MAX_BATCH_GET) throw new Error(`At most ${MAX_BATCH_GET} members at once.`);
  let keys: Record<string, AttributeValue>[] | undefined = memberIds.map((id) =>
    toAttributes(memberKeys.member(id)),
  );
  for (let round = 0; keys && keys.length > 0; round++) {
    if (round >= BATCH_GET_ROUNDS) throw new Error("DynamoDB kept leaving members of a BatchGetItem unread.");
    if (round > 0) await sleep(Math.random() * Math.min(500, 20 * 2 ** round));
    const result: BatchGetItemCommandOutput = await table.client.send(
      new BatchGetItemCommand({ RequestItems: { [table.name]: { Keys: keys, ConsistentRead: true } } }),
    );
    for (const item of result.Responses?.[table.name] ?? []) {
      const member = entityOf(Member, fromAttributes(item));
      found.set(member.memberId, member);
    }
    keys = result.UnprocessedKeys?.[table.name]?.Keys;
  }
  return found;
};

export const dynamoMemberRepository = (table: DynamoTable): MemberRepository => {
  /**
   * Card code → member id. A card code names one member for good, so once read it is kept for the
   * life of the process (bounded); the member itself is always read strongly consistent, and the use
   * case checks that it still holds the code (app/loyalty/context.ts, `named`).
   */
  const recentCardCodes = table.cache(
    "cardCodes",
    100_000,
    async (programAndCode) => {
      const [programId = "", code = ""] = programAndCode.split("|");
      const memberId = await memberIdAt(table, memberKeys.cardCode(programId, code));
      return memberId === undefined ? undefined : { memberId };
    },
    { immutable: true },
  );

  return {
    async get(programId, memberId) {
      const item = await getItem(table, memberKeys.member(memberId));
      if (!item || item.programId !== programId) return undefined;
      return entityOf(Member, item);
    },

    async load(memberId) {
      const item = await getItem(table, memberKeys.member(memberId));
      return item ? entityOf(Member, item) : undefined;
    },

    async profile(memberId) {
      const item = await read(table, memberKeys.profile(memberId));
      return item ? entityOf(MemberProfile, item) : undefined;
    },

    async card(memberId) {
      const { member, profile } = await memberHead(table, memberId, 0);
      return member ? { member, ...(profile ? { profile } : {}) } : undefined;
    },

    async snapshot(programId, memberId, historyLimit) {
      const { member, profile, history } = await memberHead(table, memberId, historyLimit);
      if (!member || member.programId !== programId) return undefined;
      return { member, ...(profile ? { profile } : {}), history };
    },

    async idByCardCode(programId, cardCode) {
      return (await recentCardCodes.get(`${programId}|${cardCode}`))?.memberId;
    },
    idByEmailHash: (programId, emailHash) => memberIdAt(table, memberKeys.email(programId, emailHash)),
    idByReferralCode: (programId, code) => memberIdAt(table, memberKeys.referralCode(programId, code)),

    async spend(memberId, fromDay, toDay) {
      const items = await table.queryAll({
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
      // cursor.ts's prefixPage, read as attribute values (ledger entries hold client-chosen names).
      const partition = memberKeys.member(memberId).PK;
      const { items, lastKey } = await queryPage(table, {
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": partition, ":prefix": LEDGER_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, {
          attributes: ["PK", "SK"],
          partition: { PK: partition },
          prefixes: { SK: LEDGER_PREFIX },
        }),
      });
      const nextCursor = encodeCursor(lastKey);
      return {
        items: items.map((item) => entityOf(LedgerEntry, item)),
        ...(nextCursor ? { nextCursor } : {}),
      };
    },

    async ledger(memberId) {
      const items = await queryEvery(table, {
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :ledger)",
        ExpressionAttributeValues: { ":pk": memberKeys.member(memberId).PK, ":ledger": LEDGER_PREFIX },
      });
      return items.map((item) => entityOf(LedgerEntry, item));
    },

    async purchase(transactionId) {
      const item = await getItem(table, memberKeys.transaction(transactionId));
      // The same key space holds the claims of other requests: only a purchase is a purchase.
      return item?.entity === "purchase" ? entityOf(PurchaseRecordSchema, item) : undefined;
    },

    async idempotency(transactionId, now) {
      const item = await read(table, memberKeys.transaction(transactionId));
      if (typeof item?.expiresAt === "number" && item.expiresAt < epochSeconds(now)) return undefined;
      return claimOfItem(item);
    },

    async enroll({ member, profile, emailHash, email }): Promise<EnrollResult> {
      const { memberId, programId } = member;
      // No check that the program exists: the use case has it in hand (programs are never deleted), and
      // a ConditionCheck on the program item would bill its whole size, twice, in every enrollment.
      const items: TransactItem[] = [
        put(
          table,
          { ...memberKeys.email(programId, emailHash), entity: "memberEmail", memberId },
          "attribute_not_exists(PK)",
        ),
        put(
          table,
          { ...memberKeys.cardCode(programId, member.cardCode), entity: "cardCode", memberId },
          "attribute_not_exists(PK)",
        ),
        put(
          table,
          { ...memberKeys.referralCode(programId, member.referralCode), entity: "referralCode", memberId },
          "attribute_not_exists(PK)",
        ),
        put(table, memberItem(member), "attribute_not_exists(PK)"),
        put(table, profileItem(profile), "attribute_not_exists(PK)"),
        // The welcome email: written with the member, so there is never a member without its email, nor
        // an email for a member that does not exist; the stream hands its INSERT to the mail worker.
        ...(email ? [put(table, emailItem(email), "attribute_not_exists(PK)")] : []),
      ];
      try {
        await table.client.send(new TransactWriteCommand({ TransactItems: items }));
        return { kind: "enrolled" };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (codes[0] === "ConditionalCheckFailed") {
          const existing = await memberIdAt(table, memberKeys.email(programId, emailHash));
          if (existing) return { kind: "email_taken", memberId: existing };
        }
        if (codes.some((c) => c === "ConditionalCheckFailed" || c === "TransactionConflict"))
          return { kind: "code_taken" };
        throw error;
      }
    },

    async commit(writes, now): Promise<CommitResult> {
      const idempotencyAt = writes.findIndex(
        (w) => w.kind === "idempotency" || (w.kind === "purchase" && w.idempotency !== undefined),
      );
      try {
        // As attribute values: members, ledger entries and purchases hold client-chosen names.
        await table.client.send(
          new TransactWriteItemsCommand({
            TransactItems: writes.map((w) => transactItemAttributes(transactItem(table, w, now))),
          }),
        );
        return { kind: "committed" };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (idempotencyAt >= 0 && codes[idempotencyAt] === "ConditionalCheckFailed") {
          // The record that holds the key comes back with the cancellation (ALL_OLD): no read needed.
          const record = claimReturnedAt(error, idempotencyAt);
          return { kind: "idempotency_key_taken", ...(record ? { record } : {}) };
        }
        if (codes.some((c) => c === "ConditionalCheckFailed" || c === "TransactionConflict"))
          return { kind: "changed" };
        throw error;
      }
    },

    async due(shard, now, cursor): Promise<Page<string>> {
      const partition = { GSI2PK: dueShardKey(shard) };
      const result = await table.client.send(
        new QueryCommand({
          TableName: table.name,
          IndexName: "GSI2",
          KeyConditionExpression: "GSI2PK = :pk AND GSI2SK < :now",
          ExpressionAttributeValues: { ":pk": partition.GSI2PK, ":now": now.toISOString() },
          Limit: 100,
          ExclusiveStartKey: decodeCursor(cursor, {
            attributes: ["PK", "SK", "GSI2PK", "GSI2SK"],
            partition,
          }),
        }),
      );
      return {
        items: (result.Items ?? []).map((item) => memberIdOfDueKey(String(item.GSI2SK))).filter(Boolean),
        nextCursor: encodeCursor(result.LastEvaluatedKey),
      };
    },

    async listPage(programId, { limit, cursor }) {
      // The program's profiles by enrolment (GSI1, eventually consistent: no strong read of an index),
      // then their members in one strongly consistent BatchGetItem.
      const partition = { GSI1PK: memberListingPartition(programId) };
      const result = await table.client.send(
        new QueryCommand({
          TableName: table.name,
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :pk",
          ExpressionAttributeValues: { ":pk": partition.GSI1PK },
          Limit: Math.min(limit, MAX_BATCH_GET),
          ExclusiveStartKey: decodeCursor(cursor, {
            attributes: ["PK", "SK", "GSI1PK", "GSI1SK"],
            partition,
            prefixes: { PK: MEMBER_PREFIX, SK: PROFILE_SK },
          }),
        }),
      );
      const profiles = (result.Items ?? []).map((item) => entityOf(MemberProfile, item));
      const members = await membersByIds(
        table,
        profiles.map((p) => p.memberId),
      );
      return {
        items: profiles.flatMap((profile) => {
          const member = members.get(profile.memberId);
          return member?.programId === programId ? [{ member, profile }] : [];
        }),
        nextCursor: encodeCursor(result.LastEvaluatedKey),
      };
    },
  };
};
