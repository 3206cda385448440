import { describe, expect, it } from "vitest";
import { PUBLIC_LIMITS, type SignUp } from "../../../functions/app/loyalty/enrollment.js";
import { emailHash } from "../../../functions/app/loyalty/index.js";
import { memoryShop, NOW, rejection } from "../../support/memory-shop.js";

/** The public side of enrollment: the join form's sign-up and "email me my card link again". */

const camille = (overrides: Partial<SignUp> = {}): SignUp => ({
  email: "camille@example.com",
  firstName: "Camille",
  consent: true,
  marketingConsent: false,
  ...overrides,
});
const visitor = { ip: "203.0.113.7" };

describe("signing up through the join form", () => {
  it("makes a member with its welcome email in the outbox, in the form's language, with the consent recorded", async () => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const outcome = await shop.service.signUp(
      shop.program.programId,
      camille({ locale: "fr", postcode: "75011", marketingConsent: true }),
      visitor,
    );

    // Assess
    expect(outcome).toBe("enrolled");
    const memberId = await shop.repos.members.idByEmailHash(
      shop.program.programId,
      emailHash("camille@example.com"),
    );
    const profile = await shop.repos.members.profile(memberId ?? "");
    expect(profile).toMatchObject({
      firstName: "Camille",
      postcode: "75011",
      locale: "fr",
      marketingConsent: true,
      termsAcceptedAt: NOW,
      enrolledVia: "form",
    });
    expect(shop.repos.mail.emails()).toEqual([
      expect.objectContaining({
        memberId,
        programId: shop.program.programId,
        kind: "card_link",
        to: "camille@example.com",
        locale: "fr",
        status: "pending",
        attempts: 0,
        createdAt: NOW,
      }),
    ]);
  });

  it("sends an existing member's card link again instead of making a second member", async () => {
    // Prepare
    const shop = await memoryShop();
    await shop.service.signUp(shop.program.programId, camille(), visitor);

    // Act
    const outcome = await shop.service.signUp(
      shop.program.programId,
      camille({ email: " Camille@EXAMPLE.com ".trim(), firstName: "Someone else" }),
      visitor,
    );

    // Assess
    expect(outcome).toBe("card_link_sent");
    const emails = shop.repos.mail.emails();
    expect(emails).toHaveLength(2);
    expect(emails[1]?.memberId).toBe(emails[0]?.memberId);
    expect(emails[1]?.emailId).not.toBe(emails[0]?.emailId);
    expect(emails[1]?.to).toBe("Camille@EXAMPLE.com");
    expect(emails.map((e) => e.reason)).toEqual(["welcome", "again"]);
  });

  it("does nothing at all when the honeypot is filled, and says the same", async () => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const outcome = await shop.service.signUp(
      shop.program.programId,
      camille({ honeypot: "http://spam.example" }),
      visitor,
    );

    // Assess
    expect(outcome).toBe("honeypot");
    expect(
      await shop.repos.members.idByEmailHash(shop.program.programId, emailHash("camille@example.com")),
    ).toBeUndefined();
    expect(shop.repos.mail.emails()).toEqual([]);
  });

  it("refuses a referral code no member has, and enrolls nobody", async () => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const refused = await rejection(() =>
      shop.service.signUp(shop.program.programId, camille({ referralCode: "NOSUCH1" }), visitor),
    );

    // Assess
    expect(refused).toEqual({ kind: "validation", code: "unknown_referral_code" });
    expect(shop.repos.mail.emails()).toEqual([]);
  });

  it("records who referred the new member", async () => {
    // Prepare
    const shop = await memoryShop();
    const referrer = await shop.member();

    // Act
    await shop.service.signUp(
      shop.program.programId,
      camille({ referralCode: referrer.referralCode }),
      visitor,
    );

    // Assess
    const memberId = await shop.repos.members.idByEmailHash(
      shop.program.programId,
      emailHash("camille@example.com"),
    );
    expect((await shop.stored(memberId ?? "")).referredBy).toBe(referrer.memberId);
  });

  it(`sends at most ${PUBLIC_LIMITS.emailsPerAddressPerDay} emails a day to one address, answering the same beyond`, async () => {
    // Prepare
    const shop = await memoryShop();
    const tries = PUBLIC_LIMITS.emailsPerAddressPerDay + 2;

    // Act
    const outcomes: string[] = [];
    for (let i = 0; i < tries; i++)
      outcomes.push(await shop.service.signUp(shop.program.programId, camille(), { ip: `198.51.100.${i}` }));
    shop.clock.set(new Date(Date.parse(NOW) + 24 * 3600 * 1000));
    const nextDay = await shop.service.signUp(shop.program.programId, camille(), visitor);

    // Assess
    expect(outcomes).toEqual([
      "enrolled",
      ...Array(PUBLIC_LIMITS.emailsPerAddressPerDay - 1).fill("card_link_sent"),
      "address_limited",
      "address_limited",
    ]);
    expect(nextDay).toBe("card_link_sent");
    expect(shop.repos.mail.emails()).toHaveLength(PUBLIC_LIMITS.emailsPerAddressPerDay + 1);
  });

  it(`refuses more than ${PUBLIC_LIMITS.perIpPerHour} sign-ups an hour from one address with a retry time`, async () => {
    // Prepare
    const shop = await memoryShop();
    for (let i = 0; i < PUBLIC_LIMITS.perIpPerHour; i++)
      await shop.service.signUp(shop.program.programId, camille({ email: `c${i}@example.com` }), visitor);

    // Act
    const limited = await shop.service
      .signUp(shop.program.programId, camille({ email: "late@example.com" }), visitor)
      .catch((error: unknown) => error);
    const otherAddress = await shop.service.signUp(
      shop.program.programId,
      camille({ email: "late@example.com" }),
      { ip: "2001:db8::1" },
    );

    // Assess
    expect(limited).toMatchObject({ kind: "rate_limited", code: "too_many_sign_ups" });
    expect((limited as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds).toBeGreaterThan(
      0,
    );
    expect(otherAddress).toBe("enrolled");
  });

  it("answers 404 for a program that does not exist", async () => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const refused = await rejection(() => shop.service.signUp("prg_0000000000000000", camille(), visitor));

    // Assess
    expect(refused).toEqual({ kind: "not_found", code: "program_not_found" });
  });
});

