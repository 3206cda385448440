import { describe, expect, it } from "vitest";
import type { MemberOffer } from "../../functions/domain/loyalty/member.js";
import { bestOfferAt, liveOffersOf } from "../../functions/domain/offers/holding.js";
import { cardText } from "../../functions/domain/pass/card-text.js";
import { locationText, RELEVANT_TEXT_MAX } from "../../functions/domain/pass/relevance.js";
import { lumiereProgram, newMember } from "./loyalty/fixtures.js";

/** What a card says at each of its stores, and which offers are live (relevance.ts). */

const NOW = new Date("2026-06-15T10:00:00Z");
const TODAY = "2026-06-15";

const coffeeReward = {
  rewards: {
    catalogue: [
      {
        rewardId: "coffee",
        title: "a free coffee",
        pointsCost: 150,
        voucher: { kind: "gift", description: "A coffee" },
      },
    ],
  },
};
const program = lumiereProgram({ rules: coffeeReward }, NOW);
const base = { ...newMember(program, "2026-06-01T10:00:00Z"), points: 120 };

const offer = (offerId: string, extra: Partial<MemberOffer> = {}): MemberOffer => ({
  offerId,
  title: `Offer ${offerId}`,
  description: "Every pastry earns twice the points.",
  validFrom: "2026-06-10",
  validTo: "2026-06-30",
  assignedAt: "2026-06-10T08:00:00.000Z",
  ...extra,
});

const bastille = { storeId: "sto_bastille", relevantText: undefined };
const marais = { storeId: "sto_marais" };

const textAt = (
  store: { storeId: string; relevantText?: string | undefined },
  member = base,
  extra: { firstName?: string; locale?: string; program?: typeof program } = {},
) =>
  locationText({
    program: extra.program ?? program,
    member,
    store,
    firstName: extra.firstName,
    t: cardText(extra.locale),
    today: TODAY,
  });

describe("the offers live on a card", () => {
  it("keeps the offers between their first and last day, the personal ones first, then the soonest to end", () => {
    // Prepare
    const member = {
      ...base,
      offers: [
        offer("off_later", { validFrom: "2026-06-16" }),
        offer("off_ended", { validTo: "2026-06-14" }),
        offer("off_long", { validTo: "2026-07-31" }),
        offer("off_short", { validTo: "2026-06-20" }),
        offer("off_mine", { forYou: true, validTo: "2026-08-31" }),
        offer("off_last_day", { validFrom: "2026-06-01", validTo: TODAY }),
        offer("off_first_day", { validFrom: TODAY }),
      ],
    };

    // Act
    const live = liveOffersOf(member, TODAY).map((o) => o.offerId);

    // Assess
    expect(live).toEqual(["off_mine", "off_last_day", "off_short", "off_first_day", "off_long"]);
  });

  it("finds the best offer at a store among those naming it or naming no store", () => {
    // Prepare
    const member = {
      ...base,
      offers: [
        offer("off_everywhere", { validTo: "2026-06-25" }),
        offer("off_marais", { storeIds: ["sto_marais"], validTo: "2026-06-20" }),
      ],
    };

    // Act
    const atMarais = bestOfferAt(member, "sto_marais", TODAY);
    const atBastille = bestOfferAt(member, "sto_bastille", TODAY);

    // Assess
    expect(atMarais?.offerId).toBe("off_marais");
    expect(atBastille?.offerId).toBe("off_everywhere");
    expect(bestOfferAt(base, "sto_marais", TODAY)).toBeUndefined();
  });
});

