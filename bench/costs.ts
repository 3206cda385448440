/**
 * `npm run bench:costs`: what each Carnet operation costs in DynamoDB requests and capacity units, one
 * operation at a time over HTTP as a till, a phone or the stream would call it, then the monthly AWS
 * bill of a merchant computed from those figures (bench/cost-model.ts). Prints tables and writes
 * bench/results/costs.json. Not a test: numbers never fail it; a replay that credits twice, a push that
 * reaches the wrong number of devices, a Google Wallet request that does not reach Google as expected,
 * a sign-up or card-link request that does not write its email, an email that does not reach the mail
 * server or an unexpected HTTP status does (exit code 1).
 *
 * Google Wallet is on, as a deployment with an issuer id has it: a service account made for the run and
 * the local Google Wallet stand-in (local/google-wallet-standin.ts), named by GOOGLE_WALLET_* and
 * GOOGLE_OAUTH_TOKEN_URL for this process and its children. The stand-in records every request Carnet
 * sends to Google; each call is credited with those it caused (a cold call's too: its process calls the
 * stand-in of this one).
 *
 * Email is on, as in a deployment: MAIL_FROM, and SMTP_URL naming a MailDev this process runs. The mail
 * function is called as its stream trigger calls it, with the INSERT record of an email as written. In
 * AWS it sends through SES: its SMTP exchange with MailDev (timed apart at the end, `smtpSendMs`) stands
 * in for SES's answer.
 *
 * Every DynamoDB request of the process goes through one middleware on the shared document client,
 * which asks for ReturnConsumedCapacity and records the request. DynamoDB Local answers with capacity
 * figures, but not all of them are AWS's (it does not double transactions, and a Query that finds
 * nothing costs 0), so the capacity is computed here from the items' sizes with DynamoDB's documented
 * rules, and Local's own figures are kept beside it as a cross-check. Sizes come from a copy of the
 * table kept in step with every write (a request is accounted for after its call, outside the timing).
 *
 * "Cold" is the first call of a fresh process, as a new Lambda container makes it: it runs in a child
 * process (this file, with CARNET_COSTS_CALL set), so that no in-process cache warmed by another
 * operation helps it. "Warm" is the steady state: the p50 time and the usual requests of BENCH_COST_REPS
 * calls (default 30) after two warm-up calls, in this process.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { MailDev } from "maildev";
import { TABLE_KEYS } from "../functions/adapters/dynamodb/table.js";
import { reachesMail } from "../functions/mail/stream-filter.js";
import { reachesPush } from "../functions/push/stream-filter.js";
import { devCertificateEnv, ensureDevCertificates } from "../local/dev-certs.js";
import {
  freePort,
  localDynamoClient,
  type RunningDynamoDb,
  startDynamoDbLocal,
} from "../local/dynamodb-local.js";
import {
  type GoogleWalletStandIn,
  type StandInRequest,
  startGoogleWalletStandIn,
  walletSchemas,
} from "../local/google-wallet-standin.js";
import { ensureTable } from "../local/table.js";
import { testServiceAccount } from "../test/support/google-service-account.js";
import { richRules } from "../test/support/loyalty.js";
import { openPass } from "../test/support/pkpass.js";
import {
  type Bill,
  DEFAULT_WORKLOAD,
  type EntityStorage,
  type Measured,
  monthlyBill,
  OPERATION_NAMES,
  type OperationCost,
  type OperationName,
  perThousandCalls,
  type Workload,
} from "./cost-model.js";
import { log, resultOf, writeResults } from "./measure.js";

const REPS = Number(process.env.BENCH_COST_REPS ?? 30);
const WARMUP = 2;
/** Calls per operation: index 0 is the cold call, then the warm-up, then the measured ones. */
const CALLS = 1 + WARMUP + REPS;
const STORES = DEFAULT_WORKLOAD.stores;
const ADMIN_KEY = `bench_${randomBytes(18).toString("base64url")}`;
const CHILD_ENV = "CARNET_COSTS_CALL";
const CHILD_MARK = "@@carnet-costs@@ ";
const SELF = fileURLToPath(import.meta.url);
const GOOGLE_ISSUER_ID = "3388000000087654321";
const GOOGLE_SAVE_URL = "https://pay.google.com/gp/v/save/";

// ------------------------------------------------------------------------------ formatting

const SHORT: Record<string, string> = {
  GetItem: "Get",
  PutItem: "Put",
  UpdateItem: "Update",
  DeleteItem: "Delete",
  Query: "Query",
  Scan: "Scan",
  BatchGetItem: "BatchGet",
  BatchWriteItem: "BatchWrite",
  TransactGetItems: "TxGet",
  TransactWriteItems: "TxWrite",
};

const commandList = (commands: Record<string, number>) =>
  Object.entries(commands)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([c, n]) => `${SHORT[c] ?? c}×${n}`)
    .join(" ") || "—";

const tally = (into: Record<string, number>, key: string, n = 1) => {
  into[key] = (into[key] ?? 0) + n;
};

const units = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const usd = (n: number) => (n === 0 ? "$0" : n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`);
const quantity = (n: number) =>
  n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 3 });

// ------------------------------------------------------------------------------ DynamoDB's rules

type Item = Record<string, AttributeValue>;

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

/** A number costs about one byte per two significant digits, plus one (leading/trailing zeros trimmed). */
const numberBytes = (n: string) => {
  const digits = n
    .replace(/^-/, "")
    .replace(/e.*$/i, "")
    .replace(".", "")
    .replace(/^0+/, "")
    .replace(/0+$/, "");
  return Math.ceil(digits.length / 2) + 1;
};

/** Developer Guide, "DynamoDB item sizes and formats": names and values; lists and maps 3 bytes + 1 per element. */
const valueBytes = (v: AttributeValue): number => {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberBytes(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  if (v.BS !== undefined) return v.BS.reduce((sum, b) => sum + b.length, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((sum, e) => sum + 1 + valueBytes(e), 0);
  if (v.M !== undefined) {
    return 3 + Object.entries(v.M).reduce((sum, [name, e]) => sum + 1 + utf8(name) + valueBytes(e), 0);
  }
  return 0;
};

const itemBytes = (item: Item | undefined): number =>
  item ? Object.entries(item).reduce((sum, [name, v]) => sum + utf8(name) + valueBytes(v), 0) : 0;

/** Reads: 4 KB units, half for an eventually consistent read; a missing item still costs one unit. */
const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** Writes: 1 KB units of the larger of the item before and after. */
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** The document client's own marshalling (functions/adapters/dynamodb/client.ts). */
/**
 * An item of a request as attribute values. The document client's commands carry native values at the
 * recorder's step; the low-level commands the member repository sends (adapters/dynamodb/attributes.ts)
 * carry attribute values already, told apart by the partition key's form.
 */
const toItem = (item: unknown): Item => {
  const record = item as Record<string, unknown>;
  if (typeof record[TABLE_KEYS.partitionKey] === "object") return record as Item;
  return marshall(record, { removeUndefinedValues: true, convertClassInstanceToMap: false }) as Item;
};

const textOf = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "object" && v !== null && "S" in v ? String(v.S) : String(v);

const keyOf = (key: Record<string, unknown>): string =>
  `${textOf(key[TABLE_KEYS.partitionKey])}\u0000${textOf(key[TABLE_KEYS.sortKey])}`;

type IndexDef = (typeof TABLE_KEYS.globalIndexes)[number];

/** An item's entity; rate-limit windows (`RATE#…`, shared/keys.ts rateKey) carry none. */
const entityName = (key: string, item: Item): string =>
  item.entity?.S ?? (key.startsWith("RATE#") ? "rateCounter" : "unknown");

const pick = (item: Item, names: string[]): Item =>
  Object.fromEntries(names.flatMap((n) => (item[n] ? [[n, item[n]]] : []))) as Item;

/** An item's entry in a global secondary index, if it has the index's keys (the indexes are sparse). */
const indexEntry = (item: Item | undefined, index: IndexDef): Item | undefined => {
  if (!item?.[index.partitionKey] || !item[index.sortKey]) return undefined;
  if (index.projection === "ALL") return item;
  return pick(item, [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, index.partitionKey, index.sortKey]);
};

/** JSON with sorted object keys, to tell whether an index entry changed. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_name, x: unknown) =>
    x !== null && typeof x === "object" && !Array.isArray(x) && !(x instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );

/**
 * Developer Guide, "Global secondary indexes", write capacity: a new entry or a removed one is one
 * write, a changed index key two (delete + put), a changed projected attribute one, nothing else none.
 */
const indexWriteUnits = (before: Item | undefined, after: Item | undefined): number => {
  let units = 0;
  for (const index of TABLE_KEYS.globalIndexes) {
    const was = indexEntry(before, index);
    const is = indexEntry(after, index);
    if (!was && !is) continue;
    if (!was || !is) {
      units += writeUnits(itemBytes(was ?? is));
      continue;
    }
    const keys = (e: Item) => canonical([e[index.partitionKey], e[index.sortKey]]);
    if (keys(was) !== keys(is)) units += writeUnits(itemBytes(was)) + writeUnits(itemBytes(is));
    else if (canonical(was) !== canonical(is)) units += writeUnits(itemBytes(is));
  }
  return units;
};

// ------------------------------------------------------------------------------ the recorder

/** One DynamoDB request as the application sent it (document-client input), and what came back. */
interface Recorded {
  command: string;
  input: Record<string, unknown>;
  /** Items a Query or Scan returned. */
  count?: number;
  /** The error's name when the request failed (e.g. TransactionCanceledException). */
  failed?: string;
  /** DynamoDB Local's own ConsumedCapacity, summed over tables and indexes. */
  localUnits?: number;
}

const CAPACITY_COMMANDS = new Set([
  "GetItem",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "Query",
  "Scan",
  "BatchGetItem",
  "BatchWriteItem",
  "TransactGetItems",
  "TransactWriteItems",
]);

type Consumed = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };

const unitsOf = (consumed: Consumed | Consumed[] | undefined): number | undefined => {
  if (consumed === undefined) return undefined;
  return (Array.isArray(consumed) ? consumed : [consumed]).reduce(
    (sum, c) => sum + (c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0)),
    0,
  );
};

/**
 * Asks for ReturnConsumedCapacity on every request of `client` that accepts it and hands each request to
 * `sink` once answered. At the initialize step: one record per request, whatever the SDK's retries.
 */
const installRecorder = (client: DynamoDBDocumentClient, sink: (record: Recorded) => void): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? "").replace(/Command$/, "");
      const input = args.input as Record<string, unknown>;
      if (CAPACITY_COMMANDS.has(command)) input.ReturnConsumedCapacity = "TOTAL";
      const record: Recorded = { command, input: structuredClone(input) };
      try {
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: Consumed | Consumed[]; Count?: number };
        const local = unitsOf(output.ConsumedCapacity);
        if (local !== undefined) record.localUnits = local;
        if (typeof output.Count === "number") record.count = output.Count;
        return result;
      } catch (error) {
        record.failed = (error as Error).name;
        throw error;
      } finally {
        sink(record);
      }
    },
    { step: "initialize", name: "carnetCostRecorder" },
  );
};

