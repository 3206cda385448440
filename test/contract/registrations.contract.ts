import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Member } from "../../functions/domain/loyalty/member.js";
import type {
  DeviceRegistration,
  MemberRepository,
  RegistrationRepository,
} from "../../functions/domain/ports.js";
import {
  MAX_DEVICES_PER_PASS,
  MAX_NEW_REGISTRATIONS_PER_HOUR,
} from "../../functions/domain/registrations.js";
import { newId } from "../../functions/shared/ids.js";
import { anEnrollment, type MakeRepositories } from "./fixtures.js";

const PASS_TYPE_ID = "pass.dev.carnet.contract";
const deviceId = () => `device-${randomBytes(8).toString("hex")}`;
const pushToken = () => randomBytes(32).toString("hex");

const enrolled = async (members: MemberRepository, overrides: Partial<Member> = {}) => {
  const enrollment = anEnrollment(newId("prg"), overrides);
  expect(await members.enroll(enrollment)).toEqual({ kind: "enrolled" });
  return enrollment.member;
};

const registrationOf = (
  member: Member,
  device = deviceId(),
  passTypeId = PASS_TYPE_ID,
): DeviceRegistration => ({
  deviceLibraryIdentifier: device,
  passTypeId,
  memberId: member.memberId,
  programId: member.programId,
  pushToken: pushToken(),
});

const byDevice = (a: DeviceRegistration, b: DeviceRegistration) =>
  `${a.passTypeId}#${a.deviceLibraryIdentifier}` < `${b.passTypeId}#${b.deviceLibraryIdentifier}` ? -1 : 1;

/** A clock hour's start, and a moment `seconds` into it. */
const HOUR = new Date("2031-03-04T10:00:00.000Z");
const at = (seconds: number, hour = HOUR) => new Date(hour.getTime() + seconds * 1000);
const NEXT_HOUR = at(3600);

/** Registers as the PassKit web service does: with the member's device count as just read. */
const registerAsWallet = async (
  members: MemberRepository,
  registrations: RegistrationRepository,
  registration: DeviceRegistration,
  when: Date,
) => {
  const member = await members.load(registration.memberId);
  return registrations.register(registration, when, member?.devices !== undefined, member?.devices);
};

const devicesIn = async (registrations: RegistrationRepository, memberId: string) =>
  (await registrations.devicesOf(memberId)).map((d) => d.deviceLibraryIdentifier).sort();

