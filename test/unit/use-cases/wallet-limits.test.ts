import { describe, expect, it } from "vitest";
import { RegistrationRateLimited, walletService } from "../../../functions/app/wallet.js";
import {
  MAX_DEVICES_PER_PASS,
  MAX_NEW_REGISTRATIONS_PER_HOUR,
} from "../../../functions/domain/registrations.js";
import { passAuthToken } from "../../../functions/shared/pass-tokens.js";
import { memoryShop } from "../../support/memory-shop.js";

/** The PassKit web service's per-pass limits (issue 13), over memory. */

const SECRET = Buffer.from("a-secret-of-at-least-thirty-two-characters");
const PASS_TYPE_ID = "pass.test.carnet";

const limitsShop = async () => {
  const shop = await memoryShop();
  const wallet = walletService({
    programs: shop.repos.programs,
    stores: shop.repos.stores,
    members: shop.repos.members,
    registrations: shop.repos.registrations,
    passes: () => Promise.reject(new Error("no pass is signed here")),
    secret: async () => SECRET,
    passTypeId: PASS_TYPE_ID,
    now: shop.clock.now,
  });
  const register = (memberId: string, device: string) =>
    wallet.register({
      passTypeId: PASS_TYPE_ID,
      serialNumber: memberId,
      token: passAuthToken(SECRET, memberId, 0),
      deviceLibraryIdentifier: device,
      pushToken: `push-${device}`,
    });
  return { shop, register };
};

const refusal = async (run: () => Promise<unknown>) => {
  try {
    await run();
  } catch (error) {
    if (error instanceof RegistrationRateLimited) return error.retryAfterSeconds;
    throw error;
  }
  throw new Error("expected RegistrationRateLimited");
};

describe("device registrations per pass", () => {
  it(`refuse a new device beyond ${MAX_NEW_REGISTRATIONS_PER_HOUR} in a clock hour, with the seconds to the next hour, and accept it then`, async () => {
    // Prepare: the hour's new registrations used up by 12:10
    const { shop, register } = await limitsShop();
    const member = await shop.member();
    shop.clock.set("2026-03-10T12:00:00.000Z");
    for (let i = 0; i < MAX_NEW_REGISTRATIONS_PER_HOUR; i++) await register(member.memberId, `device-${i}`);
    shop.clock.set("2026-03-10T12:10:00.000Z");

    // Act
    const retryAfter = await refusal(() => register(member.memberId, "one-too-many"));
    const refreshed = await register(member.memberId, `device-${MAX_NEW_REGISTRATIONS_PER_HOUR - 1}`);
    shop.clock.set("2026-03-10T13:00:00.000Z");
    const nextHour = await register(member.memberId, "one-too-many");

    // Assess
    expect(retryAfter).toBe(50 * 60);
    expect(refreshed).toBe("updated");
    expect(nextHour).toBe("created");
    expect((await shop.stored(member.memberId)).devices).toBe(MAX_DEVICES_PER_PASS);
  });

  it(`keep a pass on its ${MAX_DEVICES_PER_PASS} most recently registered devices`, async () => {
    // Prepare
    const { shop, register } = await limitsShop();
    const member = await shop.member();

    // Act: one device a minute
    for (let i = 0; i < MAX_DEVICES_PER_PASS + 3; i++) {
      shop.clock.set(new Date(Date.parse("2026-03-10T12:00:00.000Z") + i * 60_000));
      await register(member.memberId, `device-${String(i).padStart(2, "0")}`);
    }

    // Assess
    const devices = await shop.repos.registrations.devicesOf(member.memberId);
    expect(devices.map((d) => d.deviceLibraryIdentifier)).toEqual(
      Array.from({ length: MAX_DEVICES_PER_PASS }, (_, i) => `device-${String(i + 3).padStart(2, "0")}`),
    );
    expect((await shop.stored(member.memberId)).devices).toBe(MAX_DEVICES_PER_PASS);
  });
});
