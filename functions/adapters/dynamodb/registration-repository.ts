import { setTimeout as sleep } from "node:timers/promises";
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import type { DeviceRegistration, PushedMark, RegistrationRepository } from "../../domain/ports.js";
import {
  byRegistrationTime,
  MAX_EVICTIONS_PER_REGISTRATION,
  REGISTRATION_LIMITS,
  type RegistrationLimits,
  registrationWindow,
} from "../../domain/registrations.js";
import { memberKeys, REGISTRATION_PREFIX, registrationKeys } from "../../shared/keys.js";
import { cancellationCodes, type DynamoTable, retryingConflicts } from "./client.js";

/**
 * Apple device registrations, stored twice in one transaction (data-model.md, T9): under the member
 * (whom to push after a change) and under the device (which passes a device asks about). A pass holds
 * at most `maxDevices` of them and takes at most `maxNewPerHour` new ones per clock hour
 * (domain/registrations.ts), both enforced inside the registration's transaction.
 */

const MAX_BATCH_GET = 100;
/**
 * Attempts of a registration whose transaction met another one (a purchase, a concurrent eviction of
 * the same oldest registration: each round lets at least one of them through).
 */
const MAX_ATTEMPTS = 8;
/** Registrations removed per transaction by `removeAll`: two Deletes each, and the member's count. */
const REMOVALS_PER_TRANSACTION = 45;
/** How long the push fan-out's note is kept: a stream record is handed over for at most 24 hours. */
const PUSHED_MARK_SECONDS = 25 * 3600;

/**
 * The member's device count moved by `delta`, in the registration's own transaction. It also moves the
 * member's version, so that a member write computed before it (which puts the whole member item,
 * count included) fails its version condition and is computed again: the count is never lost.
 */
const countDevices = (table: DynamoTable, memberId: string, delta: number) => ({
  Update: {
    TableName: table.name,
    Key: memberKeys.member(memberId),
    UpdateExpression: "SET devices = devices + :delta, version = version + :one",
    ConditionExpression: delta > 0 ? "attribute_exists(devices)" : "devices >= :least",
    ExpressionAttributeValues: { ":delta": delta, ":one": 1, ...(delta > 0 ? {} : { ":least": -delta }) },
  },
});

/** Registrations in one partition under a sort-key prefix. */
const registrationsIn = (table: DynamoTable, PK: string, prefix: string, projection?: string) =>
  table.queryAll({
    KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
    ExpressionAttributeValues: { ":pk": PK, ":prefix": prefix },
    ...(projection ? { ProjectionExpression: projection } : {}),
  });

const registrationOf = (i: Record<string, unknown>): DeviceRegistration => ({
  deviceLibraryIdentifier: String(i.deviceLibraryIdentifier),
  passTypeId: String(i.passTypeId),
  memberId: String(i.memberId),
  programId: String(i.programId),
  pushToken: String(i.pushToken),
});

/** Both items of one registration, by key. */
const bothKeys = (memberId: string, passTypeId: string, deviceLibraryIdentifier: string) => ({
  onMember: registrationKeys.onMember(memberId, passTypeId, deviceLibraryIdentifier),
  onDevice: registrationKeys.onDevice(deviceLibraryIdentifier, passTypeId, memberId),
});

/**
 * The deletes of both items of one registration, in a transaction: the member's, on condition it is
 * still there (so that two removals of one registration cannot both count it), and the device's.
 */
const deleteBoth = (
  table: DynamoTable,
  memberId: string,
  passTypeId: string,
  deviceLibraryIdentifier: string,
) => {
  const { onMember, onDevice } = bothKeys(memberId, passTypeId, deviceLibraryIdentifier);
  return [
    { Delete: { TableName: table.name, Key: onMember, ConditionExpression: "attribute_exists(PK)" } },
    { Delete: { TableName: table.name, Key: onDevice } },
  ];
};

