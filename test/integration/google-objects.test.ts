import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoRepositories } from "../../functions/adapters/dynamodb/repositories.js";
import { googleWallet } from "../../functions/app/google-wallet.js";
import { loyaltyService } from "../../functions/app/loyalty/index.js";
import type { ChangeRecord } from "../../functions/app/push.js";
import { localDay } from "../../functions/domain/loyalty/calendar.js";
import type { Member } from "../../functions/domain/loyalty/member.js";
import { googleObjectId } from "../../functions/domain/pass/google-card.js";
import { shownOf } from "../../functions/domain/pass/google-notifications.js";
import type {
  CommitResult,
  GoogleObjectState,
  GoogleWalletApi,
  MemberRepository,
} from "../../functions/domain/ports.js";
import { memberKeys } from "../../functions/shared/keys.js";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import { type SentRequest, useDynamoRequests } from "../support/dynamo-requests.js";
import { directService, openShopDirect, purchaseOf, storeClaim } from "../support/services.js";
import { allItems, testTable, useTestTable } from "../support/table.js";

/**
 * The state of members' Google Wallet objects on DynamoDB Local (google-object-repository.ts): the
 * one Query that reads a member, its profile and its object's state, the save link's transaction that
 * marks the member, the versioned updates of the state, and what the Google use cases
 * (app/google-wallet.ts) cost in DynamoDB requests, with a fake Google Wallet API.
 */

const table = useTestTable();
const raw = localDynamoClient(table.endpoint);
afterAll(() => raw.destroy());

const ISSUER = "3388000000022334455";
const repos = dynamoRepositories(testTable());
const { members, googleObjects } = repos;

/** The DynamoDB requests the repositories send (the test's raw client and allItems are not counted). */
const counted = useDynamoRequests(() => testTable().client);
const query = { command: "QueryCommand" };
const putItem = { command: "PutItemCommand" };
const updateItem = { command: "UpdateItemCommand" };
const transaction = (items: number): SentRequest => ({ command: "TransactWriteItemsCommand", items });

/** Two coffees fill the stamp card: a purchase of two coffees issues a voucher. */
const voucherRules = {
  stamps: { cards: [{ category: "coffee", stampsRequired: 2, rewardTitle: "A free coffee" }] },
};

let clock = new Date("2031-05-06T09:00:00.000Z");
const now = () => clock;
const service = directService({ now });
let shop: Awaited<ReturnType<typeof openShopDirect>>;
beforeAll(async () => {
  shop = await openShopDirect(service, { rules: voucherRules });
});

const buy = (memberId: string, amountCents: number, coffees = 0) => {
  clock = new Date(clock.getTime() + 1000);
  const body = purchaseOf(memberId, amountCents, coffees);
  return service.purchase(shop.caller, body, storeClaim(shop.caller.storeId, body));
};
const stored = async (memberId: string): Promise<Member> => {
  const member = await members.load(memberId);
  if (!member) throw new Error(`no member ${memberId}`);
  return member;
};
/** The googleObject item as stored, read by the test's own client (not counted). */
const storedState = async (memberId: string) => {
  const { Item } = await raw.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: {
        PK: { S: memberKeys.googleObject(memberId).PK },
        SK: { S: memberKeys.googleObject(memberId).SK },
      },
      ConsistentRead: true,
    }),
  );
  return Item && unmarshall(Item);
};
/** What the save link records for a member as it is now. */
const savedOf = (member: Member) => ({
  objectId: googleObjectId(ISSUER, member.memberId, member.passAuthGeneration),
  generation: member.passAuthGeneration,
  syncedPassUpdatedAt: member.passUpdatedAt,
  shown: shownOf(member, localDay(clock, shop.program.timeZone)),
});

