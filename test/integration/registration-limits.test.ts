import { randomBytes } from "node:crypto";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoRepositories } from "../../functions/adapters/dynamodb/repositories.js";
import { RegistrationRateLimited, walletService } from "../../functions/app/wallet.js";
import {
  MAX_DEVICES_PER_PASS,
  MAX_NEW_REGISTRATIONS_PER_HOUR,
} from "../../functions/domain/registrations.js";
import { memberKeys, registrationKeys } from "../../functions/shared/keys.js";
import { passAuthToken } from "../../functions/shared/pass-tokens.js";
import { localDynamoClient } from "../../local/dynamodb-local.js";
import { commandsOf, useDynamoRequests } from "../support/dynamo-requests.js";
import { writeLegacyRegistrations } from "../support/legacy-registrations.js";
import { directService, openShopDirect } from "../support/services.js";
import { TEST_PASS_SECRET, testTable, useTestTable } from "../support/table.js";

/**
 * The per-pass limits of Apple device registrations on DynamoDB Local (issue 13): what each
 * registration costs in requests, concurrent registrations around the cap, and a pass registered far
 * beyond the cap before the cap existed.
 */

const table = useTestTable();
const raw = localDynamoClient(table.endpoint);
afterAll(() => raw.destroy());

const PASS_TYPE_ID = "pass.dev.carnet.local";
const secret = Buffer.from(TEST_PASS_SECRET);
const repositories = dynamoRepositories(testTable());
const { members, registrations } = repositories;

/** The DynamoDB requests the repositories send (the test's own raw client is not counted), by name. */
const countedRequests = useDynamoRequests(() => testTable().client);
const counted = async <T>(run: () => Promise<T>): Promise<{ result: T; sent: string[] }> => {
  const { result, sent } = await countedRequests(run);
  return { result, sent: commandsOf(sent).map((command) => command.replace(/Command$/, "")) };
};

/** The PassKit web service's use cases over DynamoDB, at a fixed hour; no pass is signed here. */
let clock = new Date("2031-05-06T09:00:00.000Z");
const wallet = walletService({
  ...repositories,
  passes: () => Promise.reject(new Error("no pass is signed in this test")),
  secret: async () => secret,
  passTypeId: PASS_TYPE_ID,
  now: () => clock,
});
const tick = () => {
  clock = new Date(clock.getTime() + 1000);
};

const deviceId = () => `device-${randomBytes(8).toString("hex")}`;
const pushToken = () => randomBytes(32).toString("hex");
const register = (memberId: string, device = deviceId(), push = pushToken()) => {
  tick();
  return wallet.register({
    passTypeId: PASS_TYPE_ID,
    serialNumber: memberId,
    token: passAuthToken(secret, memberId, 0),
    deviceLibraryIdentifier: device,
    pushToken: push,
  });
};

/** The registrations stored under the member (its partition's REG# items, the push note aside). */
const storedRegistrations = async (memberId: string) => {
  const items = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await raw.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :reg)",
        ExpressionAttributeValues: {
          ":pk": { S: memberKeys.member(memberId).PK },
          ":reg": { S: registrationKeys.passPrefix(PASS_TYPE_ID) },
        },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return items;
};
const devicesCounted = async (memberId: string) => (await members.load(memberId))?.devices;

let shop: Awaited<ReturnType<typeof openShopDirect>>;
beforeAll(async () => {
  shop = await openShopDirect(directService(), { rules: {} });
});
const newMember = async () => (await shop.enroll()).memberId;
/** A member whose pass is on `count` devices, registered one second apart. */
const memberWithDevices = async (count: number) => {
  const memberId = await newMember();
  const devices: string[] = [];
  for (let i = 0; i < count; i++) {
    const device = deviceId();
    await register(memberId, device);
    devices.push(device);
  }
  return { memberId, devices };
};

describe("what a device registration costs, in DynamoDB requests", () => {
  it("is as before below the cap: a new device 1 read + 1 transaction, a token refresh 1 read + 2 transactions", async () => {
    // Prepare
    const { memberId, devices } = await memberWithDevices(2);

    // Act
    const created = await counted(() => register(memberId));
    const refreshed = await counted(() => register(memberId, devices[0]));

    // Assess
    expect(created).toEqual({ result: "created", sent: ["Query", "TransactWriteItems"] });
    expect(refreshed).toEqual({
      result: "updated",
      sent: ["Query", "TransactWriteItems", "TransactWriteItems"],
    });
  });

  it("reads the pass's registrations first at the cap: a new device evicting the oldest 2 reads + 1 transaction, a refresh 2 reads + 1", async () => {
    // Prepare
    const { memberId, devices } = await memberWithDevices(MAX_DEVICES_PER_PASS);

    // Act
    const created = await counted(() => register(memberId));
    const refreshed = await counted(() => register(memberId, devices.at(-1)));

    // Assess
    expect(created).toEqual({ result: "created", sent: ["Query", "Query", "TransactWriteItems"] });
    expect(refreshed).toEqual({ result: "updated", sent: ["Query", "Query", "TransactWriteItems"] });
    expect(await storedRegistrations(memberId)).toHaveLength(MAX_DEVICES_PER_PASS);
  });

  it("refuses a device beyond the hour's limit in 1 read + 1 failed transaction below the cap", async () => {
    // Prepare: the hour's new registrations used up, then devices unregistered to go below the cap
    clock = new Date("2031-05-07T09:00:00.000Z");
    const { memberId, devices } = await memberWithDevices(MAX_NEW_REGISTRATIONS_PER_HOUR);
    for (const device of devices.slice(-5))
      await registrations.unregister(device, PASS_TYPE_ID, memberId, true);
    const below = await devicesCounted(memberId);

    // Act
    const refused = await counted(() => register(memberId).catch((error: unknown) => error));

    // Assess
    expect(refused.result).toBeInstanceOf(RegistrationRateLimited);
    expect((refused.result as RegistrationRateLimited).retryAfterSeconds).toBe(3600 - 21);
    expect(refused.sent).toEqual(["Query", "TransactWriteItems"]);
    expect(below).toBeLessThan(MAX_DEVICES_PER_PASS);
    expect(await devicesCounted(memberId)).toBe(below);
  });
});

