import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { type ReadCache, readCache } from "./read-cache.js";

/** Where the table is and how its reads are cached: given by the composition root, never read here. */
export interface DynamoSettings {
  tableName: string;
  region: string;
  /** DynamoDB Local's URL; absent in AWS. */
  endpoint?: string | undefined;
  /** How long rarely changing items are served from memory (read-cache.ts); 0 turns caching off. */
  cacheSeconds: number;
}

/** One table of one process: its client, its name, and its read caches (one per kind, shared by every repository built on it). */
export interface DynamoTable {
  readonly client: DynamoDBDocumentClient;
  readonly name: string;
  /** The read cache called `name` of this table, made on first use (same name → same cache). */
  cache<V extends object>(
    name: string,
    maxEntries: number,
    load: (key: string) => Promise<V | undefined>,
    options?: { immutable?: boolean },
  ): ReadCache<V>;
  /** Every item of a strongly consistent Query, all pages. */
  queryAll(
    input: Omit<QueryCommandInput, "TableName" | "ConsistentRead" | "ExclusiveStartKey">,
  ): Promise<Record<string, unknown>[]>;
}

/**
 * The table of this process. Build it once per process and reuse it for every invocation (Lambda
 * keeps it warm): its client and read caches live as long as it does. With an endpoint (DynamoDB
 * Local, which accepts any credentials), fixed local credentials are used when the environment has none.
 */
export const dynamoTable = (settings: DynamoSettings): DynamoTable => {
  const { endpoint } = settings;
  const local = endpoint !== undefined;
  const hasCredentials = process.env.AWS_ACCESS_KEY_ID !== undefined;
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: settings.region,
      ...(local ? { endpoint } : {}),
      ...(local && !hasCredentials
        ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } }
        : {}),
      maxAttempts: 3,
    }),
    { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
  );
  const name = settings.tableName;
  const caches = new Map<string, ReadCache<object>>();

  return {
    client,
    name,

    cache<V extends object>(
      cacheName: string,
      maxEntries: number,
      load: (key: string) => Promise<V | undefined>,
      options: { immutable?: boolean } = {},
    ): ReadCache<V> {
      let cache = caches.get(cacheName);
      if (!cache) {
        cache = readCache<V>(maxEntries, load, {
          seconds: settings.cacheSeconds,
          ...(options.immutable ? { immutable: true } : {}),
        });
        caches.set(cacheName, cache);
      }
      return cache as ReadCache<V>;
    },

    async queryAll(input) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({ ...input, TableName: name, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
  };
};

/** Why each item of a cancelled transaction failed (e.g. "ConditionalCheckFailed"), or undefined for other errors. */
export const cancellationCodes = (error: unknown): (string | undefined)[] | undefined =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? []).map((r) => r.Code)
    : undefined;

/**
 * Attempts of a transaction that met another one on the same items (TransactionConflict: a purchase,
 * a concurrent registration; each round lets at least one of them through).
 */
const CONFLICT_ATTEMPTS = 8;

/**
 * Sends a transaction (`send`), again after a short random pause while it only met another
 * transaction (TransactionConflict) and no condition failed; any other failure is thrown at once.
 */
export const retryingConflicts = async (send: () => Promise<unknown>): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return;
    } catch (error) {
      const codes = cancellationCodes(error);
      const conflict = codes?.includes("TransactionConflict") && !codes.includes("ConditionalCheckFailed");
      if (!conflict || attempt >= CONFLICT_ATTEMPTS) throw error;
      await sleep(Math.random() * 20 * attempt);
    }
  }
};