// ------------------------------------------------------------------------------ the table's copy

const partitionOf = (key: string) => key.slice(0, key.indexOf("\u0000"));

/** Every item of the table, kept in step with each write, so that a request's items can be sized. */
class TableCopy {
  private readonly partitions = new Map<string, Map<string, Item>>();

  get(key: string): Item | undefined {
    return this.partitions.get(partitionOf(key))?.get(key);
  }

  set(key: string, item: Item | undefined): void {
    const pk = partitionOf(key);
    const partition = this.partitions.get(pk) ?? new Map<string, Item>();
    if (item) partition.set(key, item);
    else partition.delete(key);
    if (partition.size > 0) this.partitions.set(pk, partition);
    else this.partitions.delete(pk);
  }

  *items(partition?: string): Iterable<[string, Item]> {
    if (partition !== undefined) {
      yield* this.partitions.get(partition) ?? [];
      return;
    }
    for (const p of this.partitions.values()) yield* p;
  }
}

/** The current items of the given keys, read with the uninstrumented client (strongly consistent). */
const readItems = async (
  raw: DynamoDBClient,
  tableName: string,
  keys: string[],
): Promise<Map<string, Item | undefined>> => {
  const found = new Map<string, Item | undefined>(keys.map((k) => [k, undefined]));
  const unique = [...found.keys()];
  for (let i = 0; i < unique.length; i += 100) {
    let wanted: Record<string, AttributeValue>[] | undefined = unique.slice(i, i + 100).map((k) => {
      const [pk, sk] = k.split("\u0000");
      return { [TABLE_KEYS.partitionKey]: { S: pk ?? "" }, [TABLE_KEYS.sortKey]: { S: sk ?? "" } };
    });
    while (wanted && wanted.length > 0) {
      const answer: BatchGetItemCommandOutput = await raw.send(
        new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: wanted, ConsistentRead: true } } }),
      );
      for (const item of answer.Responses?.[tableName] ?? []) found.set(keyOf(item), item);
      wanted = answer.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return found;
};

// ------------------------------------------------------------------------------ accounting

interface WriteAction {
  kind: "put" | "update" | "delete" | "check";
  key: string;
  /** The item a Put writes. */
  item?: Item;
}

const keyArg = (v: unknown) => keyOf(v as Record<string, unknown>);

const writeActions = (r: Recorded): WriteAction[] => {
  const input = r.input;
  switch (r.command) {
    case "PutItem":
      return [{ kind: "put", key: keyArg(input.Item), item: toItem(input.Item) }];
    case "UpdateItem":
      return [{ kind: "update", key: keyArg(input.Key) }];
    case "DeleteItem":
      return [{ kind: "delete", key: keyArg(input.Key) }];
    case "TransactWriteItems":
      return (input.TransactItems as Record<string, { Item?: unknown; Key?: unknown }>[]).map((t) => {
        if (t.Put) return { kind: "put", key: keyArg(t.Put.Item), item: toItem(t.Put.Item) };
        if (t.Update) return { kind: "update", key: keyArg(t.Update.Key) };
        if (t.Delete) return { kind: "delete", key: keyArg(t.Delete.Key) };
        return { kind: "check", key: keyArg(t.ConditionCheck?.Key) };
      });
    case "BatchWriteItem":
      return Object.values(
        input.RequestItems as Record<string, Record<string, { Item?: unknown; Key?: unknown }>[]>,
      )
        .flat()
        .map((w) =>
          w.PutRequest
            ? { kind: "put", key: keyArg(w.PutRequest.Item), item: toItem(w.PutRequest.Item) }
            : { kind: "delete", key: keyArg(w.DeleteRequest?.Key) },
        );
    default:
      return [];
  }
};

/** A KeyConditionExpression of the forms the code uses: `pk = :v [AND sk op :v | begins_with | BETWEEN]`. */
const keyCondition = (input: Record<string, unknown>) => {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  const name = (token: string) => (token.startsWith("#") ? (names[token] ?? token) : token);
  const value = (token: string) => textOf(values[token]);
  const whole = /^\s*(\S+)\s*=\s*(:\w+)\s*(?:AND\s+(.+?))?\s*$/i.exec(String(input.KeyConditionExpression));
  if (!whole?.[1] || !whole[2]) return undefined;
  const partition = { attribute: name(whole[1]), value: value(whole[2]) };
  const rest = whole[3];
  if (rest === undefined) return { partition, sort: undefined };
  const begins = /^begins_with\(\s*(\S+?)\s*,\s*(:\w+)\s*\)$/i.exec(rest);
  if (begins?.[1] && begins[2]) {
    const prefix = value(begins[2]);
    return { partition, sort: { attribute: name(begins[1]), test: (s: string) => s.startsWith(prefix) } };
  }
  const between = /^(\S+)\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)$/i.exec(rest);
  if (between?.[1] && between[2] && between[3]) {
    const [low, high] = [value(between[2]), value(between[3])];
    return { partition, sort: { attribute: name(between[1]), test: (s: string) => s >= low && s <= high } };
  }
  const compare = /^(\S+)\s*(<=|>=|<|>|=)\s*(:\w+)$/.exec(rest);
  if (compare?.[1] && compare[2] && compare[3]) {
    const [op, v] = [compare[2], value(compare[3])];
    const tests: Record<string, (s: string) => boolean> = {
      "<": (s) => s < v,
      "<=": (s) => s <= v,
      ">": (s) => s > v,
      ">=": (s) => s >= v,
      "=": (s) => s === v,
    };
    return { partition, sort: { attribute: name(compare[1]), test: tests[op] ?? (() => false) } };
  }
  return undefined;
};

/** A key's or value's shape, ids and dates elided: `MEMBER#mbr_…/LEDGER#0000000003` → `MEMBER#…/LEDGER#…`. */
const shape = (value: unknown): string => {
  const text = textOf(value);
  if (text.includes("#")) return `${text.split("#")[0]}#…`;
  return /\d/.test(text) ? "…" : text;
};

/** What a request touched, for reading the tables: `Get CARD#…/CARD`, `TxWrite[Put IDEM, Put MEMBER…]`. */
const describe = (r: Recorded): string => {
  const input = r.input;
  const key = (k: unknown) => {
    const o = k as Record<string, unknown>;
    return `${shape(o[TABLE_KEYS.partitionKey])}/${shape(o[TABLE_KEYS.sortKey])}`;
  };
  const short = SHORT[r.command] ?? r.command;
  switch (r.command) {
    case "GetItem":
    case "UpdateItem":
    case "DeleteItem":
      return `${short} ${key(input.Key)}`;
    case "PutItem":
      return `${short} ${key(input.Item)}`;
    case "Query":
    case "Scan": {
      const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
      const condition = String(input.KeyConditionExpression ?? "").replace(/:\w+/g, (t) => shape(values[t]));
      const limit = typeof input.Limit === "number" ? ` limit ${input.Limit}` : "";
      return `${short}${input.IndexName ? ` ${String(input.IndexName)}` : ""} ${condition}${limit}`.trim();
    }
    case "BatchGetItem": {
      const keys = Object.values(input.RequestItems as Record<string, { Keys: unknown[] }>).flatMap(
        (t) => t.Keys,
      );
      return `${short} ${keys.length}× ${keys[0] ? key(keys[0]) : ""}`;
    }
    default: {
      const actions = writeActions(r).map((a) => {
        const sk = a.key.split("\u0000")[1] ?? "";
        return `${a.kind === "check" ? "Check" : a.kind[0]?.toUpperCase() + a.kind.slice(1)} ${shape(sk)}`;
      });
      return `${short}[${actions.join(", ")}]`;
    }
  }
};

/** What a request cost, computed, next to DynamoDB Local's own figure. */
interface Charge {
  command: string;
  /** What it touched (`describe`). */
  target: string;
  read: number;
  write: number;
  failed?: string;
  /** A single-item request whose computed cost can be compared with Local's. */
  comparable: boolean;
  localUnits?: number;
  /** A Query whose items, found on the copy, are not the number DynamoDB returned. */
  queryMismatch?: boolean;
  /** A read of a card code's member id (`CARD#…`), which a process that has seen the code does not make. */
  cardCode?: boolean;
}

/**
 * The cost of one call's requests, in order: each request sees the table as the call's earlier writes
 * left it (`after` holds the items the call's writes left behind, read once the call was over).
 */
class CallAccount {
  /** The call's writes so far, over the table's copy as it was before the call. */
  private readonly overlay = new Map<string, Item | undefined>();
  readonly created: Record<string, number> = {};

  constructor(
    private readonly table: TableCopy,
    private readonly after: Map<string, Item | undefined>,
  ) {}

  charge(r: Recorded): Charge {
    const charge: Charge = { command: r.command, target: describe(r), read: 0, write: 0, comparable: false };
    if (r.failed) charge.failed = r.failed;
    if (r.localUnits !== undefined) charge.localUnits = r.localUnits;
    const input = r.input;
    switch (r.command) {
      case "GetItem":
        charge.read = readUnits(itemBytes(this.current(keyArg(input.Key))), input.ConsistentRead === true);
        charge.comparable = true;
        charge.cardCode = partitionOf(keyArg(input.Key)).startsWith("CARD#");
        break;
      case "BatchGetItem":
        for (const request of Object.values(
          input.RequestItems as Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>,
        )) {
          for (const key of request.Keys) {
            charge.read += readUnits(itemBytes(this.current(keyArg(key))), request.ConsistentRead === true);
          }
        }
        charge.comparable = true;
        break;
      case "TransactGetItems":
        for (const t of input.TransactItems as { Get: { Key: unknown } }[]) {
          charge.read += 2 * readUnits(itemBytes(this.current(keyArg(t.Get.Key))), true);
        }
        break;
      case "Query":
      case "Scan": {
        const found = this.query(input, r.command === "Scan");
        const consistent = input.ConsistentRead === true && input.IndexName === undefined;
        // A Query that finds nothing is counted like a missing item: one unit (DynamoDB Local says 0).
        charge.read = readUnits(found?.bytes ?? 0, consistent);
        charge.comparable = (found?.items ?? 0) > 0;
        if (!found || (r.count !== undefined && found.items !== r.count)) charge.queryMismatch = true;
        break;
      }
      default: {
        const transaction = r.command === "TransactWriteItems";
        for (const a of writeActions(r)) charge.write += this.write(a, !r.failed, transaction);
        charge.comparable = !transaction && !r.failed;
      }
    }
    return charge;
  }

  private current(key: string): Item | undefined {
    return this.overlay.has(key) ? this.overlay.get(key) : this.table.get(key);
  }

