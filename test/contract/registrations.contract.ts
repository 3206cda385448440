import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Member } from "../../functions/domain/loyalty/member.js";
import type { DeviceRegistration, MemberRepository } from "../../functions/domain/ports.js";
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
  });
};