describe("cardWithGoogle", () => {
  it("reads the member, its profile and its Google object's state in one Query; no state for a member without one", async () => {
    // Prepare
    const { memberId } = await shop.enroll();
    await buy(memberId, 500);
    const card = await members.card(memberId);

    // Act
    const without = await counted(() => googleObjects.cardWithGoogle(memberId));
    await googleObjects.recordSaved(memberId, savedOf(await stored(memberId)), true);
    const marked = await stored(memberId);
    const withState = await counted(() => googleObjects.cardWithGoogle(memberId));

    // Assess
    expect(without.sent).toEqual([query]);
    expect(without.result).toEqual(card);
    expect(without.result && "google" in without.result).toBe(false);
    expect(withState.sent).toEqual([query]);
    expect(withState.result).toEqual({
      member: marked,
      profile: card?.profile,
      google: {
        objectId: googleObjectId(ISSUER, memberId, 0),
        generation: 0,
        syncedPassUpdatedAt: card?.member.passUpdatedAt,
        shown: { tierId: null, voucherIds: [], offerIds: [] },
        notifiedAt: [],
        state: "active",
        version: 1,
      },
    });
    expect(card?.profile?.memberId).toBe(memberId);
  });

  it("reads back the offers shown, and no offers (unknown) from a state stored before offers were on cards", async () => {
    // Prepare: saved with two offers shown; another member's state as written before offers existed
    const { memberId } = await shop.enroll();
    const { memberId: legacyId } = await shop.enroll();
    const offerIds = ["off_0000000000000001", "off_0000000000000002"];
    await googleObjects.recordSaved(
      memberId,
      { ...savedOf(await stored(memberId)), shown: { tierId: null, voucherIds: [], offerIds } },
      true,
    );
    await googleObjects.recordSaved(
      legacyId,
      { ...savedOf(await stored(legacyId)), shown: { tierId: null, voucherIds: [] } },
      true,
    );

    // Act
    const state = (await googleObjects.cardWithGoogle(memberId))?.google as GoogleObjectState;
    await googleObjects.update(memberId, { ...state, notifiedAt: [1] }, state.version);
    const updated = (await googleObjects.cardWithGoogle(memberId))?.google;
    const legacy = (await googleObjects.cardWithGoogle(legacyId))?.google;

    // Assess
    expect(state.shown).toEqual({ tierId: null, voucherIds: [], offerIds });
    expect(updated?.shown).toEqual({ tierId: null, voucherIds: [], offerIds });
    expect((await storedState(memberId))?.shown).toEqual({ tierId: null, voucherIds: [], offerIds });
    expect(legacy?.shown).toEqual({ tierId: null, voucherIds: [] });
    expect(legacy?.shown).not.toHaveProperty("offerIds");
  });

  it("leaves the member's other reads as they were: card and snapshot never see the state, history pages keep their length", async () => {
    // Prepare: a member with a few ledger entries
    const { memberId } = await shop.enroll();
    for (const cents of [300, 400, 500]) await buy(memberId, cents);
    const entries = (await members.ledger(memberId)).length;
    const cardBefore = await members.card(memberId);
    const snapshotsBefore = await Promise.all(
      [1, entries, entries + 2].map((limit) => members.snapshot(shop.program.programId, memberId, limit)),
    );

    // Act: the state saved, then a budget written into it
    await googleObjects.recordSaved(memberId, savedOf(await stored(memberId)), true);
    const state = (await googleObjects.cardWithGoogle(memberId))?.google as GoogleObjectState;
    await googleObjects.update(memberId, { ...state, notifiedAt: [1, 2] }, state.version);
    const cardAfter = await members.card(memberId);
    const snapshotsAfter = await Promise.all(
      [1, entries, entries + 2].map((limit) => members.snapshot(shop.program.programId, memberId, limit)),
    );

    // Assess: only the member's mark (googleObject, version) moved
    const before = cardBefore?.member as Member;
    const marked = { ...before, googleObject: 0, version: before.version + 1 };
    expect(entries).toBeGreaterThanOrEqual(3);
    expect(cardAfter).toEqual({ member: marked, profile: cardBefore?.profile });
    expect(snapshotsAfter.map((s) => s?.history)).toEqual(snapshotsBefore.map((s) => s?.history));
    expect(snapshotsAfter.map((s) => s?.history.items.length)).toEqual([1, entries, entries]);
    expect(snapshotsAfter.map((s) => [s?.member, s?.profile])).toEqual(
      snapshotsBefore.map(() => [marked, cardBefore?.profile]),
    );
  });
});

