import { describe, expect, it } from "vitest";
import { localDay, startOfDay } from "../../functions/domain/loyalty/calendar.js";
import {
  type Ctx,
  cardView,
  chooseFavourites,
  currentView,
  enroll,
  nextDue,
  purchase,
  receiveOffer,
  settle,
  withdrawOffer,
} from "../../functions/domain/loyalty/engine.js";
import {
  balanceOf,
  MAX_ACTIVE_VOUCHERS,
  MAX_CLOSED_OFFERS,
  MAX_FAVOURITE_STORES,
  type Member,
  type MemberOffer,
  rebuildBalance,
  type Voucher,
} from "../../functions/domain/loyalty/member.js";
import {
  bestOfferAt,
  liveOffersOf,
  newOffer,
  type OfferSettings,
} from "../../functions/domain/offers/assign.js";
import { DEFAULT_OFFER_DAYS, MAX_OFFER_DAYS, type Offer } from "../../functions/domain/offers/offer.js";
import { newStore } from "../../functions/domain/store.js";
import { storePlaces } from "../../functions/domain/stores/places.js";
import { coffees, ctxAt, errorCode, ids, newMember, programWith, spend } from "./loyalty/fixtures.js";

const NOW = "2026-06-15T10:00:00Z";
const TODAY = "2026-06-15";
const program = programWith();

const settings = (patch: Partial<OfferSettings> = {}): OfferSettings => ({
  title: "Pastry week",
  description: "Every pastry earns twice the points.",
  target: { kind: "all" },
  ...patch,
});

/** An offer of the program, created at `at` (now by default). */
const offer = (offerId: string, patch: Partial<OfferSettings> = {}, at = NOW): Offer =>
  newOffer(settings(patch), { offerId, programId: program.programId }, program, new Date(at), 0);

/** The engine's context at `at`, with the program's live offers and, when given, its stores. */
const ctxWith = (at: string, offers?: readonly Offer[], places?: Ctx["places"], p = program): Ctx => ({
  ...ctxAt(p, at),
  ...(offers ? { offers } : {}),
  ...(places ? { places } : {}),
});

/** A small purchase at the fixtures' store, at `at`, in the context given. */
const buy = (member: Member, ctx: Ctx, n = 1, extra: Parameters<typeof spend>[2] = {}) =>
  purchase(member, ctx, spend(100, ctx.now.toISOString(), extra), {}, ids(n));

const voucher = (i: number): Voucher => ({
  voucherId: `vch_${String(i).padStart(16, "0")}`,
  title: "Cake",
  kind: "gift",
  source: "reward",
  sourceId: "cake",
  issuedAt: NOW,
  validTo: "2027-01-01",
});

describe("a new offer", () => {
  it(`runs from today (program time zone) for ${DEFAULT_OFFER_DAYS} days unless it says otherwise, sending at once`, () => {
    // Act: 22:30 UTC on 14 June is 15 June in Paris
    const created = offer("ofr_1", {}, "2026-06-14T22:30:00Z");

    // Assess
    expect(created).toMatchObject({
      offerId: "ofr_1",
      programId: program.programId,
      validFrom: "2026-06-15",
      validTo: "2026-07-14",
      status: "active",
      version: 1,
      audience: 0,
      delivery: {
        state: "sending",
        batches: 0,
        scanned: 0,
        matched: 0,
        updated: 0,
        pushed: 0,
        skipped: 0,
        updatedAt: "2026-06-14T22:30:00.000Z",
      },
    });
  });

  it("waits, scheduled, when it starts on a later day", () => {
    // Act
    const later = offer("ofr_1", { validFrom: "2026-06-16" });

    // Assess
    expect([later.validFrom, later.validTo, later.delivery.state]).toEqual([
      "2026-06-16",
      "2026-07-15",
      "scheduled",
    ]);
  });

  it("refuses dates that end before they start, run too long, or are over", () => {
    // Assess
    expect(errorCode(() => offer("o", { validFrom: "2026-06-20", validTo: "2026-06-19" }))).toBe(
      "offer_dates_invalid",
    );
    expect(errorCode(() => offer("o", { validFrom: "2026-06-15", validTo: "2027-06-16" }))).toBe(
      "offer_dates_invalid",
    );
    expect(errorCode(() => offer("o", { validFrom: "2026-06-01", validTo: "2026-06-14" }))).toBe(
      "offer_dates_invalid",
    );
    // MAX_OFFER_DAYS days, validFrom included; an offer that started already and ends today
    expect(offer("o", { validFrom: "2026-06-15", validTo: "2027-06-15" }).validTo).toBe("2027-06-15");
    expect(MAX_OFFER_DAYS).toBe(366);
    expect(offer("o", { validFrom: "2026-06-01", validTo: TODAY }).delivery.state).toBe("sending");
  });
});