  private write(a: WriteAction, committed: boolean, transaction: boolean): number {
    const before = this.current(a.key);
    if (!committed) {
      // A failed condition still costs the item it read, 1 unit when absent (documented for single
      // writes). AWS reports nothing for a cancelled transaction: it is estimated the same way, per
      // item and once (the prepare phase; nothing is committed).
      return writeUnits(itemBytes(before));
    }
    const next =
      a.kind === "put"
        ? a.item
        : a.kind === "update"
          ? this.after.get(a.key)
          : a.kind === "delete"
            ? undefined
            : before;
    const charged = writeUnits(Math.max(itemBytes(before), itemBytes(next))) * (transaction ? 2 : 1);
    if (a.kind === "check") return charged;
    this.overlay.set(a.key, next);
    if (!before && next) tally(this.created, entityName(a.key, next));
    // Index writes are asynchronous and, as far as the documentation says, not doubled by a transaction.
    return charged + indexWriteUnits(before, next);
  }

  /** The items a Query (or Scan) reads: its key condition, order, start key and limit, on the copy. */
  private query(input: Record<string, unknown>, scan: boolean) {
    const index = TABLE_KEYS.globalIndexes.find((i) => i.indexName === input.IndexName);
    const condition = scan ? { partition: undefined, sort: undefined } : keyCondition(input);
    if (!condition) return undefined;
    const { partition, sort } = condition;
    const sk = index?.sortKey ?? TABLE_KEYS.sortKey;
    const items = new Map(this.table.items(index || !partition ? undefined : partition.value));
    for (const [k, item] of this.overlay) {
      if (item) items.set(k, item);
      else items.delete(k);
    }
    const matches = [...items.entries()]
      .filter(([, item]) => !index || indexEntry(item, index))
      .filter(([, item]) => !partition || item[partition.attribute]?.S === partition.value)
      .filter(([, item]) => !sort || sort.test(item[sort.attribute]?.S ?? ""))
      .sort(([ka, a], [kb, b]) => {
        const [x, y] = [a[sk]?.S ?? "", b[sk]?.S ?? ""];
        return x < y ? -1 : x > y ? 1 : ka < kb ? -1 : 1;
      });
    if (input.ScanIndexForward === false) matches.reverse();
    const start = input.ExclusiveStartKey
      ? matches.findIndex(([k]) => k === keyArg(input.ExclusiveStartKey)) + 1
      : 0;
    const limit = typeof input.Limit === "number" ? input.Limit : matches.length;
    const found = matches
      .slice(start, start + limit)
      .map(([, item]) => (index ? indexEntry(item, index) : item));
    return { bytes: found.reduce((sum, item) => sum + itemBytes(item), 0), items: found.length };
  }
}

// ------------------------------------------------------------------------------ calls

/** One thing a client, the stream or the scheduler asks of Carnet; serialisable for a child process. */
type Call =
  | {
      kind: "http";
      method: "GET" | "POST";
      path: string;
      authorization?: string;
      idempotencyKey?: string;
      /** The client's address (X-Forwarded-For, trusted by the bench's servers): one per visitor. */
      forwardedFor?: string;
      body?: unknown;
    }
  | {
      kind: "push";
      memberId: string;
      version: number;
      devices: number | undefined;
      /**
       * The member's Google object (`Member.googleObject`, its card generation): "card" for a change of
       * its card, "mark" for the first save's write that sets it (its old image has none).
       */
      google?: { generation: number; change: "card" | "mark" };
    }
  /** An email's stream record, as the mail function's event source hands it over (past its filter). */
  | { kind: "mail"; record: DynamoDBRecord }
  | { kind: "sweep" };

interface Outcome {
  status: number;
  /** A redirect's Location header. */
  location?: string;
  ms: number;
  /** The response body, base64. */
  body: string;
  bytes: number;
}

/**
 * A DynamoDB stream record of a member whose card changed, as Lambda hands it to the push function,
 * with the member's device count as stored (the fan-out reads no registration when it is 0) and its
 * Google object, if any. A first save's mark changes no card: only `googleObject` differs.
 */
const streamRecord = (call: Extract<Call, { kind: "push" }>): DynamoDBRecord => {
  const { memberId, version, devices, google } = call;
  const image = (passUpdatedAt: number, googleObject: number | undefined) =>
    marshall(
      {
        PK: `MEMBER#${memberId}`,
        SK: "MEMBER",
        entity: "member",
        memberId,
        passUpdatedAt,
        devices,
        googleObject,
      },
      { removeUndefinedValues: true },
    );
  const mark = google?.change === "mark";
  return {
    eventName: "MODIFY",
    eventSource: "aws:dynamodb",
    dynamodb: {
      SequenceNumber: String(version).padStart(21, "0"),
      OldImage: image(mark ? version : version - 1, mark ? undefined : google?.generation),
      NewImage: image(version, google?.generation),
    },
  } as unknown as DynamoDBRecord;
};

/**
 * A DynamoDB stream record of an email item, as DynamoDB Streams writes it and the event source hands it
 * to the mail function: its keys and new image as stored (attribute values), `INSERT` when it was just
 * written, `MODIFY` for a later state (the claim, the result).
 */
const emailStreamRecord = (item: Item, eventName: "INSERT" | "MODIFY", sequence: number): DynamoDBRecord =>
  ({
    eventName,
    eventSource: "aws:dynamodb",
    eventVersion: "1.1",
    dynamodb: {
      Keys: pick(item, [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]),
      NewImage: item,
      SequenceNumber: String(sequence).padStart(21, "0"),
      SizeBytes: itemBytes(item),
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  }) as unknown as DynamoDBRecord;

/** Makes the call, timed: HTTP to `api`, or the push, mail and sweep handlers in this process. */
const perform = async (call: Call, api: string): Promise<Outcome> => {
  const started = performance.now();
  if (call.kind === "http") {
    const response = await fetch(`${api}${call.path}`, {
      method: call.method,
      // A redirect is the answer (the Google save link's 302 to pay.google.com), not a page to follow.
      redirect: "manual",
      headers: {
        ...(call.authorization ? { authorization: call.authorization } : {}),
        ...(call.idempotencyKey ? { "idempotency-key": call.idempotencyKey } : {}),
        ...(call.forwardedFor ? { "x-forwarded-for": call.forwardedFor } : {}),
        ...(call.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    });
    const body = Buffer.from(await response.arrayBuffer());
    const ms = performance.now() - started;
    const location = response.headers.get("location");
    return {
      status: response.status,
      ...(location ? { location } : {}),
      ms,
      body: body.toString("base64"),
      bytes: body.length,
    };
  }
  let answer: unknown;
  if (call.kind === "push") {
    const { handleChanges } = await import("../functions/push/handler.js");
    answer = await handleChanges([streamRecord(call)]);
  } else if (call.kind === "mail") {
    const { handleEmails } = await import("../functions/mail/handler.js");
    answer = await handleEmails([call.record]);
  } else {
    const { handler } = await import("../functions/sweep/handler.js");
    answer = await handler();
  }
  const ms = performance.now() - started;
  const body = Buffer.from(JSON.stringify(answer));
  return { status: 200, ms, body: body.toString("base64"), bytes: 0 };
};

const bodyText = (o: Outcome) => Buffer.from(o.body, "base64").toString("utf8");
// biome-ignore lint/suspicious/noExplicitAny: answers are JSON read by field, as a client reads them
const bodyJson = (o: Outcome): any => JSON.parse(bodyText(o));

interface Answered {
  outcome: Outcome;
  records: Recorded[];
}

/** The child's side: a fresh process makes one call against its own server and prints what it recorded. */
const runChild = async (call: Call): Promise<void> => {
  const { processParts } = await import("../functions/composition/process.js");
  const { startLocalServer } = await import("../local/server.js");
  const records: Recorded[] = [];
  installRecorder(processParts().table.client, (r) => records.push(r));
  const server =
    call.kind === "http" ? await startLocalServer({ port: 0, trustForwardedFor: true }) : undefined;
  const outcome = await perform(call, server?.url ?? "");
  process.stdout.write(`${CHILD_MARK}${JSON.stringify({ outcome, records } satisfies Answered)}\n`);
  await server?.close();
  process.exit(0);
};

const children = new Set<ChildProcess>();

/** The call as the first of a new Lambda container: in a child process started for it. */
const coldCall = (call: Call): Promise<Answered> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", SELF], {
      env: { ...process.env, [CHILD_ENV]: JSON.stringify(call) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      children.delete(child);
      const line = out.split("\n").find((l) => l.startsWith(CHILD_MARK));
      if (line) done(JSON.parse(line.slice(CHILD_MARK.length)) as Answered);
      else fail(new Error(`the cold call's process exited with ${code}:\n${err}`));
    });
  });

// ------------------------------------------------------------------------------ what a call cost

interface CallCost {
  status: number;
  ms: number;
  responseBytes: number;
  commands: Record<string, number>;
  failedCommands: Record<string, number>;
  /** Each request in order: what it touched, its units, and whether it failed. */
  detail: string[];
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** DynamoDB Local's own totals, for comparison. */
  localReadUnits: number;
  localWriteUnits: number;
  created: Record<string, number>;
  comparable: number;
  agreed: number;
  queryMismatches: number;
  transactionWriteUnits: number;
  transactionLocalUnits: number;
  /** The card-code reads among its requests. */
  cardCodeRequests: number;
  cardCodeReadUnits: number;
  /** Requests sent to Google Wallet's REST API (the OAuth token endpoint apart) and their bodies' bytes. */
  googleRequests: number;
  googleBodyBytes: number;
}

const READ_COMMANDS = new Set(["GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"]);

/** A failure as the tables say it. */
const failureName = (name: string) =>
  ({ TransactionCanceledException: "cancelled", ConditionalCheckFailedException: "condition failed" })[
    name
  ] ?? name;

/** Repeated lines once, counted: `Query GSI2 … (0.5 RRU) ×32`. */
const collapse = (lines: string[]): string[] => {
  const out: { line: string; n: number }[] = [];
  for (const line of lines) {
    const last = out[out.length - 1];
    if (last?.line === line) last.n += 1;
    else out.push({ line, n: 1 });
  }
  return out.map(({ line, n }) => (n > 1 ? `${line} ×${n}` : line));
};

/** A request to Google as the tables show it: `Google PATCH loyaltyObject 200 (2.3 KB)`. */
const googleLine = (r: StandInRequest) => {
  if (r.path === "/token") return `Google token ${r.status}`;
  const resource = r.path.split("/")[1] ?? r.path;
  const bytes = r.body === undefined ? "" : ` (${(bodyBytesOf(r) / 1024).toFixed(1)} KB)`;
  return `Google ${r.method} ${resource} ${r.status}${bytes}`;
};

/** The bytes of a request's JSON body as sent (Carnet sends JSON.stringify's output). */
const bodyBytesOf = (r: StandInRequest) =>
  r.body === undefined ? 0 : Buffer.byteLength(JSON.stringify(r.body), "utf8");