describe("recordSaved", () => {
  it("with markMember, sets Member.googleObject and moves the member's version in one 2-item transaction", async () => {
    // Prepare
    const { memberId } = await shop.enroll();
    const before = await stored(memberId);

    // Act
    const { result, sent } = await counted(() => googleObjects.recordSaved(memberId, savedOf(before), true));

    // Assess
    expect(result).toBe(true);
    expect(sent).toEqual([transaction(2)]);
    expect(await stored(memberId)).toEqual({ ...before, googleObject: 0, version: before.version + 1 });
  });

  it("makes a purchase computed on the member read before the mark compute again, and the mark survives it", async () => {
    // Prepare: the loyalty service over the table, whose first commit meets the save link's mark
    const { memberId } = await shop.enroll();
    const before = await stored(memberId);
    const results: CommitResult["kind"][] = [];
    let beforeFirstCommit: (() => Promise<unknown>) | undefined = () =>
      googleObjects.recordSaved(memberId, savedOf(before), true);
    const racing: MemberRepository = {
      ...members,
      async commit(writes, at) {
        const hook = beforeFirstCommit;
        beforeFirstCommit = undefined;
        await hook?.();
        const result = await members.commit(writes, at);
        results.push(result.kind);
        return result;
      },
    };
    const loyalty = loyaltyService({
      programs: repos.programs,
      members: racing,
      partners: repos.partners,
      now,
    });
    const body = purchaseOf(memberId, 700);

    // Act
    const answer = await loyalty.purchase(shop.caller, body, storeClaim(shop.caller.storeId, body));

    // Assess: the stale write was refused by its version condition, the purchase went through on retry
    const after = await stored(memberId);
    expect(results).toEqual(["changed", "committed"]);
    expect(answer.member).toMatchObject({ memberId, points: before.points + 7 });
    expect(after.googleObject).toBe(0);
    expect(after.points).toBe(before.points + 7);
    expect(after.version).toBe(before.version + 2);
  });

  it("refuses a member commit made with the version read before the mark", async () => {
    // Prepare
    const { memberId } = await shop.enroll();
    const before = await stored(memberId);
    await googleObjects.recordSaved(memberId, savedOf(before), true);

    // Act
    const result = await members.commit(
      [
        {
          kind: "member",
          member: { ...before, points: 99, version: before.version + 1 },
          expectedVersion: before.version,
        },
      ],
      clock,
    );

    // Assess
    expect(result).toEqual({ kind: "changed" });
    expect(await stored(memberId)).toMatchObject({ googleObject: 0, points: before.points });
  });

  it("keeps the notification budget already stored when the object is saved again, in one UpdateItem", async () => {
    // Prepare: saved, then a budget spent and the object retired
    const { memberId } = await shop.enroll();
    const first = await stored(memberId);
    await googleObjects.recordSaved(memberId, savedOf(first), true);
    const state = (await googleObjects.cardWithGoogle(memberId))?.google as GoogleObjectState;
    const budget = [1_900_000_000, 1_900_000_600];
    expect(await googleObjects.update(memberId, { ...state, notifiedAt: budget, state: "inactive" }, 1)).toBe(
      true,
    );
    await buy(memberId, 800);
    const later = await stored(memberId);

    // Act
    const { result, sent } = await counted(() => googleObjects.recordSaved(memberId, savedOf(later), false));

    // Assess
    expect(result).toBe(true);
    expect(sent).toEqual([updateItem]);
    expect((await googleObjects.cardWithGoogle(memberId))?.google).toEqual({
      objectId: googleObjectId(ISSUER, memberId, 0),
      generation: 0,
      syncedPassUpdatedAt: later.passUpdatedAt,
      shown: { tierId: null, voucherIds: [], offerIds: [] },
      notifiedAt: budget,
      state: "active",
      version: 3,
    });
    expect((await stored(memberId)).version).toBe(later.version);
  });

  it.each([
    ["marking it", "mbr_doesnotexist0001", true],
    ["not marking it", "mbr_doesnotexist0002", false],
  ] as const)(
    "answers false and writes nothing for a member that does not exist (%s)",
    async (_how, memberId, mark) => {
      // Prepare
      const before = await allItems(table.endpoint, table.tableName);

      // Act
      const result = await googleObjects.recordSaved(
        memberId,
        {
          objectId: googleObjectId(ISSUER, memberId, 0),
          generation: 0,
          syncedPassUpdatedAt: 1,
          shown: { tierId: null, voucherIds: [] },
        },
        mark,
      );

      // Assess
      expect(result).toBe(false);
      expect(await storedState(memberId)).toBeUndefined();
      expect(await allItems(table.endpoint, table.tableName)).toEqual(before);
    },
  );
});