describe("giving offers as a member changes", () => {
  it("gives a live offer the member matches: a copy on the card, its voucher to the offer's last day, its bonus points", () => {
    // Prepare
    const pastries = offer("ofr_1", {
      validTo: "2026-06-30",
      storeIds: ["sto_0000000000000001"],
      voucher: { title: "A free croissant", kind: "gift", description: "One croissant" },
      bonusPoints: 50,
    });
    const member = newMember(program, NOW);

    // Act: a purchase of 1 € earns 1 point
    const out = buy(member, ctxWith(NOW, [pastries]));

    // Assess
    const [given] = out.vouchersIssued;
    expect(out.member.offers).toEqual([
      {
        offerId: "ofr_1",
        title: "Pastry week",
        description: "Every pastry earns twice the points.",
        validFrom: TODAY,
        validTo: "2026-06-30",
        storeIds: ["sto_0000000000000001"],
        voucherId: given?.voucherId,
        assignedAt: "2026-06-15T10:00:00.000Z",
      },
    ]);
    expect(given).toMatchObject({
      title: "A free croissant",
      kind: "gift",
      description: "One croissant",
      source: "offer",
      sourceId: "ofr_1",
      validTo: "2026-06-30",
    });
    expect(out.member.vouchers).toEqual([given]);
    expect(out.entries.map((e) => [e.type, e.points, e.offerId ?? null])).toEqual([
      ["earn", 1, null],
      ["offer", 50, "ofr_1"],
    ]);
    expect(out.entries[1]?.vouchersIssued).toEqual([given]);
    expect(out.member.points).toBe(51);
    expect(rebuildBalance(out.entries)).toEqual(balanceOf(out.member));
  });

  it("credits bonus points in a lot like any credit when points expire", () => {
    // Prepare
    const expiring = programWith({ expiry: { months: 12 } });
    const bonus: Offer = { ...offer("ofr_1", { bonusPoints: 30 }), programId: expiring.programId };

    // Act
    const out = buy(newMember(expiring, NOW), ctxWith(NOW, [bonus], undefined, expiring));

    // Assess
    expect(out.member.lots).toEqual([{ expiresOn: "2027-06-30", points: 31 }]);
    expect(rebuildBalance(out.entries)).toEqual(balanceOf(out.member));
  });

  it("gives an offer at most once: not while the member holds it, nor after it left the card", () => {
    // Prepare
    const live = [offer("ofr_1", { bonusPoints: 10 })];
    const first = buy(newMember(program, NOW), ctxWith(NOW, live), 1);

    // Act
    const second = buy(first.member, ctxWith("2026-06-15T11:00:00Z", live), 2);
    const withdrawn = withdrawOffer(second.member, ctxWith("2026-06-15T12:00:00Z"), "ofr_1");
    const third = buy(withdrawn?.member as Member, ctxWith("2026-06-15T13:00:00Z", live), 3);

    // Assess
    expect(second.entries.map((e) => e.type)).toEqual(["earn"]);
    expect(second.member.offers?.map((o) => o.offerId)).toEqual(["ofr_1"]);
    expect(third.entries.map((e) => e.type)).toEqual(["earn"]);
    expect(third.member.offers).toEqual([]);
    expect(third.member.closedOffers).toEqual(["ofr_1"]);
    expect(third.member.points).toBe(13);
  });

  it("gives at most maxActivePerMember offers, those ending first (then by offerId)", () => {
    // Prepare
    const two = programWith({ offers: { maxActivePerMember: 2 } });
    const live = [
      offer("ofr_a", { validTo: "2026-06-30" }),
      offer("ofr_c", { validTo: "2026-06-20" }),
      offer("ofr_b", { validTo: "2026-06-20" }),
    ];

    // Act
    const out = buy(newMember(two, NOW), ctxWith(NOW, live, undefined, two));
    const step = receiveOffer(
      out.member,
      ctxWith("2026-06-15T11:00:00Z", undefined, undefined, two),
      live[0] as Offer,
    );

    // Assess
    expect(out.member.offers?.map((o) => o.offerId)).toEqual(["ofr_b", "ofr_c"]);
    expect(step).toEqual({ result: "full" });
  });

  it("gives the offer without its voucher to a member whose card is full of vouchers", () => {
    // Prepare
    const member: Member = {
      ...newMember(program, NOW),
      vouchers: Array.from({ length: MAX_ACTIVE_VOUCHERS }, (_, i) => voucher(i)),
    };
    const gift = offer("ofr_1", { voucher: { title: "Croissant", kind: "gift" } });

    // Act
    const out = buy(member, ctxWith(NOW, [gift]));

    // Assess
    expect(out.member.offers?.map((o) => [o.offerId, o.voucherId ?? null])).toEqual([["ofr_1", null]]);
    expect(out.member.vouchers).toHaveLength(MAX_ACTIVE_VOUCHERS);
    expect(out.entries.map((e) => e.type)).toEqual(["earn"]);
  });

  it("gives an offer the moment a purchase makes the member match it", () => {
    // Prepare
    const coffeeLovers = offer("ofr_1", {
      target: { kind: "purchasedWithinDays", days: 7, category: "coffee" },
    });
    const member = newMember(program, NOW);

    // Act
    const tea = buy(member, ctxWith(NOW, [coffeeLovers]), 1, {
      items: [{ name: "Tea", category: "tea", quantity: 1, unitCents: 100 }],
    });
    const coffee = buy(tea.member, ctxWith("2026-06-15T11:00:00Z", [coffeeLovers]), 2, {
      items: coffees(1, 100),
    });

    // Assess
    expect(tea.member.offers).toBeUndefined();
    expect(coffee.member.offers?.map((o) => o.offerId)).toEqual(["ofr_1"]);
  });

  it("shows a topCategory offer as the member's own ('for you')", () => {
    // Prepare
    const forYou = offer("ofr_1", { target: { kind: "topCategory", category: "coffee" } });

    // Act
    const out = buy(newMember(program, NOW), ctxWith(NOW, [forYou]), 1, { items: coffees(1, 100) });

    // Assess
    expect(out.member.offers?.[0]?.forYou).toBe(true);
  });

  it("gives no offer that is scheduled, ended, not yet started or of another program", () => {
    // Prepare
    const base = offer("ofr_1");
    const notLive: Offer[] = [
      { ...base, offerId: "ofr_scheduled", delivery: { ...base.delivery, state: "scheduled" } },
      { ...base, offerId: "ofr_ended", status: "ended" },
      { ...base, offerId: "ofr_later", validFrom: "2026-06-16" },
      { ...base, offerId: "ofr_other", programId: "prg_00000000000other" },
    ];

    // Act
    const out = buy(newMember(program, NOW), ctxWith(NOW, notLive));

    // Assess
    expect(out.member.offers).toBeUndefined();
  });

  it("gives no offer, nor its bonus points, to a card past its validity until it is renewed", () => {
    // Prepare: a card that lapsed yesterday
    const all = offer("ofr_all", { bonusPoints: 5 });
    const lapsed: Member = { ...newMember(program, NOW), validUntil: "2026-06-14" };

    // Act
    const fanOut = receiveOffer(lapsed, ctxWith(NOW), all);
    const sweep = settle(lapsed, ctxWith(NOW, [all]), undefined);

    // Assess
    expect(fanOut).toEqual({ result: "inactive" });
    expect(sweep?.member.offers ?? []).toEqual([]);
    expect(sweep?.entries.some((e) => e.type === "offer") ?? false).toBe(false);
  });

  it("changes nothing of offers or stores when the context carries neither (activity is still recorded)", () => {
    // Act
    const out = buy(newMember(program, NOW), ctxAt(program, NOW));

    // Assess
    expect(out.member).not.toHaveProperty("offers");
    expect(out.member).not.toHaveProperty("closedOffers");
    expect(out.member).not.toHaveProperty("passStoreIds");
    expect(out.member.activity?.stores).toEqual([
      { storeId: "sto_0000000000000001", visits: 1, lastDay: TODAY },
    ]);
  });
});

