import type { RegistrationRepository } from "../domain/ports.js";
import { MAX_DEVICES_PER_PASS } from "../domain/registrations.js";
import { eachInParallel } from "../shared/parallel.js";

/**
 * The push fan-out: member changes from the table's stream become empty APNs pushes to every device
 * registered for that member's pass (data-model.md §6). Only a change of `passUpdatedAt` pushes, so a
 * write that leaves the card as it was never wakes a phone.
 *
 * Delivery is at-least-once at the stream level and at-most-once per (pass version, device): a batch
 * resumes at the first record of the first member it could not finish (a failure, or the batch's
 * deadline), and what was delivered before is remembered by the process and, for the members the retry
 * hands over again, noted in the table (markPushed), so the retry pushes only what had not gone through,
 * in whichever process it runs. One member is never pushed more than MAX_DEVICES_PER_PASS devices, and
 * a batch works within a deadline, so one member can neither delay nor duplicate the others' pushes.
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
  /**
   * One result per token. `deadline` (epoch ms): no attempt starts after it, and one still in flight
   * then is given up (outcome "failed").
   */
  push(tokens: readonly string[], deadline?: number): Promise<PushResult[]>;
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
  /** Members left for the retry: a push failed, or the deadline came first. */
  unfinished: number;
  /** The sequence number to retry the batch from, when something was left unfinished. */
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

/** (member, pass version, token) delivered that this process remembers, across batches. */
const DELIVERED_MEMORY = 20_000;
/** Members pushed at the same time within a batch (the APNs client bounds its streams on top). */
export const MEMBERS_IN_PARALLEL = 8;
/** How long after the deadline a member's pushes may still report (a sender gives up at the deadline). */
const LATE_GRACE_MS = 500;
/** After the pushes, at most this long to note what was pushed for the members a retry hands over again. */
const MARK_BUDGET_MS = 2_000;
/** The most time a batch keeps for itself after its deadline (noting, answering): see batchDeadline. */
export const PUSH_DEADLINE_MARGIN_MS = 10_000;

/**
 * When a batch stops starting work, from the time the invocation has left (Lambda's
 * context.getRemainingTimeInMillis()): a quarter of it, at most PUSH_DEADLINE_MARGIN_MS, is kept for
 * the late replies, the notes and the answer, so the invocation never times out (a timeout would hand
 * the whole batch over again to a fresh process, which remembers nothing).
 */
export const batchDeadline = (now: number, remainingMs: number): number =>
  now + remainingMs - Math.min(PUSH_DEADLINE_MARGIN_MS, Math.floor(remainingMs / 4));

interface Tally {
  delivered: number;
  skipped: number;
  removed: number;
  failed: number;
}

/** What pushing one member's change came to: whether all went through, and the tokens that have it. */
interface MemberOutcome {
  done: boolean;
  /** Tokens that have this pass version (delivered now, or known delivered before). */
  pushed: string[];
  tally: Tally;
}

