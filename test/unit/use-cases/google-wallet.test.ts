import { describe, expect, it } from "vitest";
import { type GoogleWalletDeps, googleWallet } from "../../../functions/app/google-wallet.js";
import type { ChangeRecord } from "../../../functions/app/push.js";
import type { Member } from "../../../functions/domain/loyalty/member.js";
import { googleClassId, googleObjectId } from "../../../functions/domain/pass/google-card.js";
import type {
  GoogleLoyaltyObject,
  GoogleObjectRepository,
  GoogleWalletApi,
} from "../../../functions/domain/ports.js";
import { memoryGoogleObjects } from "../../support/memory-google-objects.js";
import { memoryShop } from "../../support/memory-shop.js";

/**
 * Google Wallet's use cases (app/google-wallet.ts) over the in-memory repositories and a fake Google
 * Wallet API that records what it is asked: which stream records start work, the save link, a
 * reissued card, the notification budget, failures and the batch's deadline.
 */

const ISSUER = "3388000000022334455";
const SAVE_URL = "https://pay.google.com/gp/v/save/";
const HOUR = 3600 * 1000;
const MINUTE = 60 * 1000;

/** Two coffees fill the stamp card: every purchase of two coffees issues a voucher. */
const voucherRules = {
  stamps: { cards: [{ category: "coffee", stampsRequired: 2, rewardTitle: "A free coffee" }] },
};

type ApiCall =
  | { kind: "upsertClass"; classId: string }
  | {
      kind: "saveObject";
      object: GoogleLoyaltyObject;
      classId: string;
      options: { mode: "insert-first" | "patch-first"; notify: boolean; deadline?: number };
    }
  | { kind: "patchObject"; id: string; fields: GoogleLoyaltyObject };

/** Google Wallet's API as a recorder; `onSave` runs inside each saveObject (e.g. to fail it). */
const fakeApi = () => {
  const calls: ApiCall[] = [];
  const hooks: { onSave?: (options: { notify: boolean }) => void | Promise<void> } = {};
  const api: GoogleWalletApi = {
    async upsertClass(klass) {
      calls.push({ kind: "upsertClass", classId: String(klass.id) });
      return "inserted";
    },
    async saveObject(object, klass, options) {
      calls.push({ kind: "saveObject", object, classId: String(klass.id), options });
      await hooks.onSave?.(options);
      return options.mode === "insert-first" ? "inserted" : "patched";
    },
    async patchObject(id, fields) {
      calls.push({ kind: "patchObject", id, fields });
      return "patched";
    },
  };
  const saves = () =>
    calls.filter((c): c is Extract<ApiCall, { kind: "saveObject" }> => c.kind === "saveObject");
  return { api, calls, hooks, saves };
};

/** The Google object repository, counting its card reads. */
const countingReads = () => {
  let count = 0;
  return {
    count: () => count,
    wrap: (repository: GoogleObjectRepository): GoogleObjectRepository => ({
      ...repository,
      cardWithGoogle: (memberId) => {
        count += 1;
        return repository.cardWithGoogle(memberId);
      },
    }),
  };
};

/** The Google object repository, recording whether each save marked the member. */
const recordingMarks = () => {
  const seen: boolean[] = [];
  return {
    seen,
    wrap: (repository: GoogleObjectRepository): GoogleObjectRepository => ({
      ...repository,
      recordSaved: (memberId, saved, markMember) => {
        seen.push(markMember);
        return repository.recordSaved(memberId, saved, markMember);
      },
    }),
  };
};