export const dynamoRegistrationRepository = (
  table: DynamoTable,
  limits: RegistrationLimits = REGISTRATION_LIMITS,
): RegistrationRepository => {
  /** A pass's registrations in the member's partition, oldest first: one Query, keys and times only. */
  const registrationsOfPass = async (memberId: string, passTypeId: string) => {
    const prefix = registrationKeys.passPrefix(passTypeId);
    const items = await registrationsIn(table, memberKeys.member(memberId).PK, prefix, "SK, registeredAt");
    return items
      .map((i) => ({
        deviceLibraryIdentifier: String(i.SK).slice(prefix.length),
        registeredAt: typeof i.registeredAt === "string" ? i.registeredAt : "",
      }))
      .sort(byRegistrationTime);
  };

  /**
   * A new push token (and updatedAt) on both items of a registration that exists; false when it is
   * gone meanwhile (unregistered, evicted), so that the caller registers it anew.
   */
  const refresh = async (r: DeviceRegistration, at: string): Promise<boolean> => {
    const { onMember, onDevice } = bothKeys(r.memberId, r.passTypeId, r.deviceLibraryIdentifier);
    const update = (Key: Record<string, string>, entity: string, mustExist: boolean) => ({
      Update: {
        TableName: table.name,
        Key,
        UpdateExpression:
          "SET pushToken = :t, updatedAt = :u, entity = :e, deviceLibraryIdentifier = :d, passTypeId = :p, memberId = :m, programId = :g, registeredAt = if_not_exists(registeredAt, :u)",
        ...(mustExist ? { ConditionExpression: "attribute_exists(PK)" } : {}),
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
    try {
      await table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            update(onMember, "appleRegistration", true),
            update(onDevice, "deviceRegistration", false),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationCodes(error)?.[0] === "ConditionalCheckFailed") return false;
      throw error;
    }
  };

  return {
    async register(r, now, counted, devicesSeen) {
      const at = now.toISOString();
      const window = registrationWindow(now);
      const mine = bothKeys(r.memberId, r.passTypeId, r.deviceLibraryIdentifier);
      const fields = { ...r, registeredAt: at, updatedAt: at };
      // The common case costs no read: a pass below the cap, as the caller has just read its count.
      let mustRead = !(counted && devicesSeen !== undefined && devicesSeen < limits.maxDevices);
      for (let attempt = 1; ; attempt++) {
        let evicted: string[] = [];
        if (mustRead) {
          const present = await registrationsOfPass(r.memberId, r.passTypeId);
          if (present.some((p) => p.deviceLibraryIdentifier === r.deviceLibraryIdentifier)) {
            if (await refresh(r, at)) return "updated";
            if (attempt >= MAX_ATTEMPTS)
              throw new Error("registration: removed and present again, repeatedly");
            continue;
          }
          const excess = present.length + 1 - limits.maxDevices;
          evicted = present
            .slice(0, Math.max(0, Math.min(excess, MAX_EVICTIONS_PER_REGISTRATION)))
            .map((p) => p.deviceLibraryIdentifier);
        }
        const delta = 1 - evicted.length;
        const EVICTIONS_FROM = 3;
        const items = [
          {
            Put: {
              TableName: table.name,
              Item: { ...mine.onMember, entity: "appleRegistration", ...fields },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
          {
            Put: {
              TableName: table.name,
              Item: { ...mine.onDevice, entity: "deviceRegistration", ...fields },
            },
          },
          // [2] the pass's new registrations this hour, refused beyond the limit
          {
            Update: {
              TableName: table.name,
              Key: registrationKeys.rate(r.memberId, window.hour),
              UpdateExpression: "ADD registrations :one SET entity = :e, expiresAt = :x",
              ConditionExpression: "attribute_not_exists(registrations) OR registrations < :limit",
              ExpressionAttributeValues: {
                ":one": 1,
                ":e": "registrationRate",
                ":x": Math.floor(window.endsAt.getTime() / 1000) + 3600,
                ":limit": limits.maxNewPerHour,
              },
            },
          },
          // [3…] the oldest registrations beyond the cap, both items, each still there
          ...evicted.flatMap((device) => deleteBoth(table, r.memberId, r.passTypeId, device)),
          ...(counted && delta !== 0 ? [countDevices(table, r.memberId, delta)] : []),
        ];
        try {
          await table.client.send(new TransactWriteCommand({ TransactItems: items }));
          return "created";
        } catch (error) {
          const codes = cancellationCodes(error);
          if (!codes) throw error;
          // Already registered: a refresh, never limited (a refresh is never counted).
          if (codes[0] === "ConditionalCheckFailed") {
            if (await refresh(r, at)) return "updated";
          } else if (codes[2] === "ConditionalCheckFailed") {
            return "rate_limited";
          } else {
            const evictionGone = codes
              .slice(EVICTIONS_FROM, EVICTIONS_FROM + 2 * evicted.length)
              .includes("ConditionalCheckFailed");
            const conflict = codes.includes("TransactionConflict");
            // Another registration evicted the same one, or a purchase committed on the member: again,
            // reading the registrations again unless only a conflict on the member was in the way.
            if (!(evictionGone || (conflict && !codes.includes("ConditionalCheckFailed")))) throw error;
            if (evictionGone) mustRead = true;
          }
          if (attempt >= MAX_ATTEMPTS) throw error;
          await sleep(Math.random() * 20 * attempt);
        }
      }
    },

    async unregister(deviceLibraryIdentifier, passTypeId, memberId, counted) {
      try {
        await retryingConflicts(() =>
          table.client.send(
            new TransactWriteCommand({
              TransactItems: [
                ...deleteBoth(table, memberId, passTypeId, deviceLibraryIdentifier),
                ...(counted ? [countDevices(table, memberId, -1)] : []),
              ],
            }),
          ),
        );
        return true;
      } catch (error) {
        if (cancellationCodes(error)?.[0] === "ConditionalCheckFailed") return false;
        throw error;
      }
    },

    async removeAll(memberId) {
      const pushed = registrationKeys.pushed(memberId);
      const { Item: member } = await table.client.send(
        new GetCommand({
          TableName: table.name,
          Key: memberKeys.member(memberId),
          ConsistentRead: true,
          ProjectionExpression: "devices",
        }),
      );
      const counted = typeof member?.devices === "number";
      let removed = 0;
      for (let attempt = 1; ; attempt++) {
        const items = await registrationsIn(
          table,
          memberKeys.member(memberId).PK,
          REGISTRATION_PREFIX,
          "SK, passTypeId, deviceLibraryIdentifier",
        );
        const registrations = items.filter((i) => i.SK !== pushed.SK);
        try {
          for (let from = 0; from < registrations.length; from += REMOVALS_PER_TRANSACTION) {
            const chunk = registrations.slice(from, from + REMOVALS_PER_TRANSACTION);
            await retryingConflicts(() =>
              table.client.send(
                new TransactWriteCommand({
                  TransactItems: [
                    ...chunk.flatMap((i) =>
                      deleteBoth(table, memberId, String(i.passTypeId), String(i.deviceLibraryIdentifier)),
                    ),
                    ...(counted ? [countDevices(table, memberId, -chunk.length)] : []),
                  ],
                }),
              ),
            );
            removed += chunk.length;
          }
          break;
        } catch (error) {
          // One of them went meanwhile (unregistered, evicted): read what is left and go on.
          if (
            cancellationCodes(error)?.includes("ConditionalCheckFailed") !== true ||
            attempt >= MAX_ATTEMPTS
          )
            throw error;
        }
      }
      await table.client.send(new DeleteCommand({ TableName: table.name, Key: pushed }));
      return removed;
    },

    async serialsOnDevice(deviceLibraryIdentifier, passTypeId) {
      const items = await registrationsIn(
        table,
        registrationKeys.device(deviceLibraryIdentifier),
        registrationKeys.passPrefix(passTypeId),
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
      const pushed = registrationKeys.pushed(memberId).SK;
      return items.filter((i) => i.SK !== pushed).map(registrationOf);
    },

    async pushTargets(memberId, passTypeId) {
      const items = await registrationsIn(table, memberKeys.member(memberId).PK, REGISTRATION_PREFIX);
      const pushedSk = registrationKeys.pushed(memberId).SK;
      const mark = items.find((i) => i.SK === pushedSk);
      const devices = items
        .filter((i) => i.SK !== pushedSk && i.passTypeId === passTypeId)
        .map((i) => ({
          registration: registrationOf(i),
          deviceLibraryIdentifier: String(i.deviceLibraryIdentifier),
          registeredAt: typeof i.registeredAt === "string" ? i.registeredAt : "",
        }))
        .sort(byRegistrationTime)
        .slice(-limits.maxDevices)
        .map((d) => d.registration);
      const pushed: PushedMark | undefined =
        mark && typeof mark.passUpdatedAt === "number" && Array.isArray(mark.tokens)
          ? { passUpdatedAt: mark.passUpdatedAt, tokens: mark.tokens.map(String) }
          : undefined;
      return { devices, ...(pushed ? { pushed } : {}) };
    },

    async markPushed(memberId, mark, now) {
      try {
        await table.client.send(
          new PutCommand({
            TableName: table.name,
            Item: {
              ...registrationKeys.pushed(memberId),
              entity: "pushedMark",
              memberId,
              passUpdatedAt: mark.passUpdatedAt,
              tokens: [...new Set(mark.tokens)],
              expiresAt: Math.floor(now.getTime() / 1000) + PUSHED_MARK_SECONDS,
            },
            ConditionExpression: "attribute_not_exists(PK) OR passUpdatedAt <= :v",
            ExpressionAttributeValues: { ":v": mark.passUpdatedAt },
          }),
        );
      } catch (error) {
        // A note of a newer version is there: it stays.
        if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
      }
    },
  };
};
