import { createHash } from "node:crypto";
import { DomainError, rateLimited, refused } from "../../domain/errors.js";
import { localDay } from "../../domain/loyalty/calendar.js";
import { type Ctx, currentView, enroll } from "../../domain/loyalty/engine.js";
import type { Member, MemberProfile } from "../../domain/loyalty/member.js";
import type { CardLinkReason, OutboxEmail } from "../../domain/ports.js";
import type { Program } from "../../domain/program.js";
import { chooseStores, homeStoreFor } from "../../domain/stores/choice.js";
import {
  newCardCode,
  newReferralCode,
  normaliseReferralCode,
  REFERRAL_CODE_PATTERN,
} from "../../shared/codes.js";
import { newId } from "../../shared/ids.js";
import { rateScopes } from "../../shared/keys.js";
import { cardLinkEmail, emailHash, type LoyaltyContext } from "./context.js";
import type { MemberRead } from "./members.js";

/**
 * Enrollment: a new member with a card code and a referral code, its profile, and the email that
 * brings the card link, all in one transaction. Staff enroll through the merchant API (an existing
 * email is a 409 there); customers through the public join form or its JSON twin, which answer the
 * same whatever the email (an existing member gets its card link again) and are rate limited.
 */

export interface Enrollment {
  email: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  birthDate?: string | undefined;
  postcode?: string | undefined;
  locale?: string | undefined;
  /** Another member's referral code. */
  referralCode?: string | undefined;
  marketingConsent: boolean;
  /** Staff enrollment: whether the member gets the welcome email with the card link (default yes). */
  sendEmail?: boolean | undefined;
  /** Staff enrollment: the store the customer enrolls at (an unknown one is a 422 unknown_store). */
  storeId?: string | undefined;
}

/** A customer's own sign-up (the join form, or a merchant's site posting to the same operation). */
export interface SignUp extends Omit<Enrollment, "sendEmail"> {
  firstName: string;
  /** The required consent to the program's terms and privacy notice. */
  consent: true;
  /** The trap field robots fill in and people never see: when set, nothing happens. */
  honeypot?: string | undefined;
}

/** Who is signing up, as far as limits go: the client's address. */
export interface Visitor {
  ip: string;
}

/**
 * Limits of the public side, per program. Per address: a shop's Wi-Fi may sign up a queue of
 * customers, but not a script. Per email: at most this many emails a day to one address, so the form
 * cannot be used to flood someone's inbox; beyond, the answer is the same and nothing is sent.
 */
export const PUBLIC_LIMITS = {
  perIpPerHour: 30,
  emailsPerAddressPerDay: 3,
} as const;

/** What the public operations did (never shown to the visitor, who always gets the same answer). */
export type PublicOutcome = "enrolled" | "card_link_sent" | "not_a_member" | "honeypot" | "address_limited";

/** Card and referral codes are drawn at random; a clash (vanishingly rare) draws again, this many times. */
const CODE_ATTEMPTS = 5;

const ipHash = (ip: string): string => createHash("sha256").update(ip, "utf8").digest("hex");