const costOf = (
  outcome: Outcome,
  charges: Charge[],
  created: Record<string, number>,
  google: StandInRequest[],
): CallCost => {
  const rest = google.filter((r) => r.path !== "/token");
  const cost: CallCost = {
    status: outcome.status,
    ms: outcome.ms,
    responseBytes: outcome.bytes,
    commands: {},
    failedCommands: {},
    detail: collapse([
      ...charges.map(
        (c) =>
          `${c.target} (${c.read > 0 ? `${units(c.read)} RRU` : `${units(c.write)} WRU`}${c.failed ? ` estimated, ${failureName(c.failed)}` : ""})`,
      ),
      ...google.map(googleLine),
    ]),
    requests: charges.length,
    readUnits: 0,
    writeUnits: 0,
    localReadUnits: 0,
    localWriteUnits: 0,
    created,
    comparable: 0,
    agreed: 0,
    queryMismatches: 0,
    transactionWriteUnits: 0,
    transactionLocalUnits: 0,
    cardCodeRequests: 0,
    cardCodeReadUnits: 0,
    googleRequests: rest.length,
    googleBodyBytes: rest.reduce((sum, r) => sum + bodyBytesOf(r), 0),
  };
  for (const c of charges) {
    tally(cost.commands, c.command);
    if (c.failed) tally(cost.failedCommands, `${SHORT[c.command] ?? c.command} ${failureName(c.failed)}`);
    cost.readUnits += c.read;
    cost.writeUnits += c.write;
    if (READ_COMMANDS.has(c.command)) cost.localReadUnits += c.localUnits ?? 0;
    else cost.localWriteUnits += c.localUnits ?? 0;
    if (c.comparable && c.localUnits !== undefined) {
      cost.comparable += 1;
      if (Math.abs(c.localUnits - (c.read + c.write)) < 1e-9) cost.agreed += 1;
    }
    if (c.queryMismatch) cost.queryMismatches += 1;
    if (c.cardCode) {
      cost.cardCodeRequests += 1;
      cost.cardCodeReadUnits += c.read;
    }
    if (c.command === "TransactWriteItems" && !c.failed) {
      cost.transactionWriteUnits += c.write;
      cost.transactionLocalUnits += c.localUnits ?? 0;
    }
  }
  return cost;
};

// ------------------------------------------------------------------------------ operation reports

interface Card {
  memberId: string;
  cardCode: string;
  /** The card link's token, `/c/{token}`. */
  token: string;
}

interface Shop {
  programId: string;
  merchantKey: string;
  storeId: string;
  storeKey: string;
}

interface Scenario {
  name: OperationName;
  label: string;
  /** The Lambda function that runs it. */
  fn: string;
  status: number;
  call(i: number): Call;
  /** Keeps what later operations need from the answer, and checks it (with what reached Google). */
  after?(i: number, outcome: Outcome, google: StandInRequest[]): void;
}

