import { describe, expect, it } from "vitest";
import { type ChangeRecord, cardChange, type PushResult, pushFanOut } from "../../../functions/app/push.js";
import type { DeviceRegistration } from "../../../functions/domain/ports.js";

const TYPE = "pass.dev.carnet.local";

const change = (seq: number, memberId: string, from: number, to: number): ChangeRecord => ({
  sequenceNumber: String(seq).padStart(6, "0"),
  eventName: "MODIFY",
  oldImage: { entity: "member", memberId, passUpdatedAt: from },
  newImage: { entity: "member", memberId, passUpdatedAt: to },
});

/** Devices per member, a scripted APNs, and what the fan-out did: all in memory, no I/O. */
const world = (devices: Record<string, string[]>, replies: Record<string, PushResult["outcome"][]> = {}) => {
  const pushed: string[] = [];
  const removed: string[] = [];
  const alerts: string[] = [];
  /** The members whose registrations were read, in order. */
  const reads: string[] = [];
  /** `counted` of each removal: whether the member's device count was moved with it. */
  const countedRemovals: boolean[] = [];
  const registrations = {
    devicesOf: async (memberId: string): Promise<DeviceRegistration[]> => {
      reads.push(memberId);
      return (devices[memberId] ?? []).map((pushToken) => ({
        deviceLibraryIdentifier: `dev-${pushToken}`,
        passTypeId: TYPE,
        memberId,
        programId: "prg_0000000000000001",
        pushToken,
      }));
    },
    unregister: async (device: string, _type: string, memberId: string, counted: boolean) => {
      removed.push(`${memberId}/${device}`);
      countedRemovals.push(counted);
      devices[memberId] = (devices[memberId] ?? []).filter((t) => `dev-${t}` !== device);
      return true;
    },
  };
  const sender = {
    push: async (tokens: readonly string[]) =>
      tokens.map((token): PushResult => {
        pushed.push(token);
        const outcome = replies[token]?.shift() ?? "delivered";
        if (outcome === "delivered") return { token, outcome };
        if (outcome === "failed") return { token, outcome, reason: "InternalServerError", status: 500 };
        return { token, outcome, status: outcome === "forbidden" ? 403 : 410, reason: outcome };
      }),
  };
  const log = {
    info: () => undefined,
    warn: () => undefined,
    error: (message: string) => void alerts.push(message),
  };
  return {
    fanOut: pushFanOut({ registrations, sender, passTypeId: TYPE, log }),
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
