import { describe, expect, it } from "vitest";
import type { MemberOffer, Voucher } from "../../../functions/domain/loyalty/member.js";
import { appleCardContent, groupedCode } from "../../../functions/domain/pass/apple-card.js";
import {
  googleClassId,
  googleLoyaltyClass,
  googleLoyaltyObject,
  googleObjectId,
  MAX_GOOGLE_LOCATIONS,
  MAX_GOOGLE_MESSAGES,
  TEXT_MODULE_BODY_MAX,
  TEXT_MODULE_HEADER_MAX,
} from "../../../functions/domain/pass/google-card.js";
import { lumiereProgram, newMember, twoRewards } from "../loyalty/fixtures.js";

const NOW = new Date("2026-06-15T10:00:00Z");
const ISSUER = "3388000000022222222";
const LOGO = "https://cdn.carnet.example/logo.png";

const programOf = (input: Record<string, unknown> = {}) => lumiereProgram(input, NOW);

const memberOf = (program: ReturnType<typeof programOf>) => newMember(program, "2026-06-01T10:00:00Z");

const voucher = (n: number, extra: Partial<Voucher> = {}): Voucher => ({
  voucherId: `vch_${String(n).padStart(16, "0")}`,
  title: `Voucher ${n}`,
  kind: "amount",
  valueCents: 500,
  source: "reward",
  sourceId: "five",
  issuedAt: NOW.toISOString(),
  validTo: "2026-09-13",
  ...extra,
});

const store = (i: number) => ({
  storeId: `sto_${String(i).padStart(16, "0")}`,
  name: `Store ${i}`,
  latitude: 48 + i / 100,
  longitude: 2 + i / 100,
});

const offer = (n: number, extra: Partial<MemberOffer> = {}): MemberOffer => ({
  offerId: `off_${String(n).padStart(16, "0")}`,
  title: `Offer ${n}`,
  description: "Every pastry earns twice the points.",
  validFrom: "2026-06-10",
  validTo: "2026-06-30",
  assignedAt: "2026-06-10T08:00:00.000Z",
  ...extra,
});

const objectOf = (
  program: ReturnType<typeof programOf>,
  member: ReturnType<typeof memberOf>,
  extra: Partial<Parameters<typeof googleLoyaltyObject>[0]> = {},
) => googleLoyaltyObject({ program, member, stores: [], now: NOW, issuerId: ISSUER, ...extra });

const moduleOf = (object: ReturnType<typeof googleLoyaltyObject>, id: string) =>
  object.textModulesData?.find((m) => m.id === id);

describe("Google Wallet ids", () => {
  it("names a program's class and a member's object after the issuer, the card generation after a reissue", () => {
    expect(googleClassId(ISSUER, "prg_00000000000000pp")).toBe(`${ISSUER}.prg_00000000000000pp`);
    expect(googleObjectId(ISSUER, "mbr_0000000000000001", 0)).toBe(`${ISSUER}.mbr_0000000000000001`);
    expect(googleObjectId(ISSUER, "mbr_0000000000000001", 3)).toBe(`${ISSUER}.mbr_0000000000000001-g3`);
  });

  it.each([
    ["an issuer id that is not digits", () => googleClassId("33880abc", "prg_1")],
    ["an empty issuer id", () => googleObjectId("", "mbr_1", 0)],
    ["a suffix with a slash", () => googleClassId(ISSUER, "prg/1")],
    ["a suffix with a space", () => googleObjectId(ISSUER, "mbr 1", 0)],
    ["a negative generation", () => googleObjectId(ISSUER, "mbr_1", -1)],
  ])("refuses %s", (_, make) => {
    expect(make).toThrow(Error);
  });
});

