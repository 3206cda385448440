import { afterEach, describe, expect, it, vi } from "vitest";
import {
  batchDeadline,
  type ChangeRecord,
  cardChange,
  type PushResult,
  pushFanOut,
} from "../../../functions/app/push.js";
import type { DeviceRegistration, PushedMark } from "../../../functions/domain/ports.js";

const TYPE = "pass.dev.carnet.local";

const change = (seq: number, memberId: string, from: number, to: number): ChangeRecord => ({
  sequenceNumber: String(seq).padStart(6, "0"),
  eventName: "MODIFY",
  oldImage: { entity: "member", memberId, passUpdatedAt: from },
  newImage: { entity: "member", memberId, passUpdatedAt: to },
});

/**
 * A scripted APNs reply: an outcome, or "hang" (the push call never answers: a connection stuck until
 * the deadline and beyond).
 */
type Reply = PushResult["outcome"] | "hang";

/** Devices per member, a scripted APNs, and what the fan-out did: all in memory, no I/O. */
const world = (devices: Record<string, string[]>, replies: Record<string, Reply[]> = {}) => {
  const pushed: string[] = [];
  const removed: string[] = [];
  const alerts: string[] = [];
  /** The members whose registrations were read, in order. */
  const reads: string[] = [];
  /** `counted` of each removal: whether the member's device count was moved with it. */
  const countedRemovals: boolean[] = [];
  /** What the fan-out noted it pushed, as the table keeps it (shared by every process). */
  const marks = new Map<string, PushedMark>();
  const registrations = {
    pushTargets: async (memberId: string) => {
      reads.push(memberId);
      const mark = marks.get(memberId);
      return {
        devices: (devices[memberId] ?? []).map(
          (pushToken): DeviceRegistration => ({
            deviceLibraryIdentifier: `dev-${pushToken}`,
            passTypeId: TYPE,
            memberId,
            programId: "prg_0000000000000001",
            pushToken,
          }),
        ),
        ...(mark ? { pushed: mark } : {}),
      };
    },
    markPushed: async (memberId: string, mark: PushedMark) => {
      marks.set(memberId, mark);
    },
    unregister: async (device: string, _type: string, memberId: string, counted: boolean) => {
      removed.push(`${memberId}/${device}`);
      countedRemovals.push(counted);
      devices[memberId] = (devices[memberId] ?? []).filter((t) => `dev-${t}` !== device);
      return true;
    },
  };
  const sender = {
    push: async (tokens: readonly string[]) => {
      if (tokens.some((t) => replies[t]?.[0] === "hang")) {
        for (const t of tokens) if (replies[t]?.[0] === "hang") replies[t]?.shift();
        return new Promise<PushResult[]>(() => undefined);
      }
      return tokens.map((token): PushResult => {
        pushed.push(token);
        const outcome = replies[token]?.shift() ?? "delivered";
        if (outcome === "delivered" || outcome === "hang") return { token, outcome: "delivered" };
        if (outcome === "failed") return { token, outcome, reason: "InternalServerError", status: 500 };
        return { token, outcome, status: outcome === "forbidden" ? 403 : 410, reason: outcome };
      });
    },
  };
  const log = {
    info: () => undefined,
    warn: () => undefined,
    error: (message: string) => void alerts.push(message),
  };
  return {
    fanOut: pushFanOut({ registrations, sender, passTypeId: TYPE, log }),
    /** The same table and APNs, seen from a process that remembers nothing (a retry elsewhere). */
    anotherProcess: () => pushFanOut({ registrations, sender, passTypeId: TYPE, log }),
    marks,
    pushed,
    removed,
    alerts,
    reads,
    countedRemovals,
  };
};

describe("which stream records push", () => {
  it("pushes for a member whose pass version changed, and for a new member", () => {
    expect(cardChange(change(1, "mbr_a", 10, 11))).toEqual({ memberId: "mbr_a", passUpdatedAt: 11 });
    expect(
      cardChange({
        sequenceNumber: "1",
        eventName: "INSERT",
        newImage: { entity: "member", memberId: "mbr_a", passUpdatedAt: 5 },
      }),
    ).toEqual({ memberId: "mbr_a", passUpdatedAt: 5 });
  });

  it("ignores writes that leave the card as it was, other entities and deletions", () => {
    expect(cardChange(change(1, "mbr_a", 10, 10))).toBeUndefined();
    expect(
      cardChange({
        sequenceNumber: "1",
        eventName: "INSERT",
        newImage: { entity: "ledgerEntry", memberId: "mbr_a", passUpdatedAt: 5 },
      }),
    ).toBeUndefined();
    expect(
      cardChange({ sequenceNumber: "1", eventName: "REMOVE", oldImage: { entity: "member" } }),
    ).toBeUndefined();
  });
});

