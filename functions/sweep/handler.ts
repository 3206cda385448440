import { DUE_SHARDS } from "../adapters/dynamodb/table.js";
import { runSweep, type SweepReport } from "../app/sweep.js";
import { loyaltyOver } from "../composition/loyalty.js";
import { processParts } from "../composition/process.js";
import { logger } from "../shared/logger.js";

const parts = processParts();
const loyalty = loyaltyOver(parts);

/** Scheduled (EventBridge, every 15 minutes in AWS; every minute under `npm start`): the due-work sweep. */
export const handler = async (): Promise<SweepReport> => {
  const report = await runSweep(loyalty, parts.repositories.members, DUE_SHARDS, undefined, 8, (errors) => {
    for (const error of errors.slice(0, 10))
      logger.error("sweep: member not settled", { error: error as Error });
  });
  logger.info("sweep done", { ...report });
  return report;
};
