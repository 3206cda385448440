import {
  ConditionalCheckFailedException,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { Member, MemberProfile } from "../../domain/loyalty/member.js";
import type { GoogleObjectRepository, GoogleObjectState } from "../../domain/ports.js";
import { GOOGLE_OBJECT_SK, MEMBER_SK, memberKeys, PROFILE_SK } from "../../shared/keys.js";
import { queryPage, toAttributes, transactItemAttributes } from "./attributes.js";
import { cancellationCodes, type DynamoTable, retryingConflicts } from "./client.js";
import { entityOf } from "./entity.js";

/**
 * The state of members' Google Wallet objects (data-model.md 2.4.2): one `googleObject` item per member,
 * in its partition right after its profile (memberKeys.googleObject), read with the member and its
 * profile in one Query.
 */

const stateOf = (item: Record<string, unknown>): GoogleObjectState => {
  const shown = (item.shown ?? {}) as { tierId?: unknown; voucherIds?: unknown; offerIds?: unknown };
  return {
    objectId: String(item.objectId),
    generation: Number(item.generation ?? 0),
    syncedPassUpdatedAt: Number(item.syncedPassUpdatedAt ?? 0),
    shown: {
      tierId: typeof shown.tierId === "string" ? shown.tierId : null,
      voucherIds: Array.isArray(shown.voucherIds) ? shown.voucherIds.map(String) : [],
      // Absent on items written before offers were on cards: kept absent (unknown, not none).
      ...(Array.isArray(shown.offerIds) ? { offerIds: shown.offerIds.map(String) } : {}),
    },
    notifiedAt: Array.isArray(item.notifiedAt) ? item.notifiedAt.map(Number) : [],
    state: item.state === "inactive" || item.state === "expired" ? item.state : "active",
    version: Number(item.version ?? 0),
  };
};

export const dynamoGoogleObjectRepository = (table: DynamoTable): GoogleObjectRepository => ({
  async cardWithGoogle(memberId) {
    // Member items hold maps keyed by client-chosen names: read as attribute values (attributes.ts).
    const { items } = await queryPage(table, {
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :member AND :google",
      ExpressionAttributeValues: {
        ":pk": memberKeys.member(memberId).PK,
        ":member": MEMBER_SK,
        ":google": GOOGLE_OBJECT_SK,
      },
      Limit: 3,
    });
    const at = (sk: string) => items.find((item) => item.SK === sk);
    const member = at(MEMBER_SK);
    if (!member) return undefined;
    const profile = at(PROFILE_SK);
    const google = at(GOOGLE_OBJECT_SK);
    return {
      member: entityOf(Member, member),
      ...(profile ? { profile: entityOf(MemberProfile, profile) } : {}),
      ...(google ? { google: stateOf(google) } : {}),
    };
  },

  async recordSaved(memberId, saved, markMember) {
    const record = {
      Update: {
        TableName: table.name,
        Key: memberKeys.googleObject(memberId),
        UpdateExpression:
          "SET entity = :entity, memberId = :m, objectId = :o, generation = :g, syncedPassUpdatedAt = :p, shown = :s, #state = :active, notifiedAt = if_not_exists(notifiedAt, :none), version = if_not_exists(version, :zero) + :one",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: {
          ":entity": "googleObject",
          ":m": memberId,
          ":o": saved.objectId,
          ":g": saved.generation,
          ":p": saved.syncedPassUpdatedAt,
          ":s": saved.shown,
          ":active": "active",
          ":none": [],
          ":zero": 0,
          ":one": 1,
        },
      },
    };
    // The member's mark moves its version, like its device count (registration-repository.ts): a member
    // write computed before it puts the whole item, so it fails its version condition and is computed
    // again, and the mark is never lost.
    const mark = {
      Update: {
        TableName: table.name,
        Key: memberKeys.member(memberId),
        UpdateExpression: "SET googleObject = :g, version = version + :one",
        ConditionExpression: "attribute_exists(PK)",
        ExpressionAttributeValues: { ":g": saved.generation, ":one": 1 },
      },
    };
    try {
      if (markMember) {
        // A purchase committing at the same moment makes the transaction conflict: send it again.
        await retryingConflicts(() =>
          table.client.send(
            new TransactWriteItemsCommand({ TransactItems: [mark, record].map(transactItemAttributes) }),
          ),
        );
      } else {
        // The member is marked already, so its state exists: only while it does (a member removed
        // meanwhile leaves no state behind).
        const { Key, ExpressionAttributeValues, ...update } = record.Update;
        await table.client.send(
          new UpdateItemCommand({
            ...update,
            ConditionExpression: "attribute_exists(PK)",
            Key: toAttributes(Key),
            ExpressionAttributeValues: toAttributes(ExpressionAttributeValues),
          }),
        );
      }
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      if (cancellationCodes(error)?.includes("ConditionalCheckFailed")) return false;
      throw error;
    }
  },

  async update(memberId, next, expectedVersion) {
    try {
      await table.client.send(
        new PutItemCommand({
          TableName: table.name,
          Item: toAttributes({
            ...memberKeys.googleObject(memberId),
            entity: "googleObject",
            memberId,
            ...next,
            version: expectedVersion + 1,
          }),
          ConditionExpression: "version = :v",
          ExpressionAttributeValues: toAttributes({ ":v": expectedVersion }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },
});