describe("registrations racing around the cap", () => {
  it("may take the pass a little over the cap, counted exactly, and the next registration brings it back", async () => {
    // Prepare: one device below the cap; then devices register at the same moment, each having read 9
    const { memberId } = await memberWithDevices(MAX_DEVICES_PER_PASS - 1);

    // Act
    const racing = await Promise.all(Array.from({ length: 4 }, () => register(memberId)));
    const over = await storedRegistrations(memberId);
    const overCounted = await devicesCounted(memberId);
    const next = await register(memberId);

    // Assess
    expect(racing).toEqual(["created", "created", "created", "created"]);
    expect(over.length).toBeGreaterThanOrEqual(MAX_DEVICES_PER_PASS);
    expect(over.length).toBeLessThanOrEqual(MAX_DEVICES_PER_PASS - 1 + 4);
    expect(overCounted).toBe(over.length);
    expect(next).toBe("created");
    expect(await storedRegistrations(memberId)).toHaveLength(MAX_DEVICES_PER_PASS);
    expect(await devicesCounted(memberId)).toBe(MAX_DEVICES_PER_PASS);
  });

  it("keeps the count exact when new devices register at once on a pass at the cap, each evicting", async () => {
    // Prepare
    const { memberId, devices } = await memberWithDevices(MAX_DEVICES_PER_PASS);

    // Act
    const answers = await Promise.all(Array.from({ length: 5 }, () => register(memberId)));
    const stored = await storedRegistrations(memberId);

    // Assess: every oldest device went, once each
    expect(answers).toEqual(Array(5).fill("created"));
    expect(stored).toHaveLength(MAX_DEVICES_PER_PASS);
    expect(await devicesCounted(memberId)).toBe(MAX_DEVICES_PER_PASS);
    const left = stored.map((i) => i.deviceLibraryIdentifier?.S);
    expect(left).not.toContain(devices[0]);
    expect(left.filter((d) => devices.includes(d ?? ""))).toHaveLength(MAX_DEVICES_PER_PASS - 5);
    for (const gone of devices.slice(0, 5))
      expect(await registrations.serialsOnDevice(gone, PASS_TYPE_ID)).toEqual([]);
  });
});

describe("a pass registered on 300 devices before the cap existed", () => {
  /** 300 registrations as an older Carnet wrote them: both items each. */
  const legacyPass = async () => {
    const memberId = await newMember();
    const { programId } = shop.program;
    // A member of that time keeps no count of its devices.
    await writeLegacyRegistrations(raw, table.tableName, {
      memberId,
      programId,
      passTypeId: PASS_TYPE_ID,
      devices: Array.from({ length: 300 }, (_, i) => ({
        id: `legacy-${String(i).padStart(3, "0")}-${randomBytes(4).toString("hex")}`,
        pushToken: `token-${String(i).padStart(3, "0")}`,
      })),
      from: new Date(Date.UTC(2030, 0, 1)),
    });
    return memberId;
  };

  it("is pushed on its 10 most recently registered devices only", async () => {
    // Prepare
    const memberId = await legacyPass();

    // Act
    const { devices } = await registrations.pushTargets(memberId, PASS_TYPE_ID);

    // Assess
    expect(devices.map((d) => d.pushToken)).toEqual(
      Array.from({ length: MAX_DEVICES_PER_PASS }, (_, i) => `token-${290 + i}`),
    );
  });

  it("shrinks by at most 10 per new registration, oldest first, and loses them all at removeAll", async () => {
    // Prepare
    const memberId = await legacyPass();

    // Act
    await registrations.register(
      {
        deviceLibraryIdentifier: deviceId(),
        passTypeId: PASS_TYPE_ID,
        memberId,
        programId: shop.program.programId,
        pushToken: pushToken(),
      },
      clock,
      false,
    );
    const afterOne = await storedRegistrations(memberId);
    const removed = await registrations.removeAll(memberId);

    // Assess
    expect(afterOne).toHaveLength(291);
    expect(afterOne.map((i) => i.pushToken?.S)).not.toContain("token-009");
    expect(afterOne.map((i) => i.pushToken?.S)).toContain("token-010");
    expect(removed).toBe(291);
    expect(await storedRegistrations(memberId)).toEqual([]);
    expect(
      await registrations.serialsOnDevice(String(afterOne[0]?.deviceLibraryIdentifier?.S), PASS_TYPE_ID),
    ).toEqual([]);
  });
});