describe("the fan-out's step on one member", () => {
  it("gives exactly this offer when it matches, and says why when it does not", () => {
    // Prepare
    const gold = offer("ofr_gold", { target: { kind: "tier", tier: "gold" } });
    const all = offer("ofr_all", { bonusPoints: 5 });
    const base = offer("ofr_later");
    const scheduled: Offer = { ...base, delivery: { ...base.delivery, state: "scheduled" } };
    const member = newMember(program, NOW);
    const ctx = ctxWith(NOW);

    // Act
    const given = receiveOffer(member, ctx, all);
    const again = receiveOffer(given.outcome?.member as Member, ctxWith("2026-06-15T11:00:00Z"), all);

    // Assess
    expect(given.result).toBe("given");
    expect(given.outcome?.member.offers?.map((o) => o.offerId)).toEqual(["ofr_all"]);
    expect(given.outcome?.member.version).toBe(member.version + 1);
    expect(given.outcome?.entries.map((e) => [e.type, e.points])).toEqual([["offer", 5]]);
    expect(again).toEqual({ result: "held" });
    expect(receiveOffer(member, ctx, gold)).toEqual({ result: "not_matched" });
    expect(receiveOffer(member, ctx, scheduled)).toEqual({ result: "inactive" });
    expect(receiveOffer({ ...member, status: "erased" }, ctx, all)).toEqual({ result: "inactive" });
  });

  it("matches a birthday on the profile's birth month, else the member's", () => {
    // Prepare
    const birthday = offer("ofr_bday", { target: { kind: "birthdayMonth" } });
    const member = newMember(program, NOW);

    // Act + Assess
    expect(receiveOffer(member, ctxWith(NOW), birthday).result).toBe("not_matched");
    expect(receiveOffer(member, ctxWith(NOW), birthday, { birthMonth: 6 }).result).toBe("given");
    expect(receiveOffer({ ...member, birthMonth: 6 }, ctxWith(NOW), birthday).result).toBe("given");
  });

  it("never gives again an offer that left the card", () => {
    // Prepare
    const all = offer("ofr_all");
    const member: Member = { ...newMember(program, NOW), closedOffers: ["ofr_all"] };

    // Act
    const step = receiveOffer(member, ctxWith(NOW), all);

    // Assess
    expect(step).toEqual({ result: "held" });
  });
});