interface OperationReport {
  name: OperationName;
  label: string;
  fn: string;
  http: boolean;
  cold: CallCost;
  warm: {
    p50Ms: number;
    p99Ms: number;
    /** The usual requests of a warm call, by command, and how many warm calls made exactly those. */
    commands: Record<string, number>;
    usualShare: number;
    failedCommands: Record<string, number>;
    requests: number;
    readUnits: number;
    writeUnits: number;
    readUnitsRange: [number, number];
    writeUnitsRange: [number, number];
    localReadUnits: number;
    localWriteUnits: number;
    responseBytes: number;
    created: Record<string, number>;
    /** Its reads of the card code's member id (median). */
    cardCodeRead: { requests: number; readUnits: number };
    /** Its requests to Google's REST API and their bodies' bytes (median). */
    google: { requests: number; bodyBytes: number };
    /** The requests of a warm call with the usual profile, in order. */
    detail: string[];
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

const usual = (costs: CallCost[]) => {
  const profiles = new Map<string, number>();
  for (const c of costs) {
    const key = canonical(c.commands);
    profiles.set(key, (profiles.get(key) ?? 0) + 1);
  }
  const [profile, n] = [...profiles.entries()].sort((a, b) => b[1] - a[1])[0] ?? ["{}", 0];
  return { commands: JSON.parse(profile) as Record<string, number>, share: n / Math.max(1, costs.length) };
};

const averageCreated = (costs: CallCost[]) => {
  const sums: Record<string, number> = {};
  for (const c of costs) for (const [entity, n] of Object.entries(c.created)) tally(sums, entity, n);
  return Object.fromEntries(Object.entries(sums).map(([e, n]) => [e, n / Math.max(1, costs.length)]));
};

const summarise = (s: Scenario, http: boolean, cold: CallCost, warm: CallCost[]): OperationReport => {
  const timing = resultOf(
    s.label,
    warm.map((c) => c.ms),
    1,
    2,
  );
  const failed: Record<string, number> = {};
  for (const c of warm)
    for (const [k, n] of Object.entries(c.failedCommands)) tally(failed, k, n / warm.length);
  const { commands, share } = usual(warm);
  const typical = warm.find((c) => canonical(c.commands) === canonical(commands));
  const reads = warm.map((c) => c.readUnits);
  const writes = warm.map((c) => c.writeUnits);
  return {
    name: s.name,
    label: s.label,
    fn: s.fn,
    http,
    cold,
    warm: {
      p50Ms: timing.p50Ms,
      p99Ms: timing.p99Ms,
      commands,
      usualShare: share,
      failedCommands: failed,
      requests: median(warm.map((c) => c.requests)),
      readUnits: median(reads),
      writeUnits: median(writes),
      readUnitsRange: [Math.min(...reads), Math.max(...reads)],
      writeUnitsRange: [Math.min(...writes), Math.max(...writes)],
      localReadUnits: median(warm.map((c) => c.localReadUnits)),
      localWriteUnits: median(warm.map((c) => c.localWriteUnits)),
      responseBytes: median(warm.map((c) => c.responseBytes)),
      created: averageCreated(warm),
      cardCodeRead: {
        requests: median(warm.map((c) => c.cardCodeRequests)),
        readUnits: median(warm.map((c) => c.cardCodeReadUnits)),
      },
      google: {
        requests: median(warm.map((c) => c.googleRequests)),
        bodyBytes: median(warm.map((c) => c.googleBodyBytes)),
      },
      detail: typical?.detail ?? [],
    },
  };
};

// ------------------------------------------------------------------------------ printing

const printOperations = (reports: OperationReport[]) => {
  console.log("");
  console.log(
    `  ${"operation".padEnd(44)} ${"".padEnd(5)} ${"DynamoDB requests".padEnd(46)} ${"total".padStart(5)} ${"RRU".padStart(6)} ${"WRU".padStart(6)} ${"ms".padStart(7)}`,
  );
  for (const r of reports) {
    const failed = (f: Record<string, number>) =>
      Object.keys(f).length > 0 ? ` (${Object.keys(f).join(", ")})` : "";
    console.log(
      `  ${r.label.padEnd(44)} ${"cold".padEnd(5)} ${`${commandList(r.cold.commands)}${failed(r.cold.failedCommands)}`.padEnd(46)} ${String(r.cold.requests).padStart(5)} ${units(r.cold.readUnits).padStart(6)} ${units(r.cold.writeUnits).padStart(6)} ${r.cold.ms.toFixed(1).padStart(7)}`,
    );
    const share = r.warm.usualShare < 1 ? ` [${Math.round(r.warm.usualShare * 100)} %]` : "";
    console.log(
      `  ${`  (${r.fn})`.padEnd(44)} ${"warm".padEnd(5)} ${`${commandList(r.warm.commands)}${failed(r.warm.failedCommands)}${share}`.padEnd(46)} ${String(r.warm.requests).padStart(5)} ${units(r.warm.readUnits).padStart(6)} ${units(r.warm.writeUnits).padStart(6)} ${r.warm.p50Ms.toFixed(2).padStart(7)}`,
    );
  }
};

const printBill = (bill: Bill, w: Workload) => {
  console.log("");
  log(
    `monthly bill (${bill.region}, list prices): ${w.stores} stores, ${quantity(w.members)} members, ${quantity(w.purchasesPerDay)} purchases a day`,
  );
  console.log("");
  console.log(
    `  ${"service".padEnd(16)} ${"item".padEnd(40)} ${"quantity".padStart(13)}  ${"price".padEnd(30)} ${"USD".padStart(8)}`,
  );
  for (const l of bill.lines) {
    const price = `$${l.price.usd} ${l.price.label}`;
    console.log(
      `  ${l.service.padEnd(16)} ${l.item.padEnd(40)} ${quantity(l.quantity).padStart(13)}  ${price.padEnd(30)} ${usd(l.usd).padStart(8)}`,
    );
  }
  console.log(
    `  ${"total".padEnd(16)} ${"".padEnd(40)} ${"".padStart(13)}  ${"".padEnd(30)} ${usd(bill.totalUsd).padStart(8)}`,
  );
  console.log("");
  log(
    `${usd(bill.perStoreUsd)} per store and month, ${usd(bill.perMemberUsd)} per member and month, ${usd(bill.perThousandPurchasesUsd)} per 1,000 purchases; ${usd(bill.totalAfterFreeTiersUsd)} once the always-free tiers are taken off`,
  );
  log(
    `volumes: ${quantity(bill.volumes.httpRequests)} HTTP requests, ${quantity(bill.volumes.invocations)} invocations, ${quantity(bill.volumes.coldStarts)} cold starts, ${quantity(bill.volumes.readUnits)} RRU, ${quantity(bill.volumes.writeUnits)} WRU, ${quantity(bill.volumes.gbSeconds)} GB-s`,
  );
  log(
    `storage: table ${bill.volumes.tableGb.toFixed(2)} GB + indexes ${bill.volumes.indexGb.toFixed(2)} GB after ${w.monthsOfHistory} months of history (it grows ${(bill.volumes.historyGbPerMonth * 1024).toFixed(0)} MB a month); logs ${bill.volumes.logGb.toFixed(2)} GB, responses ${bill.volumes.transferGb.toFixed(2)} GB a month`,
  );
};

const printDetails = (reports: OperationReport[]) => {
  console.log("");
  log("requests of each call, in order (warm, then what the cold call read besides):");
  for (const r of reports) {
    console.log(`  ${r.label}`);
    console.log(`      warm: ${r.warm.detail.join(" · ")}`);
    const extra = r.cold.detail.filter((d) => !r.warm.detail.includes(d));
    if (extra.length > 0) console.log(`      cold also: ${extra.join(" · ")}`);
  }
};

const printPerThousand = (measured: Measured) => {
  const money = (n: number) => `$${n.toFixed(4)}`;
  console.log("");
  console.log(
    `  ${"per 1,000 warm calls".padEnd(44)} ${"DynamoDB".padStart(9)} ${"Lambda".padStart(9)} ${"API GW".padStart(9)} ${"total".padStart(9)}`,
  );
  for (const name of OPERATION_NAMES) {
    const c = perThousandCalls(measured.operations[name]);
    console.log(
      `  ${name.padEnd(44)} ${money(c.dynamodb).padStart(9)} ${money(c.lambda).padStart(9)} ${money(c.apiGateway).padStart(9)} ${money(c.total).padStart(9)}`,
    );
  }
};

/** The same merchant with one assumption changed at a time. */
const WHAT_IF: [string, Partial<Workload>][] = [
  ["2 devices per member with the pass", { devicesPerWalletMember: 2 }],
  ["90 % of members with the pass (instead of 50 %)", { walletShare: 0.9 }],
  ["no member in Google Wallet (Apple Wallet only, as before)", { googleMembersShare: 0 }],
  ["25 % of members in Google Wallet (instead of 50 %)", { googleMembersShare: 0.25 }],
  ["Google's API answering in 400 ms (instead of 150 ms)", { googleApiRoundTripMs: 400 }],
  ["every new member enrolled by staff (no join form)", { signUpShare: 0 }],
  ["every member asking for the card link again once a year", { cardLinkRequestsPerMemberYear: 1 }],
  ["a program without tiers (no spend-window Query)", { programHasTiers: false }],
  ["X-Ray tracing off", { tracedShare: 0 }],
  ["30,000 purchases a day", { purchasesPerDay: 30_000 }],
  ["24 months of history stored", { monthsOfHistory: 24 }],
];

// ------------------------------------------------------------------------------ the harness

/** Makes calls, accounts for them and keeps the table's copy in step. */
class Harness {
  readonly failures: string[] = [];
  /** Every call of the run, setup included, for the cross-checks with DynamoDB Local. */
  readonly everyCall: CallCost[] = [];
  private readonly table = new TableCopy();
  private sink: Recorded[] = [];

  constructor(
    readonly api: string,
    private readonly raw: DynamoDBClient,
    private readonly tableName: string,
    client: DynamoDBDocumentClient,
    readonly google: GoogleWalletStandIn,
  ) {
    installRecorder(client, (r) => this.sink.push(r));
  }

  /** A call that prepares the world: not reported, but accounted for (the table's copy must follow). */
  async prepare(what: string, call: Call, status = 201): Promise<Outcome> {
    const sentBefore = this.google.requests.length;
    const answered = await this.warmCall(call);
    await this.settle(answered, this.google.requests.slice(sentBefore));
    expectStatus(what, answered.outcome, status);
    return answered.outcome;
  }

  /** The operation's cold call in a fresh process, its warm-up, then its measured warm calls. */
  async measure(s: Scenario): Promise<OperationReport> {
    let http = false;
    const run = async (i: number) => {
      const call = s.call(i);
      http = call.kind === "http";
      // Every request to Google is awaited by the call (a cold call's process reaches this stand-in).
      const sentBefore = this.google.requests.length;
      const answered = i === 0 ? await coldCall(call) : await this.warmCall(call);
      const sent = this.google.requests.slice(sentBefore);
      const cost = await this.settle(answered, sent);
      expectStatus(`${s.label} (call ${i})`, answered.outcome, s.status);
      s.after?.(i, answered.outcome, sent);
      return cost;
    };
    const cold = await run(0);
    for (let i = 1; i <= WARMUP; i++) await run(i);
    const warm: CallCost[] = [];
    for (let i = WARMUP + 1; i < CALLS; i++) warm.push(await run(i));
    const report = summarise(s, http, cold, warm);
    log(
      `${s.label}: warm ${report.warm.requests} requests, ${units(report.warm.readUnits)} RRU, ${units(report.warm.writeUnits)} WRU, p50 ${report.warm.p50Ms.toFixed(2)} ms`,
    );
    return report;
  }

  /** The member's device count as stored (`Member.devices`), as its stream record would carry it. */
  devicesOf(memberId: string): number | undefined {
    const member = this.table.get(
      keyOf({ [TABLE_KEYS.partitionKey]: `MEMBER#${memberId}`, [TABLE_KEYS.sortKey]: "MEMBER" }),
    );
    return member?.devices?.N === undefined ? undefined : Number(member.devices.N);
  }

  /** The member's Google object as stored (`Member.googleObject`, a card generation), if it has one. */
  googleObjectOf(memberId: string): number | undefined {
    const member = this.table.get(
      keyOf({ [TABLE_KEYS.partitionKey]: `MEMBER#${memberId}`, [TABLE_KEYS.sortKey]: "MEMBER" }),
    );
    return member?.googleObject?.N === undefined ? undefined : Number(member.googleObject.N);
  }

  /** The `email` items (the outbox) addressed to `to`, oldest first, as stored. */
  emailsTo(to: string): Item[] {
    const found: Item[] = [];
    for (const [, item] of this.table.items()) {
      if (item.entity?.S === "email" && item.to?.S === to) found.push(item);
    }
    return found.sort((a, b) => ((a.createdAt?.S ?? "") < (b.createdAt?.S ?? "") ? -1 : 1));
  }

  /** Every item of the table, by entity: how many, their average size and their index entries. */
  async entities(): Promise<Record<string, EntityStorage>> {
    return scanEntities(this.raw, this.tableName);
  }

  private async warmCall(call: Call): Promise<Answered> {
    this.sink = [];
    const outcome = await perform(call, this.api);
    await new Promise((r) => setImmediate(r));
    const records = this.sink;
    this.sink = [];
    return { outcome, records };
  }

  /** Accounts for a call's requests, then brings the table's copy up to date with its writes. */
  private async settle({ outcome, records }: Answered, google: StandInRequest[]): Promise<CallCost> {
    const written = records.flatMap((r) =>
      writeActions(r)
        .filter((a) => a.kind !== "check")
        .map((a) => a.key),
    );
    const after = await readItems(this.raw, this.tableName, written);
    const account = new CallAccount(this.table, after);
    const charges = records.map((r) => account.charge(r));
    for (const [key, item] of after) this.table.set(key, item);
    const cost = costOf(outcome, charges, account.created, google);
    this.everyCall.push(cost);
    return cost;
  }
}

const expectStatus = (what: string, outcome: Outcome, status: number) => {
  if (outcome.status !== status) {
    throw new Error(
      `${what}: HTTP ${outcome.status} instead of ${status}: ${bodyText(outcome).slice(0, 500)}`,
    );
  }
};

// ------------------------------------------------------------------------------ the merchant's world

/** What the operations work on, filled as the run goes (an enrollment's cards, a purchase's answer…). */
interface World {
  shop: Shop;
  /** The same merchant's program without tiers. */
  plain: Shop;
  partner: { partnerId: string; apiKey: string };
  /** Members enrolled by the measured enrollment: they buy, are read, download and register passes. */
  cards: Card[];
  /** Members with a stamp voucher to redeem. */
  redeemable: { card: Card; voucherId: string }[];
  /** Members of the program without tiers. */
  plainCards: Card[];
  /** Members who only get partner points. */
  partnerCards: Card[];
  /** Members with the card in Google Wallet and on no Apple device; the first one saves in preparation. */
  googleCards: Card[];
  purchases: { key: string; body: unknown; text: string; transactionId: string; points: number }[];
  devices: { device: string; passTypeId: string; serial: string; authToken: string }[];
  pushVersion: number;
  /** Customers who signed up through the public form: their address and their welcome email's item. */
  joined: { email: string; welcome?: Item }[];
  /** Visitors of the public side so far (each gets an address of its own). */
  visitors: number;
  /** The addresses the mail function delivered to, in order. */
  delivered: string[];
}

const bearer = (key: string) => `Bearer ${key}`;
const ADMIN = bearer(ADMIN_KEY);
const coffee = (n: number) => [{ name: "Flat white", category: "coffee", quantity: n, unitCents: 350 }];

const at = <T>(list: T[], i: number, what: string): T => {
  const value = list[i];
  if (value === undefined) throw new Error(`no ${what} ${i}`);
  return value;
};

const cardOf = (o: Outcome): Card => {
  const m = bodyJson(o);
  return { memberId: m.memberId, cardCode: m.cardCode, token: String(m.cardUrl).split("/c/")[1] ?? "" };
};

const enrollCall = (s: Shop): Call => ({
  kind: "http",
  method: "POST",
  path: `/v1/programs/${s.programId}/members`,
  authorization: bearer(s.merchantKey),
  body: { email: `${randomUUID()}@example.com`, firstName: "Camille", lastName: "Martin" },
});

const storeCall = (s: Shop, n: number): Call => ({
  kind: "http",
  method: "POST",
  path: `/v1/programs/${s.programId}/stores`,
  authorization: bearer(s.merchantKey),
  body: { name: `Store ${n}`, latitude: 45 + n / 100, longitude: 4 + n / 100 },
});

/** A till's call: the store's key and an Idempotency-Key. */
const till = (s: Shop, what: string, body: unknown, idempotencyKey: string = randomUUID()): Call => ({
  kind: "http",
  method: "POST",
  path: `/v1/stores/${s.storeId}/${what}`,
  authorization: bearer(s.storeKey),
  idempotencyKey,
  body,
});

const memberGetCall = (s: Shop, card: Card): Call => ({
  kind: "http",
  method: "GET",
  path: `/v1/programs/${s.programId}/members/${card.memberId}`,
  authorization: bearer(s.merchantKey),
});

/** A program (every mechanic of the test suite's rules) and its first store, as a merchant opens them. */
const openShop = async (h: Harness, name: string, rules: unknown): Promise<Shop> => {
  const program = bodyJson(
    await h.prepare("program", {
      kind: "http",
      method: "POST",
      path: "/v1/programs",
      authorization: ADMIN,
      body: { name, organizationName: "Café Lumière", rules },
    }),
  );
  const shop = { programId: program.programId, merchantKey: program.merchantKey, storeId: "", storeKey: "" };
  const store = bodyJson(await h.prepare("store", storeCall(shop, 0)));
  return { ...shop, storeId: store.storeId, storeKey: store.apiKey };
};

/**
 * Members as most buyers are: two earlier purchases each, made by member id, so that the process has
 * not seen their card code: the measured purchase by card code is the member's first in this container
 * (it reads `CARD#…`; later ones find the code in memory, which bench/cost-model.ts accounts for);
 * members holding a stamp voucher; members of the program without tiers; members who only get partner
 * points; members who will carry the card in Google Wallet (and on no Apple device); a partner.
 */
const prepareMembers = async (h: Harness, w: World) => {
  const history = async (s: Shop, card: Card) => {
    for (const amountCents of [800, 2300]) {
      await h.prepare(
        "history",
        till(s, "purchases", { member: card.memberId, amountCents, currency: "EUR" }),
      );
    }
  };
  for (let i = 0; i < CALLS; i++) {
    await history(w.shop, at(w.cards, i, "member"));
    const holder = cardOf(await h.prepare("member", enrollCall(w.shop)));
    const bought = bodyJson(
      await h.prepare(
        "voucher purchase",
        till(w.shop, "purchases", {
          member: holder.memberId,
          amountCents: 1050,
          currency: "EUR",
          items: coffee(3),
        }),
      ),
    );
    w.redeemable.push({ card: holder, voucherId: bought.vouchersIssued[0].voucherId });
    const plainCard = cardOf(await h.prepare("member", enrollCall(w.plain)));
    await history(w.plain, plainCard);
    w.plainCards.push(plainCard);
    w.partnerCards.push(cardOf(await h.prepare("member", enrollCall(w.shop))));
  }
  for (let i = 0; i <= CALLS; i++) w.googleCards.push(cardOf(await h.prepare("member", enrollCall(w.shop))));
  w.partner = bodyJson(
    await h.prepare("partner", {
      kind: "http",
      method: "POST",
      path: `/v1/programs/${w.shop.programId}/partners`,
      authorization: bearer(w.shop.merchantKey),
      body: { name: "Cinéma du Parc" },
    }),
  );
};

/** A replay must never credit twice: every balance is still the one the first answer gave. */
const verifyReplays = async (h: Harness, w: World) => {
  for (let i = 0; i < CALLS; i++) {
    const member = bodyJson(await h.prepare("member", memberGetCall(w.shop, at(w.cards, i, "member")), 200));
    const expected = w.purchases[i]?.points;
    if (member.points !== expected) {
      h.failures.push(`replay ${i} credited again: ${member.points} points instead of ${expected}`);
    }
  }
};

// ------------------------------------------------------------------------------ the operations

const merchantScenarios = (w: World): Scenario[] => [
  {
    name: "createProgram",
    label: "program creation",
    fn: "programs",
    status: 201,
    call: (i) => ({
      kind: "http",
      method: "POST",
      path: "/v1/programs",
      authorization: ADMIN,
      body: { name: `Bench program ${i}`, organizationName: "Café", rules: richRules },
    }),
  },
  {
    name: "createStore",
    label: "store creation",
    fn: "stores",
    status: 201,
    call: (i) => storeCall(w.shop, i + 1),
  },
  {
    name: "enroll",
    label: "staff enrollment",
    fn: "members",
    status: 201,
    call: () => enrollCall(w.shop),
    after: (i, o) => {
      w.cards[i] = cardOf(o);
    },
  },
];

const purchaseBody = (card: Card) => ({
  member: card.cardCode,
  amountCents: 1250,
  currency: "EUR",
  items: coffee(1),
});

const storeApiScenarios = (h: Harness, w: World): Scenario[] => [
  {
    name: "purchase",
    label: "purchase (store API, by card code)",
    fn: "store-api",
    status: 201,
    call: (i) => {
      const key = randomUUID();
      const body = purchaseBody(at(w.cards, i, "member"));
      w.purchases[i] = { key, body, text: "", transactionId: "", points: 0 };
      return till(w.shop, "purchases", body, key);
    },
    after: (i, o) => {
      const answer = bodyJson(o);
      Object.assign(at(w.purchases, i, "purchase"), {
        text: bodyText(o),
        transactionId: answer.transactionId,
        points: answer.member.points,
      });
    },
  },
  {
    name: "purchaseReplay",
    label: "purchase replay (same Idempotency-Key)",
    fn: "store-api",
    status: 201,
    call: (i) => {
      const p = at(w.purchases, i, "purchase");
      return till(w.shop, "purchases", p.body, p.key);
    },
    after: (i, o) => {
      if (bodyText(o) !== w.purchases[i]?.text)
        h.failures.push(`replay ${i}: the answer differs from the first one`);
    },
  },
  {
    name: "purchaseNoTiers",
    label: "purchase, program without tiers",
    fn: "store-api",
    status: 201,
    call: (i) => till(w.plain, "purchases", purchaseBody(at(w.plainCards, i, "member"))),
  },
  {
    name: "refund",
    label: "refund (part of a purchase)",
    fn: "store-api",
    status: 201,
    call: (i) =>
      till(w.shop, "refunds", {
        transactionId: at(w.purchases, i, "purchase").transactionId,
        amountCents: 250,
      }),
  },
  {
    name: "redeem",
    label: "voucher redemption (by card code)",
    fn: "store-api",
    status: 201,
    call: (i) => {
      const r = at(w.redeemable, i, "voucher");
      return till(w.shop, "redemptions", { member: r.card.cardCode, voucherId: r.voucherId });
    },
  },
  {
    name: "accrue",
    label: "partner accrual (by card code)",
    fn: "partners",
    status: 201,
    call: (i) => ({
      kind: "http",
      method: "POST",
      path: `/v1/partners/${w.partner.partnerId}/accruals`,
      authorization: bearer(w.partner.apiKey),
      idempotencyKey: randomUUID(),
      body: { member: at(w.partnerCards, i, "member").cardCode, points: 10, reference: `ticket-${i}` },
    }),
  },
];

const walletScenarios = (w: World): Scenario[] => {
  const device = (i: number) => at(w.devices, i, "pass");
  return [
    {
      name: "memberGet",
      label: "member GET (merchant key)",
      fn: "members",
      status: 200,
      call: (i) => memberGetCall(w.shop, at(w.cards, i, "member")),
    },
    {
      name: "cardPage",
      label: "card page GET /c/{token}",
      fn: "wallet",
      status: 200,
      call: (i) => ({ kind: "http", method: "GET", path: `/c/${at(w.cards, i, "member").token}` }),
    },
    {
      name: "passDownload",
      label: "pass download /c/{token}/pass.pkpass",
      fn: "wallet",
      status: 200,
      call: (i) => ({
        kind: "http",
        method: "GET",
        path: `/c/${at(w.cards, i, "member").token}/pass.pkpass`,
      }),
      after: (i, o) => {
        const { pass } = openPass(Buffer.from(o.body, "base64"));
        w.devices[i] = {
          device: `device-${randomBytes(8).toString("hex")}`,
          passTypeId: pass.passTypeIdentifier,
          serial: pass.serialNumber,
          authToken: pass.authenticationToken,
        };
      },
    },
    {
      name: "registerDevice",
      label: "PassKit device registration",
      fn: "wallet",
      status: 201,
      call: (i) => ({
        kind: "http",
        method: "POST",
        path: `/passkit/v1/devices/${device(i).device}/registrations/${device(i).passTypeId}/${device(i).serial}`,
        authorization: `ApplePass ${device(i).authToken}`,
        body: { pushToken: randomBytes(32).toString("hex") },
      }),
    },
    {
      name: "updatedSerials",
      label: "PassKit serials updated since a tag",
      fn: "wallet",
      status: 200,
      call: (i) => ({
        kind: "http",
        method: "GET",
        path: `/passkit/v1/devices/${device(i).device}/registrations/${device(i).passTypeId}?passesUpdatedSince=1`,
      }),
    },
    {
      name: "latestPass",
      label: "PassKit latest pass",
      fn: "wallet",
      status: 200,
      call: (i) => ({
        kind: "http",
        method: "GET",
        path: `/passkit/v1/passes/${device(i).passTypeId}/${device(i).serial}`,
        authorization: `ApplePass ${device(i).authToken}`,
      }),
    },
  ];
};

const backgroundScenarios = (h: Harness, w: World): Scenario[] => {
  const pushed = (devices: number) => (i: number, o: Outcome) => {
    const report = bodyJson(o);
    if (report.delivered !== devices || report.failed !== 0) {
      h.failures.push(
        `push ${i}: ${report.delivered} device(s) notified, ${report.failed} failed; expected ${devices}`,
      );
    }
  };
  /** A card change of the member, called directly (in AWS the stream filter drops it when devices is 0). */
  const push = (memberId: string): Call => ({
    kind: "push",
    memberId,
    version: ++w.pushVersion,
    devices: h.devicesOf(memberId),
  });
  return [
    {
      name: "pushOneDevice",
      label: "push fan-out, member with 1 device",
      fn: "push",
      status: 200,
      call: (i) => push(at(w.cards, i, "member").memberId),
      after: pushed(1),
    },
    {
      name: "pushNoDevice",
      label: "push fan-out, member without device",
      fn: "push",
      status: 200,
      call: (i) => push(at(w.redeemable, i, "member").card.memberId),
      after: pushed(0),
    },
    {
      name: "sweep",
      label: "due-work sweep (nothing due)",
      fn: "sweep",
      status: 200,
      call: () => ({ kind: "sweep" }),
    },
  ];
};

/**
 * Google Wallet, for members with the card in Google Wallet and on no Apple device: the save link the
 * first time (the object inserted, the member marked), the save link again (409, the object PATCHed),
 * the stream record of the first save's mark, and the live update of a card change. The first member of
 * `w.googleCards` saves in preparation: a program's first save also inserts its Google class (in AWS the
 * program's own stream record does it), which no member's save pays afterwards.
 */
const googleScenarios = (h: Harness, w: World): Scenario[] => {
  const card = (i: number) => at(w.googleCards, i + 1, "Google Wallet member");
  const objectPath = (i: number) => `/loyaltyObject/${GOOGLE_ISSUER_ID}.${card(i).memberId}`;
  const saveLink = (i: number): Call => ({ kind: "http", method: "GET", path: `/c/${card(i).token}/google` });
  /** Checks what the call sent to Google's REST API (the OAuth token apart), in order. */
  const sentToGoogle =
    (what: string, expected: (i: number) => string[]) => (i: number, sent: StandInRequest[]) => {
      const got = sent
        .filter((r) => r.path !== "/token")
        .map((r) => `${r.method} ${decodeURIComponent(r.path)} ${r.status}`);
      if (canonical(got) !== canonical(expected(i)))
        h.failures.push(
          `${what} ${i}: Google received [${got.join(", ")}], expected [${expected(i).join(", ")}]`,
        );
    };
  const redirected = (what: string) => (i: number, o: Outcome) => {
    if (!o.location?.startsWith(GOOGLE_SAVE_URL))
      h.failures.push(`${what} ${i}: redirected to ${o.location ?? "nowhere"}, not Google's save page`);
  };
  /** Checks the push function's answer: Apple pushed nothing, Google's report counts `expected`. */
  const synced = (what: string, expected: Record<string, number>) => (i: number, o: Outcome) => {
    const report = bodyJson(o);
    const got: Record<string, unknown> = {
      "Apple delivered": report.delivered,
      "Apple failed": report.failed,
      ...Object.fromEntries(Object.keys(expected).map((k) => [k, report.google?.[k]])),
    };
    const wrong = Object.entries({ "Apple delivered": 0, "Apple failed": 0, ...expected }).filter(
      ([k, v]) => got[k] !== v,
    );
    if (wrong.length > 0)
      h.failures.push(
        `${what} ${i}: ${wrong.map(([k, v]) => `${k} ${String(got[k])} instead of ${v}`).join(", ")}`,
      );
  };
  const stream = (i: number, change: "card" | "mark"): Call => {
    const { memberId } = card(i);
    const generation = h.googleObjectOf(memberId);
    if (generation === undefined) throw new Error(`Google Wallet member ${i} has no Google object`);
    return {
      kind: "push",
      memberId,
      version: ++w.pushVersion,
      devices: h.devicesOf(memberId),
      google: { generation, change },
    };
  };
  const first = sentToGoogle("first save link", () => ["POST /loyaltyObject 200"]);
  const again = sentToGoogle("save link again", (i) => [
    "POST /loyaltyObject 409",
    `PATCH ${objectPath(i)} 200`,
  ]);
  const nothing = sentToGoogle("first save's mark", () => []);
  const live = sentToGoogle("live update", (i) => [`PATCH ${objectPath(i)} 200`]);
  const markSynced = synced("first save's mark", { members: 1, skipped: 1, patched: 0, failed: 0 });
  const liveSynced = synced("live update", { members: 1, patched: 1, notified: 0, failed: 0 });
  return [
    {
      name: "googleSaveLinkFirst",
      label: "Google save link, first (object inserted)",
      fn: "wallet",
      status: 302,
      call: saveLink,
      after: (i, o, sent) => {
        redirected("first save link")(i, o);
        first(i, sent);
      },
    },
    {
      name: "googleSavedMark",
      label: "stream: the first save's member mark",
      fn: "push",
      status: 200,
      call: (i) => stream(i, "mark"),
      after: (i, o, sent) => {
        markSynced(i, o);
        nothing(i, sent);
      },
    },
    {
      name: "googleSaveLink",
      label: "Google save link, object exists",
      fn: "wallet",
      status: 302,
      call: saveLink,
      after: (i, o, sent) => {
        redirected("save link again")(i, o);
        again(i, sent);
      },
    },
    {
      name: "googleLiveUpdate",
      label: "Google live update, card changed",
      fn: "push",
      status: 200,
      call: (i) => stream(i, "card"),
      after: (i, o, sent) => {
        liveSynced(i, o);
        live(i, sent);
      },
    },
  ];
};

/** A purchase of each Google Wallet member, by member id: the card changes the live update PATCHes. */
const googlePurchases = async (h: Harness, w: World) => {
  for (const card of w.googleCards.slice(1)) {
    // No coffee (no stamp, no voucher) and far from the tier: a silent update, as most are.
    await h.prepare(
      "Google member's purchase",
      till(w.shop, "purchases", { member: card.memberId, amountCents: 1250, currency: "EUR" }),
    );
  }
};

/**
 * The customer journey: a customer's own sign-up through the public form's JSON twin (a new address,
 * then the same address again, which gets its card link again), "email me my card link again", and
 * the mail function delivering a sign-up's welcome email from its stream record. Each visitor comes
 * from an address of its own (X-Forwarded-For), as customers on their phones do; each address is
 * emailed 3 times in the day, the per-address limit (PUBLIC_LIMITS), so nothing is held back.
 */
const journeyScenarios = (h: Harness, w: World): Scenario[] => {
  const visitor = () => `2001:db8::${(++w.visitors).toString(16)}`;
  const customer = (i: number) => at(w.joined, i, "signed-up customer");
  const publicCall = (what: "enrollments" | "card-links", body: unknown): Call => ({
    kind: "http",
    method: "POST",
    path: `/v1/programs/${w.shop.programId}/${what}`,
    forwardedFor: visitor(),
    body,
  });
  const signUp = (email: string) => publicCall("enrollments", { firstName: "Léa", email, consent: true });
  /** Checks that the call wrote one more email to the customer's address: `expected` in all, the last pending. */
  const wrote = (what: string, expected: number) => (i: number) => {
    const emails = h.emailsTo(customer(i).email);
    const last = emails[emails.length - 1]?.status?.S;
    if (emails.length !== expected || last !== "pending")
      h.failures.push(
        `${what} ${i}: ${emails.length} email(s) to the address (the last ${last ?? "none"}), expected ${expected}, the last pending`,
      );
    return emails;
  };
  return [
    {
      name: "signUp",
      label: "public sign-up, new address",
      fn: "join",
      status: 202,
      call: (i) => {
        w.joined[i] = { email: `${randomUUID()}@example.com` };
        return signUp(customer(i).email);
      },
      after: (i) => {
        customer(i).welcome = wrote("sign-up", 1)(i)[0];
      },
    },
    {
      name: "signUpAgain",
      label: "public sign-up, address already a member",
      fn: "join",
      status: 202,
      call: (i) => signUp(customer(i).email),
      after: (i) => {
        wrote("sign-up again", 2)(i);
      },
    },
    {
      name: "cardLinkRequest",
      label: "card-link request (email my link again)",
      fn: "join",
      status: 202,
      call: (i) => publicCall("card-links", { email: customer(i).email }),
      after: (i) => {
        wrote("card-link request", 3)(i);
      },
    },
    {
      name: "mailDelivery",
      label: "mail function, one email sent",
      fn: "mail",
      status: 200,
      call: (i) => {
        const welcome = customer(i).welcome;
        if (!welcome) throw new Error(`signed-up customer ${i} has no welcome email`);
        const record = emailStreamRecord(welcome, "INSERT", ++w.pushVersion);
        // What reaches the functions in AWS: the email's INSERT passes the mail function's filter only.
        if (!reachesMail(record)) h.failures.push(`email ${i}: its INSERT does not pass the mail filter`);
        if (reachesPush(record)) h.failures.push(`email ${i}: its INSERT would invoke the push function`);
        return { kind: "mail", record };
      },
      after: (i, o) => {
        const report = bodyJson(o);
        if (report.sent !== 1 || report.results?.[0]?.outcome !== "sent")
          h.failures.push(`email ${i}: not sent (${JSON.stringify(report.results ?? report)})`);
        else w.delivered.push(customer(i).email);
        // The claim and the result are writes of the email too: their MODIFY must reach nothing.
        const [settled] = h.emailsTo(customer(i).email);
        if (settled?.status?.S !== "sent")
          h.failures.push(`email ${i}: stored ${settled?.status?.S}, not sent`);
        else if (reachesMail(emailStreamRecord(settled, "MODIFY", ++w.pushVersion)))
          h.failures.push(`email ${i}: its state change would invoke the mail function again`);
      },
    },
  ];
};

/** Every email the mail function reported sent reached the mail server, once, and nothing else did. */
const verifyInbox = async (h: Harness, w: World, inboxUrl: string) => {
  const response = await fetch(`${inboxUrl}/api/email`);
  if (!response.ok) throw new Error(`MailDev /api/email: ${response.status}`);
  const emails = (await response.json()) as { to?: { address: string }[] }[];
  const received = emails.flatMap((e) => (e.to ?? []).map((a) => a.address)).sort();
  const expected = [...w.delivered].sort();
  if (canonical(received) !== canonical(expected))
    h.failures.push(
      `the mail server received ${received.length} email(s), ${expected.length} reported sent, or not to the same addresses`,
    );
};

/**
 * A bare send to the same MailDev, timed apart (after the inbox was checked): the part of the mail
 * function's time that, in AWS, is spent waiting for SES. p50 of 10 sends of an email of about the
 * size of a card-link email.
 */
const smtpSendMs = async (): Promise<number> => {
  const { smtpMailer } = await import("../functions/adapters/mail/smtp.js");
  const mailer = smtpMailer({ url: process.env.SMTP_URL ?? "" });
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    const outcome = await mailer.send({
      from: "Carnet <cards@carnet.localhost>",
      to: `probe-${i}@example.com`,
      subject: "Your loyalty card",
      text: "Your card: https://carnet.localhost/c/token\n".repeat(40),
      html: `<p>${"Your card: <a href='https://carnet.localhost/c/token'>open it</a></p><p>".repeat(40)}</p>`,
      messageId: `<probe-${i}-${randomUUID()}@carnet.localhost>`,
      date: new Date(),
    });
    if (outcome.kind !== "sent") throw new Error(`the SMTP probe was not sent: ${JSON.stringify(outcome)}`);
    times.push(performance.now() - started);
  }
  return median(times);
};

// ------------------------------------------------------------------------------ the run

let dynamoLocal: RunningDynamoDb | undefined;
let certDir: string | undefined;
let googleStandIn: GoogleWalletStandIn | undefined;
let maildev: MailDev | undefined;
let mailDir: string | undefined;

const cleanUp = async () => {
  for (const child of children) child.kill("SIGKILL");
  await googleStandIn?.close();
  await maildev?.stop();
  if (mailDir) rmSync(mailDir, { recursive: true, force: true });
  await dynamoLocal?.stop();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
};

/**
 * Google Wallet as a deployment with an issuer id has it: a service account made for the run (its JSON
 * key file beside the development certificates) and the stand-in that knows its public key.
 */
const startGoogle = async (dir: string) => {
  const account = testServiceAccount("carnet-costs");
  const keyFile = join(dir, "google-service-account.json");
  writeFileSync(keyFile, JSON.stringify({ type: "service_account", ...account.serviceAccount }), {
    mode: 0o600,
  });
  googleStandIn = await startGoogleWalletStandIn({
    issuerId: GOOGLE_ISSUER_ID,
    serviceAccounts: [account.standIn],
  });
  // Google's typings are read once per process, on the first request: here, not in a measured call.
  walletSchemas();
  return {
    standIn: googleStandIn,
    env: {
      GOOGLE_WALLET_ISSUER_ID: GOOGLE_ISSUER_ID,
      GOOGLE_WALLET_SA_JSON: keyFile,
      GOOGLE_WALLET_API_URL: googleStandIn.apiUrl,
      GOOGLE_OAUTH_TOKEN_URL: googleStandIn.tokenUrl,
    },
  };
};

/**
 * The mail server the mail function sends to, as `npm start` and test/support/mail.ts run it: a MailDev
 * in this process (free ports, messages in a temporary folder). The cold calls' processes reach it too.
 */
const startMailServer = async () => {
  mailDir = mkdtempSync(join(tmpdir(), "carnet-costs-maildev-"));
  const smtp = await freePort();
  maildev = new MailDev({
    smtp,
    ip: "127.0.0.1",
    web: 0,
    webIp: "127.0.0.1",
    mailDirectory: mailDir,
    silent: true,
  });
  // MailDev's API prints its own address whatever `silent` says.
  const info = console.info;
  console.info = () => undefined;
  try {
    const servers = await maildev.start();
    return {
      inboxUrl: `http://127.0.0.1:${servers.api?.getAddress()?.port}`,
      env: { SMTP_URL: `smtp://127.0.0.1:${smtp}`, MAIL_FROM: "Carnet <cards@carnet.localhost>" },
    };
  } finally {
    console.info = info;
  }
};

/** DynamoDB Local, the table, development certificates and the environment every functions/ module reads. */
const startEnvironment = async () => {
  log("starting DynamoDB Local (in memory)…");
  dynamoLocal = await startDynamoDbLocal();
  const tableName = `carnet-costs-${randomBytes(4).toString("hex")}`;
  const raw = localDynamoClient(dynamoLocal.endpoint);
  await ensureTable(raw, tableName);
  certDir = mkdtempSync(join(tmpdir(), "carnet-costs-certs-"));
  const certs = ensureDevCertificates(certDir);
  const google = await startGoogle(certDir);
  const mail = await startMailServer();
  const port = await freePort();
  // Set before any functions/ module is imported: the configuration is read once, on first use; the cold
  // calls' processes inherit it. Without APNS_URL, development certificates make the fan-out record
  // pushes instead of sending them.
  delete process.env.APNS_URL;
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamoLocal.endpoint,
    CARNET_TABLE_NAME: tableName,
    CARNET_ADMIN_KEY: ADMIN_KEY,
    AWS_REGION: "eu-west-1",
    POWERTOOLS_LOG_LEVEL: "SILENT",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    CARNET_PASS_SECRET: randomBytes(32).toString("base64url"),
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
    ...devCertificateEnv(certs),
    ...google.env,
    ...mail.env,
  });
  return { raw, tableName, port, google: google.standIn, inboxUrl: mail.inboxUrl };
};