/** RegistrationRepository: Apple Wallet devices registered for a member's pass, and its device count. */
export const describeRegistrationRepositoryContract = (name: string, make: MakeRepositories): void => {
  describe(`RegistrationRepository contract: ${name}`, () => {
    it("registers a device for a pass once, then refreshes its push token", async () => {
      // Prepare
      const { members, registrations } = make();
      const member = await enrolled(members);
      const registration = registrationOf(member);
      const refreshed = { ...registration, pushToken: pushToken() };

      // Act
      const first = await registrations.register(registration, new Date(), false);
      const second = await registrations.register(refreshed, new Date(), false);

      // Assess
      expect([first, second]).toEqual(["created", "updated"]);
      expect(await registrations.devicesOf(member.memberId)).toEqual([refreshed]);
      expect(await registrations.serialsOnDevice(registration.deviceLibraryIdentifier, PASS_TYPE_ID)).toEqual(
        [member.memberId],
      );
      expect(await members.load(member.memberId)).toEqual(member);
    });

    it("counts a member's devices, moving its version so that a write computed before fails", async () => {
      // Prepare
      const { members, registrations } = make();
      const member = await enrolled(members);
      const registration = registrationOf(member);
      const computedBefore = { ...member, version: 2, points: 10 };

      // Act
      await registrations.register(registration, new Date(), true);
      await registrations.register({ ...registration, pushToken: pushToken() }, new Date(), true);
      const afterRegistering = await members.load(member.memberId);
      const stale = await members.commit(
        [{ kind: "member", member: computedBefore, expectedVersion: member.version }],
        new Date(),
      );

      // Assess
      expect(afterRegistering).toEqual({ ...member, devices: 1, version: 2 });
      expect(stale).toEqual({ kind: "changed" });
    });

    it("unregisters a device once, counting it off", async () => {
      // Prepare
      const { members, registrations } = make();
      const member = await enrolled(members);
      const kept = registrationOf(member);
      const removed = registrationOf(member);
      await registrations.register(kept, new Date(), true);
      await registrations.register(removed, new Date(), true);

      // Act
      const first = await registrations.unregister(
        removed.deviceLibraryIdentifier,
        PASS_TYPE_ID,
        member.memberId,
        true,
      );
      const again = await registrations.unregister(
        removed.deviceLibraryIdentifier,
        PASS_TYPE_ID,
        member.memberId,
        true,
      );

      // Assess
      expect([first, again]).toEqual([true, false]);
      expect(await registrations.devicesOf(member.memberId)).toEqual([kept]);
      expect(await registrations.serialsOnDevice(removed.deviceLibraryIdentifier, PASS_TYPE_ID)).toEqual([]);
      expect(await members.load(member.memberId)).toEqual({ ...member, devices: 1, version: 4 });
    });

    it("leaves a member that keeps no count as it is", async () => {
      // Prepare
      const { members, registrations } = make();
      const member = await enrolled(members, { devices: undefined });
      const registration = registrationOf(member);

      // Act
      const created = await registrations.register(registration, new Date(), false);
      const removed = await registrations.unregister(
        registration.deviceLibraryIdentifier,
        PASS_TYPE_ID,
        member.memberId,
        false,
      );

      // Assess
      expect([created, removed]).toEqual(["created", true]);
      const stored = await members.load(member.memberId);
      expect(stored?.devices).toBeUndefined();
      expect(stored?.version).toBe(member.version);
    });

    it("refuses to count a registration for a member that keeps no count, writing nothing", async () => {
      // Prepare
      const { members, registrations } = make();
      const member = await enrolled(members, { devices: undefined });
      const registration = registrationOf(member);

      // Act
      const counted = registrations.register(registration, new Date(), true);

      // Assess
      await expect(counted).rejects.toThrow();
      expect(await registrations.devicesOf(member.memberId)).toEqual([]);
      expect(await registrations.serialsOnDevice(registration.deviceLibraryIdentifier, PASS_TYPE_ID)).toEqual(
        [],
      );
    });

    it("tells which passes of a type a device holds, and which devices hold a member's pass", async () => {
      // Prepare
      const { members, registrations } = make();
      const a = await enrolled(members);
      const b = await enrolled(members);
      const c = await enrolled(members);
      const device = deviceId();
      const otherType = "pass.dev.carnet.other";
      const aOnDevice = registrationOf(a, device);
      const onDevice = [aOnDevice, registrationOf(b, device)];
      const elsewhere = registrationOf(a);
      const otherTypeOnDevice = registrationOf(c, device, otherType);
      for (const r of [...onDevice, elsewhere, otherTypeOnDevice])
        await registrations.register(r, new Date(), true);

      // Act
      const serials = await registrations.serialsOnDevice(device, PASS_TYPE_ID);
      const devicesOfA = await registrations.devicesOf(a.memberId);

      // Assess
      expect([...serials].sort()).toEqual([a.memberId, b.memberId].sort());
      expect(await registrations.serialsOnDevice(device, otherType)).toEqual([c.memberId]);
      expect(await registrations.serialsOnDevice(deviceId(), PASS_TYPE_ID)).toEqual([]);
      expect([...devicesOfA].sort(byDevice)).toEqual([aOnDevice, elsewhere].sort(byDevice));
      expect(await registrations.devicesOf(c.memberId)).toEqual([otherTypeOnDevice]);
      expect(await registrations.devicesOf(newId("mbr"))).toEqual([]);
    });

    it("gives the pass update tag of each member that exists, in any program", async () => {
      // Prepare
      const { members, registrations } = make();
      const a = await enrolled(members, { passUpdatedAt: 1_900_000_001 });
      const b = await enrolled(members, { passUpdatedAt: 1_900_000_002, status: "erased" });
      const absent = newId("mbr");

      // Act
      const tags = await registrations.passUpdatedAt([a.memberId, absent, b.memberId, a.memberId]);
      const none = await registrations.passUpdatedAt([]);

      // Assess
      expect(tags).toEqual(
        new Map([
          [a.memberId, 1_900_000_001],
          [b.memberId, 1_900_000_002],
        ]),
      );
      expect(none.size).toBe(0);
    });

    it("follows a member's commits in its pass update tag", async () => {
      // Prepare
      const { members, registrations } = make();
      const member = await enrolled(members, { passUpdatedAt: 1_900_000_000 });

      // Act
      await members.commit(
        [
          {
            kind: "member",
            member: { ...member, version: 2, passUpdatedAt: 1_900_000_100 },
            expectedVersion: 1,
          },
        ],
        new Date(),
      );

      // Assess
      expect(await registrations.passUpdatedAt([member.memberId])).toEqual(
        new Map([[member.memberId, 1_900_000_100]]),
      );
    });

    it(`keeps a pass on at most ${MAX_DEVICES_PER_PASS} devices: one more evicts the oldest registration, both of its items, the count unchanged`, async () => {
      // Prepare: the cap reached, one device a second; the oldest device id sorts last
      const { members, registrations } = make();
      const member = await enrolled(members);
      const devices = Array.from(
        { length: MAX_DEVICES_PER_PASS },
        (_, i) => `device-${99 - i}-${deviceId()}`,
      );
      for (const [i, device] of devices.entries())
        await registerAsWallet(members, registrations, registrationOf(member, device), at(i));
      const atCap = await members.load(member.memberId);
      const newcomer = registrationOf(member);

      // Act
      const answer = await registerAsWallet(members, registrations, newcomer, at(60));

      // Assess
      const [oldest, ...kept] = devices;
      expect(answer).toBe("created");
      expect(await devicesIn(registrations, member.memberId)).toEqual(
        [...kept, newcomer.deviceLibraryIdentifier].sort(),
      );
      expect(await registrations.serialsOnDevice(oldest ?? "", PASS_TYPE_ID)).toEqual([]);
      expect(await registrations.serialsOnDevice(newcomer.deviceLibraryIdentifier, PASS_TYPE_ID)).toEqual([
        member.memberId,
      ]);
      expect(atCap?.devices).toBe(MAX_DEVICES_PER_PASS);
      expect((await members.load(member.memberId))?.devices).toBe(MAX_DEVICES_PER_PASS);
    });

    it("evicts by registration time: a device that refreshed its push token keeps its place", async () => {
      // Prepare: the first device refreshes its token last
      const { members, registrations } = make();
      const member = await enrolled(members);
      const first = registrationOf(member);
      await registerAsWallet(members, registrations, first, at(0));
      const second = registrationOf(member);
      await registerAsWallet(members, registrations, second, at(1));
      for (let i = 2; i < MAX_DEVICES_PER_PASS; i++)
        await registerAsWallet(members, registrations, registrationOf(member), at(i));
      const refreshed = await registerAsWallet(
        members,
        registrations,
        { ...first, pushToken: pushToken() },
        at(30),
      );

      // Act
      await registerAsWallet(members, registrations, registrationOf(member), at(60));

      // Assess
      const left = await devicesIn(registrations, member.memberId);
      expect(refreshed).toBe("updated");
      expect(left).toHaveLength(MAX_DEVICES_PER_PASS);
      expect(left).not.toContain(first.deviceLibraryIdentifier);
      expect(left).toContain(second.deviceLibraryIdentifier);
    });

    it("caps a pass whose member keeps no count too, leaving it uncounted", async () => {
      // Prepare
      const { members, registrations } = make();
      const member = await enrolled(members, { devices: undefined });
      for (let i = 0; i <= MAX_DEVICES_PER_PASS; i++)
        await registrations.register(registrationOf(member), at(i), false);

      // Act
      const answer = await registrations.register(registrationOf(member), at(60), false);

      // Assess
      const stored = await members.load(member.memberId);
      expect(answer).toBe("created");
      expect(await registrations.devicesOf(member.memberId)).toHaveLength(MAX_DEVICES_PER_PASS);
      expect(stored?.devices).toBeUndefined();
      expect(stored?.version).toBe(member.version);
    });

    it(`takes at most ${MAX_NEW_REGISTRATIONS_PER_HOUR} new devices per pass in a clock hour, writing nothing beyond, and more the next hour`, async () => {
      // Prepare: the hour's new registrations used up
      const { members, registrations } = make();
      const member = await enrolled(members);
      const registered: DeviceRegistration[] = [];
      for (let i = 0; i < MAX_NEW_REGISTRATIONS_PER_HOUR; i++) {
        const registration = registrationOf(member);
        expect(await registerAsWallet(members, registrations, registration, at(i))).toBe("created");
        registered.push(registration);
      }
      const before = await members.load(member.memberId);
      const devicesBefore = await devicesIn(registrations, member.memberId);
      const refused = registrationOf(member);
      const newest = registered.at(-1) as DeviceRegistration;

      // Act
      const limited = await registerAsWallet(members, registrations, refused, at(3599));
      const afterLimited = await members.load(member.memberId);
      const devicesAfterLimited = await devicesIn(registrations, member.memberId);
      const refresh = await registerAsWallet(
        members,
        registrations,
        { ...newest, pushToken: pushToken() },
        at(3599),
      );
      const nextHour = await registerAsWallet(members, registrations, registrationOf(member), NEXT_HOUR);

      // Assess
      expect([limited, refresh, nextHour]).toEqual(["rate_limited", "updated", "created"]);
      expect(afterLimited).toEqual(before);
      expect(devicesAfterLimited).toEqual(devicesBefore);
      expect(await registrations.serialsOnDevice(refused.deviceLibraryIdentifier, PASS_TYPE_ID)).toEqual([]);
      expect(devicesBefore).toHaveLength(MAX_DEVICES_PER_PASS);
      expect((await members.load(member.memberId))?.devices).toBe(MAX_DEVICES_PER_PASS);
    });

    it("limits each pass on its own", async () => {
      // Prepare: one pass's hour used up
      const { members, registrations } = make();
      const busy = await enrolled(members);
      const other = await enrolled(members);
      for (let i = 0; i < MAX_NEW_REGISTRATIONS_PER_HOUR; i++)
        await registerAsWallet(members, registrations, registrationOf(busy), at(i));

      // Act
      const answers = [
        await registerAsWallet(members, registrations, registrationOf(busy), at(100)),
        await registerAsWallet(members, registrations, registrationOf(other), at(100)),
      ];

      // Assess
      expect(answers).toEqual(["rate_limited", "created"]);
    });

    it("removes every registration of a member's pass, both items of each, counting the member down to 0", async () => {
      // Prepare: three devices, one of another pass type, and a device shared with another member
      const { members, registrations } = make();
      const member = await enrolled(members);
      const neighbour = await enrolled(members);
      const shared = deviceId();
      const mine = [
        registrationOf(member, shared),
        registrationOf(member),
        registrationOf(member, deviceId(), "pass.dev.carnet.other"),
      ];
      for (const [i, r] of mine.entries()) await registerAsWallet(members, registrations, r, at(i));
      await registerAsWallet(members, registrations, registrationOf(neighbour, shared), at(5));
      await registrations.markPushed(
        member.memberId,
        { passUpdatedAt: 5, tokens: [mine[0]?.pushToken ?? ""] },
        at(6),
      );
      const before = await members.load(member.memberId);

      // Act
      const removed = await registrations.removeAll(member.memberId);
      const again = await registrations.removeAll(member.memberId);

      // Assess
      const after = await members.load(member.memberId);
      expect([removed, again]).toEqual([3, 0]);
      expect(await registrations.devicesOf(member.memberId)).toEqual([]);
      expect(await registrations.pushTargets(member.memberId, PASS_TYPE_ID)).toEqual({ devices: [] });
      for (const r of mine.slice(1))
        expect(await registrations.serialsOnDevice(r.deviceLibraryIdentifier, r.passTypeId)).toEqual([]);
      expect(await registrations.serialsOnDevice(shared, PASS_TYPE_ID)).toEqual([neighbour.memberId]);
      expect([before?.devices, after?.devices]).toEqual([3, 0]);
      expect(after?.version).toBeGreaterThan(before?.version ?? Number.MAX_SAFE_INTEGER);
      expect(after?.passUpdatedAt).toBe(before?.passUpdatedAt);
      expect((await members.load(neighbour.memberId))?.devices).toBe(1);
    });

    it("removes every registration of a member that keeps no count, leaving it as it is", async () => {
      // Prepare
      const { members, registrations } = make();
      const member = await enrolled(members, { devices: undefined });
      await registrations.register(registrationOf(member), at(0), false);
      await registrations.register(registrationOf(member), at(1), false);

      // Act
      const removed = await registrations.removeAll(member.memberId);

      // Assess
      expect(removed).toBe(2);
      expect(await registrations.devicesOf(member.memberId)).toEqual([]);
      expect(await members.load(member.memberId)).toEqual(member);
    });

    it("gives the push fan-out the pass's devices of its type and what it noted, in one answer", async () => {
      // Prepare
      const { members, registrations } = make();
      const member = await enrolled(members);
      const own = [registrationOf(member), registrationOf(member)];
      for (const [i, r] of own.entries()) await registerAsWallet(members, registrations, r, at(i));
      await registerAsWallet(
        members,
        registrations,
        registrationOf(member, deviceId(), "pass.dev.carnet.other"),
        at(3),
      );

      // Act
      const unnoted = await registrations.pushTargets(member.memberId, PASS_TYPE_ID);
      await registrations.markPushed(
        member.memberId,
        { passUpdatedAt: 7, tokens: [own[0]?.pushToken ?? ""] },
        at(4),
      );
      await registrations.markPushed(member.memberId, { passUpdatedAt: 6, tokens: [] }, at(5));
      const noted = await registrations.pushTargets(member.memberId, PASS_TYPE_ID);
      await registrations.markPushed(member.memberId, { passUpdatedAt: 8, tokens: [] }, at(6));
      const newer = await registrations.pushTargets(member.memberId, PASS_TYPE_ID);

      // Assess: the note of an older version never replaces a newer one; the note is no device
      expect([...unnoted.devices].sort(byDevice)).toEqual([...own].sort(byDevice));
      expect(unnoted.pushed).toBeUndefined();
      expect(noted.pushed).toEqual({ passUpdatedAt: 7, tokens: [own[0]?.pushToken] });
      expect(newer.pushed).toEqual({ passUpdatedAt: 8, tokens: [] });
      expect(await registrations.devicesOf(member.memberId)).toHaveLength(3);
    });
  });
};