describe("what a card says near one of its stores", () => {
  it("says the member's offer at the offer's stores only, its description when it fits", () => {
    // Prepare
    const member = {
      ...base,
      offers: [offer("off_1", { title: "Double points", storeIds: ["sto_marais"] })],
    };

    // Act
    const atMarais = textAt(marais, member);
    const atBastille = textAt({ ...bastille, relevantText: "Your coffee is waiting" }, member);

    // Assess
    expect(atMarais).toBe("Double points: Every pastry earns twice the points.");
    expect(atBastille).toBe("Your coffee is waiting");
  });

  it("says only the offer's title when its description does not fit", () => {
    // Prepare
    const member = {
      ...base,
      offers: [offer("off_1", { title: "Double points", description: "x".repeat(RELEVANT_TEXT_MAX) })],
    };

    // Act
    const text = textAt(marais, member);

    // Assess
    expect(text).toBe("Double points");
  });

  it("says an offer rather than the merchant's text, and never an offer not live yet or ended", () => {
    // Prepare
    const store = { storeId: "sto_marais", relevantText: "Your coffee is waiting" };
    const live = { ...base, offers: [offer("off_1", { title: "Double points" })] };
    const notLive = {
      ...base,
      offers: [offer("off_2", { validFrom: "2026-06-16" }), offer("off_3", { validTo: "2026-06-14" })],
    };

    // Act
    const withOffer = textAt(store, live);
    const withoutOffer = textAt(store, notLive);

    // Assess
    expect(withOffer).toMatch(/^Double points: /);
    expect(withoutOffer).toBe("Your coffee is waiting");
  });

  it("welcomes the member by name with their balance and next reward where nothing else is said", () => {
    // Act
    const named = textAt(marais, base, { firstName: "Camille" });
    const unnamed = textAt(marais, base);
    const blankName = textAt(marais, base, { firstName: "  " });

    // Assess
    expect(named).toBe("Welcome back, Camille — 120 points, a free coffee at 150");
    expect(unnamed).toBe("Welcome back — 120 points, a free coffee at 150");
    expect(blankName).toBe(unnamed);
  });

  it("welcomes with the balance alone without rewards, a ready reward, or the stamps a stamps-first card shows", () => {
    // Prepare
    const plain = lumiereProgram({}, NOW);
    const stamps = lumiereProgram(
      {
        branding: { cardFront: "stamps" },
        rules: { stamps: { cards: [{ category: "coffee", stampsRequired: 10, rewardTitle: "A coffee" }] } },
      },
      NOW,
    );

    // Act
    const noRewards = textAt(marais, { ...base, points: 1 }, { program: plain });
    const ready = textAt(marais, { ...base, points: 160 });
    const stampCard = textAt(marais, { ...base, stamps: { coffee: 7 } }, { program: stamps });

    // Assess
    expect(noRewards).toBe("Welcome back — 1 point");
    expect(ready).toBe("Welcome back — 160 points, a free coffee: ready to redeem");
    expect(stampCard).toBe("Welcome back — 7/10 coffee stamps, A coffee at 10");
  });

  it(`cuts every text to ${RELEVANT_TEXT_MAX} characters, ending with "…"`, () => {
    // Prepare
    const long = "é".repeat(100);
    const longTitle = { ...base, offers: [offer("off_1", { title: "🎉".repeat(95) })] };

    // Act
    const merchant = textAt({ storeId: "sto_marais", relevantText: long });
    const title = textAt(marais, longTitle);
    const welcome = textAt(marais, base, { firstName: "Maximiliane".repeat(10) });

    // Assess
    for (const text of [merchant, title, welcome]) {
      expect([...text]).toHaveLength(RELEVANT_TEXT_MAX);
      expect(text.endsWith("…")).toBe(true);
    }
    expect(merchant).toBe(`${"é".repeat(RELEVANT_TEXT_MAX - 1)}…`);
  });

  it.each([
    ["en", "Welcome back, Camille — 120 points, a free coffee at 150", "Double points: Every pastry"],
    ["fr", "Bon retour, Camille — 120 points, a free coffee à 150", "Double points : Every pastry"],
    ["de", "Willkommen zurück, Camille — 120 Punkte, a free coffee ab 150", "Double points: Every pastry"],
    ["es", "Hola de nuevo, Camille — 120 puntos, a free coffee a los 150", "Double points: Every pastry"],
  ])("speaks %s", (locale, welcome, offerStart) => {
    // Prepare
    const member = { ...base, offers: [offer("off_1", { title: "Double points", storeIds: ["sto_x"] })] };

    // Act
    const welcomeText = textAt(marais, member, { firstName: "Camille", locale });
    const offerText = textAt({ storeId: "sto_x" }, member, { locale });

    // Assess
    expect(welcomeText).toBe(welcome);
    expect(offerText.startsWith(offerStart)).toBe(true);
  });
});