describe("an offer leaving the card", () => {
  it("leaves the day after its last day: closed for good, the pass updated, the sweep due then", () => {
    // Prepare: an offer to 20 June, given on 15 June
    const short = offer("ofr_1", { validTo: "2026-06-20" });
    const { outcome } = receiveOffer(newMember(program, NOW), ctxWith(NOW), short);
    const member = outcome?.member as Member;

    // Act: the sweep, the evening of the 20th and just past midnight in Paris
    const evening = settle(member, ctxWith("2026-06-20T18:00:00Z", [short]), undefined);
    const ended = settle(member, ctxWith("2026-06-20T22:30:00Z", [short]), undefined);

    // Assess
    expect(member.dueAt).toBe(startOfDay("2026-06-21", "Europe/Paris").toISOString());
    expect(nextDue(member, "Europe/Paris")).toBe("2026-06-20T22:00:00.000Z");
    expect(evening).toBeUndefined();
    expect(ended?.member.offers).toEqual([]);
    expect(ended?.member.closedOffers).toEqual(["ofr_1"]);
    expect(ended?.member.passUpdatedAt).toBeGreaterThan(member.passUpdatedAt);
    expect(ended?.member.dueAt).toBeUndefined();
    expect(ended?.entries).toEqual([]);
    expect(currentView(member, ctxWith("2026-06-20T22:30:00Z")).offers).toEqual([]);
    expect(currentView(member, ctxWith("2026-06-20T18:00:00Z")).offers).toEqual(member.offers);
  });

  it("is withdrawn into the closed offers, newest first and bounded, its voucher staying with the member", () => {
    // Prepare
    const gift = offer("ofr_new", { voucher: { title: "Croissant", kind: "gift" } });
    const closed = Array.from({ length: MAX_CLOSED_OFFERS }, (_, i) => `ofr_old_${i}`);
    const { outcome } = receiveOffer(
      { ...newMember(program, NOW), closedOffers: closed },
      ctxWith(NOW),
      gift,
    );
    const member = outcome?.member as Member;

    // Act
    const out = withdrawOffer(member, ctxWith("2026-06-16T10:00:00Z"), "ofr_new");

    // Assess
    expect(out?.member.offers).toEqual([]);
    expect(out?.member.closedOffers).toHaveLength(MAX_CLOSED_OFFERS);
    expect(out?.member.closedOffers?.slice(0, 2)).toEqual(["ofr_new", "ofr_old_0"]);
    expect(out?.member.vouchers.map((v) => v.sourceId)).toEqual(["ofr_new"]);
    expect(out?.member.passUpdatedAt).toBeGreaterThan(member.passUpdatedAt);
    expect(withdrawOffer(out?.member as Member, ctxWith("2026-06-17T10:00:00Z"), "ofr_new")).toBeUndefined();
  });
});

