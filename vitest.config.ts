import { defineConfig } from "vitest/config";

/** DynamoDB Local (Java) and the dev certificates, for the projects whose tests use a table. */
const withDynamoDb = ["test/support/global-setup.ts"];

/** The integration test that races writers on one item: the most sensitive to a loaded DynamoDB Local. */
const RACING = "test/integration/loyalty-concurrency.test.ts";

/**
 * One project per kind of test, so that one kind runs alone (`npx vitest run --project unit`);
 * `npx vitest run` (what `npm test` runs) runs them all. Only the projects that talk to DynamoDB
 * start DynamoDB Local: unit and infra tests need no Java. The projects of one run share a single
 * DynamoDB Local (test/support/global-setup.ts).
 */
export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: {
      POWERTOOLS_LOG_LEVEL: process.env.CARNET_TEST_LOG_LEVEL ?? "SILENT",
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
      // The SDK (3.981.2 on) warns on Node 20 that its releases after January 2027 will need Node 22.
      // Node 20 is this project's local runtime on purpose (Lambda runs 22): said once in the README,
      // not in every test file's output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    projects: [
      {
        extends: true,
        // Pure code: the files run in one worker reusing its loaded modules (half the time of a fresh
        // process per file), so a unit test puts back what it changes (process.env, spies, mocks).
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], isolate: false },
      },
      {
        extends: true,
        test: { name: "infra", include: ["test/infra/**/*.test.ts"] },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: [RACING],
          globalSetup: withDynamoDb,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "test/local/**/*.test.ts"],
          globalSetup: withDynamoDb,
          // After the other projects, not beside them: its browser, mail catcher and `npm start` children
          // load both cores, and the integration tests that race 100 writers on one DynamoDB Local item
          // then took minutes instead of 15 s.
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: "concurrency",
          include: [RACING],
          globalSetup: withDynamoDb,
          // First, on a fresh DynamoDB Local, beside the unit and infra tests only (they use no
          // DynamoDB): 100 writers racing on one item take 40 s by themselves, and over 3 minutes
          // beside the offer fan-out's and the repositories' tests, or last, once every other file's
          // tables fill the same single Java process. (A negative groupOrder finds no test files.)
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
});
