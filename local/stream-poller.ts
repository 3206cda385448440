import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBRecord } from "aws-lambda";

/**
 * The local stand-in for Lambda's DynamoDB Streams event source: reads the table's stream in DynamoDB
 * Local and hands each batch to the same function AWS invokes. As in AWS, a batch that reports a failed
 * record is handed over again from that record, after a back-off, so nothing is lost and what came
 * before is not repeated.
 */

export interface BatchResult {
  /** The sequence number to resume from, when part of the batch failed. */
  retryFrom?: string;
}

export interface StreamPollerOptions {
  dynamo: DynamoDBClient;
  endpoint: string;
  tableName: string;
  handle: (records: DynamoDBRecord[]) => Promise<BatchResult>;
  /** Where to start in shards open at start: LATEST (npm start) or TRIM_HORIZON (tests, fresh tables). */
  startAt?: "LATEST" | "TRIM_HORIZON";
  intervalMs?: number;
  onError?: (error: Error) => void;
  /**
   * Which records reach `handle`, as an event source mapping's filter criteria decide in AWS (records
   * left out are consumed, never handed over). Default: all.
   */
  filter?: (record: StreamRecord) => boolean;
}

export interface StreamPoller {
  stop(): Promise<void>;
  /** Resolves once every record written so far has been handed over and handled (tests). */
  drained(): Promise<void>;
}

interface ShardState {
  iterator: string | undefined;
  pending: StreamRecord[];
  failures: number;
  closed: boolean;
}

/**
 * The streams SDK turns an empty map `{"M":{}}` into `{}` when it deserializes GetRecords (an empty
 * list survives as `{"L":[]}`), which `unmarshall` then refuses. Lambda's event carries the JSON as
 * DynamoDB wrote it, so put the map back before handing the record over.
 */
type Image = Record<string, Record<string, unknown>>;

/** One attribute value: the SDK's `{}` is an empty map; maps and lists are repaired inside. */
const repairValue = (value: Record<string, unknown>): Record<string, unknown> => {
  if (Object.keys(value).length === 0) return { M: {} };
  if (value.M) return { M: repairImage(value.M as Image) };
  if (Array.isArray(value.L)) return { L: value.L.map(repairValue) };
  return value;
};

const repairImage = (image: Image): Image =>
  Object.fromEntries(Object.entries(image).map(([name, value]) => [name, repairValue(value)]));

const toLambdaRecord = (record: StreamRecord): DynamoDBRecord => {
  const images = record.dynamodb ?? {};
  return {
    ...record,
    dynamodb: {
      ...images,
      ...(images.NewImage ? { NewImage: repairImage(images.NewImage as unknown as Image) } : {}),
      ...(images.OldImage ? { OldImage: repairImage(images.OldImage as unknown as Image) } : {}),
      ...(images.Keys ? { Keys: repairImage(images.Keys as unknown as Image) } : {}),
    },
  } as unknown as DynamoDBRecord;
};

export const startStreamPoller = async (options: StreamPollerOptions): Promise<StreamPoller> => {
  const { Table } = await options.dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`the table ${options.tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: (await options.dynamo.config.region()) ?? "eu-west-1",
    credentials: await options.dynamo.config.credentials(),
  });
  const interval = options.intervalMs ?? 100;
  const shards = new Map<string, ShardState>();
  let stopped = false;
  let firstScan = true;

  const iteratorFor = async (
    shardId: string,
    type: "LATEST" | "TRIM_HORIZON" | "AT_SEQUENCE_NUMBER",
    seq?: string,
  ) =>
    (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: type,
          ...(seq ? { SequenceNumber: seq } : {}),
        }),
      )
    ).ShardIterator;

  /** New shards (DynamoDB rolls them over): those seen after the first scan start at their beginning. */
  const discover = async () => {
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({
          StreamArn: streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        const id = shard.ShardId;
        if (!id || shards.has(id)) continue;
        const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
        if (firstScan && !open && options.startAt !== "TRIM_HORIZON") continue; // history before we started
        const type = firstScan ? (options.startAt ?? "LATEST") : "TRIM_HORIZON";
        shards.set(id, { iterator: await iteratorFor(id, type), pending: [], failures: 0, closed: false });
      }
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    firstScan = false;
  };

  const pollShard = async (shardId: string, state: ShardState): Promise<boolean> => {
    // Records read count as work even when the filter leaves none: more may follow at once.
    let read = 0;
    if (state.pending.length === 0 && state.iterator) {
      try {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 100 }));
        read = page.Records?.length ?? 0;
        state.pending = (page.Records ?? []).filter(options.filter ?? (() => true));
        state.iterator = page.NextShardIterator;
      } catch (error) {
        if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
          state.iterator = await iteratorFor(shardId, "TRIM_HORIZON");
          return false;
        }
        throw error;
      }
    }
    if (!state.iterator && state.pending.length === 0) state.closed = true;
    if (state.pending.length === 0) return read > 0;
    const result = await options.handle(state.pending.map(toLambdaRecord));
    if (result.retryFrom === undefined) {
      state.pending = [];
      state.failures = 0;
      return true;
    }
    const at = state.pending.findIndex((r) => r.dynamodb?.SequenceNumber === result.retryFrom);
    state.pending = state.pending.slice(Math.max(0, at));
    state.failures += 1;
    await new Promise((r) => setTimeout(r, Math.min(30_000, 200 * 2 ** Math.min(state.failures, 8))));
    return true;
  };

  let rounds = 0;
  let chain: Promise<unknown> = Promise.resolve();
  /** One round at a time, whoever asks (the loop, or drained()). */
  const round = (): Promise<boolean> => {
    const next = chain.then(oneRound, oneRound);
    chain = next.catch(() => undefined);
    return next;
  };
  const oneRound = async () => {
    if (rounds++ % 50 === 0) await discover();
    let worked = false;
    for (const [id, state] of shards) {
      if (state.closed) continue;
      worked = (await pollShard(id, state)) || worked;
    }
    return worked;
  };

  await discover();
  const loop = async () => {
    while (!stopped) {
      const worked = await round().catch((error: Error) => {
        options.onError?.(error);
        return false;
      });
      if (!worked && !stopped) await new Promise((r) => setTimeout(r, interval));
    }
  };
  const running = loop();

  return {
    async stop() {
      stopped = true;
      await running;
      streams.destroy();
    },
    async drained() {
      // Two quiet rounds in a row: everything written before the call has been read and handled.
      for (let quiet = 0; quiet < 2; ) {
        const worked = await round().catch(() => true);
        quiet = worked || [...shards.values()].some((s) => s.pending.length > 0) ? 0 : quiet + 1;
      }
    },
  };
};
