import { resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureDevCertificates } from "../../local/dev-certs.js";
import { type RunningDynamoDb, startDynamoDbLocal } from "../../local/dynamodb-local.js";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    /** The folder of the development certificates every test file signs passes with. */
    certDir: string;
  }
}

let dynamo: RunningDynamoDb | undefined;

/**
 * One Amazon DynamoDB Local (the real engine) for the whole run, started before any test file.
 * Each test file then works in a table of its own (test/support/table.ts). DYNAMODB_ENDPOINT set
 * from outside uses that instance instead.
 */
export async function setup(project: TestProject): Promise<void> {
  let endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    const started = Date.now();
    dynamo = await startDynamoDbLocal();
    endpoint = dynamo.endpoint;
    console.log(`DynamoDB Local started on ${endpoint} in ${Date.now() - started} ms`);
  }
  project.provide("dynamoEndpoint", endpoint);
  project.provide("certDir", ensureDevCertificates(resolve(".carnet", "test-certs")).dir);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
}
