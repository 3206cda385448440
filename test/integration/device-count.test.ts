import { randomBytes } from "node:crypto";
import { GetItemCommand, QueryCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancellationCodes } from "../../functions/adapters/dynamodb/client.js";
import { dynamoRepositories } from "../../functions/adapters/dynamodb/repositories.js";
import type { LoyaltyService } from "../../functions/app/loyalty/index.js";
import { walletService } from "../../functions/app/wallet.js";
import { DomainError } from "../../functions/domain/errors.js";
import { memberKeys, REGISTRATION_PREFIX } from "../../functions/shared/keys.js";
import { passAuthToken } from "../../functions/shared/pass-tokens.js";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import { directService, openShopDirect, purchaseOf, storeClaim } from "../support/services.js";
import { TEST_PASS_SECRET, testTable, useTestTable } from "../support/table.js";

/**
 * `Member.devices` on DynamoDB Local: the count of devices a member's Apple pass is registered on, moved
 * by the PassKit web service's registrations in their own transactions, alongside purchases.
 */

const table = useTestTable();
/** A client of its own, for what Carnet itself never writes (a member from before the count). */
const raw = localDynamoClient(table.endpoint);
afterAll(() => raw.destroy());

const PASS_TYPE_ID = "pass.dev.carnet.local";
const secret = Buffer.from(TEST_PASS_SECRET);
const { programs, stores, members, registrations } = dynamoRepositories(testTable());
const queued = directService();
const racing = directService({ serialise: false });

/** The PassKit web service's use cases; no pass is signed here. */
const wallet = walletService({
  programs,
  stores,
  members,
  registrations,
  passes: () => Promise.reject(new Error("no pass is signed in this test")),
  secret: async () => secret,
  passTypeId: PASS_TYPE_ID,
});

const deviceId = () => `device-${randomBytes(8).toString("hex")}`;
const pushToken = () => randomBytes(32).toString("hex");

/** What an iPhone sends: the pass's serial and authentication token. */
const pass = (memberId: string) => ({
  passTypeId: PASS_TYPE_ID,
  serialNumber: memberId,
  token: passAuthToken(secret, memberId, 0),
});
const register = (memberId: string, device: string, push = pushToken()) =>
  wallet.register({ ...pass(memberId), deviceLibraryIdentifier: device, pushToken: push });
const unregister = (memberId: string, device: string) =>
  wallet.unregister({ ...pass(memberId), deviceLibraryIdentifier: device });

const stored = async (memberId: string) => {
  const member = await members.load(memberId);
  if (!member) throw new Error(`member ${memberId} is gone`);
  return member;
};

/** The registrations actually stored under the member (its partition's REG# items). */
const registrationsOf = async (memberId: string) => {
  const { Items, LastEvaluatedKey } = await raw.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :reg)",
      ExpressionAttributeValues: {
        ":pk": { S: memberKeys.member(memberId).PK },
        ":reg": { S: REGISTRATION_PREFIX },
      },
      ConsistentRead: true,
    }),
  );
  if (LastEvaluatedKey) throw new Error("more registrations than one page: not expected here");
  return Items ?? [];
};

/** The member item as stored, attribute by attribute (to tell an absent attribute from any value). */
const storedItem = async (memberId: string) => {
  const { Item } = await raw.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { PK: { S: memberKeys.member(memberId).PK }, SK: { S: memberKeys.member(memberId).SK } },
      ConsistentRead: true,
    }),
  );
  return Item ?? {};
};

let shop: Awaited<ReturnType<typeof openShopDirect>>;
beforeAll(async () => {
  shop = await openShopDirect(queued, { rules: {} }); // 1 point per whole euro
});
const newMember = async () => (await shop.enroll()).memberId;

describe("the member's count of devices, on DynamoDB Local", () => {
  it("is 0 for a new member", async () => {
    // Act
    const memberId = await newMember();

    // Assess
    expect((await stored(memberId)).devices).toBe(0);
  });

  it("counts a device that registers, with the member's version and without changing the card", async () => {
    // Prepare
    const memberId = await newMember();
    const before = await stored(memberId);

    // Act
    const answer = await register(memberId, deviceId());

    // Assess
    const after = await stored(memberId);
    expect(answer).toBe("created");
    expect(after.devices).toBe(1);
    expect(after.version).toBe(before.version + 1);
    expect(after.passUpdatedAt).toBe(before.passUpdatedAt);
  });

  it("does not count a device again when it registers again to refresh its push token", async () => {
    // Prepare
    const memberId = await newMember();
    const device = deviceId();
    await register(memberId, device);
    const before = await stored(memberId);

    // Act
    const answer = await register(memberId, device, pushToken());

    // Assess
    const after = await stored(memberId);
    expect(answer).toBe("updated");
    expect(after.devices).toBe(1);
    expect(after.version).toBe(before.version);
    expect(await registrationsOf(memberId)).toHaveLength(1);
  });

  it("counts a second device, and one less when a device unregisters", async () => {
    // Prepare
    const memberId = await newMember();
    const [first, second] = [deviceId(), deviceId()];
    await register(memberId, first);

    // Act
    await register(memberId, second);
    const withTwo = await stored(memberId);
    await unregister(memberId, first);

    // Assess
    const withOne = await stored(memberId);
    expect(withTwo.devices).toBe(2);
    expect(withOne.devices).toBe(1);
    expect(withOne.version).toBe(withTwo.version + 1);
    expect((await registrationsOf(memberId)).map((r) => r.deviceLibraryIdentifier?.S)).toEqual([second]);
  });

  it.each([
    ["no device", 0],
    ["one device", 1],
  ])("leaves the count of a pass on %s alone when an unknown device unregisters", async (_what, devices) => {
    // Prepare
    const memberId = await newMember();
    for (let i = 0; i < devices; i++) await register(memberId, deviceId());
    const before = await stored(memberId);

    // Act
    const removed = await registrations.unregister(deviceId(), PASS_TYPE_ID, memberId, true);

    // Assess
    const after = await stored(memberId);
    expect(removed).toBe(false);
    expect(after.devices).toBe(devices);
    expect(after.version).toBe(before.version);
  });

  it("keeps no count for a member stored before devices were counted, through registration and unregistration", async () => {
    // Prepare: the member as an older Carnet wrote it
    const memberId = await newMember();
    await raw.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { PK: { S: memberKeys.member(memberId).PK }, SK: { S: memberKeys.member(memberId).SK } },
        UpdateExpression: "REMOVE devices",
      }),
    );
    const device = deviceId();
    const before = await stored(memberId);

    // Act
    const answer = await register(memberId, device);
    const afterRegistration = await storedItem(memberId);
    const registered = await registrationsOf(memberId);
    await unregister(memberId, device);

    // Assess
    const afterUnregistration = await storedItem(memberId);
    expect(before.devices).toBeUndefined();
    expect(answer).toBe("created");
    expect(registered).toHaveLength(1);
    expect(afterRegistration.devices).toBeUndefined();
    expect(afterRegistration.version).toEqual({ N: String(before.version) });
    expect(afterUnregistration.devices).toBeUndefined();
    expect(await registrationsOf(memberId)).toEqual([]);
  });
});

