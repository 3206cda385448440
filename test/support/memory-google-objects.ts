import type {
  GoogleObjectRepository,
  GoogleObjectState,
  MemberRepository,
} from "../../functions/domain/ports.js";

/**
 * The Google object states over a Map, next to the in-memory members (memory-repositories.ts): the
 * same observable behaviour as dynamoGoogleObjectRepository. `cardWithGoogle` reads the member and its
 * profile from the member repository; `recordSaved` with `markMember` sets `Member.googleObject` and
 * moves the member's version (a member write computed before it then fails its version condition, as
 * in DynamoDB). Everything is copied on the way in and out.
 *
 * `states` is the Map itself, for a test to look at what is stored (or to seed a state).
 */
export const memoryGoogleObjects = (
  members: Pick<MemberRepository, "card" | "load" | "commit">,
  now: () => Date = () => new Date(),
) => {
  const states = new Map<string, GoogleObjectState>();
  const copy = <T>(value: T): T => structuredClone(value);
  const repository: GoogleObjectRepository = {
    async cardWithGoogle(memberId) {
      const card = await members.card(memberId);
      if (!card) return undefined;
      const google = states.get(memberId);
      return { ...card, ...(google ? { google: copy(google) } : {}) };
    },
    async recordSaved(memberId, saved, markMember) {
      const member = await members.load(memberId);
      if (!member) return false;
      if (markMember) {
        const result = await members.commit(
          [
            {
              kind: "member",
              member: { ...member, googleObject: saved.generation, version: member.version + 1 },
              expectedVersion: member.version,
            },
          ],
          now(),
        );
        if (result.kind !== "committed") throw new Error(`the member's mark was not written: ${result.kind}`);
      }
      const before = states.get(memberId);
      states.set(memberId, {
        ...copy(saved),
        notifiedAt: before ? [...before.notifiedAt] : [],
        state: "active",
        version: (before?.version ?? 0) + 1,
      });
      return true;
    },
    async update(memberId, next, expectedVersion) {
      if (states.get(memberId)?.version !== expectedVersion) return false;
      states.set(memberId, { ...copy(next), version: expectedVersion + 1 });
      return true;
    },
  };
  return { repository, states };
};