describe("update", () => {
  it("writes nothing with a stale expected version, and writes with the right one, moving the version by one", async () => {
    // Prepare: saved twice, so the state is at version 2
    const { memberId } = await shop.enroll();
    const member = await stored(memberId);
    await googleObjects.recordSaved(memberId, savedOf(member), true);
    await googleObjects.recordSaved(memberId, savedOf(member), false);
    const state = (await googleObjects.cardWithGoogle(memberId))?.google as GoogleObjectState;
    const itemBefore = await storedState(memberId);
    const next = { ...state, notifiedAt: [1_900_000_000], syncedPassUpdatedAt: member.passUpdatedAt + 5 };

    // Act
    const stale = await counted(() => googleObjects.update(memberId, next, 1));
    const itemAfterStale = await storedState(memberId);
    const right = await counted(() => googleObjects.update(memberId, next, 2));

    // Assess
    expect(state.version).toBe(2);
    expect(stale).toEqual({ result: false, sent: [putItem], mostInFlight: 1 });
    expect(itemAfterStale).toEqual(itemBefore);
    expect(right).toEqual({ result: true, sent: [putItem], mostInFlight: 1 });
    expect((await googleObjects.cardWithGoogle(memberId))?.google).toEqual({ ...next, version: 3 });
  });
});