/** A shop with voucher-issuing rules, its Google objects in memory, and googleWallet over them. */
const googleShop = async (
  wrap: (repository: GoogleObjectRepository) => GoogleObjectRepository = (repository) => repository,
) => {
  const shop = await memoryShop({ rules: voucherRules });
  const objects = memoryGoogleObjects(shop.repos.members, shop.clock.now);
  const fake = fakeApi();
  const logged: { level: string; message: string; details: Record<string, unknown> }[] = [];
  const deps: GoogleWalletDeps = {
    programs: shop.repos.programs,
    stores: shop.repos.stores,
    rates: shop.repos.rates,
    googleObjects: wrap(objects.repository),
    api: async () => fake.api,
    issuerId: ISSUER,
    defaultLogoUri: "https://carnet.test/assets/google-logo.png",
    saveUrl: async (objectId) => `${SAVE_URL}jwt-naming-${objectId}`,
    log: {
      info: (message, details) => logged.push({ level: "info", message, details }),
      warn: (message, details) => logged.push({ level: "warn", message, details }),
      error: (message, details) => logged.push({ level: "error", message, details }),
    },
    now: shop.clock.now,
  };
  const google = googleWallet(deps);

  let sequence = 0;
  const imageOf = (m: Member): Record<string, unknown> => ({ entity: "member", ...m });
  /** The stream record of a member's item going from `before` to `after`. */
  const record = (before: Member | undefined, after: Member): ChangeRecord => ({
    sequenceNumber: String(++sequence).padStart(21, "0"),
    eventName: before ? "MODIFY" : "INSERT",
    newImage: imageOf(after),
    ...(before ? { oldImage: imageOf(before) } : {}),
  });
  /** The stream record of what `act` did to the member. */
  const changeOf = async (memberId: string, act: () => Promise<unknown>): Promise<ChangeRecord> => {
    const before = await shop.stored(memberId);
    await act();
    return record(before, await shop.stored(memberId));
  };
  /** A purchase of two coffees, which issues a voucher, as a stream record. */
  const voucherEarned = (memberId: string) =>
    changeOf(memberId, () => shop.buy(memberId, 200, { coffees: 2 }));
  /** A member who has put the card in Google Wallet (the save link was followed). */
  const savedMember = async () => {
    const member = await shop.member();
    const program = await shop.repos.programs.get(shop.program.programId);
    if (!program) throw new Error("no program");
    await google.saveLink({ program, member });
    fake.calls.length = 0;
    return member.memberId;
  };
  const advance = (ms: number) => shop.clock.set(new Date(shop.clock.now().getTime() + ms));
  return { shop, objects, fake, logged, google, record, changeOf, voucherEarned, savedMember, advance };
};

const programRecord = (
  eventName: "INSERT" | "MODIFY",
  programId: string,
  version: number,
  oldVersion?: number,
): ChangeRecord => ({
  sequenceNumber: `9${programId}`,
  eventName,
  newImage: { entity: "program", programId, version },
  ...(oldVersion === undefined ? {} : { oldImage: { entity: "program", programId, version: oldVersion } }),
});

const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