describe("the Google loyalty class of a program", () => {
  it("carries the program's names, logo, colour, and a personal card under review", () => {
    const program = programOf({ branding: { backgroundColor: "#0A1B2C" } });
    const loyaltyClass = googleLoyaltyClass({ program, issuerId: ISSUER, logoUri: LOGO });
    expect(loyaltyClass).toMatchObject({
      id: `${ISSUER}.prg_00000000000000pp`,
      issuerName: "Café Lumière",
      programName: "Lumière",
      hexBackgroundColor: "#0a1b2c",
      reviewStatus: "UNDER_REVIEW",
      multipleDevicesAndHoldersAllowedStatus: "ONE_USER_ALL_DEVICES",
    });
    expect(loyaltyClass.programLogo?.sourceUri?.uri).toBe(LOGO);
    expect(loyaltyClass.programLogo?.contentDescription?.defaultValue).toEqual({
      language: "en",
      value: "Lumière logo",
    });
    expect(loyaltyClass.homepageUri).toBeUndefined();
    expect(loyaltyClass.linksModuleData).toBeUndefined();
  });

  it("speaks a French program's language by default, with Carnet's other languages as translations", () => {
    const program = programOf({
      locale: "fr-FR",
      rules: { stamps: { cards: [{ category: "café", stampsRequired: 5, rewardTitle: "Un café" }] } },
    });
    const loyaltyClass = googleLoyaltyClass({ program, issuerId: ISSUER, logoUri: LOGO });
    expect(loyaltyClass.localizedAccountIdLabel).toEqual({
      defaultValue: { language: "fr", value: "Numéro de carte" },
      translatedValues: [
        { language: "en", value: "Card number" },
        { language: "de", value: "Kartennummer" },
        { language: "es", value: "Número de tarjeta" },
      ],
    });
    expect(loyaltyClass.localizedAccountNameLabel?.defaultValue).toEqual({ language: "fr", value: "MEMBRE" });
    expect(loyaltyClass.programLogo?.contentDescription?.translatedValues).toEqual([
      { language: "en", value: "Lumière logo" },
      { language: "de", value: "Lumière-Logo" },
      { language: "es", value: "Logo de Lumière" },
    ]);
    const [terms, ...others] = loyaltyClass.textModulesData ?? [];
    expect(others).toEqual([]);
    expect(terms?.id).toBe("terms");
    expect(terms?.localizedHeader?.defaultValue).toEqual({ language: "fr", value: "Comment ça marche" });
    expect(terms?.localizedHeader?.translatedValues?.map((v) => v.language)).toEqual(["en", "de", "es"]);
    expect(terms?.localizedBody?.defaultValue?.value).toBe(
      [
        "1 point par EUR 1 dépensé.",
        "café : 5 tampons donnent Un café.",
        "Cette carte est personnelle et ne peut pas être partagée.",
      ].join("\n"),
    );
    expect(terms?.localizedBody?.translatedValues?.[0]?.value).toContain("Earn 1 point per EUR 1 spent.");
  });

  it("writes the same terms as the Apple card's back, in every language", () => {
    const rules = {
      earn: { minimumBasketCents: 300 },
      rewards: {
        catalogue: [
          { rewardId: "cake", title: "Cake", pointsCost: 50, voucher: { kind: "gift", description: "Cake" } },
        ],
      },
      expiry: { months: 12 },
    };
    for (const locale of ["en", "fr", "de", "es"]) {
      const program = programOf({ locale, rules });
      const apple = appleCardContent({ program, member: memberOf(program), stores: [], now: NOW });
      const terms = googleLoyaltyClass({ program, issuerId: ISSUER, logoUri: LOGO }).textModulesData?.[0];
      expect(terms?.localizedBody?.defaultValue).toEqual({
        language: locale,
        value: apple.backFields.find((f) => f.key === "terms")?.value,
      });
    }
  });

  it("falls back to English for a language Carnet does not speak", () => {
    const program = programOf({ locale: "ja-JP" });
    const loyaltyClass = googleLoyaltyClass({ program, issuerId: ISSUER, logoUri: LOGO });
    expect(loyaltyClass.localizedAccountIdLabel?.defaultValue).toEqual({
      language: "en",
      value: "Card number",
    });
    expect(loyaltyClass.localizedAccountIdLabel?.translatedValues?.map((v) => v.language)).toEqual([
      "fr",
      "de",
      "es",
    ]);
  });

  it("links the program's website as its home page, its email and phone as links", () => {
    const program = programOf({
      contact: {
        email: "hello@lumiere.example",
        phone: "+33 1 23-45-67 89",
        website: "https://lumiere.example/",
      },
    });
    const loyaltyClass = googleLoyaltyClass({ program, issuerId: ISSUER, logoUri: LOGO });
    expect(loyaltyClass.homepageUri).toMatchObject({ id: "website", uri: "https://lumiere.example/" });
    expect(loyaltyClass.homepageUri?.localizedDescription?.defaultValue?.value).toBe("Website");
    expect(loyaltyClass.linksModuleData?.uris?.map((u) => [u.id, u.uri])).toEqual([
      ["email", "mailto:hello@lumiere.example"],
      ["phone", "tel:+33123456789"],
    ]);
  });
});

