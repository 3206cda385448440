import { describe, expect, it } from "vitest";
import { memberView } from "../../../functions/api/member-view.js";
import { emailHash } from "../../../functions/app/loyalty/index.js";
import { isValidCardCode, REFERRAL_CODE_PATTERN } from "../../../functions/shared/codes.js";
import { memoryShop, NOW, rejection } from "../../support/memory-shop.js";

describe("enrollment", () => {
  it("makes a member with a valid card code and a referral code, and answers it as the merchant API shows it", async () => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const read = await shop.service.enroll(shop.program.programId, {
      email: "Camille@Example.com",
      firstName: "Camille",
      lastName: "Martin",
      marketingConsent: true,
    });

    // Assess
    const { memberId, cardCode, referralCode } = read.member;
    expect(memberId).toMatch(/^mbr_[0-9a-z]{16}$/);
    expect(isValidCardCode(cardCode)).toBe(true);
    expect(referralCode).toMatch(REFERRAL_CODE_PATTERN);
    expect(read.asOf).toEqual(new Date(NOW));
    expect(read.profile).toEqual({
      memberId,
      programId: shop.program.programId,
      email: "Camille@Example.com",
      firstName: "Camille",
      lastName: "Martin",
      locale: "en",
      marketingConsent: true,
      enrolledAt: NOW,
      enrolledVia: "staff",
    });
    expect(memberView(read)).toEqual({
      memberId,
      programId: shop.program.programId,
      status: "active",
      cardCode,
      cardUrl: `https://carnet.test/c/${shop.program.programId}.${memberId}.0`,
      referralCode,
      email: "Camille@Example.com",
      firstName: "Camille",
      lastName: "Martin",
      points: 0,
      stamps: {},
      stampCards: [{ category: "coffee", stamps: 0, stampsRequired: 3, rewardTitle: "A free coffee" }],
      tier: null,
      windowSpendCents: 0,
      vouchers: [],
      offers: [],
      stores: { onCard: read.member.passStoreIds ?? [], favourites: [] },
      pointsExpiring: null,
      expiringSoon: false,
      card: { validUntil: null, expired: false, renewalDue: false },
      purchases: 0,
      lastPurchaseAt: null,
      enrolledAt: NOW,
      version: 1,
      history: { items: [] },
    });
  });

  it("stores the member, findable by its email (any case), card code and referral code", async () => {
    // Prepare
    const shop = await memoryShop();
    const { programId } = shop.program;

    // Act
    const { member } = await shop.enroll({ email: "dana@example.com" });

    // Assess
    const { members } = shop.repos;
    expect(await members.idByEmailHash(programId, emailHash("  DANA@example.COM "))).toBe(member.memberId);
    expect(await members.idByCardCode(programId, member.cardCode)).toBe(member.memberId);
    expect(await members.idByReferralCode(programId, member.referralCode)).toBe(member.memberId);
    expect(await shop.stored(member.memberId)).toMatchObject({
      points: 0,
      version: 1,
      devices: 0,
      passUpdatedAt: Date.parse(NOW) / 1000,
      enrolledAt: NOW,
    });
  });

  it("gives a card valid for the program's card months, ending on the day in the program's time zone", async () => {
    // Prepare: 11:00 UTC on 10 March is 10 March in Paris
    const shop = await memoryShop({ rules: { validity: { cardMonths: 12 } } });

    // Act
    const { member } = await shop.enroll();

    // Assess
    expect(member.validUntil).toBe("2027-03-10");
  });

  it("takes the profile's locale, else the program's", async () => {
    // Prepare
    const shop = await memoryShop({ settings: { locale: "fr-FR" } });

    // Act
    const given = await shop.enroll({ locale: "de-DE" });
    const defaulted = await shop.enroll();

    // Assess
    expect([given.profile?.locale, defaulted.profile?.locale]).toEqual(["de-DE", "fr-FR"]);
  });

  it("refuses an email already enrolled, whatever its case, with the member's id and nothing written", async () => {
    // Prepare
    const shop = await memoryShop();
    const first = await shop.enroll({ email: "camille@example.com" });

    // Act
    const again = shop.enroll({ email: " CAMILLE@example.com" });

    // Assess
    await expect(again).rejects.toMatchObject({
      kind: "conflict",
      code: "member_already_enrolled",
      details: { memberId: first.member.memberId },
    });
    expect(
      await shop.repos.members.idByEmailHash(shop.program.programId, emailHash("camille@example.com")),
    ).toBe(first.member.memberId);
  });

  it("records who referred the member, from their referral code typed leniently", async () => {
    // Prepare
    const shop = await memoryShop();
    const referrer = await shop.member();

    // Act: lower case, with a dash, O for 0 and I/L for 1
    const typed = referrer.referralCode.toLowerCase().replace(/0/g, "o").replace(/1/g, "l");
    const { member } = await shop.enroll({ referralCode: `${typed.slice(0, 4)}-${typed.slice(4)}` });

    // Assess
    expect(member.referredBy).toBe(referrer.memberId);
    expect(member.referralPending).toBe(true);
  });

  it.each([
    ["an unknown code", () => "ZZZZZZZZ"],
    ["a malformed code", () => "not a code"],
  ])("refuses %s as unknown_referral_code", async (_what, code) => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const refused = await rejection(() => shop.enroll({ referralCode: code() }));

    // Assess
    expect(refused).toEqual({ kind: "validation", code: "unknown_referral_code" });
  });

  it("refuses another program's referral code", async () => {
    // Prepare
    const shop = await memoryShop();
    const referrer = await shop.member();
    const other = await shop.openProgram({});

    // Act
    const refused = await rejection(() => other.enroll({ referralCode: referrer.referralCode }));

    // Assess
    expect(refused.code).toBe("unknown_referral_code");
  });

  it("refuses an unknown program", async () => {
    // Prepare
    const shop = await memoryShop();

    // Act
    const refused = await rejection(() =>
      shop.service.enroll("prg_0000000000000000", { email: "new@example.com", marketingConsent: false }),
    );

    // Assess
    expect(refused).toEqual({ kind: "not_found", code: "program_not_found" });
  });
});
