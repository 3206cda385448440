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

/**
 * The DynamoDB Local of this run. Each vitest project loads this file in a module of its own, so
 * the instance is kept on the process (every global setup runs in the main vitest process) and
 * counted: the first project to need it starts it, the last to finish stops it.
 */
interface Shared {
  dynamo: Promise<RunningDynamoDb>;
  users: number;
}
const KEY = Symbol.for("carnet.test.dynamodb-local");
const holder = globalThis as { [KEY]?: Shared };

let using = false;

const sharedDynamoDb = (): Promise<RunningDynamoDb> => {
  let shared = holder[KEY];
  if (!shared) {
    const started = Date.now();
    const dynamo = startDynamoDbLocal().then((running) => {
      console.log(`DynamoDB Local started on ${running.endpoint} in ${Date.now() - started} ms`);
      return running;
    });
    shared = { dynamo, users: 0 };
    holder[KEY] = shared;
  }
  shared.users += 1;
  using = true;
  return shared.dynamo;
};

/**
 * One Amazon DynamoDB Local (the real engine) for the whole run, started before any test file of
 * the projects that use it (integration, e2e). Each test file then works in a table of its own
 * (test/support/table.ts). DYNAMODB_ENDPOINT set from outside uses that instance instead.
 */
export async function setup(project: TestProject): Promise<void> {
  const endpoint = process.env.DYNAMODB_ENDPOINT || (await sharedDynamoDb()).endpoint;
  project.provide("dynamoEndpoint", endpoint);
  project.provide("certDir", ensureDevCertificates(resolve(".carnet", "test-certs")).dir);
}

export async function teardown(): Promise<void> {
  const shared = holder[KEY];
  if (!using || !shared) return;
  using = false;
  shared.users -= 1;
  if (shared.users > 0) return;
  delete holder[KEY];
  await (await shared.dynamo).stop();
}
