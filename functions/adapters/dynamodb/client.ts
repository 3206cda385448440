import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { config } from "../../config/env.js";

let documentClient: DynamoDBDocumentClient | undefined;

/**
 * One DynamoDB client per process, created on first use and reused by every invocation (Lambda
 * keeps it warm). Locally, DYNAMODB_ENDPOINT points it at DynamoDB Local, which accepts any
 * credentials: fixed local ones are used when the environment has none.
 */
export const dynamo = (): DynamoDBDocumentClient => {
  if (!documentClient) {
    const { DYNAMODB_ENDPOINT, AWS_REGION } = config();
    const local = DYNAMODB_ENDPOINT !== undefined;
    const hasCredentials = process.env.AWS_ACCESS_KEY_ID !== undefined;
    const client = new DynamoDBClient({
      region: AWS_REGION,
      ...(local ? { endpoint: DYNAMODB_ENDPOINT } : {}),
      ...(local && !hasCredentials
        ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } }
        : {}),
      maxAttempts: 3,
    });
    documentClient = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return documentClient;
};

export const tableName = (): string => config().CARNET_TABLE_NAME;

/** Every item of a strongly consistent Query, all pages. */
export const queryAll = async (
  input: Omit<QueryCommandInput, "TableName" | "ConsistentRead" | "ExclusiveStartKey">,
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({ ...input, TableName: tableName(), ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};

/** Why each item of a cancelled transaction failed (e.g. "ConditionalCheckFailed"), or undefined for other errors. */
export const cancellationCodes = (error: unknown): (string | undefined)[] | undefined =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? []).map((r) => r.Code)
    : undefined;
