import { describe, expect, it } from "vitest";
import type { MemberOffer } from "../../../functions/domain/loyalty/member.js";
import {
  appleCardContent,
  groupedCode,
  MAX_PASS_BEACONS,
  MAX_PASS_LOCATIONS,
  PASS_MAX_DISTANCE_METRES,
  rgb,
} from "../../../functions/domain/pass/apple-card.js";
import { CARD_LANGUAGES } from "../../../functions/domain/pass/card-text.js";
import { lumiereProgram, newMember, twoRewards } from "../loyalty/fixtures.js";

const NOW = new Date("2026-06-15T10:00:00Z");

const programOf = (input: Record<string, unknown> = {}) => lumiereProgram(input, NOW);

/** Stamps, a reward, tiers and validity: every field a card can show. */
const everyMechanic = {
  stamps: { cards: [{ category: "coffee", stampsRequired: 5, rewardTitle: "A coffee" }] },
  rewards: {
    catalogue: [
      {
        rewardId: "cake",
        title: "Cake",
        pointsCost: 50,
        voucher: { kind: "gift", description: "Cake" },
      },
    ],
  },
  tiers: { levels: [{ tierId: "gold", name: "Gold", entrySpendCents: 100 }] },
  validity: { cardMonths: 12 },
};

const store = (i: number) => ({
  storeId: `sto_${String(i).padStart(16, "0")}`,
  name: `Store ${i}`,
  latitude: 48 + i / 100,
  longitude: 2,
});

const beacon = (i: number) => ({
  proximityUUID: "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0",
  major: 1,
  minor: i,
});

const offer = (offerId: string, extra: Partial<MemberOffer> = {}): MemberOffer => ({
  offerId,
  title: "Double points",
  description: "Every pastry earns twice the points.",
  validFrom: "2026-06-10",
  validTo: "2026-06-30",
  assignedAt: "2026-06-10T08:00:00.000Z",
  ...extra,
});

const fieldsOf = (content: ReturnType<typeof appleCardContent>) => [
  ...content.headerFields,
  ...content.primaryFields,
  ...content.secondaryFields,
  ...content.auxiliaryFields,
  ...content.backFields,
];