describe("the push fan-out", () => {
  it("pushes every device of a changed pass once per batch, however many changes the batch holds", async () => {
    const { fanOut, pushed } = world({ mbr_a: ["t1", "t2"], mbr_b: ["t3"] });
    const report = await fanOut.handle([
      change(1, "mbr_a", 1, 2),
      change(2, "mbr_b", 1, 2),
      change(3, "mbr_a", 2, 3),
    ]);
    expect(pushed.sort()).toEqual(["t1", "t2", "t3"]);
    expect(report).toMatchObject({ members: 2, delivered: 3, failed: 0 });
    expect(report.retryFrom).toBeUndefined();
  });

  it("resumes a failed batch at the failed member's first record, without re-pushing what was delivered", async () => {
    // Prepare: t2 fails once (after the client's own retries)
    const { fanOut, pushed } = world({ mbr_a: ["t1"], mbr_b: ["t2", "t3"] }, { t2: ["failed"] });
    const batch = [change(1, "mbr_a", 1, 2), change(2, "mbr_b", 1, 2), change(3, "mbr_a", 2, 3)];

    // Act: the batch, then its retry from where it failed (as Lambda and the local poller do)
    const first = await fanOut.handle(batch);
    const retried = await fanOut.handle(batch.filter((r) => r.sequenceNumber >= (first.retryFrom ?? "")));

    // Assess
    expect(first.retryFrom).toBe("000002");
    expect(retried).toMatchObject({ failed: 0, delivered: 1 });
    expect(pushed.filter((t) => t === "t1")).toHaveLength(1);
    expect(pushed.filter((t) => t === "t3")).toHaveLength(1);
    expect(pushed.filter((t) => t === "t2")).toHaveLength(2);
  });

  it("pushes again for a newer version of the same pass", async () => {
    const { fanOut, pushed } = world({ mbr_a: ["t1"] });
    await fanOut.handle([change(1, "mbr_a", 1, 2)]);
    await fanOut.handle([change(2, "mbr_a", 2, 3)]);
    expect(pushed).toEqual(["t1", "t1"]);
  });

  it("removes the registration of a device APNs no longer knows", async () => {
    const { fanOut, removed } = world({ mbr_a: ["t1", "t2"] }, { t1: ["unregistered"] });
    const report = await fanOut.handle([change(1, "mbr_a", 1, 2)]);
    expect(removed).toEqual(["mbr_a/dev-t1"]);
    expect(report).toMatchObject({ removed: 1, delivered: 1, failed: 0 });
  });

  it("raises an alert and keeps the registration when APNs refuses the certificate (403)", async () => {
    const { fanOut, removed, alerts } = world({ mbr_a: ["t1"] }, { t1: ["forbidden"] });
    const report = await fanOut.handle([change(1, "mbr_a", 1, 2)]);
    expect(removed).toEqual([]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain("ALERT");
    expect(report.retryFrom).toBeUndefined();
  });

  it("does nothing for a member without devices", async () => {
    const { fanOut, pushed } = world({});
    expect(await fanOut.handle([change(1, "mbr_a", 1, 2)])).toMatchObject({ members: 1, delivered: 0 });
    expect(pushed).toEqual([]);
  });
});

/** The record with the device count its new image carries (`Member.devices`); undefined: not counted. */
const counting = (record: ChangeRecord, devices: number | undefined): ChangeRecord => ({
  ...record,
  newImage: { ...record.newImage, ...(devices === undefined ? {} : { devices }) },
});

/** A registration or unregistration: the member's count and version move, its card does not. */
const deviceCountMoved = (
  seq: number,
  memberId: string,
  passUpdatedAt: number,
  from: number,
  to: number,
) => ({
  sequenceNumber: String(seq).padStart(6, "0"),
  eventName: "MODIFY" as const,
  oldImage: { entity: "member", memberId, passUpdatedAt, devices: from },
  newImage: { entity: "member", memberId, passUpdatedAt, devices: to },
});

describe("the push fan-out and the member's device count", () => {
  it("reads no registrations and pushes nothing for a member whose record counts no device", async () => {
    // Prepare: a registration the count does not know of, to tell a skipped read from an empty one
    const { fanOut, pushed, reads } = world({ mbr_a: ["t1"] });

    // Act
    const report = await fanOut.handle([counting(change(1, "mbr_a", 1, 2), 0)]);

    // Assess
    expect(reads).toEqual([]);
    expect(pushed).toEqual([]);
    expect(report).toMatchObject({ members: 1, delivered: 0, removed: 0, failed: 0 });
    expect(report.retryFrom).toBeUndefined();
  });

  it.each([
    ["counts two devices", 2],
    ["predates the count (no devices attribute)", undefined],
  ])("reads the registrations and pushes when the member record %s", async (_what, devices) => {
    // Prepare
    const { fanOut, pushed, reads } = world({ mbr_a: ["t1", "t2"] });

    // Act
    const report = await fanOut.handle([counting(change(1, "mbr_a", 1, 2), devices)]);

    // Assess
    expect(reads).toEqual(["mbr_a"]);
    expect(pushed.sort()).toEqual(["t1", "t2"]);
    expect(report).toMatchObject({ members: 1, delivered: 2, failed: 0 });
  });

  it("reads the registrations when a later record of the batch counts a device the card change did not", async () => {
    // Prepare: a purchase while the pass was on no device, then the device registers (card unchanged)
    const { fanOut, pushed, reads } = world({ mbr_a: ["t1"] });
    const batch = [counting(change(1, "mbr_a", 1, 2), 0), deviceCountMoved(2, "mbr_a", 2, 0, 1)];

    // Act
    const report = await fanOut.handle(batch);

    // Assess: the newest count of the batch decides
    expect(reads).toEqual(["mbr_a"]);
    expect(pushed).toEqual(["t1"]);
    expect(report).toMatchObject({ members: 1, delivered: 1, failed: 0 });
  });

  it("skips the read when a later record of the batch counts no device left", async () => {
    // Prepare: a purchase while the pass was on one device, then that device unregisters
    const { fanOut, pushed, reads } = world({ mbr_a: ["t1"] });
    const batch = [counting(change(1, "mbr_a", 1, 2), 1), deviceCountMoved(2, "mbr_a", 2, 1, 0)];

    // Act
    const report = await fanOut.handle(batch);

    // Assess
    expect(reads).toEqual([]);
    expect(pushed).toEqual([]);
    expect(report).toMatchObject({ members: 1, delivered: 0, failed: 0 });
  });

  it.each([
    ["moves the count of a member that keeps one", 1, true],
    ["leaves alone a member that predates the count", undefined, false],
  ])("removes a device APNs no longer knows and %s", async (_what, devices, counted) => {
    // Prepare
    const { fanOut, removed, countedRemovals } = world({ mbr_a: ["t1"] }, { t1: ["unregistered"] });

    // Act
    const report = await fanOut.handle([counting(change(1, "mbr_a", 1, 2), devices)]);

    // Assess
    expect(removed).toEqual(["mbr_a/dev-t1"]);
    expect(countedRemovals).toEqual([counted]);
    expect(report).toMatchObject({ removed: 1, failed: 0 });
  });
});

/** `count` push tokens of one member, in registration order (the oldest first). */
const tokensOf = (memberId: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${memberId}-t${String(i).padStart(3, "0")}`);

const times = (list: string[], token: string) => list.filter((t) => t === token).length;

describe("the push fan-out within a batch's time budget", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never pushes more devices of one pass than the cap, the most recently registered", async () => {
    // Prepare: a pass registered on 300 devices before the cap existed
    const huge = tokensOf("mbr_huge", 300);
    const { fanOut, pushed } = world({ mbr_huge: huge, mbr_b: ["b1"] });

    // Act
    const report = await fanOut.handle([change(1, "mbr_huge", 1, 2), change(2, "mbr_b", 1, 2)]);

    // Assess
    expect(pushed.filter((t) => t.startsWith("mbr_huge")).sort()).toEqual(huge.slice(-10));
    expect(pushed).toContain("b1");
    expect(report).toMatchObject({ members: 2, delivered: 11, failed: 0, unfinished: 0 });
  });

  it("keeps a member that hangs past the deadline from holding up or duplicating the others' pushes, even when another process retries", async () => {
    // Prepare: a fake clock; the slow member's APNs connection hangs for its first push
    vi.useFakeTimers({ now: 1_900_000_000_000 });
    const others = Array.from({ length: 20 }, (_, i) => `mbr_${String(i).padStart(2, "0")}`);
    const devices = Object.fromEntries([
      ["mbr_slow", ["slow-1", "slow-2"]],
      ...others.map((id) => [id, tokensOf(id, 3)]),
    ]);
    const { fanOut, anotherProcess, pushed } = world(devices, { "slow-1": ["hang"] });
    const batch = [
      change(1, "mbr_slow", 1, 2),
      ...others.map((id, i) => change(2 + i, id, 1, 2)),
      change(30, "mbr_slow", 2, 3),
    ];
    const started = Date.now();
    const deadline = started + 50_000;

    // Act: the batch, then its retry from where it stopped in a process that remembers nothing
    const handling = fanOut.handle(batch, { deadline });
    await vi.advanceTimersByTimeAsync(60_000);
    const first = await handling;
    const retry = batch.slice(batch.findIndex((r) => r.sequenceNumber === first.retryFrom));
    const retried = await anotherProcess().handle(retry, { deadline: Date.now() + 50_000 });

    // Assess: the others were all pushed once, before the deadline, never again
    expect(first).toMatchObject({ members: 21, delivered: 60, unfinished: 1, retryFrom: "000001" });
    for (const token of others.flatMap((id) => tokensOf(id, 3))) expect(times(pushed, token), token).toBe(1);
    // Assess: the slow member was left for the retry, which pushed it once
    expect(retried).toMatchObject({ members: 21, delivered: 2, skipped: 60, unfinished: 0 });
    expect(retried.retryFrom).toBeUndefined();
    expect([times(pushed, "slow-1"), times(pushed, "slow-2")]).toEqual([1, 1]);
  });

  it("starts no member once the deadline has passed, leaving the whole batch for the retry", async () => {
    // Prepare
    const { fanOut, pushed, reads } = world({ mbr_a: ["t1"], mbr_b: ["t2"] });

    // Act
    const report = await fanOut.handle([change(1, "mbr_a", 1, 2), change(2, "mbr_b", 1, 2)], {
      deadline: Date.now() - 1,
    });

    // Assess
    expect(reads).toEqual([]);
    expect(pushed).toEqual([]);
    expect(report).toMatchObject({ members: 2, delivered: 0, unfinished: 2, retryFrom: "000001" });
  });

  it("notes what a partly failed member already has, so a retry in another process pushes only the rest", async () => {
    // Prepare: t2 fails (after the client's own retries), t1 is delivered
    const { fanOut, anotherProcess, pushed, marks } = world({ mbr_a: ["t1", "t2"] }, { t2: ["failed"] });
    const batch = [change(1, "mbr_a", 1, 2)];

    // Act
    const first = await fanOut.handle(batch);
    const retried = await anotherProcess().handle(batch);

    // Assess
    expect(first).toMatchObject({ delivered: 1, failed: 1, unfinished: 1, retryFrom: "000001" });
    expect(marks.get("mbr_a")).toEqual({ passUpdatedAt: 2, tokens: ["t1"] });
    expect(retried).toMatchObject({ delivered: 1, skipped: 1, unfinished: 0 });
    expect([times(pushed, "t1"), times(pushed, "t2")]).toEqual([1, 2]);
  });

  it("notes nothing when the batch is done: what a retry never sees again needs no note", async () => {
    // Prepare
    const { fanOut, marks } = world({ mbr_a: ["t1"], mbr_b: ["t2"] }, { t1: ["failed"] });

    // Act: mbr_a (first) fails, so only what follows it is handed over again
    await fanOut.handle([change(1, "mbr_b", 1, 2), change(2, "mbr_a", 1, 2)]);
    const batchDone = world({ mbr_c: ["t3"] });
    await batchDone.fanOut.handle([change(1, "mbr_c", 1, 2)]);

    // Assess
    expect([...marks.keys()]).toEqual([]);
    expect(batchDone.marks.size).toBe(0);
  });

  it("keeps a quarter of the invocation's time, at most 10 seconds, after the deadline", () => {
    expect(batchDeadline(1_000, 60_000)).toBe(51_000);
    expect(batchDeadline(1_000, 8_000)).toBe(7_000);
  });
});