describe("DynamoDB requests of the Google use cases, with a fake Google Wallet API", () => {
  type Save = { objectId: string; notify: boolean; mode: string };
  const saves: Save[] = [];
  let duringSave: ((save: Save) => Promise<void>) | undefined;
  const api: GoogleWalletApi = {
    upsertClass: async () => "inserted",
    async saveObject(object, _klass, options) {
      const save = { objectId: String(object.id), notify: options.notify, mode: options.mode };
      saves.push(save);
      await duringSave?.(save);
      return "patched";
    },
    patchObject: async () => "patched",
  };
  const google = googleWallet({
    programs: repos.programs,
    stores: repos.stores,
    rates: repos.rates,
    googleObjects,
    api: async () => api,
    issuerId: ISSUER,
    defaultLogoUri: "https://carnet.test/assets/google-logo.png",
    saveUrl: async (objectId) => `https://pay.google.com/gp/v/save/jwt-naming-${objectId}`,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    now,
  });
  const saveLink = async (memberId: string) => {
    const card = await members.card(memberId);
    const program = await repos.programs.get(shop.program.programId);
    if (!card || !program) throw new Error("no card");
    return google.saveLink({ program, ...card });
  };
  /** The stream record of what `act` did to the member, as the stream hands it over. */
  let sequence = 0;
  const changeOf = async (memberId: string, act: () => Promise<unknown>): Promise<ChangeRecord> => {
    const before = await stored(memberId);
    await act();
    const after = await stored(memberId);
    return {
      sequenceNumber: String(++sequence).padStart(21, "0"),
      eventName: "MODIFY",
      oldImage: { entity: "member", ...before },
      newImage: { entity: "member", ...after },
    };
  };

  beforeAll(async () => {
    // A first member through the save link and one update, so that the process's caches (program,
    // pass stores) are warm, as in a warm Lambda container
    const { memberId } = await shop.enroll();
    await saveLink(memberId);
    await google.handle([await changeOf(memberId, () => buy(memberId, 300))]);
    saves.length = 0;
  });

  it("saves a first object in a rate-limit UpdateItem and one 2-item transaction", async () => {
    // Prepare
    const { memberId } = await shop.enroll();
    const card = await members.card(memberId);
    const program = await repos.programs.get(shop.program.programId);
    if (!card || !program) throw new Error("no card");

    // Act
    const { result, sent } = await counted(() => google.saveLink({ program, ...card }));

    // Assess
    expect(result).toBe(`https://pay.google.com/gp/v/save/jwt-naming-${googleObjectId(ISSUER, memberId, 0)}`);
    expect(sent).toEqual([updateItem, transaction(2)]);
    expect(saves).toEqual([
      { objectId: googleObjectId(ISSUER, memberId, 0), notify: false, mode: "insert-first" },
    ]);
    expect((await stored(memberId)).googleObject).toBe(0);
    saves.length = 0;
  });

  it("brings a card up to date silently in 1 Query + 1 PutItem", async () => {
    // Prepare: a saved member whose points change
    const { memberId } = await shop.enroll();
    await saveLink(memberId);
    saves.length = 0;
    const record = await changeOf(memberId, () => buy(memberId, 600));

    // Act
    const { result, sent } = await counted(() => google.handle([record]));

    // Assess
    expect(result).toMatchObject({ members: 1, patched: 1, notified: 0, failed: 0 });
    expect(sent).toEqual([query, putItem]);
    expect(saves).toEqual([
      { objectId: googleObjectId(ISSUER, memberId, 0), notify: false, mode: "patch-first" },
    ]);
    expect((await storedState(memberId))?.syncedPassUpdatedAt).toBe((await stored(memberId)).passUpdatedAt);
    saves.length = 0;
  });

  it("notifies in 1 Query + 2 PutItems, the budget written before the PATCH", async () => {
    // Prepare: a saved member who earns a voucher; the fake API reads the stored state while it PATCHes
    const { memberId } = await shop.enroll();
    await saveLink(memberId);
    const savedAt = (await stored(memberId)).passUpdatedAt;
    saves.length = 0;
    const record = await changeOf(memberId, () => buy(memberId, 200, 2));
    const seenDuringSave: Record<string, unknown>[] = [];
    duringSave = async () => {
      const item = await storedState(memberId);
      if (item) seenDuringSave.push(item);
    };

    // Act
    const { result, sent } = await counted(() => google.handle([record])).finally(() => {
      duringSave = undefined;
    });

    // Assess
    const nowSeconds = Math.floor(clock.getTime() / 1000);
    const after = await stored(memberId);
    expect(after.vouchers).toHaveLength(1);
    expect(result).toMatchObject({ members: 1, patched: 1, notified: 1, failed: 0 });
    expect(sent).toEqual([query, putItem, putItem]);
    expect(saves).toEqual([
      { objectId: googleObjectId(ISSUER, memberId, 0), notify: true, mode: "patch-first" },
    ]);
    expect(seenDuringSave).toHaveLength(1);
    expect(seenDuringSave[0]).toMatchObject({
      notifiedAt: [nowSeconds],
      syncedPassUpdatedAt: savedAt,
      version: 2,
    });
    expect(await storedState(memberId)).toMatchObject({
      notifiedAt: [nowSeconds],
      syncedPassUpdatedAt: after.passUpdatedAt,
      shown: { tierId: null, voucherIds: after.vouchers.map((v) => v.voucherId) },
      version: 3,
    });
    saves.length = 0;
  });
});
