import { DUE_SHARDS } from "../adapters/dynamodb/table.js";
import { requeueDueEmails } from "../app/mail.js";
import { runSweep, type SweepReport } from "../app/sweep.js";
import { loyaltyOver } from "../composition/loyalty.js";
import { offersOver } from "../composition/offers.js";
import { processParts } from "../composition/process.js";
import { logger } from "../shared/logger.js";

const parts = processParts();
const loyalty = loyaltyOver(parts);
const offers = offersOver(parts);

/** Scheduled (EventBridge, every 15 minutes in AWS; every minute under `npm start`): the due-work sweep. */
export const handler = async (): Promise<SweepReport> => {
  const report = await runSweep(loyalty, parts.repositories.members, DUE_SHARDS, undefined, 8, (errors) => {
    for (const error of errors.slice(0, 10))
      logger.error("sweep: member not settled", { error: error as Error });
  });
  // Emails whose retry is due go back to `pending`: the stream hands them to the mail function again.
  // Its own failure does not undo the members' part: the next sweep finds the same emails due.
  const mail = await requeueDueEmails(parts.repositories.mail, new Date()).catch((error: unknown) => {
    logger.error("sweep: due email retries not requeued", { error: error as Error });
    return undefined;
  });
  if (mail) report.emailsRequeued = mail.requeued;
  // Offers due to start, and deliveries that stalled, are written again: the stream hands them to the
  // offer worker. Its own failure does not undo the rest: the next sweep finds them due again.
  const resumed = await offers.resumeDue(new Date()).catch((error: unknown) => {
    logger.error("sweep: due offer deliveries not handed over", { error: error as Error });
    return undefined;
  });
  if (resumed !== undefined) report.offersResumed = resumed;
  logger.info("sweep done", { ...report });
  return report;
};
