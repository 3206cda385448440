import { randomBytes } from "node:crypto";
import { DeleteTableCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, inject } from "vitest";
import { type DynamoTable, dynamoTable } from "../../functions/adapters/dynamodb/client.js";
import { resetConfigForTests } from "../../functions/config/env.js";
import { type DevCertificates, devCertificateEnv, ensureDevCertificates } from "../../local/dev-certs.js";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import { ensureTable } from "../../local/table.js";

export const TEST_ADMIN_KEY = "test-admin-key-0123456789abcdef";
export const TEST_PASS_SECRET = "test-pass-secret-0123456789abcdef-0123456789";

/** The development certificates of this run (made once by the global setup). */
export const testCertificates = (): DevCertificates => ensureDevCertificates(inject("certDir"));

/**
 * Gives the calling test file a fresh table of its own in the shared DynamoDB Local, created the way
 * `npm start` creates it, and points the process's configuration at it.
 */
export const useTestTable = (): { tableName: string; endpoint: string } => {
  const endpoint = inject("dynamoEndpoint");
  const tableName = `carnet-test-${randomBytes(6).toString("hex")}`;
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: endpoint,
    CARNET_TABLE_NAME: tableName,
    CARNET_ADMIN_KEY: TEST_ADMIN_KEY,
    AWS_REGION: "eu-west-1",
    CARNET_PASS_SECRET: TEST_PASS_SECRET,
    ...devCertificateEnv(testCertificates()),
  });
  resetConfigForTests();
  const client = localDynamoClient(endpoint);
  beforeAll(async () => {
    await ensureTable(client, tableName);
  });
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    client.destroy();
  });
  return { tableName, endpoint };
};

let table: DynamoTable | undefined;

/**
 * The DynamoTable of the calling test file (one per process, as in a Lambda container), on the table
 * useTestTable gave it: call it after useTestTable. Its read caches keep items CARNET_CACHE_SECONDS
 * (30 unless set), as the handlers' do. The handlers build a table of their own (functions/composition/process.ts).
 */
export const testTable = (): DynamoTable => {
  if (!table) {
    const { DYNAMODB_ENDPOINT, CARNET_TABLE_NAME, AWS_REGION, CARNET_CACHE_SECONDS } = process.env;
    if (!DYNAMODB_ENDPOINT || !CARNET_TABLE_NAME) throw new Error("testTable() needs useTestTable() first");
    table = dynamoTable({
      tableName: CARNET_TABLE_NAME,
      region: AWS_REGION ?? "eu-west-1",
      endpoint: DYNAMODB_ENDPOINT,
      cacheSeconds: CARNET_CACHE_SECONDS === undefined ? 30 : Number(CARNET_CACHE_SECONDS),
    });
  }
  return table;
};

/** Every item of a test table: to prove that a rejected request wrote nothing. */
export const allItems = async (endpoint: string, tableName: string): Promise<Record<string, unknown>[]> => {
  const client = localDynamoClient(endpoint);
  try {
    const { Items } = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    return Items ?? [];
  } finally {
    client.destroy();
  }
};