export const pushFanOut = (deps: {
  registrations: Pick<RegistrationRepository, "pushTargets" | "markPushed" | "unregister">;
  sender: PushSender;
  passTypeId: string;
  log: PushLog;
}) => {
  /** (member, pass version, token) already delivered by this process: never pushed twice by it. */
  const delivered = new Set<string>();
  const remember = (key: string) => {
    delivered.add(key);
    if (delivered.size > DELIVERED_MEMORY) {
      const oldest = delivered.values().next().value;
      if (oldest !== undefined) delivered.delete(oldest);
    }
  };

  const pushMember = async (
    memberId: string,
    passUpdatedAt: number,
    counted: number | undefined,
    deadline: number,
  ): Promise<MemberOutcome> => {
    const outcome: MemberOutcome = {
      done: true,
      pushed: [],
      tally: { delivered: 0, skipped: 0, removed: 0, failed: 0 },
    };
    // A member whose newest record counts no device has nobody to push to: no read.
    if (counted === 0) return outcome;
    const targets = await deps.registrations.pushTargets(memberId, deps.passTypeId);
    // What another process noted it pushed of this version (or of a newer one) is not pushed again.
    const noted = new Set(
      targets.pushed && targets.pushed.passUpdatedAt >= passUpdatedAt ? targets.pushed.tokens : [],
    );
    // At most MAX_DEVICES_PER_PASS devices per pass, the most recent (the repository gives no more).
    const devices = targets.devices
      .filter((d) => d.passTypeId === deps.passTypeId)
      .slice(-MAX_DEVICES_PER_PASS);
    const byToken = new Map(devices.map((d) => [d.pushToken, d]));
    const keyOf = (token: string) => `${memberId}:${passUpdatedAt}:${token}`;
    const already = (token: string) => delivered.has(keyOf(token)) || noted.has(token);
    const tokens = [...byToken.keys()].filter((t) => !already(t));
    outcome.pushed = [...byToken.keys()].filter(already);
    outcome.tally.skipped = byToken.size - tokens.length;
    if (tokens.length === 0) return outcome;
    if (Date.now() >= deadline) return { ...outcome, done: false };
    for (const result of await deps.sender.push(tokens, deadline)) {
      const device = byToken.get(result.token);
      switch (result.outcome) {
        case "delivered":
          remember(keyOf(result.token));
          outcome.pushed.push(result.token);
          outcome.tally.delivered += 1;
          break;
        case "unregistered":
          // The device no longer has the pass (410) or the token is not a device's (400 BadDeviceToken).
          try {
            if (device)
              await deps.registrations.unregister(
                device.deviceLibraryIdentifier,
                device.passTypeId,
                memberId,
                counted !== undefined,
              );
            outcome.tally.removed += 1;
            deps.log.info("push: registration removed", {
              memberId,
              status: result.status,
              reason: result.reason,
            });
          } catch (error) {
            // APNs will say so again at the next change: not a reason to hand the batch over again.
            deps.log.warn("push: registration APNs no longer knows could not be removed", {
              memberId,
              error: (error as Error).message,
            });
          }
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
          outcome.done = false;
          outcome.tally.failed += 1;
          deps.log.warn("push: not delivered; the member's records will be handed over again", {
            memberId,
            reason: result.reason,
          });
          break;
      }
    }
    return outcome;
  };

  /** The work, or "late" once `until` (epoch ms) has passed without it settling. */
  const by = <T>(work: Promise<T>, until: number): Promise<T | "late"> => {
    if (until === Number.POSITIVE_INFINITY) return work;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), Math.max(0, until - Date.now()));
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  };

  return {
    /**
     * Pushes for one batch of stream records and reports where the batch must resume, if anywhere.
     * Members are pushed in parallel (MEMBERS_IN_PARALLEL), in the order of their first record; none is
     * started after `deadline` (epoch ms), and one still pushing then is left for the retry, so a slow or
     * huge member never holds the others up nor makes the invocation time out. The batch resumes at the
     * first record of the first member left unfinished; the members a retry hands over again that were
     * already pushed are noted (markPushed), so that even another process does not push them twice.
     */
    async handle(
      records: readonly ChangeRecord[],
      options: {
        deadline?: number;
        /**
         * The index of the first record that another reaction to the same batch (Google Wallet) needs
         * handed over again, if any: the batch then resumes there at the latest, and the members pushed
         * from there on are noted like the fan-out's own unfinished ones.
         */
        handOver?: Promise<number | undefined>;
      } = {},
    ): Promise<FanOutReport> {
      const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
      // One push per member per batch, for its newest pass version.
      const changes = new Map<
        string,
        { passUpdatedAt: number; firstSequence: string; index: number; lastIndex: number }
      >();
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
          lastIndex: index,
        });
      });
      const report: FanOutReport = {
        members: changes.size,
        delivered: 0,
        skipped: 0,
        removed: 0,
        failed: 0,
        unfinished: 0,
      };
      const unfinished = new Set<string>();
      const pushed = new Map<string, string[]>();
      await eachInParallel([...changes.entries()], MEMBERS_IN_PARALLEL, async ([memberId, change]) => {
        if (Date.now() >= deadline) {
          unfinished.add(memberId); // not started: the retry does it
          return;
        }
        const outcome = await by(
          pushMember(memberId, change.passUpdatedAt, counted.get(memberId), deadline).catch(
            (error: unknown): MemberOutcome => {
              deps.log.warn(
                "push: devices could not be read; the member's records will be handed over again",
                {
                  memberId,
                  error: (error as Error).message,
                },
              );
              return {
                done: false,
                pushed: [],
                tally: { delivered: 0, skipped: 0, removed: 0, failed: 1 },
              };
            },
          ),
          deadline + LATE_GRACE_MS,
        );
        if (outcome === "late") {
          unfinished.add(memberId);
          return;
        }
        report.delivered += outcome.tally.delivered;
        report.skipped += outcome.tally.skipped;
        report.removed += outcome.tally.removed;
        report.failed += outcome.tally.failed;
        if (!outcome.done) unfinished.add(memberId);
        if (outcome.pushed.length > 0) pushed.set(memberId, outcome.pushed);
      });
      report.unfinished = unfinished.size;
      const handedOver = options.handOver ? await options.handOver : undefined;
      if (unfinished.size === 0 && handedOver === undefined) return report;

      // The batch resumes at the first record of the first member left unfinished (or of what the other
      // reaction left); every member with a change at or after it is handed over again: note what they
      // already have.
      const resumeAt = Math.min(
        handedOver ?? records.length,
        ...[...unfinished].map((id) => changes.get(id)?.index ?? records.length),
      );
      report.retryFrom = records[resumeAt]?.sequenceNumber;
      if (deadline !== Number.POSITIVE_INFINITY)
        deps.log.warn("push: batch left unfinished; it resumes at the first unfinished member", {
          unfinished: unfinished.size,
          members: changes.size,
        });
      const notes = [...pushed].filter(([id]) => (changes.get(id)?.lastIndex ?? -1) >= resumeAt);
      const noted = eachInParallel(notes, MEMBERS_IN_PARALLEL, async ([memberId, tokens]) => {
        const passUpdatedAt = changes.get(memberId)?.passUpdatedAt ?? 0;
        await deps.registrations.markPushed(memberId, { passUpdatedAt, tokens }, new Date()).catch((error) =>
          deps.log.warn("push: what was pushed could not be noted; a retry elsewhere may push it again", {
            memberId,
            error: (error as Error).message,
          }),
        );
      });
      await by(noted, Date.now() + MARK_BUDGET_MS);
      return report;
    },
  };
};
