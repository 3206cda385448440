import { setTimeout as sleep } from "node:timers/promises";
import { BatchGetCommand, type BatchGetCommandOutput, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { DeviceRegistration, RegistrationRepository } from "../../domain/ports.js";
import { memberKeys, REGISTRATION_PREFIX, registrationKeys } from "../../shared/keys.js";
import { cancellationCodes, type DynamoTable } from "./client.js";

/**
 * Apple device registrations, stored twice in one transaction (data-model.md, T9): under the member
 * (whom to push after a change) and under the device (which passes a device asks about).
 */

const MAX_BATCH_GET = 100;

/**
 * The member's device count moved by one, in the registration's own transaction. It also moves the
 * member's version, so that a member write computed before it (which puts the whole member item,
 * count included) fails its version condition and is computed again: the count is never lost.
 */
const countDevices = (table: DynamoTable, memberId: string, delta: 1 | -1) => ({
  Update: {
    TableName: table.name,
    Key: memberKeys.member(memberId),
    UpdateExpression: "SET devices = devices + :delta, version = version + :one",
    ConditionExpression: delta > 0 ? "attribute_exists(devices)" : "devices > :zero",
    ExpressionAttributeValues: { ":delta": delta, ":one": 1, ...(delta > 0 ? {} : { ":zero": 0 }) },
  },
});

/** Registrations in one partition under a sort-key prefix. */
const registrationsIn = (table: DynamoTable, PK: string, prefix: string) =>
  table.queryAll({
    KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
    ExpressionAttributeValues: { ":pk": PK, ":prefix": prefix },
  });

/**
 * Sends a registration transaction, again after a short pause when it collided with another
 * transaction on the member (a purchase committing at that moment): TransactionConflict, not a
 * failed condition. A few tries, then the error goes up (a 5xx Apple retries).
 */
const sendRetryingConflicts = async (table: DynamoTable, command: TransactWriteCommand): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      await table.client.send(command);
      return;
    } catch (error) {
      const codes = cancellationCodes(error);
      const conflict = codes?.includes("TransactionConflict") && !codes.includes("ConditionalCheckFailed");
      if (!conflict || attempt >= 5) throw error;
      await sleep(Math.random() * 20 * attempt);
    }
  }
};

export const dynamoRegistrationRepository = (table: DynamoTable): RegistrationRepository => ({
  async register(r, now, counted) {
    const at = now.toISOString();
    const onMember = registrationKeys.onMember(r.memberId, r.passTypeId, r.deviceLibraryIdentifier);
    const onDevice = registrationKeys.onDevice(r.deviceLibraryIdentifier, r.passTypeId, r.memberId);
    const fields = { ...r, registeredAt: at, updatedAt: at };
    try {
      await sendRetryingConflicts(
        table,
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table.name,
                Item: { ...onMember, entity: "appleRegistration", ...fields },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
            {
              Put: { TableName: table.name, Item: { ...onDevice, entity: "deviceRegistration", ...fields } },
            },
            ...(counted ? [countDevices(table, r.memberId, 1)] : []),
          ],
        }),
      );
      return "created";
    } catch (error) {
      if (cancellationCodes(error)?.[0] !== "ConditionalCheckFailed") throw error;
    }
    const refresh = (Key: Record<string, string>, entity: string) => ({
      Update: {
        TableName: table.name,
        Key,
        UpdateExpression:
          "SET pushToken = :t, updatedAt = :u, entity = :e, deviceLibraryIdentifier = :d, passTypeId = :p, memberId = :m, programId = :g, registeredAt = if_not_exists(registeredAt, :u)",
        ExpressionAttributeValues: {
          ":t": r.pushToken,
          ":u": at,
          ":e": entity,
          ":d": r.deviceLibraryIdentifier,
          ":p": r.passTypeId,
          ":m": r.memberId,
          ":g": r.programId,
        },
      },
    });
    await table.client.send(
      new TransactWriteCommand({
        TransactItems: [refresh(onMember, "appleRegistration"), refresh(onDevice, "deviceRegistration")],
      }),
    );
    return "updated";
  },

  async unregister(deviceLibraryIdentifier, passTypeId, memberId, counted) {
    const onMember = registrationKeys.onMember(memberId, passTypeId, deviceLibraryIdentifier);
    try {
      await sendRetryingConflicts(
        table,
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: { TableName: table.name, Key: onMember, ConditionExpression: "attribute_exists(PK)" },
            },
            {
              Delete: {
                TableName: table.name,
                Key: registrationKeys.onDevice(deviceLibraryIdentifier, passTypeId, memberId),
              },
            },
            ...(counted ? [countDevices(table, memberId, -1)] : []),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationCodes(error)?.[0] === "ConditionalCheckFailed") return false;
      throw error;
    }
  },

  async serialsOnDevice(deviceLibraryIdentifier, passTypeId) {
    const items = await registrationsIn(
      table,
      registrationKeys.device(deviceLibraryIdentifier),
      `${REGISTRATION_PREFIX}${passTypeId}#`,
    );
    return items.map((i) => String(i.memberId));
  },

  async passUpdatedAt(memberIds) {
    const found = new Map<string, number>();
    const unique = [...new Set(memberIds)];
    for (let i = 0; i < unique.length; i += MAX_BATCH_GET) {
      let keys: Record<string, unknown>[] | undefined = unique
        .slice(i, i + MAX_BATCH_GET)
        .map((id) => memberKeys.member(id));
      for (let attempt = 0; keys && keys.length > 0 && attempt < 8; attempt++) {
        const answer: BatchGetCommandOutput = await table.client.send(
          new BatchGetCommand({
            RequestItems: {
              [table.name]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: "memberId, passUpdatedAt",
              },
            },
          }),
        );
        for (const item of answer.Responses?.[table.name] ?? []) {
          found.set(String(item.memberId), Number(item.passUpdatedAt));
        }
        keys = answer.UnprocessedKeys?.[table.name]?.Keys;
        if (keys && keys.length > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
      if (keys && keys.length > 0) throw new Error("DynamoDB left keys unprocessed after 8 attempts");
    }
    return found;
  },

  async devicesOf(memberId) {
    const items = await registrationsIn(table, memberKeys.member(memberId).PK, REGISTRATION_PREFIX);
    return items.map(
      (i): DeviceRegistration => ({
        deviceLibraryIdentifier: String(i.deviceLibraryIdentifier),
        passTypeId: String(i.passTypeId),
        memberId: String(i.memberId),
        programId: String(i.programId),
        pushToken: String(i.pushToken),
      }),
    );
  },
});
