import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
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
