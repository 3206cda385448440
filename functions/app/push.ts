import type { RegistrationRepository } from "../domain/ports.js";

/**
 * The push fan-out: member changes from the table's stream become empty APNs pushes to every device
 * registered for that member's pass (data-model.md §6). Only a change of `passUpdatedAt` pushes, so a
 * write that leaves the card as it was never wakes a phone.
 *
 * Delivery is at-least-once at the stream level and at-most-once per (pass version, device) within a
 * process: a batch that failed is retried from its first failed record, and what was delivered before
 * is remembered, so the retry pushes only what had not gone through.
 */

/** One stream record, reduced to what the fan-out reads (images already unmarshalled). */
export interface ChangeRecord {
  sequenceNumber: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

/** What a push sender reports per token (functions/adapters/apple/apns.ts). */
export type PushResult =
  | { token: string; outcome: "delivered" }
  | { token: string; outcome: "unregistered" | "forbidden" | "rejected"; status: number; reason: string }
  | { token: string; outcome: "failed"; status?: number; reason: string };

export interface PushSender {
  push(tokens: readonly string[]): Promise<PushResult[]>;
}

export interface PushLog {
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
  /** An alert: someone must act (e.g. the Pass Type ID certificate is refused). */
  error(message: string, details: Record<string, unknown>): void;
}

export interface FanOutReport {
  members: number;
  delivered: number;
  skipped: number;
  removed: number;
  failed: number;
  /** The sequence number to retry the batch from, when something failed. */
  retryFrom?: string;
}

/** The member whose card changed, and its new pass version; undefined for records that push nothing. */
export const cardChange = (record: ChangeRecord): { memberId: string; passUpdatedAt: number } | undefined => {
  const next = record.newImage;
  if (record.eventName === "REMOVE" || next?.entity !== "member") return undefined;
  const version = next.passUpdatedAt;
  if (typeof version !== "number" || typeof next.memberId !== "string") return undefined;
  if (record.eventName === "MODIFY" && record.oldImage?.passUpdatedAt === version) return undefined;
  return { memberId: next.memberId, passUpdatedAt: version };
};

/**
 * How many devices a member record says have the pass (`Member.devices`): a number, or undefined
 * when the member predates the count (then the registrations are read to know).
 */
export const devicesOn = (record: ChangeRecord): number | undefined => {
  const devices = record.newImage?.devices;
  return typeof devices === "number" ? devices : undefined;
};

const DELIVERED_MEMORY = 20_000;
const MEMBERS_IN_PARALLEL = 8;

export const pushFanOut = (deps: {
  registrations: Pick<RegistrationRepository, "devicesOf" | "unregister">;
  sender: PushSender;
  passTypeId: string;
  log: PushLog;
}) => {
  /** (member, pass version, token) already delivered by this process: never pushed twice. */
  const delivered = new Set<string>();
  const remember = (key: string) => {
    delivered.add(key);
    if (delivered.size > DELIVERED_MEMORY) {
      const oldest = delivered.values().next().value;
      if (oldest !== undefined) delivered.delete(oldest);
    }
  };

  const pushMember = async (memberId: string, passUpdatedAt: number, counted: number | undefined) => {
    // A member whose newest record counts no device has nobody to push to: no read.
    if (counted === 0) return { delivered: 0, skipped: 0, removed: 0, failed: 0 };
    const devices = (await deps.registrations.devicesOf(memberId)).filter(
      (d) => d.passTypeId === deps.passTypeId,
    );
    const byToken = new Map(devices.map((d) => [d.pushToken, d]));
    const keyOf = (token: string) => `${memberId}:${passUpdatedAt}:${token}`;
    const tokens = [...byToken.keys()].filter((t) => !delivered.has(keyOf(t)));
    const tally = { delivered: 0, skipped: byToken.size - tokens.length, removed: 0, failed: 0 };
    if (tokens.length === 0) return tally;
    for (const result of await deps.sender.push(tokens)) {
      const device = byToken.get(result.token);
      switch (result.outcome) {
        case "delivered":
          remember(keyOf(result.token));
          tally.delivered += 1;
          break;
        case "unregistered":
          // The device no longer has the pass (410) or the token is not a device's (400 BadDeviceToken).
          if (device)
            await deps.registrations.unregister(
              device.deviceLibraryIdentifier,
              device.passTypeId,
              memberId,
              counted !== undefined,
            );
          deps.log.info("push: registration removed", {
            memberId,
            status: result.status,
            reason: result.reason,
          });
          tally.removed += 1;
          break;
        case "forbidden":
          deps.log.error("ALERT push: APNs refused our certificate or topic; registrations are kept", {
            memberId,
            status: result.status,
            reason: result.reason,
            passTypeId: deps.passTypeId,
          });
          break;
        case "rejected":
          deps.log.warn("push: APNs rejected the push; registration kept", {
            memberId,
            status: result.status,
            reason: result.reason,
          });
          break;
        case "failed":
          tally.failed += 1;
          deps.log.warn("push: not delivered after retries; the batch will be retried", {
            memberId,
            reason: result.reason,
          });
          break;
      }
    }
    return tally;
  };

  return {
    /** Pushes for one batch of stream records, in order; reports where to resume if anything failed. */
    async handle(records: readonly ChangeRecord[]): Promise<FanOutReport> {
      // One push per member per batch, for its newest pass version; the batch resumes at the first
      // record of a member whose push failed.
      const changes = new Map<string, { passUpdatedAt: number; firstSequence: string; index: number }>();
      // The newest device count of each member in the batch, whether or not that record changed the card.
      const counted = new Map<string, number | undefined>();
      records.forEach((record, index) => {
        const id = record.newImage?.memberId;
        if (record.newImage?.entity === "member" && typeof id === "string")
          counted.set(id, devicesOn(record));
        const change = cardChange(record);
        if (!change) return;
        const seen = changes.get(change.memberId);
        changes.set(change.memberId, {
          passUpdatedAt: Math.max(change.passUpdatedAt, seen?.passUpdatedAt ?? 0),
          firstSequence: seen?.firstSequence ?? record.sequenceNumber,
          index: seen?.index ?? index,
        });
      });
      const report: FanOutReport = { members: changes.size, delivered: 0, skipped: 0, removed: 0, failed: 0 };
      const queue = [...changes.entries()];
      let firstFailed: { index: number; sequence: string } | undefined;
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [memberId, change] = next;
          let tally: Awaited<ReturnType<typeof pushMember>>;
          try {
            tally = await pushMember(memberId, change.passUpdatedAt, counted.get(memberId));
          } catch (error) {
            deps.log.warn("push: devices could not be read; the batch will be retried", {
              memberId,
              error: (error as Error).message,
            });
            tally = { delivered: 0, skipped: 0, removed: 0, failed: 1 };
          }
          report.delivered += tally.delivered;
          report.skipped += tally.skipped;
          report.removed += tally.removed;
          report.failed += tally.failed;
          if (tally.failed > 0 && (!firstFailed || change.index < firstFailed.index)) {
            firstFailed = { index: change.index, sequence: change.firstSequence };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(MEMBERS_IN_PARALLEL, queue.length) }, worker));
      if (firstFailed) report.retryFrom = firstFailed.sequence;
      return report;
    },
  };
};
