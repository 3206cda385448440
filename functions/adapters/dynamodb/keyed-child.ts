import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { HolderStatus } from "../../domain/credentials.js";
import type { KeyHolderRecord, KeyHolderRepository } from "../../domain/ports.js";
import { type KeyState, keyView } from "../../shared/key-lifecycle.js";
import { keys } from "../../shared/keys.js";
import { claimItem, claimPut, claimThatRefused } from "./claims.js";
import { cancellationCodes, type DynamoTable } from "./client.js";

/**
 * Things a program owns that have their own API key (stores, partners): the holder's item in the
 * program's partition (what the merchant API lists and reads) and its key record under the holder's
 * own id (what authentication reads, knowing only the id the key names). Both change together, in one
 * transaction; the key record holds the hashes, the item only what may be shown (keyView).
 */

type Key = { PK: string; SK: string };

export interface HolderSpec<T extends { programId: string }, R extends KeyHolderRecord> {
  entity: string;
  idOf(holder: T): string;
  itemKey(programId: string, id: string): Key;
  keyRecordKey(id: string): Key;
  /** The fields of the holder its key record carries besides status and key (a store's limits). */
  recordExtras(holder: T): Record<string, unknown>;
  /** The key record as authentication sees it, from the stored item. */
  recordOf(id: string, common: KeyHolderRecord, item: Record<string, unknown>): R;
  /** Called after any change (to forget what a read cache holds of the program). */
  changed?(programId: string): void;
}

/** Attributes of a key record that hold the key's state. */
const keyAttributes = (key: KeyState): Record<string, unknown> => ({
  apiKeyHash: key.hash,
  previousKeyHash: key.previousHash,
  previousKeyValidUntil: key.previousValidUntil,
  keyLastUsedAt: key.lastUsedAt,
  previousKeyLastUsedAt: key.previousLastUsedAt,
});

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The key's state as a key record (or a program item, by other names) stores it. */
export const keyStateOf = (
  item: Record<string, unknown>,
  names: Record<keyof KeyState, string>,
): KeyState | undefined => {
  const hash = text(item[names.hash]);
  if (hash === undefined) return undefined;
  return {
    hash,
    previousHash: text(item[names.previousHash]),
    previousValidUntil: text(item[names.previousValidUntil]),
    lastUsedAt: text(item[names.lastUsedAt]),
    previousLastUsedAt: text(item[names.previousLastUsedAt]),
  };
};

const KEY_RECORD_NAMES: Record<keyof KeyState, string> = {
  hash: "apiKeyHash",
  previousHash: "previousKeyHash",
  previousValidUntil: "previousKeyValidUntil",
  lastUsedAt: "keyLastUsedAt",
  previousLastUsedAt: "previousKeyLastUsedAt",
};

/**
 * An UpdateItem's expression that sets every defined field and removes every undefined one, on an
 * item that must exist (an update never recreates a deleted item), plus an optional condition.
 */
export const updateOf = (
  table: DynamoTable,
  Key: Key,
  fields: Record<string, unknown>,
  condition?: { expression: string; values: Record<string, unknown> },
) => {
  const entries = Object.entries(fields);
  const names = Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name]));
  const sets = entries.flatMap(([, v], i) => (v === undefined ? [] : [`#f${i} = :f${i}`]));
  const removes = entries.flatMap(([, v], i) => (v === undefined ? [`#f${i}`] : []));
  const values = Object.fromEntries(entries.flatMap(([, v], i) => (v === undefined ? [] : [[`:f${i}`, v]])));
  return {
    Update: {
      TableName: table.name,
      Key,
      UpdateExpression: [
        sets.length > 0 ? `SET ${sets.join(", ")}` : "",
        removes.length > 0 ? `REMOVE ${removes.join(", ")}` : "",
      ]
        .join(" ")
        .trim(),
      ConditionExpression: `attribute_exists(PK)${condition ? ` AND ${condition.expression}` : ""}`,
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length + Object.keys(condition?.values ?? {}).length > 0
        ? { ExpressionAttributeValues: { ...values, ...condition?.values } }
        : {}),
    },
  };
};

/** Runs a transaction; false when one of its conditions failed (something is gone or changed). */
export const transactIfPresent = async (
  table: DynamoTable,
  items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]>,
): Promise<boolean> => {
  try {
    await table.client.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    if (cancellationCodes(error)?.includes("ConditionalCheckFailed")) return false;
    throw error;
  }
};

/** Fields of a holder's item that `replace` never writes: its identity, and what its key's changes write. */
const NOT_REPLACED = new Set([
  "programId",
  "createdAt",
  "apiKeyPrefix",
  "keyLastUsedAt",
  "previousKeyValidUntil",
  "previousKeyLastUsedAt",
]);

