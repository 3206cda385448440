import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { resetConfigForTests } from "../../functions/config/env.js";
import { reachesPush } from "../../functions/push/stream-filter.js";
import { DEV_CERT_FILES } from "../../local/dev-certs.js";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import type { StreamPoller } from "../../local/stream-poller.js";
import { type ApnsStandIn, startApnsStandIn } from "./apns-standin.js";
import { startTestStream } from "./stream.js";
import { testCertificates } from "./table.js";

/**
 * The push path as in production, for a test file: the table's stream read by the local poller with
 * the push function's filter (members that may have a device), the push function, and real HTTP/2 +
 * TLS with client certificates to a local APNs stand-in named by APNS_URL / APNS_CA_FILE.
 */
export const usePushes = (table: { tableName: string; endpoint: string }) => {
  let apns: ApnsStandIn | undefined;
  let poller: StreamPoller | undefined;
  const dynamo = localDynamoClient(table.endpoint);
  beforeAll(async () => {
    const certs = testCertificates();
    apns = await startApnsStandIn(certs);
    Object.assign(process.env, { APNS_URL: apns.url, APNS_CA_FILE: join(certs.dir, DEV_CERT_FILES.caCert) });
    resetConfigForTests();
    const { handleChanges } = await import("../../functions/push/handler.js");
    poller = await startTestStream(dynamo, table, {
      name: "push",
      handle: handleChanges,
      // What reaches the push function, as npm start filters it (functions/push/stream-filter.ts).
      filter: reachesPush,
    });
  });
  afterAll(async () => {
    await poller?.stop();
    await apns?.close();
    dynamo.destroy();
  });
  return {
    apns: (): ApnsStandIn => {
      if (!apns) throw new Error("the APNs stand-in is not started yet");
      return apns;
    },
    /** Every change written so far has gone through the fan-out. */
    drained: () => poller?.drained() ?? Promise.resolve(),
  };
};