describe("the card's stores", () => {
  const at = (storeId: string, latitude: number) =>
    newStore(
      { name: storeId, latitude, longitude: 2.35 },
      { storeId, programId: program.programId, apiKeyPrefix: "sk.x" },
      new Date(NOW),
    );
  /** Three stores on a meridian: b is 1 km from a, c 11 km. */
  const places = storePlaces([at("sto_a", 48.85), at("sto_b", 48.86), at("sto_c", 48.95)]);

  it("changes the pass only when the stores it carries or the offers it holds change", () => {
    // Prepare
    const member = newMember(program, NOW);
    const held: MemberOffer = {
      offerId: "ofr_1",
      title: "t",
      description: "d",
      validFrom: TODAY,
      validTo: TODAY,
      assignedAt: NOW,
    };

    // Act
    const quiet = {
      ...member,
      activity: { stores: [{ storeId: "sto_a", visits: 1, lastDay: TODAY }], categories: [], months: [] },
      favouriteStoreIds: ["sto_a"],
      homeStoreId: "sto_a",
      birthMonth: 6,
      closedOffers: ["ofr_0"],
    };

    // Assess
    expect(cardView(quiet)).toEqual(cardView(member));
    expect(cardView({ ...member, passStoreIds: [] })).not.toEqual(cardView(member));
    expect(cardView({ ...member, passStoreIds: ["sto_b", "sto_a"] })).not.toEqual(
      cardView({ ...member, passStoreIds: ["sto_a", "sto_b"] }),
    );
    expect(cardView({ ...member, offers: [held] })).not.toEqual(cardView(member));
    expect(cardView({ ...member, offers: [] })).toEqual(cardView(member));
  });

  it("chooses the stores at each change when the context has the program's stores, the favourites first", () => {
    // Prepare
    const member = newMember(program, NOW);

    // Act: nothing known; "a" pinned (the card stays a, b, c); "c" pinned
    const none = chooseFavourites(member, ctxWith("2026-06-15T11:00:00Z", undefined, places), []);
    const a = chooseFavourites(none.member, ctxWith("2026-06-15T12:00:00Z", undefined, places), ["sto_a"]);
    const c = chooseFavourites(a.member, ctxWith("2026-06-15T13:00:00Z", undefined, places), ["sto_c"]);

    // Assess
    expect(none.member.passStoreIds).toEqual(["sto_a", "sto_b", "sto_c"]);
    expect(none.member.passUpdatedAt).toBeGreaterThan(member.passUpdatedAt);
    expect(none.member).not.toHaveProperty("favouriteStoreIds");
    expect(a.member.favouriteStoreIds).toEqual(["sto_a"]);
    expect(a.member.passStoreIds).toEqual(["sto_a", "sto_b", "sto_c"]);
    expect(a.member.passUpdatedAt).toBe(none.member.passUpdatedAt);
    expect(a.member.version).toBe(none.member.version + 1);
    expect(c.member.passStoreIds).toEqual(["sto_c", "sto_b", "sto_a"]);
    expect(c.member.passUpdatedAt).toBeGreaterThan(a.member.passUpdatedAt);
  });

  it("puts the store a member buys at first, from the activity the purchase records", () => {
    // Prepare
    const member = newMember(program, NOW);

    // Act
    const out = purchase(
      member,
      ctxWith(NOW, undefined, places),
      spend(100, NOW),
      {},
      { transactionId: "txn_1", storeId: "sto_c" },
    );

    // Assess
    expect(out.member.passStoreIds).toEqual(["sto_c", "sto_b", "sto_a"]);
  });

  it("takes favourites once each, at most a few, open stores only; an empty list clears them", () => {
    // Prepare
    const member = newMember(program, NOW);
    const ctx = ctxWith(NOW, undefined, places);

    // Act
    const twice = chooseFavourites(member, ctx, ["sto_b", "sto_a", "sto_b"]);
    const cleared = chooseFavourites(twice.member, ctx, []);

    // Assess
    expect(twice.member.favouriteStoreIds).toEqual(["sto_b", "sto_a"]);
    expect(cleared.member).not.toHaveProperty("favouriteStoreIds");
    expect(errorCode(() => chooseFavourites(member, ctx, ["sto_a", "sto_nope"]))).toBe("unknown_store");
    expect(errorCode(() => chooseFavourites(member, ctxWith(NOW), ["sto_a"]))).toBe("unknown_store");
    expect(MAX_FAVOURITE_STORES).toBe(3);
    expect(errorCode(() => chooseFavourites(member, ctx, ["sto_a", "sto_b", "sto_c", "sto_d"]))).toBe(
      "too_many_favourite_stores",
    );
  });
});