describe("which stream records start Google work", () => {
  it("does nothing for the records of a member who has no Google object, without even reading it", async () => {
    // Prepare
    const reads = countingReads();
    const g = await googleShop(reads.wrap);
    const member = await g.shop.member();
    const inserted = g.record(undefined, member);
    const bought = await g.voucherEarned(member.memberId);

    // Act
    const report = await g.google.handle([inserted, bought]);

    // Assess
    expect(report).toEqual({
      members: 0,
      classes: 0,
      patched: 0,
      notified: 0,
      coalesced: 0,
      retired: 0,
      skipped: 0,
      failed: 0,
      unfinished: 0,
    });
    expect(g.fake.calls).toEqual([]);
    expect(reads.count()).toBe(0);
  });

  it("does nothing for a MODIFY that leaves passUpdatedAt, googleObject, card generation and status as they were", async () => {
    // Prepare: a saved member whose item changed only in what the card does not show (a device count)
    const reads = countingReads();
    const g = await googleShop(reads.wrap);
    const memberId = await g.savedMember();
    const before = await g.shop.stored(memberId);
    const unchanged = g.record(before, { ...before, version: before.version + 1, devices: 1 });

    // Act
    const report = await g.google.handle([unchanged]);

    // Assess
    expect(report.members).toBe(0);
    expect(report.patched + report.skipped).toBe(0);
    expect(g.fake.calls).toEqual([]);
    expect(reads.count()).toBe(0);
  });

  it("upserts the class of a program inserted and of a program whose version moved", async () => {
    // Prepare
    const g = await googleShop();
    const other = await g.shop.openProgram(voucherRules, { name: "Second café" });
    const records = [
      programRecord("INSERT", g.shop.program.programId, 1),
      programRecord("MODIFY", other.program.programId, 2, 1),
    ];

    // Act
    const report = await g.google.handle(records);

    // Assess
    expect(g.fake.calls).toEqual([
      { kind: "upsertClass", classId: googleClassId(ISSUER, g.shop.program.programId) },
      { kind: "upsertClass", classId: googleClassId(ISSUER, other.program.programId) },
    ]);
    expect(report).toMatchObject({ members: 0, classes: 2, failed: 0, unfinished: 0 });
  });

  it("does nothing for a program MODIFY that keeps its version (a key's last use)", async () => {
    // Prepare
    const g = await googleShop();

    // Act
    const report = await g.google.handle([programRecord("MODIFY", g.shop.program.programId, 3, 3)]);

    // Assess
    expect(g.fake.calls).toEqual([]);
    expect(report.classes).toBe(0);
  });

  it("PATCHes a member once per batch, with the newest card, however many of its records the batch holds", async () => {
    // Prepare: two vouchers earned, one record each
    const g = await googleShop();
    const memberId = await g.savedMember();
    const first = await g.voucherEarned(memberId);
    g.advance(MINUTE);
    const second = await g.voucherEarned(memberId);
    const newest = await g.shop.stored(memberId);

    // Act
    const report = await g.google.handle([first, second]);

    // Assess: the one PATCH shows both vouchers (one message each)
    const saves = g.fake.saves();
    expect(saves).toHaveLength(1);
    expect(saves[0]?.object.id).toBe(googleObjectId(ISSUER, memberId, 0));
    expect(saves[0]?.options.mode).toBe("patch-first");
    expect(saves[0]?.object.messages?.map((m) => m.id).sort()).toEqual(
      newest.vouchers.map((v) => v.voucherId).sort(),
    );
    expect(newest.vouchers).toHaveLength(2);
    expect(report).toMatchObject({ members: 1, patched: 1, notified: 1, failed: 0 });
    expect(g.objects.states.get(memberId)?.syncedPassUpdatedAt).toBe(newest.passUpdatedAt);
  });
});

describe("a repeat", () => {
  it("sends nothing to Google when the state already shows this passUpdatedAt", async () => {
    // Prepare: the change delivered once
    const g = await googleShop();
    const memberId = await g.savedMember();
    const earned = await g.voucherEarned(memberId);
    await g.google.handle([earned]);
    const stateAfterFirst = g.objects.states.get(memberId);
    g.fake.calls.length = 0;

    // Act: the same record handed over again
    const report = await g.google.handle([earned]);

    // Assess
    expect(g.fake.calls).toEqual([]);
    expect(report).toMatchObject({ members: 1, skipped: 1, patched: 0, notified: 0 });
    expect(g.objects.states.get(memberId)).toEqual(stateAfterFirst);
  });
});

describe("a reissued card", () => {
  it("retires the old object once with PATCH {state: INACTIVE}, and a later batch leaves it alone", async () => {
    // Prepare: a saved member whose card is reissued (generation 0 → 1)
    const g = await googleShop();
    const memberId = await g.savedMember();
    const reissued = await g.changeOf(memberId, () =>
      g.shop.service.reissueCard(g.shop.program.programId, memberId),
    );
    expect((await g.shop.stored(memberId)).passAuthGeneration).toBe(1);

    // Act
    const first = await g.google.handle([reissued]);
    const callsOfFirst = [...g.fake.calls];
    g.fake.calls.length = 0;
    g.advance(MINUTE);
    const later = await g.voucherEarned(memberId);
    const second = await g.google.handle([later]);

    // Assess
    expect(callsOfFirst).toEqual([
      { kind: "patchObject", id: googleObjectId(ISSUER, memberId, 0), fields: { state: "INACTIVE" } },
    ]);
    expect(first).toMatchObject({ members: 1, retired: 1, patched: 0 });
    expect(g.objects.states.get(memberId)?.state).toBe("inactive");
    expect(g.fake.calls).toEqual([]);
    expect(second).toMatchObject({ members: 1, skipped: 1, retired: 0 });
  });
});

