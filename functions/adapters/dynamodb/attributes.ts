import {
  type AttributeValue,
  GetItemCommand,
  QueryCommand,
  type TransactWriteItem,
} from "@aws-sdk/client-dynamodb";
import type { QueryCommandInput, TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { convertToAttr, convertToNative, type NativeAttributeValue } from "@aws-sdk/util-dynamodb";
import type { DynamoTable } from "./client.js";

/**
 * Items to and from DynamoDB's attribute values with every name of every map kept, for the items whose
 * maps are keyed by names clients choose: a member's `stamps` by stamp category, a ledger entry's
 * `stamps`, a purchase's `stampsEarned` (docs/data-model.md, "Names clients choose").
 *
 * The document client (lib-dynamodb over @aws-sdk/util-dynamodb) cannot carry those names. It builds
 * every map by assignment, so a key `__proto__` sets the prototype of the map being built: on a read
 * the key is silently lost, on a write the request fails (ValidationException). And it tells a plain
 * object by `value.constructor.name`, so an object with a key `constructor` cannot be written at all.
 * Here maps and lists are converted with own properties only (`Object.entries`, `Object.fromEntries`);
 * every other value (strings, numbers, booleans, null, sets) converts with util-dynamodb, exactly as
 * the document client converts it. The stored format is the document client's: a map of numbers.
 *
 * The commands are the low-level ones (GetItem, Query, TransactWriteItems), sent through the table's
 * document client, which passes them on untouched.
 */

/** The document client's options (client.ts), for the values converted the same way. */
const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;

type Item = Record<string, unknown>;
type Attributes = Record<string, AttributeValue>;

const isPlainObject = (value: unknown): value is Item => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

const kept = (value: unknown): boolean => value !== undefined && typeof value !== "function";

export const toAttribute = (value: unknown): AttributeValue => {
  if (Array.isArray(value)) return { L: value.filter(kept).map(toAttribute) };
  if (isPlainObject(value)) return { M: toAttributes(value) };
  return convertToAttr(value as NativeAttributeValue, MARSHALL);
};

/** An item, a key or expression values as attribute values: every own name, undefined left out. */
export const toAttributes = (item: Item): Attributes =>
  Object.fromEntries(
    Object.entries(item)
      .filter(([, value]) => kept(value))
      .map(([name, value]) => [name, toAttribute(value)]),
  );

export const fromAttribute = (value: AttributeValue): unknown => {
  if (value.M !== undefined) return fromAttributes(value.M);
  if (value.L !== undefined) return value.L.map(fromAttribute);
  return convertToNative(value);
};

/** Attribute values back to an item: maps become records of own properties, whatever their names. */
export const fromAttributes = (item: Attributes): Item =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, fromAttribute(value)]));

/** One item by its key, strongly consistent; undefined when there is none. */
export const getItem = async (table: DynamoTable, key: Item): Promise<Item | undefined> => {
  const { Item } = await table.client.send(
    new GetItemCommand({ TableName: table.name, Key: toAttributes(key), ConsistentRead: true }),
  );
  return Item && fromAttributes(Item);
};

/** A strongly consistent Query, as the document client takes it (values and keys as plain values). */
export type QueryInput = Omit<QueryCommandInput, "TableName" | "ConsistentRead">;

/** One page of a strongly consistent Query: its items and the key to continue after, as plain values. */
export const queryPage = async (
  table: DynamoTable,
  { ExpressionAttributeValues, ExclusiveStartKey, ...input }: QueryInput,
): Promise<{ items: Item[]; lastKey: Item | undefined }> => {
  const result = await table.client.send(
    new QueryCommand({
      ...input,
      TableName: table.name,
      ConsistentRead: true,
      ...(ExpressionAttributeValues
        ? { ExpressionAttributeValues: toAttributes(ExpressionAttributeValues) }
        : {}),
      ...(ExclusiveStartKey ? { ExclusiveStartKey: toAttributes(ExclusiveStartKey) } : {}),
    }),
  );
  return {
    items: (result.Items ?? []).map(fromAttributes),
    lastKey: result.LastEvaluatedKey && fromAttributes(result.LastEvaluatedKey),
  };
};

/** Every item of a strongly consistent Query, all pages. */
export const queryEvery = async (table: DynamoTable, input: Omit<QueryInput, "ExclusiveStartKey">) => {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await queryPage(table, { ...input, ...(start ? { ExclusiveStartKey: start } : {}) });
    items.push(...page.items);
    start = page.lastKey;
  } while (start);
  return items;
};

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** The values of one action of a transaction (its item, key and expression values) as attribute values. */
const actionAttributes = <A extends { Item?: Item; Key?: Item; ExpressionAttributeValues?: Item }>(
  action: A,
) => ({
  ...action,
  ...(action.Item ? { Item: toAttributes(action.Item) } : {}),
  ...(action.Key ? { Key: toAttributes(action.Key) } : {}),
  ...(action.ExpressionAttributeValues
    ? { ExpressionAttributeValues: toAttributes(action.ExpressionAttributeValues) }
    : {}),
});

/** A transaction item as the document client takes it, for a TransactWriteItems of attribute values. */
export const transactItemAttributes = (item: TransactItem): TransactWriteItem =>
  ({
    ...(item.Put ? { Put: actionAttributes(item.Put) } : {}),
    ...(item.Update ? { Update: actionAttributes(item.Update) } : {}),
    ...(item.Delete ? { Delete: actionAttributes(item.Delete) } : {}),
    ...(item.ConditionCheck ? { ConditionCheck: actionAttributes(item.ConditionCheck) } : {}),
  }) as TransactWriteItem;