export const enrollment = (c: LoyaltyContext) => {
  const linkEmail = (
    memberId: string,
    p: Program,
    to: string,
    locale: string,
    reason: CardLinkReason = "welcome",
  ): OutboxEmail => cardLinkEmail(c.now(), { memberId, programId: p.programId }, to, locale, reason);

  const referrerOf = async (programId: string, referralCode: string | undefined) => {
    if (referralCode === undefined) return undefined;
    const code = normaliseReferralCode(referralCode);
    const referrer = REFERRAL_CODE_PATTERN.test(code)
      ? await c.members.idByReferralCode(programId, code)
      : undefined;
    if (!referrer)
      throw refused("unknown_referral_code", "No member of this program has this referral code.");
    return referrer;
  };

  /**
   * Where a new card's stores start from, before any purchase: the store the customer enrolls at,
   * else the store the sign-up postcode points to (domain/stores/choice.ts homeStoreFor), and the card's
   * first choice of stores around it. A staff enrollment naming a store the program does not have is
   * refused (422 unknown_store); a sign-up's store (from a store's printed QR code) is only a hint.
   */
  const startingPlace = (
    context: Ctx,
    input: Enrollment,
    via: MemberProfile["enrolledVia"],
  ): Pick<Member, "homeStoreId" | "passStoreIds"> => {
    const { places } = context;
    if (!places) return {};
    if (input.storeId !== undefined && places.get(input.storeId) === undefined && via === "staff") {
      throw refused("unknown_store", `This program has no active store ${input.storeId}.`, {
        storeId: input.storeId,
      });
    }
    const homeStoreId = homeStoreFor(places, {
      ...(input.storeId !== undefined ? { storeId: input.storeId } : {}),
      ...(input.postcode !== undefined ? { postcode: input.postcode } : {}),
    });
    const passStoreIds = chooseStores({
      places,
      homeStoreId,
      today: localDay(context.now, context.program.timeZone),
    });
    return { ...(homeStoreId !== undefined ? { homeStoreId } : {}), passStoreIds };
  };

  /** The new member and its profile, or the id of the member who already has this email. */
  const create = async (
    p: Program,
    input: Enrollment,
    via: MemberProfile["enrolledVia"],
    extra: Partial<MemberProfile>,
    referredBy: string | undefined,
  ): Promise<
    { kind: "enrolled"; member: Member; profile: MemberProfile } | { kind: "email_taken"; memberId: string }
  > => {
    const context = await c.ctx(p);
    const at = context.now;
    const locale = input.locale ?? p.locale;
    const start = startingPlace(context, input, via);
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const member: Member = {
        ...enroll(
          {
            memberId: newId("mbr"),
            cardCode: newCardCode(),
            referralCode: newReferralCode(),
            ...(referredBy ? { referredBy } : {}),
          },
          p,
          at,
        ),
        ...start,
        ...(input.birthDate ? { birthMonth: Number(input.birthDate.slice(5, 7)) } : {}),
      };
      const profile: MemberProfile = {
        memberId: member.memberId,
        programId: p.programId,
        email: input.email,
        ...(input.firstName ? { firstName: input.firstName } : {}),
        ...(input.lastName ? { lastName: input.lastName } : {}),
        ...(input.birthDate ? { birthDate: input.birthDate } : {}),
        ...(input.postcode ? { postcode: input.postcode } : {}),
        locale,
        marketingConsent: input.marketingConsent,
        ...extra,
        enrolledAt: member.enrolledAt,
        enrolledVia: via,
      };
      const email =
        input.sendEmail !== false && c.outbox
          ? linkEmail(member.memberId, p, input.email, locale)
          : undefined;
      const result = await c.members.enroll({
        member,
        profile,
        emailHash: emailHash(input.email),
        ...(email ? { email } : {}),
      });
      if (result.kind === "enrolled") return { kind: "enrolled", member, profile };
      if (result.kind === "email_taken") return { kind: "email_taken", memberId: result.memberId };
    }
    throw new Error(`could not draw unique card and referral codes in ${CODE_ATTEMPTS} attempts`);
  };

  /** The per-address limit of the public side: 429 beyond it (the visitor waits, nothing else happens). */
  const admitVisitor = async (p: Program, visitor: Visitor): Promise<void> => {
    if (!c.rates) return;
    const { retryAfterSeconds } = await c.rates.take(
      rateScopes.enrollmentsFromIp(p.programId, ipHash(visitor.ip)),
      PUBLIC_LIMITS.perIpPerHour,
      3600,
      c.now(),
    );
    if (retryAfterSeconds !== undefined)
      throw rateLimited(
        "too_many_sign_ups",
        "Too many sign-ups from this network in the last hour; try again later.",
        retryAfterSeconds,
      );
  };

  /** Whether one more email to this address is allowed today (counted when it is). */
  const mayEmail = async (p: Program, email: string): Promise<boolean> => {
    if (!c.rates) return true;
    const { retryAfterSeconds } = await c.rates.take(
      rateScopes.emailsToAddress(p.programId, emailHash(email)),
      PUBLIC_LIMITS.emailsPerAddressPerDay,
      24 * 3600,
      c.now(),
    );
    return retryAfterSeconds === undefined;
  };

  /** The card link again, to a member who already has this email (none for an unknown address). */
  const resend = async (p: Program, memberId: string, to: string, locale: string): Promise<void> => {
    await c.outbox?.add(linkEmail(memberId, p, to, locale, "again"));
  };

  return {
    /** Staff enrollment (merchant API): 201 with the member; an email already enrolled is a 409. */
    async enroll(programId: string, input: Enrollment): Promise<MemberRead> {
      const p = await c.program(programId);
      const created = await create(p, input, "staff", {}, await referrerOf(programId, input.referralCode));
      if (created.kind === "email_taken") {
        throw new DomainError(
          "conflict",
          "member_already_enrolled",
          "This email is already a member of this program.",
          { memberId: created.memberId },
        );
      }
      // The merchant API's answer, with the card link; a customer's sign-up answers neither.
      const { member, profile } = created;
      const context = await c.ctx(p);
      return {
        program: p,
        member: currentView(member, context),
        profile,
        history: { items: [] },
        cardUrl: await c.cardUrl?.(member),
        asOf: context.now,
      };
    },

    /**
     * A customer's sign-up: the same visible answer whatever the email. A new address becomes a member
     * with its welcome email (one transaction); a member's address gets its same card link again. A
     * robot that filled the honeypot, or an address already sent its emails for today, gets the same
     * answer and nothing happens. Throws 429 (too_many_sign_ups) beyond the per-address limit, 422
     * (unknown_referral_code) for a referral code no member has, 404 for an unknown program.
     */
    async signUp(programId: string, input: SignUp, visitor: Visitor): Promise<PublicOutcome> {
      const p = await c.program(programId);
      if (input.honeypot) return "honeypot";
      await admitVisitor(p, visitor);
      const referredBy = await referrerOf(programId, input.referralCode);
      if (!(await mayEmail(p, input.email))) return "address_limited";
      const { consent: _consent, honeypot: _honeypot, ...fields } = input;
      const created = await create(
        p,
        { ...fields, sendEmail: true },
        "form",
        { termsAcceptedAt: c.now().toISOString() },
        referredBy,
      );
      if (created.kind === "enrolled") return "enrolled";
      await resend(p, created.memberId, input.email, input.locale ?? p.locale);
      return "card_link_sent";
    },

    /**
     * "Email me my card link again": the card link to a member's address, nothing to any other; the
     * same answer either way, with the same limits as sign-ups.
     */
    async sendCardLink(
      programId: string,
      input: { email: string; locale?: string | undefined; honeypot?: string | undefined },
      visitor: Visitor,
    ): Promise<PublicOutcome> {
      const p = await c.program(programId);
      if (input.honeypot) return "honeypot";
      await admitVisitor(p, visitor);
      const memberId = await c.members.idByEmailHash(programId, emailHash(input.email));
      if (memberId === undefined) return "not_a_member";
      if (!(await mayEmail(p, input.email))) return "address_limited";
      await resend(p, memberId, input.email, input.locale ?? p.locale);
      return "card_link_sent";
    },
  };
};