describe("the Google loyalty object of a member", () => {
  it("shows a points program's balance, the card number and holder, the barcode, and no stores", () => {
    const program = programOf();
    const member = { ...memberOf(program), points: 120 };
    const object = objectOf(program, member, { holderName: "Ada Lovelace" });
    expect(object).toMatchObject({
      id: `${ISSUER}.${member.memberId}`,
      classId: `${ISSUER}.prg_00000000000000pp`,
      state: "ACTIVE",
      accountId: "4539 1488 0343 6467",
      accountName: "Ada Lovelace",
      loyaltyPoints: {
        label: "POINTS",
        localizedLabel: { defaultValue: { language: "en", value: "POINTS" } },
        balance: { int: 120 },
      },
      barcode: { type: "QR_CODE", value: "4539148803436467", alternateText: "4539 1488 0343 6467" },
      merchantLocations: [],
      messages: [],
    });
    expect(object.secondaryLoyaltyPoints).toBeUndefined();
    expect(object.validTimeInterval).toBeUndefined();
    expect(object.textModulesData?.map((m) => [m.id, m.header, m.body])).toEqual([
      ["vouchers", "Your vouchers", "No vouchers right now."],
      ["expiring", "Points expiring next", "None"],
      ["valid-until", "Card valid until", "No end date"],
    ]);
  });

  it("names the object after the card generation", () => {
    const program = programOf();
    const member = { ...memberOf(program), passAuthGeneration: 3 };
    expect(objectOf(program, member).id).toBe(`${ISSUER}.${member.memberId}-g3`);
  });

  it("shows the first stamp card in front when the branding asks for stamps, the points second", () => {
    const program = programOf({
      branding: { cardFront: "stamps" },
      rules: {
        stamps: {
          cards: [
            { category: "coffee", stampsRequired: 10, rewardTitle: "A coffee" },
            { category: "cake", stampsRequired: 6, rewardTitle: "A cake" },
          ],
        },
      },
    });
    const member = { ...memberOf(program), points: 42, stamps: { coffee: 3, cake: 5 } };
    const object = objectOf(program, member);
    expect(object.loyaltyPoints).toMatchObject({ label: "COFFEE STAMPS", balance: { string: "3 / 10" } });
    expect(object.secondaryLoyaltyPoints).toMatchObject({ label: "POINTS", balance: { int: 42 } });
    expect(moduleOf(object, "stamps-1")).toEqual({ id: "stamps-1", header: "CAKE STAMPS", body: "5 / 6" });
    expect(moduleOf(object, "stamps-0")).toBeUndefined();
    expect(moduleOf(object, "points")).toBeUndefined();
  });

  it("shows the first stamp card second in a points program", () => {
    const program = programOf({
      rules: { stamps: { cards: [{ category: "coffee", stampsRequired: 5, rewardTitle: "A coffee" }] } },
    });
    const member = { ...memberOf(program), stamps: { coffee: 4 } };
    const object = objectOf(program, member);
    expect(object.loyaltyPoints?.balance).toEqual({ int: 0 });
    expect(object.secondaryLoyaltyPoints).toMatchObject({
      label: "COFFEE STAMPS",
      balance: { string: "4 / 5" },
    });
    expect(object.textModulesData?.some((m) => m.id?.startsWith("stamps"))).toBe(false);
  });

  it("shows the tier second, moving what it displaces to the details", () => {
    const program = programOf({
      branding: { cardFront: "stamps" },
      rules: {
        stamps: { cards: [{ category: "coffee", stampsRequired: 5, rewardTitle: "A coffee" }] },
        tiers: {
          levels: [
            { tierId: "silver", name: "Silver", entrySpendCents: 100 },
            { tierId: "gold", name: "Gold", entrySpendCents: 1000 },
          ],
        },
      },
    });
    const member = { ...memberOf(program), points: 7, tierId: "gold", stamps: { coffee: 2 } };
    const object = objectOf(program, member);
    expect(object.loyaltyPoints).toMatchObject({ label: "COFFEE STAMPS", balance: { string: "2 / 5" } });
    expect(object.secondaryLoyaltyPoints).toEqual({
      label: "TIER",
      localizedLabel: { defaultValue: { language: "en", value: "TIER" } },
      balance: { string: "Gold" },
    });
    expect(moduleOf(object, "points")).toEqual({ id: "points", header: "POINTS", body: "7" });
    expect(moduleOf(object, "tier")).toBeUndefined();

    // A member without a tier (or who lost it) shows "None": a PATCH would keep a tier left out.
    const tierless = objectOf(program, { ...member, tierId: null });
    expect(tierless.secondaryLoyaltyPoints).toMatchObject({ label: "TIER", balance: { string: "None" } });
    expect(moduleOf(tierless, "points")).toEqual({ id: "points", header: "POINTS", body: "7" });
  });

  it("lists the vouchers in the details and as messages that end with each voucher", () => {
    const program = programOf();
    const member = {
      ...memberOf(program),
      vouchers: [
        voucher(1, { title: "5 EUR off", validTo: "2026-09-13" }),
        voucher(2, {
          title: "A cake",
          kind: "gift",
          valueCents: undefined,
          description: "Any cake of the day",
          validTo: "2026-07-01",
        }),
      ],
    };
    const object = objectOf(program, member);
    expect(moduleOf(object, "vouchers")?.body).toBe(
      "5 EUR off (EUR 5.00), valid until 2026-09-13\nA cake, valid until 2026-07-01",
    );
    expect(object.messages).toEqual([
      {
        id: "vch_0000000000000002",
        header: "A cake",
        body: "Any cake of the day\nValid until 2026-07-01",
        messageType: "TEXT",
        displayInterval: { end: { date: "2026-07-01T22:00:00.000Z" } },
      },
      {
        id: "vch_0000000000000001",
        header: "5 EUR off",
        body: "EUR 5.00\nValid until 2026-09-13",
        messageType: "TEXT",
        displayInterval: { end: { date: "2026-09-13T22:00:00.000Z" } },
      },
    ]);
  });

  it("keeps at most 10 messages, the vouchers lapsing soonest, and never notifies through them", () => {
    const program = programOf();
    const vouchers = Array.from({ length: 14 }, (_, i) =>
      voucher(i + 1, { validTo: `2026-08-${String(28 - i).padStart(2, "0")}` }),
    );
    const object = objectOf(program, { ...memberOf(program), vouchers });
    expect(object.messages).toHaveLength(10);
    expect(object.messages?.[0]?.id).toBe("vch_0000000000000014");
    expect(object.messages?.every((m) => m.messageType === "TEXT")).toBe(true);
    expect([...(moduleOf(object, "vouchers")?.body ?? "")].length).toBeLessThanOrEqual(TEXT_MODULE_BODY_MAX);
    expect(moduleOf(object, "vouchers")?.body).toMatch(/\n…$/);
  });

  it("puts the live offers first in the messages, shown from their first day to the end of their last", () => {
    // Prepare: a personal offer, an offer ending sooner, one not live yet, and a voucher
    const program = programOf();
    const member = {
      ...memberOf(program),
      offers: [
        offer(1, { validTo: "2026-06-20" }),
        offer(2, { forYou: true, title: "Your pastries", description: "Half price on croissants." }),
        offer(3, { validFrom: "2026-06-16" }),
      ],
      vouchers: [voucher(1, { title: "5 EUR off", validTo: "2026-06-18" })],
    };

    // Act
    const english = objectOf(program, member);
    const french = objectOf(program, member, { locale: "fr-FR" });

    // Assess
    expect(english.messages).toEqual([
      {
        id: "off_0000000000000002",
        header: "Your pastries",
        body: "For you\nHalf price on croissants.",
        messageType: "TEXT",
        displayInterval: {
          start: { date: "2026-06-09T22:00:00.000Z" },
          end: { date: "2026-06-30T22:00:00.000Z" },
        },
      },
      {
        id: "off_0000000000000001",
        header: "Offer 1",
        body: "Every pastry earns twice the points.",
        messageType: "TEXT",
        displayInterval: {
          start: { date: "2026-06-09T22:00:00.000Z" },
          end: { date: "2026-06-20T22:00:00.000Z" },
        },
      },
      {
        id: "vch_0000000000000001",
        header: "5 EUR off",
        body: "EUR 5.00\nValid until 2026-06-18",
        messageType: "TEXT",
        displayInterval: { end: { date: "2026-06-18T22:00:00.000Z" } },
      },
    ]);
    expect(french.messages?.[0]?.body).toBe("Pour vous\nHalf price on croissants.");
  });

  it(`keeps at most ${MAX_GOOGLE_MESSAGES} messages, offers before vouchers, never notifying through them`, () => {
    // Prepare
    const program = programOf();
    const member = {
      ...memberOf(program),
      offers: Array.from({ length: 4 }, (_, i) => offer(i + 1)),
      vouchers: Array.from({ length: 8 }, (_, i) => voucher(i + 1, { validTo: `2026-07-0${i + 1}` })),
    };

    // Act
    const object = objectOf(program, member);

    // Assess
    expect(object.messages?.map((m) => m.id)).toEqual([
      ...[1, 2, 3, 4].map((n) => `off_${String(n).padStart(16, "0")}`),
      ...[1, 2, 3, 4, 5, 6].map((n) => `vch_${String(n).padStart(16, "0")}`),
    ]);
    expect(object.messages?.every((m) => m.messageType === "TEXT")).toBe(true);
  });

  it("tells how far the next reward is, as the Apple card does", () => {
    const program = programOf({ rules: twoRewards });
    for (const points of [0, 20, 60, 250]) {
      const member = { ...memberOf(program), points };
      const apple = appleCardContent({ program, member, stores: [], now: NOW });
      expect(moduleOf(objectOf(program, member), "next-reward")?.body).toBe(
        apple.secondaryFields.find((f) => f.key === "next-reward")?.value,
      );
    }
    expect(moduleOf(objectOf(program, { ...memberOf(program), points: 20 }), "next-reward")).toEqual({
      id: "next-reward",
      header: "NEXT REWARD",
      body: "Cake in 30 points",
    });
  });

  it("ends its validity at the same instant as the Apple card, and is expired once that day has passed", () => {
    const program = programOf({ rules: { validity: { cardMonths: 12 } } });
    const member = {
      ...memberOf(program),
      validUntil: "2026-06-14",
      lots: [{ expiresOn: "2026-12-31", points: 5 }],
    };
    const object = objectOf(program, member);
    const apple = appleCardContent({ program, member, stores: [], now: NOW });
    expect(object.validTimeInterval).toEqual({ end: { date: apple.expirationDate } });
    expect(object.validTimeInterval?.end?.date).toBe("2026-06-14T22:00:00.000Z");
    expect(object.state).toBe("EXPIRED");
    expect(moduleOf(object, "valid-until")?.body).toBe("2026-06-14");
    expect(moduleOf(object, "expiring")?.body).toBe("5 points after 2026-12-31");

    // Still its last day in Paris at 23:30 local time (21:30 UTC).
    const lastDay = objectOf(
      program,
      { ...member, validUntil: "2026-06-15" },
      {
        now: new Date("2026-06-15T21:30:00Z"),
      },
    );
    expect(lastDay.state).toBe("ACTIVE");
    // Past midnight in Paris, still the 15th in UTC.
    const dayAfter = objectOf(
      program,
      { ...member, validUntil: "2026-06-15" },
      {
        now: new Date("2026-06-15T22:30:00Z"),
      },
    );
    expect(dayAfter.state).toBe("EXPIRED");
  });

  it("is expired once the member is erased, and clears the holder's name", () => {
    const program = programOf();
    const member = { ...memberOf(program), status: "erased" as const };
    const object = objectOf(program, member, { holderName: "Ada Lovelace" });
    expect(object.state).toBe("EXPIRED");
    expect(object.accountName).toBe("");
  });

  it(`lights up near at most ${MAX_GOOGLE_LOCATIONS} stores`, () => {
    const program = programOf();
    const stores = Array.from({ length: 12 }, (_, i) => store(i));
    const object = objectOf(program, memberOf(program), { stores });
    expect(object.merchantLocations).toHaveLength(MAX_GOOGLE_LOCATIONS);
    expect(object.merchantLocations?.[9]).toEqual({ latitude: 48.09, longitude: 2.09 });
  });

  it.each([
    ["qr", "QR_CODE"],
    ["pdf417", "PDF_417"],
    ["code128", "CODE_128"],
  ])("draws the card code as the program's barcode format (%s)", (format, type) => {
    const program = programOf({ branding: { barcodeFormat: format } });
    const member = memberOf(program);
    expect(objectOf(program, member).barcode).toEqual({
      type,
      value: member.cardCode,
      alternateText: groupedCode(member.cardCode),
    });
  });

  it.each(["__proto__", "constructor", "toString"])(
    "renders a stamp category named %s like any other",
    (name) => {
      const program = programOf({
        rules: {
          stamps: {
            cards: [
              { category: "coffee", stampsRequired: 5, rewardTitle: "A coffee" },
              { category: name, stampsRequired: 4, rewardTitle: "A gift" },
            ],
          },
        },
      });
      const stamps = Object.fromEntries([
        ["coffee", 1],
        [name, 3],
      ]);
      const object = objectOf(program, { ...memberOf(program), stamps });
      expect(moduleOf(object, "stamps-1")).toEqual({
        id: "stamps-1",
        header: `${name} stamps`.toUpperCase(),
        body: "3 / 4",
      });
      const empty = objectOf(program, { ...memberOf(program), stamps: {} });
      expect(moduleOf(empty, "stamps-1")?.body).toBe("0 / 4");
    },
  );

  it("keeps at most 10 text modules with unique ids, folding the stamp cards that do not fit into one", () => {
    const cards = Array.from({ length: 20 }, (_, i) => ({
      category: `category number ${i} with a long name`.slice(0, 40),
      stampsRequired: 5,
      rewardTitle: "A gift",
    }));
    const rules = {
      stamps: { cards },
      rewards: {
        catalogue: [
          { rewardId: "cake", title: "Cake", pointsCost: 50, voucher: { kind: "gift", description: "Cake" } },
        ],
      },
      tiers: { levels: [{ tierId: "gold", name: "Gold", entrySpendCents: 100 }] },
    };
    for (const count of [1, 3, 6, 7, 8, 20]) {
      for (const cardFront of ["points", "stamps"]) {
        const program = programOf({
          branding: { cardFront },
          rules: { ...rules, stamps: { cards: cards.slice(0, count) } },
        });
        const object = objectOf(program, {
          ...memberOf(program),
          tierId: "gold",
          stamps: { "category number 2 with a long name": 2 },
        });
        const ids = object.textModulesData?.map((m) => m.id) ?? [];
        expect(ids.length, `${count} ${cardFront}`).toBeLessThanOrEqual(10);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
        for (const m of object.textModulesData ?? []) {
          expect([...(m.header ?? "")].length).toBeLessThanOrEqual(TEXT_MODULE_HEADER_MAX);
        }
      }
    }
    const program = programOf({ rules });
    const object = objectOf(program, {
      ...memberOf(program),
      tierId: "gold",
      stamps: { [cards[2]?.category ?? ""]: 2 },
    });
    const folded = moduleOf(object, "stamps");
    expect(folded?.header).toBe("Stamp cards");
    const lines = folded?.body?.split("\n") ?? [];
    expect(lines[0]).toBe("category number 0 with a long name: 0 / 5");
    expect(lines[2]).toBe("category number 2 with a long name: 2 / 5");
    expect(lines.at(-1)).toBe("…");
  });

  it("cuts a text module's header to Google's recommended 35 characters", () => {
    const category = "a very long stamp category name, 40 chr";
    const program = programOf({
      branding: { cardFront: "stamps" },
      rules: {
        stamps: {
          cards: [
            { category: "coffee", stampsRequired: 5, rewardTitle: "A coffee" },
            { category, stampsRequired: 5, rewardTitle: "A gift" },
          ],
        },
      },
    });
    const header = moduleOf(objectOf(program, memberOf(program)), "stamps-1")?.header ?? "";
    expect([...header].length).toBe(TEXT_MODULE_HEADER_MAX);
    expect(header).toBe("A VERY LONG STAMP CATEGORY NAME, 4…");
  });

  it("speaks the member's language, else the program's", () => {
    const program = programOf({
      locale: "fr-FR",
      rules: { stamps: { cards: [{ category: "café", stampsRequired: 5, rewardTitle: "Un café" }] } },
    });
    const member = { ...memberOf(program), vouchers: [voucher(1)] };
    const french = objectOf(program, member);
    expect(french.loyaltyPoints?.localizedLabel).toEqual({
      defaultValue: { language: "fr", value: "POINTS" },
    });
    expect(french.secondaryLoyaltyPoints?.label).toBe("TAMPONS CAFÉ");
    expect(moduleOf(french, "valid-until")).toEqual({
      id: "valid-until",
      header: "Carte valable jusqu'au",
      body: "Sans date de fin",
    });
    expect(french.messages?.[0]?.body).toBe("EUR 5.00\nValable jusqu'au 2026-09-13");
    const german = objectOf(program, member, { locale: "de-AT" });
    expect(german.loyaltyPoints?.localizedLabel).toEqual({
      defaultValue: { language: "de", value: "PUNKTE" },
    });
    expect(moduleOf(german, "vouchers")?.header).toBe("Ihre Gutscheine");
  });

  it("is the same object for the same input (no clock read)", () => {
    const program = programOf({ rules: { validity: { cardMonths: 12 } } });
    const member = { ...memberOf(program), vouchers: [voucher(1)] };
    const a = JSON.stringify(objectOf(program, member, { stores: [store(1)] }));
    const b = JSON.stringify(objectOf(program, member, { stores: [store(1)] }));
    expect(a).toBe(b);
  });
});
