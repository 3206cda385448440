import { DomainError, refused } from "../../domain/errors.js";
import { currentView, enroll } from "../../domain/loyalty/engine.js";
import type { MemberProfile } from "../../domain/loyalty/member.js";
import {
  newCardCode,
  newReferralCode,
  normaliseReferralCode,
  REFERRAL_CODE_PATTERN,
} from "../../shared/codes.js";
import { newId } from "../../shared/ids.js";
import { emailHash, type LoyaltyContext } from "./context.js";
import type { MemberRead } from "./members.js";

/** Enrollment: a new member with a card code and a referral code, and its profile. */

export interface Enrollment {
  email: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  birthDate?: string | undefined;
  locale?: string | undefined;
  /** Another member's referral code. */
  referralCode?: string | undefined;
  marketingConsent: boolean;
}

/** Card and referral codes are drawn at random; a clash (vanishingly rare) draws again, this many times. */
const CODE_ATTEMPTS = 5;

export const enrollment = (c: LoyaltyContext) => ({
  async enroll(programId: string, input: Enrollment): Promise<MemberRead> {
    const p = await c.program(programId);
    let referredBy: string | undefined;
    if (input.referralCode !== undefined) {
      const code = normaliseReferralCode(input.referralCode);
      const referrer = REFERRAL_CODE_PATTERN.test(code)
        ? await c.members.idByReferralCode(programId, code)
        : undefined;
      if (!referrer)
        throw refused("unknown_referral_code", "No member of this program has this referral code.");
      referredBy = referrer;
    }
    const at = c.now();
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const member = enroll(
        {
          memberId: newId("mbr"),
          cardCode: newCardCode(),
          referralCode: newReferralCode(),
          ...(referredBy ? { referredBy } : {}),
        },
        p,
        at,
      );
      const profile: MemberProfile = {
        memberId: member.memberId,
        programId,
        email: input.email,
        ...(input.firstName ? { firstName: input.firstName } : {}),
        ...(input.lastName ? { lastName: input.lastName } : {}),
        ...(input.birthDate ? { birthDate: input.birthDate } : {}),
        locale: input.locale ?? p.locale,
        marketingConsent: input.marketingConsent,
        enrolledAt: member.enrolledAt,
        enrolledVia: "staff",
      };
      const result = await c.members.enroll({ member, profile, emailHash: emailHash(input.email) });
      if (result.kind === "enrolled") {
        const cardUrl = await c.cardUrl?.(member);
        const context = c.ctx(p);
        return {
          program: p,
          member: currentView(member, context),
          profile,
          history: { items: [] },
          cardUrl,
          asOf: context.now,
        };
      }
      if (result.kind === "email_taken") {
        throw new DomainError(
          "conflict",
          "member_already_enrolled",
          "This email is already a member of this program.",
          { memberId: result.memberId },
        );
      }
    }
    throw new Error(`could not draw unique card and referral codes in ${CODE_ATTEMPTS} attempts`);
  },
});