export const keyHolderRepository = <
  T extends { programId: string; status: HolderStatus },
  R extends KeyHolderRecord,
>(
  table: DynamoTable,
  spec: HolderSpec<T, R>,
): KeyHolderRepository<T, R> => {
  const changed = (programId: string) => spec.changed?.(programId);
  return {
    async create(holder, apiKeyHash, claim, now = new Date()) {
      const id = spec.idOf(holder);
      const put = (Item: Record<string, unknown>) => ({
        Put: { TableName: table.name, Item, ConditionExpression: "attribute_not_exists(PK)" },
      });
      const items = [
        {
          ConditionCheck: {
            TableName: table.name,
            Key: keys.program(holder.programId),
            ConditionExpression: "attribute_exists(PK)",
          },
        },
        put({ ...spec.itemKey(holder.programId, id), entity: spec.entity, ...holder }),
        put({
          ...spec.keyRecordKey(id),
          entity: `${spec.entity}Key`,
          programId: holder.programId,
          status: holder.status,
          ...spec.recordExtras(holder),
          apiKeyHash,
        }),
        ...(claim ? [claimPut(table, claimItem(claim, now), now)] : []),
      ];
      try {
        await table.client.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (error) {
        const seen = claim && claimThatRefused(error, items.length - 1);
        if (seen) return seen;
        if (cancellationCodes(error)?.[0] === "ConditionalCheckFailed") return false;
        throw error;
      } finally {
        changed(holder.programId);
      }
    },

    async replace(holder) {
      const id = spec.idOf(holder);
      const own = Object.fromEntries(Object.entries(holder).filter(([name]) => !NOT_REPLACED.has(name)));
      // Optional fields the holder no longer has are removed: every optional field is named here.
      const extras = spec.recordExtras(holder);
      const removed = Object.fromEntries(Object.keys(extras).map((name) => [name, undefined]));
      const replaced = await transactIfPresent(table, [
        updateOf(
          table,
          spec.itemKey(holder.programId, id),
          { ...removed, ...own },
          {
            expression: "programId = :program",
            values: { ":program": holder.programId },
          },
        ),
        updateOf(table, spec.keyRecordKey(id), { status: holder.status, ...extras }),
      ]);
      changed(holder.programId);
      return replaced;
    },

    async setKey(holder, next, apiKeyPrefix, expectedHash) {
      const id = spec.idOf(holder);
      const view = keyView(next);
      const updated = await transactIfPresent(table, [
        updateOf(table, spec.keyRecordKey(id), keyAttributes(next), {
          expression: "apiKeyHash = :expected",
          values: { ":expected": expectedHash },
        }),
        updateOf(table, spec.itemKey(holder.programId, id), {
          apiKeyPrefix,
          keyLastUsedAt: view.keyLastUsedAt,
          previousKeyValidUntil: view.previousKeyValidUntil,
          previousKeyLastUsedAt: view.previousKeyLastUsedAt,
        }),
      ]);
      changed(holder.programId);
      return updated;
    },

    async recordKeyUse(holder, id, which, hash, at) {
      const field = which === "current" ? "keyLastUsedAt" : "previousKeyLastUsedAt";
      const value = { [field]: at.toISOString() };
      const hashAttribute = which === "current" ? "apiKeyHash" : "previousKeyHash";
      // Never recreates a holder deleted meanwhile (updateOf requires the item), nor records the use
      // of a key rotated away meanwhile: then nothing is written.
      await transactIfPresent(table, [
        updateOf(table, spec.keyRecordKey(id), value, {
          expression: `${hashAttribute} = :hash`,
          values: { ":hash": hash },
        }),
        updateOf(table, spec.itemKey(holder.programId, id), value),
      ]);
    },

    async remove(programId, id) {
      const removed = await transactIfPresent(table, [
        {
          Delete: {
            TableName: table.name,
            Key: spec.itemKey(programId, id),
            ConditionExpression: "attribute_exists(PK)",
          },
        },
        { Delete: { TableName: table.name, Key: spec.keyRecordKey(id) } },
      ]);
      changed(programId);
      return removed;
    },

    async keyRecord(id) {
      const { Item } = await table.client.send(
        new GetCommand({ TableName: table.name, Key: spec.keyRecordKey(id), ConsistentRead: true }),
      );
      const programId = text(Item?.programId);
      const key = Item && keyStateOf(Item, KEY_RECORD_NAMES);
      if (!Item || programId === undefined || key === undefined) return undefined;
      const status: HolderStatus = Item.status === "disabled" ? "disabled" : "active";
      return spec.recordOf(id, { programId, status, key }, Item);
    },
  };
};