const main = async (): Promise<boolean> => {
  const code = codeVersion();
  const { raw, tableName, port, google, inboxUrl } = await startEnvironment();
  const { processParts } = await import("../functions/composition/process.js");
  const { startLocalServer } = await import("../local/server.js");
  // Visitors of the public join form are told apart by their address (X-Forwarded-For, as API Gateway's
  // sourceIp would be), so that the per-address limit of sign-ups does not stop the bench.
  const server = await startLocalServer({ port, trustForwardedFor: true });
  const h = new Harness(server.url, raw, tableName, processParts().table.client, google);

  log("opening the shop: a program with every mechanic, and the same without tiers…");
  const w: World = {
    shop: await openShop(h, "Café Lumière Rewards", richRules),
    plain: await openShop(h, "Café Lumière (no tiers)", { ...richRules, tiers: { levels: [] } }),
    partner: { partnerId: "", apiKey: "" },
    cards: [],
    redeemable: [],
    plainCards: [],
    partnerCards: [],
    googleCards: [],
    purchases: [],
    devices: [],
    pushVersion: Math.floor(Date.now() / 1000),
    joined: [],
    visitors: 0,
    delivered: [],
  };
  log(
    `measuring ${OPERATION_NAMES.length} operations: one cold call in a fresh process, ${WARMUP} warm-up calls, ${REPS} warm calls…`,
  );
  const reports: OperationReport[] = [];
  const measureAll = async (scenarios: Scenario[]) => {
    for (const s of scenarios) reports.push(await h.measure(s));
  };
  const [createProgram, createStore, enroll] = merchantScenarios(w) as [Scenario, Scenario, Scenario];
  await measureAll([createProgram, createStore]);
  // The merchant's 50 stores: the pass shows the first ten, read by one Query.
  for (let n = 1 + CALLS; n < STORES; n++) await h.prepare("store", storeCall(w.shop, n));
  log("the customer journey: sign-ups through the public form, card-link requests, the mail function…");
  await measureAll([enroll, ...journeyScenarios(h, w)]);
  log("preparing members: earlier purchases, stamp vouchers, a partner…");
  await prepareMembers(h, w);
  const [purchase, replay, ...otherTills] = storeApiScenarios(h, w) as [Scenario, Scenario, ...Scenario[]];
  await measureAll([purchase, replay]);
  await verifyReplays(h, w);
  await measureAll([...otherTills, ...walletScenarios(w), ...backgroundScenarios(h, w)]);
  log("Google Wallet: a first save in preparation (the program's class), then the members' saves…");
  const [firstSave, savedMark, saveAgain, liveUpdate] = googleScenarios(h, w) as [
    Scenario,
    Scenario,
    Scenario,
    Scenario,
  ];
  await h.prepare(
    "the program's first Google save",
    {
      kind: "http",
      method: "GET",
      path: `/c/${at(w.googleCards, 0, "Google Wallet member").token}/google`,
    },
    302,
  );
  await measureAll([firstSave, savedMark, saveAgain]);
  await googlePurchases(h, w);
  await measureAll([liveUpdate]);
  await server.close();
  await verifyInbox(h, w, inboxUrl);
  const smtpMs = await smtpSendMs();
  const entities = await h.entities();
  raw.destroy();
  return report(h, code, reports, entities, smtpMs);
};

