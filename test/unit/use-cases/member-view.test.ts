import { describe, expect, it } from "vitest";
import { memberView } from "../../../functions/api/member-view.js";
import { richRules } from "../../support/loyalty.js";
import { memoryShop } from "../../support/memory-shop.js";

/** The merchant API's presentation of a member read (api/member-view.ts), from reads over memory. */

/** A member with 15 points earned on 10 March 2026 (they last until 31 March 2027), a card valid to 10 March 2027. */
const member = async () => {
  const shop = await memoryShop({ rules: { ...richRules, validity: { cardMonths: 12 } } });
  const { memberId } = await shop.member();
  await shop.buy(memberId, 1000);
  const viewAt = async (at: string) => {
    shop.clock.set(at);
    return memberView(await shop.service.get(shop.program.programId, memberId));
  };
  return { shop, memberId, viewAt };
};

describe("the member as the merchant API answers it", () => {
  it("shows the oldest points and when they go, flagged as expiring soon within the warning days", async () => {
    // Prepare
    const { viewAt } = await member();

    // Act: 30 warning days before 31 March, and one day earlier
    const warned = await viewAt("2027-03-01T10:00:00Z");
    const before = await viewAt("2027-02-28T10:00:00Z");

    // Assess
    expect(warned.pointsExpiring).toEqual({ points: 15, after: "2027-03-31" });
    expect([warned.expiringSoon, before.expiringSoon]).toEqual([true, false]);
  });

  it("says when the card is due for renewal and when it has expired", async () => {
    // Prepare
    const { viewAt } = await member();

    // Act
    const early = await viewAt("2027-02-07T10:00:00Z");
    const due = await viewAt("2027-02-08T10:00:00Z");
    const lastDay = await viewAt("2027-03-10T10:00:00Z");
    const expired = await viewAt("2027-03-11T10:00:00Z");

    // Assess
    expect([early.card, due.card, lastDay.card, expired.card]).toEqual([
      { validUntil: "2027-03-10", expired: false, renewalDue: false },
      { validUntil: "2027-03-10", expired: false, renewalDue: true },
      { validUntil: "2027-03-10", expired: false, renewalDue: true },
      { validUntil: "2027-03-10", expired: true, renewalDue: true },
    ]);
  });

  it("names the tier and when it was reached, and counts the stamps of each stamp card", async () => {
    // Prepare
    const { shop, memberId, viewAt } = await member();
    shop.clock.set("2026-03-12T10:00:00Z");
    await shop.buy(memberId, 10_000, { coffees: 2 });

    // Act
    const view = await viewAt("2026-03-12T11:00:00Z");

    // Assess
    expect(view.tier).toEqual({ tierId: "gold", name: "Gold", since: "2026-03-12T10:00:00.000Z" });
    expect(view.stampCards).toEqual([
      { category: "coffee", stamps: 2, stampsRequired: 3, rewardTitle: "A free coffee" },
    ]);
    expect(view.windowSpendCents).toBe(11_000);
    expect([view.purchases, view.lastPurchaseAt]).toEqual([2, "2026-03-12T10:00:00.000Z"]);
  });

  it("gives the history's cursor when there is more, and no card link when there is none", async () => {
    // Prepare: 11 more purchases, 12 entries in all
    const { shop, memberId } = await member();
    for (let i = 0; i < 11; i++) await shop.buy(memberId, 100);
    const read = await shop.service.get(shop.program.programId, memberId);

    // Act
    const view = memberView({ ...read, cardUrl: undefined });

    // Assess
    expect(view.history.items).toHaveLength(10);
    expect(view.history.nextCursor).toBe(read.history.nextCursor);
    expect(typeof view.history.nextCursor).toBe("string");
    expect(view).not.toHaveProperty("cardUrl");
    expect(view).not.toHaveProperty("referredBy");
  });

  it("shows the offers live today in the program's time zone, not those ended or yet to start", async () => {
    // Prepare: on 12 March 2026 at 23:30 UTC it is already the 13th in Paris
    const { shop, memberId } = await member();
    const read = await shop.service.get(shop.program.programId, memberId);
    const offer = (offerId: string, validFrom: string, validTo: string) => ({
      offerId,
      title: `Offer ${offerId}`,
      description: "Twice the points",
      validFrom,
      validTo,
      assignedAt: "2026-03-01T10:00:00.000Z",
    });
    const holding = {
      ...read.member,
      offers: [
        offer("ofr_ended", "2026-03-01", "2026-03-12"),
        { ...offer("ofr_live", "2026-03-13", "2026-03-20"), storeIds: ["sto_a"], voucherId: "vch_1" },
        { ...offer("ofr_forYou", "2026-03-01", "2026-03-13"), forYou: true },
        offer("ofr_later", "2026-03-14", "2026-03-20"),
      ],
    };

    // Act
    const view = memberView({
      ...read,
      program: { ...read.program, timeZone: "Europe/Paris" },
      member: holding,
      asOf: new Date("2026-03-12T23:30:00Z"),
    });

    // Assess: best first, as the cards list them ("for you", then the one ending soonest)
    expect(view.offers).toEqual([
      {
        offerId: "ofr_forYou",
        title: "Offer ofr_forYou",
        description: "Twice the points",
        validFrom: "2026-03-01",
        validTo: "2026-03-13",
        forYou: true,
      },
      {
        offerId: "ofr_live",
        title: "Offer ofr_live",
        description: "Twice the points",
        validFrom: "2026-03-13",
        validTo: "2026-03-20",
        storeIds: ["sto_a"],
        forYou: false,
        voucherId: "vch_1",
      },
    ]);
  });

  it("names the stores on the card and the member's favourites, empty before any were chosen", async () => {
    // Prepare
    const { shop, memberId } = await member();
    const read = await shop.service.get(shop.program.programId, memberId);
    const { passStoreIds: _, favouriteStoreIds: __, ...unchosen } = read.member;

    // Act
    const chosen = memberView({
      ...read,
      member: { ...read.member, passStoreIds: ["sto_b", "sto_a"], favouriteStoreIds: ["sto_a"] },
    });
    const none = memberView({ ...read, member: unchosen });

    // Assess
    expect(chosen.stores).toEqual({ onCard: ["sto_b", "sto_a"], favourites: ["sto_a"] });
    expect(none.stores).toEqual({ onCard: [], favourites: [] });
    expect(none.offers).toEqual([]);
  });
});