describe("emailing a card link again", () => {
  it("sends a member's card link to its address, in the language asked", async () => {
    // Prepare
    const shop = await memoryShop();
    const { member } = await shop.enroll({ email: "dana@example.com", sendEmail: false });

    // Act
    const outcome = await shop.service.sendCardLink(
      shop.program.programId,
      { email: "DANA@example.com", locale: "de" },
      visitor,
    );

    // Assess
    expect(outcome).toBe("card_link_sent");
    expect(shop.repos.mail.emails()).toEqual([
      expect.objectContaining({
        memberId: member.memberId,
        to: "DANA@example.com",
        locale: "de",
        kind: "card_link",
      }),
    ]);
  });

  it("sends nothing to an address that is not a member", async () => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const outcome = await shop.service.sendCardLink(
      shop.program.programId,
      { email: "nobody@example.com" },
      visitor,
    );

    // Assess
    expect(outcome).toBe("not_a_member");
    expect(shop.repos.mail.emails()).toEqual([]);
  });
});

describe("staff enrollment's email", () => {
  it("writes the welcome email with the member unless the merchant says not to", async () => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const told = await shop.enroll({ email: "eve@example.com", locale: "es" });
    await shop.enroll({ email: "imported@example.com", sendEmail: false });

    // Assess
    expect(shop.repos.mail.emails()).toEqual([
      expect.objectContaining({ memberId: told.member.memberId, to: "eve@example.com", locale: "es" }),
    ]);
  });

  it("emails the new card link when the card is reissued, in the same commit as the reissue", async () => {
    // Prepare
    const shop = await memoryShop();
    const { member } = await shop.enroll({ email: "fay@example.com", locale: "fr-FR", sendEmail: false });

    // Act
    await shop.service.reissueCard(shop.program.programId, member.memberId);

    // Assess
    const commit = shop.commits.at(-1);
    expect(commit?.result.kind).toBe("committed");
    expect(commit?.writes.filter((w) => w.kind === "email")).toHaveLength(1);
    expect(shop.repos.mail.emails()).toEqual([
      expect.objectContaining({
        memberId: member.memberId,
        to: "fay@example.com",
        locale: "fr-FR",
        kind: "card_link",
        reason: "reissued",
      }),
    ]);
  });
});
