import { beforeAll } from "vitest";
import { processParts } from "../../functions/composition/process.js";

/**
 * The DynamoDB requests the handlers of this process send, counted on the process's shared client
 * (as test/integration/request-counts.test.ts does): `counted(run)` gives the commands `run` caused.
 * Call after useApi(), so that the client counted is the one the handlers use. The test helpers
 * (allItems, the table set-up) use clients of their own and are not counted.
 */
export const useDynamoRequests = () => {
  let sent: string[] = [];
  beforeAll(() => {
    processParts().table.client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: "initialize", name: "countRequestsOfTest" },
    );
  });
  return async <T>(run: () => Promise<T>): Promise<{ result: T; sent: string[] }> => {
    sent = [];
    const result = await run();
    const mine = sent;
    sent = [];
    return { result, sent: mine };
  };
};