/** The commit measured, and whether the working tree differed from it. */
const codeVersion = (): string => {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
    const dirty = git("status", "--porcelain", "--", "functions", "local").length > 0;
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " with uncommitted changes under functions/ or local/" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
};

/** Prints the tables and the bill, writes bench/results/costs.json; true when nothing failed. */
const report = (
  h: Harness,
  code: string,
  reports: OperationReport[],
  entities: Record<string, EntityStorage>,
  smtpMs: number,
): boolean => {
  console.log("");
  log(`code measured: ${code}; ${REPS} warm calls per operation; DynamoDB Local in memory`);
  printOperations(reports);
  printDetails(reports);
  console.log("");
  log(
    `mail: a bare SMTP send to the same MailDev takes ${smtpMs.toFixed(1)} ms (p50 of 10), in the mail function's time where, in AWS, it waits for SES`,
  );
  const checks = crossChecks(h.everyCall);
  console.log("");
  for (const line of checks.lines) log(line);

  const measured: Measured = { operations: toOperations(reports), entities };
  printPerThousand(measured);
  const bill = monthlyBill(measured);
  printBill(bill, DEFAULT_WORKLOAD);
  const whatIf = WHAT_IF.map(([name, change]) => ({
    name,
    change,
    totalUsd: monthlyBill(measured, { ...DEFAULT_WORKLOAD, ...change }).totalUsd,
  }));
  console.log("");
  for (const w of whatIf)
    log(`what if ${w.name}: ${usd(w.totalUsd)} a month (instead of ${usd(bill.totalUsd)})`);

  console.log("");
  log(
    h.failures.length === 0
      ? `verified: ${CALLS} replays answered identically and credited nothing; every push reached exactly the registered devices; every Google save link redirected to Google's save page, and Google received exactly the expected insert, 409 and PATCH of each save and live update; every sign-up and card-link request wrote its email, and the ${CALLS} emails the mail function sent reached the mail server`
      : `FAILED: ${h.failures.join("; ")}`,
  );
  writeResults("costs", {
    code,
    parameters: {
      reps: REPS,
      warmup: WARMUP,
      engine: "DynamoDB Local (in memory)",
      cacheSeconds: process.env.CARNET_CACHE_SECONDS ?? "default",
    },
    capacitySource: CAPACITY_SOURCE,
    checks: checks.figures,
    smtpSendMs: smtpMs,
    operations: reports,
    entities,
    workload: DEFAULT_WORKLOAD,
    bill,
    whatIf,
    failures: h.failures,
  });
  return h.failures.length === 0;
};

