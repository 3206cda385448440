import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { DomainError } from "../../domain/errors.js";
import type { Page, PageRequest } from "../../domain/ports.js";
import type { DynamoTable } from "./client.js";

/**
 * Page cursors are DynamoDB's LastEvaluatedKey, base64url-encoded. A cursor coming back is checked
 * before use: it must decode to exactly the expected key attributes, all strings, and name the same
 * partition the query reads, and carry sort keys inside the range the query reads (a cursor outside the
 * key condition is a DynamoDB ValidationException) — so a forged cursor can neither break the query
 * nor reach another partition (another merchant's data).
 */
type Key = Record<string, string>;

export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key === undefined ? undefined : Buffer.from(JSON.stringify(key), "utf8").toString("base64url");

const invalid = () =>
  new DomainError("bad_request", "invalid_cursor", "The cursor is not one this listing returned.");

export const decodeCursor = (
  cursor: string | undefined,
  expected: { attributes: readonly string[]; partition: Key; prefixes?: Key },
): Key | undefined => {
  if (cursor === undefined) return undefined;
  if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) throw invalid();
  const entries = Object.entries(decoded);
  const names = entries.map(([k]) => k).sort();
  if (names.join() !== [...expected.attributes].sort().join()) throw invalid();
  if (!entries.every(([, v]) => typeof v === "string" && v.length > 0 && v.length <= 512)) throw invalid();
  const key = decoded as Key;
  for (const [name, value] of Object.entries(expected.partition)) {
    if (key[name] !== value) throw invalid();
  }
  for (const [name, prefix] of Object.entries(expected.prefixes ?? {})) {
    if (!key[name]?.startsWith(prefix)) throw invalid();
  }
  return key;
};

/**
 * One page of the items of one partition whose sort key starts with `prefix` (a program's stores, a
 * member's ledger), strongly consistent, in key order or newest first, with its cursor checked.
 */
export const prefixPage = async <T>(
  table: DynamoTable,
  where: { partition: string; prefix: string; newestFirst?: boolean },
  { limit, cursor }: PageRequest,
  toItem: (item: Record<string, unknown>) => T,
): Promise<Page<T>> => {
  const { partition, prefix } = where;
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": partition, ":prefix": prefix },
      ...(where.newestFirst ? { ScanIndexForward: false } : {}),
      ConsistentRead: true,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, {
        attributes: ["PK", "SK"],
        partition: { PK: partition },
        prefixes: { SK: prefix },
      }),
    }),
  );
  return {
    items: (result.Items ?? []).map(toItem),
    nextCursor: encodeCursor(result.LastEvaluatedKey),
  };
};