describe("the notification budget", () => {
  it("notifies the first 3 vouchers within an hour, coalesces the next ones, and notifies again once the window has passed", async () => {
    // Prepare
    const g = await googleShop();
    const memberId = await g.savedMember();
    const firstNotification = g.shop.clock.now();

    // Act: 5 vouchers 10 minutes apart, each in a batch of its own
    const reports = [];
    for (let i = 0; i < 5; i++) {
      if (i > 0) g.advance(10 * MINUTE);
      reports.push(await g.google.handle([await g.voucherEarned(memberId)]));
    }
    const withinHour = g.fake.saves().map((s) => s.options.notify);
    const budgetAfterHour = g.objects.states.get(memberId)?.notifiedAt;

    // Just inside the window (24 h 9 min after the first notification): still coalesced
    g.shop.clock.set(new Date(firstNotification.getTime() + 24 * HOUR + 9 * MINUTE));
    const insideWindow = await g.google.handle([await g.voucherEarned(memberId)]);
    // Past it (24 h 11 min): the first notification has left the window
    g.shop.clock.set(new Date(firstNotification.getTime() + 24 * HOUR + 11 * MINUTE));
    const pastWindow = await g.google.handle([await g.voucherEarned(memberId)]);

    // Assess
    expect(withinHour).toEqual([true, true, true, false, false]);
    expect(reports.map((r) => [r.notified, r.coalesced])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
    ]);
    const t0 = epochSeconds(firstNotification);
    expect(budgetAfterHour).toEqual([t0, t0 + 600, t0 + 1200]);
    expect(
      g.logged.filter((l) => l.message === "google: notification budget spent; sent as a silent update"),
    ).toHaveLength(3);
    expect(insideWindow).toMatchObject({ notified: 0, coalesced: 1 });
    expect(pastWindow).toMatchObject({ notified: 1, coalesced: 0 });
    expect(g.fake.saves().map((s) => s.options.notify)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      true,
    ]);
    expect(g.objects.states.get(memberId)?.notifiedAt).toEqual([
      t0 + 600,
      t0 + 1200,
      t0 + 24 * 3600 + 11 * 60,
    ]);
  });

  it("spends the budget before the PATCH: a PATCH that fails is handed over again and not notified beyond the budget", async () => {
    // Prepare: two notifications spent; then a third voucher, whose PATCH fails
    const g = await googleShop();
    const memberId = await g.savedMember();
    for (let i = 0; i < 2; i++) {
      await g.google.handle([await g.voucherEarned(memberId)]);
      g.advance(MINUTE);
    }
    const other = await g.savedMember();
    const otherRecord = await g.changeOf(other, () => g.shop.buy(other, 500));
    const first = await g.voucherEarned(memberId);
    const second = await g.changeOf(memberId, () => g.shop.buy(memberId, 500));
    const records = [otherRecord, programRecord("MODIFY", g.shop.program.programId, 1, 1), first, second];
    g.fake.calls.length = 0;
    g.fake.hooks.onSave = (options) => {
      if (options.notify) throw new Error("Google answered 503");
    };

    // Act
    const failed = await g.google.handle(records);
    const budgetAfterFailure = g.objects.states.get(memberId)?.notifiedAt;
    g.fake.hooks.onSave = undefined;
    const retried = await g.google.handle(records.slice(failed.resumeAt));

    // Assess: the failed member's first record is where the batch resumes; the reserved notification
    // counts, so the retry goes out silently
    expect(failed).toMatchObject({ members: 2, patched: 1, failed: 1, unfinished: 1, resumeAt: 2 });
    expect(budgetAfterFailure).toHaveLength(3);
    expect(retried).toMatchObject({ members: 1, patched: 1, coalesced: 1, notified: 0, failed: 0 });
    expect(retried.resumeAt).toBeUndefined();
    expect(
      g.fake
        .saves()
        .filter((s) => s.object.id === googleObjectId(ISSUER, memberId, 0))
        .map((s) => s.options.notify),
    ).toEqual([true, false]);
    expect(g.objects.states.get(memberId)?.notifiedAt).toEqual(budgetAfterFailure);
    expect(g.objects.states.get(memberId)?.syncedPassUpdatedAt).toBe(
      (await g.shop.stored(memberId)).passUpdatedAt,
    );
    expect(g.logged.filter((l) => l.level === "warn").map((l) => l.details)).toEqual([
      { memberId, error: "Google answered 503" },
    ]);
  });
});