describe("the offers a card shows", () => {
  const held = (offerId: string, patch: Partial<MemberOffer>): MemberOffer => ({
    offerId,
    title: offerId,
    description: offerId,
    validFrom: "2026-06-01",
    validTo: "2026-06-30",
    assignedAt: NOW,
    ...patch,
  });

  it("shows at a store its own offers and those of every store: 'for you' first, then the one ending soonest", () => {
    // Prepare
    const member: Member = {
      ...newMember(program, NOW),
      offers: [
        held("ofr_everywhere", {}),
        held("ofr_b", { storeIds: ["sto_b"], validTo: "2026-06-20" }),
        held("ofr_b2", { storeIds: ["sto_b"], validTo: "2026-06-20" }),
        held("ofr_mine", { storeIds: ["sto_c"], forYou: true, validTo: "2026-07-10" }),
        held("ofr_later", { validFrom: "2026-06-16", validTo: "2026-06-16" }),
      ],
    };

    // Assess
    expect(liveOffersOf(member, TODAY).map((o) => o.offerId)).toEqual([
      "ofr_mine",
      "ofr_b",
      "ofr_b2",
      "ofr_everywhere",
    ]);
    expect(bestOfferAt(member, "sto_b", TODAY)?.offerId).toBe("ofr_b");
    expect(bestOfferAt(member, "sto_c", TODAY)?.offerId).toBe("ofr_mine");
    expect(bestOfferAt(member, "sto_x", TODAY)?.offerId).toBe("ofr_everywhere");
    expect(bestOfferAt(member, "sto_x", "2026-06-16")?.offerId).toBe("ofr_later");
    expect(bestOfferAt(member, "sto_x", "2026-07-01")).toBeUndefined();
  });
});

describe("enrollment", () => {
  it("keeps the member's home store and birth month for the store choice and birthday offers", () => {
    // Act
    const member = enroll(
      { memberId: "mbr_1", cardCode: "1", referralCode: "R", homeStoreId: "sto_a", birthMonth: 6 },
      program,
      new Date(NOW),
    );
    const plain = enroll(
      { memberId: "mbr_2", cardCode: "2", referralCode: "S", homeStoreId: undefined },
      program,
      new Date(NOW),
    );

    // Assess
    expect([member.homeStoreId, member.birthMonth]).toEqual(["sto_a", 6]);
    expect(plain).not.toHaveProperty("homeStoreId");
    expect(plain).not.toHaveProperty("birthMonth");
    expect(localDay(new Date(member.enrolledAt), "Europe/Paris")).toBe(TODAY);
  });
});