const CAPACITY_SOURCE =
  "computed from item sizes with DynamoDB's documented rules: reads in 4 KB units (half when eventually consistent, twice in a transaction, a Query's items summed, a BatchGet's rounded one by one), writes in 1 KB units of the larger of the item before and after (twice in a transaction, a ConditionCheck as a write), one more write per global secondary index entry added, changed or removed. DynamoDB Local's own ConsumedCapacity is kept beside it (localReadUnits, localWriteUnits).";

/** How the computed capacity compares with DynamoDB Local's own figures, over every call of the run. */
const crossChecks = (costs: CallCost[]) => {
  const sum = (f: (c: CallCost) => number) => costs.reduce((total, c) => total + f(c), 0);
  const figures = {
    singleItemRequests: sum((c) => c.comparable),
    agreedWithLocal: sum((c) => c.agreed),
    queriesNotReplayed: sum((c) => c.queryMismatches),
    transactionWriteUnits: {
      computed: sum((c) => c.transactionWriteUnits),
      local: sum((c) => c.transactionLocalUnits),
    },
    cancelledTransactions: sum((c) =>
      Object.entries(c.failedCommands)
        .filter(([k]) => k === "TxWrite cancelled")
        .reduce((n, [, v]) => n + v, 0),
    ),
  };
  const lines = [
    `capacity: ${CAPACITY_SOURCE.split(". DynamoDB Local")[0]}.`,
    `DynamoDB Local's own ConsumedCapacity agreed on ${figures.agreedWithLocal} of ${figures.singleItemRequests} single-item requests and non-empty Queries; over the committed transactions it reported ${quantity(figures.transactionWriteUnits.local)} WCU where AWS's doubling gives ${quantity(figures.transactionWriteUnits.computed)}, and it reports 0 for a Query that finds nothing (counted here as one unit, half when eventually consistent, like a missing item).`,
    `cancelled transactions: ${figures.cancelledTransactions} (AWS consumes capacity for them but reports none; estimated as one write unit per item read by the conditions, nothing committed).`,
    figures.queriesNotReplayed === 0
      ? "every Query, replayed on the table's copy, found as many items as DynamoDB returned."
      : `${figures.queriesNotReplayed} Queries could not be replayed exactly on the table's copy: their read units are approximate.`,
  ];
  return { figures, lines };
};

/** Every item of the table, by entity: how many, their average size and their index entries. */
const scanEntities = async (
  raw: DynamoDBClient,
  tableName: string,
): Promise<Record<string, EntityStorage>> => {
  const sums = new Map<string, { items: number; bytes: number; indexBytes: number; indexEntries: number }>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await raw.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const entity = entityName(keyOf(item), item);
      const sum = sums.get(entity) ?? { items: 0, bytes: 0, indexBytes: 0, indexEntries: 0 };
      sum.items += 1;
      sum.bytes += itemBytes(item);
      for (const index of TABLE_KEYS.globalIndexes) {
        const entry = indexEntry(item, index);
        if (!entry) continue;
        sum.indexEntries += 1;
        sum.indexBytes += itemBytes(entry);
      }
      sums.set(entity, sum);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return Object.fromEntries(
    [...sums.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([entity, s]) => [
        entity,
        {
          items: s.items,
          avgBytes: Math.round(s.bytes / s.items),
          avgIndexBytes: Math.round(s.indexBytes / s.items),
          indexEntriesPerItem: Number((s.indexEntries / s.items).toFixed(3)),
        },
      ]),
  );
};

const figures = (c: { requests: number; readUnits: number; writeUnits: number }, ms: number) => ({
  requests: c.requests,
  readUnits: c.readUnits,
  writeUnits: c.writeUnits,
  ms,
});

const toOperations = (reports: OperationReport[]): Record<OperationName, OperationCost> => {
  const byName = new Map(reports.map((r) => [r.name, r]));
  const entries = OPERATION_NAMES.map((name): [OperationName, OperationCost] => {
    const r = byName.get(name);
    if (!r) throw new Error(`operation ${name} was not measured`);
    return [
      name,
      {
        warm: figures(r.warm, r.warm.p50Ms),
        cold: figures(r.cold, r.cold.ms),
        http: r.http,
        responseBytes: r.warm.responseBytes,
        itemsCreated: r.warm.created,
        cardCodeRead: r.warm.cardCodeRead,
        google: r.warm.google,
      },
    ];
  });
  return Object.fromEntries(entries) as Record<OperationName, OperationCost>;
};

const child = process.env[CHILD_ENV];
if (child) {
  runChild(JSON.parse(child) as Call).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  process.on("SIGINT", () => {
    void cleanUp().finally(() => process.exit(130));
  });
  main().then(
    async (verified) => {
      await cleanUp();
      process.exit(verified ? 0 : 1);
    },
    async (error: unknown) => {
      console.error(error);
      await cleanUp();
      process.exit(1);
    },
  );
}