describe("the batch's deadline", () => {
  it("starts nothing past the deadline: every member unfinished, resuming at the first record", async () => {
    // Prepare
    const g = await googleShop();
    const a = await g.savedMember();
    const b = await g.savedMember();
    const records = [
      programRecord("MODIFY", g.shop.program.programId, 1, 1),
      await g.voucherEarned(a),
      await g.voucherEarned(b),
    ];

    // Act
    const report = await g.google.handle(records, { deadline: Date.now() - 1 });

    // Assess
    expect(g.fake.calls).toEqual([]);
    expect(report).toMatchObject({
      members: 2,
      patched: 0,
      skipped: 0,
      failed: 0,
      unfinished: 2,
      resumeAt: 1,
    });
  });
});

describe("the save link", () => {
  it("inserts the object first, silently, marks the member on the first save, and answers the save URL", async () => {
    // Prepare
    const marks = recordingMarks();
    const g = await googleShop(marks.wrap);
    const member = await g.shop.member();
    const program = await g.shop.repos.programs.get(g.shop.program.programId);
    if (!program) throw new Error("no program");

    // Act
    const url = await g.google.saveLink({ program, member });

    // Assess
    const objectId = googleObjectId(ISSUER, member.memberId, 0);
    expect(url).toBe(`${SAVE_URL}jwt-naming-${objectId}`);
    expect(g.fake.saves().map((s) => [s.object.id, s.classId, s.options])).toEqual([
      [objectId, googleClassId(ISSUER, program.programId), { mode: "insert-first", notify: false }],
    ]);
    expect(marks.seen).toEqual([true]);
    const stored = await g.shop.stored(member.memberId);
    expect(stored.googleObject).toBe(0);
    expect(stored.version).toBe(member.version + 1);
    expect(g.objects.states.get(member.memberId)).toEqual({
      objectId,
      generation: 0,
      syncedPassUpdatedAt: member.passUpdatedAt,
      shown: { tierId: null, voucherIds: [], offerIds: [] },
      notifiedAt: [],
      state: "active",
      version: 1,
    });
  });

  it("does not mark the member again when its Google object is already of this card generation", async () => {
    // Prepare: the member saved once
    const marks = recordingMarks();
    const g = await googleShop(marks.wrap);
    const memberId = await g.savedMember();
    const saved = await g.shop.stored(memberId);
    const program = await g.shop.repos.programs.get(g.shop.program.programId);
    if (!program) throw new Error("no program");

    // Act
    const url = await g.google.saveLink({ program, member: saved });

    // Assess
    expect(url).toBe(`${SAVE_URL}jwt-naming-${googleObjectId(ISSUER, memberId, 0)}`);
    expect(marks.seen).toEqual([true, false]);
    expect(g.fake.saves().map((s) => s.options)).toEqual([{ mode: "insert-first", notify: false }]);
    expect((await g.shop.stored(memberId)).version).toBe(saved.version);
    expect(g.objects.states.get(memberId)?.version).toBe(2);
  });

  it("retires the reissued card's old object itself when the new card is saved before the stream retired it", async () => {
    // Prepare: the first card saved, then the card reissued (generation 1), the stream not run yet
    const g = await googleShop();
    const memberId = await g.savedMember();
    const saved = await g.shop.stored(memberId);
    const reissued = { ...saved, passAuthGeneration: 1 };
    const program = await g.shop.repos.programs.get(g.shop.program.programId);
    if (!program) throw new Error("no program");

    // Act
    await g.google.saveLink({ program, member: reissued });

    // Assess
    expect(g.fake.calls.filter((c) => c.kind === "patchObject")).toEqual([
      { kind: "patchObject", id: googleObjectId(ISSUER, memberId, 0), fields: { state: "INACTIVE" } },
    ]);
    expect(g.fake.saves().map((s) => s.object.id)).toEqual([googleObjectId(ISSUER, memberId, 1)]);
    expect(g.objects.states.get(memberId)?.generation).toBe(1);
  });
});