describe("the Apple store card of a member", () => {
  it("shows the balance in front, with a change message that names the new value", () => {
    // Prepare
    const program = programOf();
    const member = { ...newMember(program, "2026-06-01T10:00:00Z"), points: 120 };

    // Act
    const card = appleCardContent({ program, member, stores: [], now: NOW });

    // Assess
    expect(card.primaryFields).toEqual([
      { key: "points", label: "POINTS", value: 120, changeMessage: "You now have %@ points" },
    ]);
  });

  it("gives every field that can change a change message with %@", () => {
    const program = programOf({
      rules: everyMechanic,
    });
    const member = { ...newMember(program, "2026-06-01T10:00:00Z"), tierId: "gold" };
    const fields = fieldsOf(appleCardContent({ program, member, stores: [], now: NOW }));
    const staticKeys = new Set(["card-code", "terms", "contact", "holder"]);
    for (const field of fields) {
      if (staticKeys.has(field.key)) continue;
      expect(field.changeMessage, field.key).toContain("%@");
    }
    expect(fields.map((f) => f.key)).toEqual(
      expect.arrayContaining(["tier", "next-reward", "stamps-coffee", "vouchers"]),
    );
  });

  it("puts the first stamp card in front when the program's branding asks for stamps", () => {
    const program = programOf({
      branding: { cardFront: "stamps" },
      rules: {
        stamps: { cards: [{ category: "coffee", stampsRequired: 10, rewardTitle: "A coffee" }] },
      },
    });
    const member = { ...newMember(program, "2026-06-01T10:00:00Z"), stamps: { coffee: 7 } };
    const card = appleCardContent({ program, member, stores: [], now: NOW });
    expect(card.primaryFields[0]).toMatchObject({ key: "stamps-coffee", value: "7 / 10" });
    expect(card.auxiliaryFields[0]).toMatchObject({ key: "points" });
  });

  it("tells how far the next reward is, and when one is ready", () => {
    const program = programOf({ rules: twoRewards });
    const base = newMember(program, "2026-06-01T10:00:00Z");
    const at = (points: number) =>
      appleCardContent({ program, member: { ...base, points }, stores: [], now: NOW }).secondaryFields.find(
        (f) => f.key === "next-reward",
      )?.value;
    expect(at(20)).toBe("Cake in 30 points");
    expect(at(60)).toBe("Cake: ready to redeem");
    expect(at(250)).toBe("5 EUR off: ready to redeem");
  });

  it("expires with the card's validity, at the end of its last day in the program's time zone", () => {
    const program = programOf({ rules: { validity: { cardMonths: 12 } } });
    const member = { ...newMember(program, "2026-06-01T10:00:00Z"), validUntil: "2027-06-01" };
    const card = appleCardContent({ program, member, stores: [], now: NOW });
    expect(card.expirationDate).toBe("2027-06-01T22:00:00.000Z"); // midnight in Paris (UTC+2)
  });

  it("is voided once the member is erased, and never shareable", () => {
    const program = programOf();
    const member = { ...newMember(program, "2026-06-01T10:00:00Z"), status: "erased" as const };
    const card = appleCardContent({ program, member, stores: [], now: NOW });
    expect(card.voided).toBe(true);
    expect(card.sharingProhibited).toBe(true);
  });

  it(`lights up near at most ${MAX_PASS_LOCATIONS} stores, in order, each saying what matters there`, () => {
    // Prepare: an offer at store 2, the merchant's text at store 0, nothing at the others
    const program = programOf({ rules: everyMechanic });
    const member = {
      ...newMember(program, "2026-06-01T10:00:00Z"),
      points: 20,
      offers: [offer("off_1", { storeIds: [store(2).storeId] })],
    };
    const stores = [
      { ...store(0), relevantText: "Your coffee is waiting" },
      ...Array.from({ length: 14 }, (_, i) => store(i + 1)),
    ];

    // Act
    const card = appleCardContent({ program, member, stores, firstName: "Camille", now: NOW });

    // Assess
    expect(card.locations).toHaveLength(MAX_PASS_LOCATIONS);
    expect(card.locations.map((l) => l.latitude)).toEqual(stores.slice(0, 10).map((s) => s.latitude));
    expect(card.locations[0]?.relevantText).toBe("Your coffee is waiting");
    expect(card.locations[1]?.relevantText).toBe("Welcome back, Camille — 20 points, Cake at 50");
    expect(card.locations[2]?.relevantText).toBe("Double points: Every pastry earns twice the points.");
  });

  it(`lists the beacons of the stores that have one (at most ${MAX_PASS_BEACONS}), each with its store's text`, () => {
    // Prepare: 12 stores, every other one with a beacon, the first without a major or minor
    const program = programOf();
    const member = { ...newMember(program, "2026-06-01T10:00:00Z"), offers: [offer("off_1")] };
    const stores = Array.from({ length: 12 }, (_, i) =>
      i % 2 === 0
        ? { ...store(i), beacon: i === 0 ? { proximityUUID: beacon(0).proximityUUID } : beacon(i) }
        : store(i),
    );

    // Act
    const card = appleCardContent({ program, member, stores, now: NOW });
    const crowded = appleCardContent({
      program,
      member,
      stores: Array.from({ length: 12 }, (_, i) => ({ ...store(i), beacon: beacon(i) })),
      now: NOW,
    });

    // Assess: only the stores on the card (the first 10), and only those with a beacon
    expect(card.beacons).toEqual([
      { proximityUUID: beacon(0).proximityUUID, relevantText: card.locations[0]?.relevantText },
      ...[2, 4, 6, 8].map((i) => ({ ...beacon(i), relevantText: card.locations[i]?.relevantText })),
    ]);
    expect(card.beacons[0]?.relevantText).toBe("Double points: Every pastry earns twice the points.");
    expect(crowded.beacons).toHaveLength(MAX_PASS_BEACONS);
    expect(appleCardContent({ program, member, stores: [store(1)], now: NOW }).beacons).toEqual([]);
  });

  it(`is relevant within ${PASS_MAX_DISTANCE_METRES} m of a store: a shop, not a neighbourhood`, () => {
    // Prepare
    const program = programOf();
    const member = newMember(program, "2026-06-01T10:00:00Z");

    // Act
    const card = appleCardContent({ program, member, stores: [store(1)], now: NOW });

    // Assess
    expect(card.maxDistance).toBe(100);
  });

  it("lists the live offers on the back right after the vouchers, with their last day", () => {
    // Prepare
    const program = programOf();
    const member = {
      ...newMember(program, "2026-06-01T10:00:00Z"),
      offers: [
        offer("off_later", { title: "Later", validFrom: "2026-07-01", validTo: "2026-07-31" }),
        offer("off_long", { title: "Long", description: "All summer.", validTo: "2026-08-31" }),
        offer("off_short", { title: "Short", description: "This week.", validTo: "2026-06-20" }),
      ],
    };

    // Act
    const back = appleCardContent({ program, member, stores: [], now: NOW }).backFields;
    const none = appleCardContent({
      program,
      member: { ...member, offers: [] },
      stores: [],
      locale: "fr",
      now: NOW,
    }).backFields;

    // Assess
    const keys = back.map((f) => f.key);
    expect(keys.indexOf("offers")).toBe(keys.indexOf("vouchers-list") + 1);
    expect(back.find((f) => f.key === "offers")).toEqual({
      key: "offers",
      label: "Your offers",
      value: "Short — This week., until 2026-06-20\nLong — All summer., until 2026-08-31",
      changeMessage: "%@",
    });
    expect(none.find((f) => f.key === "offers")).toMatchObject({
      label: "Vos offres",
      value: "Aucune offre pour le moment.",
    });
  });

  it.each([
    ["qr", "PKBarcodeFormatQR"],
    ["pdf417", "PKBarcodeFormatPDF417"],
    ["code128", "PKBarcodeFormatCode128"],
  ])("draws the card code as the program's barcode format (%s)", (format, expected) => {
    const program = programOf({ branding: { barcodeFormat: format } });
    const member = newMember(program, "2026-06-01T10:00:00Z");
    const card = appleCardContent({ program, member, stores: [], now: NOW });
    expect(card.barcode).toEqual({
      format: expected,
      message: member.cardCode,
      messageEncoding: "iso-8859-1",
      altText: groupedCode(member.cardCode),
    });
  });

  it("takes its colours from the program's branding, in Wallet's rgb() syntax", () => {
    const program = programOf({
      branding: { backgroundColor: "#0a1B2c", foregroundColor: "#ffffff", labelColor: "#808080" },
    });
    const card = appleCardContent({
      program,
      member: newMember(program, "2026-06-01T10:00:00Z"),
      stores: [],
      now: NOW,
    });
    expect([card.backgroundColor, card.foregroundColor, card.labelColor]).toEqual([
      "rgb(10, 27, 44)",
      "rgb(255, 255, 255)",
      "rgb(128, 128, 128)",
    ]);
    expect(rgb("#000000")).toBe("rgb(0, 0, 0)");
  });

  it("lists vouchers and how to contact the merchant on the back", () => {
    const program = programOf({ contact: { email: "hello@lumiere.example", phone: "+33 1 23 45 67 89" } });
    const member = {
      ...newMember(program, "2026-06-01T10:00:00Z"),
      vouchers: [
        {
          voucherId: "vch_0000000000000001",
          title: "5 EUR off",
          kind: "amount" as const,
          valueCents: 500,
          source: "reward" as const,
          sourceId: "five",
          issuedAt: NOW.toISOString(),
          validTo: "2026-09-13",
        },
      ],
    };
    const back = appleCardContent({ program, member, stores: [], now: NOW }).backFields;
    expect(back.find((f) => f.key === "vouchers-list")?.value).toBe(
      "5 EUR off (EUR 5.00), valid until 2026-09-13",
    );
    expect(back.find((f) => f.key === "contact")?.value).toBe(
      "Email: hello@lumiere.example\nPhone: +33 1 23 45 67 89",
    );
  });

  it("speaks the program's language, and the member's own when their profile has one", () => {
    // Prepare
    const program = programOf({ locale: "fr-FR" });
    const member = { ...newMember(program, "2026-06-01T10:00:00Z"), points: 42 };

    // Act
    const french = appleCardContent({ program, member, stores: [store(1)], now: NOW });
    const german = appleCardContent({ program, member, stores: [], locale: "de-AT", now: NOW });
    const unknown = appleCardContent({ program: programOf({ locale: "ja" }), member, stores: [], now: NOW });

    // Assess
    expect(french.primaryFields[0]).toMatchObject({
      label: "POINTS",
      changeMessage: "Vous avez maintenant %@ points",
    });
    expect(french.locations[0]?.relevantText).toBe("Bon retour — 42 points");
    expect(german.primaryFields[0]).toMatchObject({
      label: "PUNKTE",
      changeMessage: "Sie haben jetzt %@ Punkte",
    });
    expect(unknown.primaryFields[0]?.changeMessage).toBe("You now have %@ points");
  });

  it.each(CARD_LANGUAGES)("keeps %%@ in every change message in %s", (language) => {
    const program = programOf({
      locale: language,
      rules: everyMechanic,
    });
    const member = {
      ...newMember(program, "2026-06-01T10:00:00Z"),
      tierId: "gold",
      validUntil: "2026-06-01",
    };
    const fields = fieldsOf(appleCardContent({ program, member, stores: [], now: NOW }));
    const messages = fields.filter((f) => f.changeMessage !== undefined);
    expect(messages.length).toBeGreaterThanOrEqual(8);
    for (const field of messages) expect(field.changeMessage, `${language} ${field.key}`).toContain("%@");
  });
});