describe("the count of devices while purchases race on the member", () => {
  /**
   * Sends again what may be sent again, a bounded number of times: a till resends a 409
   * concurrent_modification with the same Idempotency-Key; Apple resends a registration answered 5xx
   * (a transaction conflict that outlasted the repository's own retries).
   */
  const sendAgain = async <T>(
    mayResend: (error: unknown) => boolean,
    send: () => Promise<T>,
    resent: { count: number },
  ): Promise<T> => {
    let last: unknown;
    for (let attempt = 0; attempt < 25; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (!mayResend(error)) throw error;
        last = error;
        resent.count++;
      }
    }
    throw last;
  };
  const concurrentModification = (error: unknown) =>
    error instanceof DomainError && error.code === "concurrent_modification";
  const transactionConflict = (error: unknown) =>
    cancellationCodes(error)?.includes("TransactionConflict") ?? false;

  const purchase = (
    service: LoyaltyService,
    memberId: string,
    amountCents: number,
    resent: { count: number },
  ) => {
    const body = purchaseOf(memberId, amountCents);
    const claim = storeClaim(shop.caller.storeId, body);
    return sendAgain(concurrentModification, () => service.purchase(shop.caller, body, claim), resent);
  };

  it("equals the registrations present, and every purchase is credited exactly, after 30 purchases, 6 registrations and 2 unregistrations at once", async () => {
    // Prepare: a pass on 2 devices, which will unregister during the purchases
    const memberId = await newMember();
    const leaving = [deviceId(), deviceId()];
    for (const device of leaving) await register(memberId, device);
    const before = await stored(memberId);
    const amounts = Array.from({ length: 30 }, (_, i) => 100 + ((i * 37) % 400));
    const arriving = Array.from({ length: 6 }, deviceId);
    const resent = { purchases: { count: 0 }, devices: { count: 0 } };
    // Each device change starts when that many purchases have committed, so that it meets purchases
    // still in flight (started all at once, the quicker registrations would all be done before).
    const deviceChanges = new Map<number, () => Promise<unknown>>([
      ...arriving.map((d, i): [number, () => Promise<unknown>] => [
        2 + 4 * i,
        () => sendAgain(transactionConflict, () => register(memberId, d), resent.devices),
      ]),
      ...leaving.map((d, i): [number, () => Promise<unknown>] => [
        4 + 12 * i,
        () => sendAgain(transactionConflict, () => unregister(memberId, d), resent.devices),
      ]),
    ]);
    const started: Promise<unknown>[] = [];
    const order: string[] = [];
    let credited = 0;

    // Act
    const purchases = await Promise.allSettled(
      amounts.map(async (a) => {
        await purchase(racing, memberId, a, resent.purchases);
        credited++;
        order.push("purchase");
        const change = deviceChanges.get(credited);
        if (change) started.push(change().finally(() => order.push("device")));
      }),
    );
    const devices = await Promise.allSettled(started);

    // Assess: the device changes did land among the purchases
    expect(purchases.filter((r) => r.status === "rejected")).toEqual([]);
    expect(devices.filter((r) => r.status === "rejected")).toEqual([]);
    expect(started).toHaveLength(8);
    expect(order.indexOf("device")).toBeLessThan(order.lastIndexOf("purchase"));
    // Assess: the count is the registrations that exist, and the balance is the purchases', exactly
    const after = await stored(memberId);
    const present = await registrationsOf(memberId);
    expect(after.devices).toBe(present.length);
    expect(present.map((r) => r.deviceLibraryIdentifier?.S).sort()).toEqual([...arriving].sort());
    expect(after.points).toBe(amounts.reduce((sum, a) => sum + Math.floor(a / 100), 0));
    expect(after.purchases).toBe(30);
    expect(after.version).toBe(before.version + amounts.length + arriving.length + leaving.length);
  }, 60_000);
});
