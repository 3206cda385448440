import { describe, expect, it } from "vitest";
import type { DomainError } from "../../../functions/domain/errors.js";
import {
  accrue,
  currentView,
  nextDue,
  purchase,
  redeemReward,
  redeemVoucher,
  refund,
  renew,
  settle,
  transfer,
} from "../../../functions/domain/loyalty/engine.js";
import { rebuildBalance } from "../../../functions/domain/loyalty/member.js";
import { coffees, ctxAt, errorCode, ids, newMember, programWith, spend } from "./fixtures.js";

const NOW = "2026-11-23T10:00:00Z";

describe("a purchase", () => {
  it("credits points and stamps, and turns every N stamps into a voucher, keeping the rest", () => {
    // Prepare
    const program = programWith({
      stamps: { cards: [{ category: "coffee", stampsRequired: 3, rewardTitle: "Free coffee" }] },
    });
    const member = newMember(program, NOW);

    // Act: 7 coffees at 3 € = 21 €
    const out = purchase(member, ctxAt(program, NOW), spend(2100, NOW, { items: coffees(7) }), {}, ids(1));

    // Assess
    expect(out.pointsEarned).toBe(21);
    expect(out.member.points).toBe(21);
    expect(out.member.stamps).toEqual({ coffee: 1 });
    expect(out.vouchersIssued.map((v) => [v.title, v.source, v.validTo])).toEqual([
      ["Free coffee", "stamps", "2027-02-21"],
      ["Free coffee", "stamps", "2027-02-21"],
    ]);
    expect(out.entries.map((e) => [e.type, e.points, e.stamps])).toEqual([
      ["earn", 21, { coffee: 7 }],
      ["voucher", 0, { coffee: -6 }],
    ]);
    expect(out.member.version).toBe(2);
    expect(out.member.ledgerSeq).toBe(2);
  });

  it("refuses another currency, a future date, a date too long ago and an expired card", () => {
    const program = programWith({ validity: { cardMonths: 12 } });
    const member = newMember(program, "2025-01-10T10:00:00Z");
    const ctx = ctxAt(program, NOW);
    expect(errorCode(() => purchase(member, ctx, spend(100, NOW, { currency: "USD" }), {}, ids(1)))).toBe(
      "currency_mismatch",
    );
    expect(errorCode(() => purchase(member, ctx, spend(100, "2026-11-23T10:10:00Z"), {}, ids(1)))).toBe(
      "occurred_in_future",
    );
    expect(errorCode(() => purchase(member, ctx, spend(100, "2026-10-20T10:00:00Z"), {}, ids(1)))).toBe(
      "occurred_too_long_ago",
    );
    expect(errorCode(() => purchase(member, ctx, spend(100, NOW), {}, ids(1)))).toBe("card_expired");
  });

  it("rewards the referee on the first purchase only", () => {
    // Prepare
    const program = programWith({ referral: { enabled: true, refereePoints: 10, referrerPoints: 20 } });
    const member = newMember(program, NOW, "mbr_000000000000ref1");

    // Act
    const first = purchase(member, ctxAt(program, NOW), spend(100, NOW), {}, ids(1));
    const second = purchase(first.member, ctxAt(program, NOW), spend(100, NOW), {}, ids(2));

    // Assess
    expect(first.referral).toEqual({
      referrerId: "mbr_000000000000ref1",
      referrerPoints: 20,
      refereePoints: 10,
    });
    expect(first.member.points).toBe(11);
    expect(first.member.referralPending).toBe(false);
    expect(second.referral).toBeUndefined();
    expect(second.member.points).toBe(12);
  });

  it("converts points to the cheapest reward's vouchers with autoConvert", () => {
    const program = programWith({
      rewards: {
        autoConvert: true,
        catalogue: [
          { rewardId: "cake", title: "Cake", pointsCost: 10, voucher: { kind: "gift", description: "Cake" } },
        ],
      },
    });
    const out = purchase(newMember(program, NOW), ctxAt(program, NOW), spend(2500, NOW), {}, ids(1));
    expect(out.member.points).toBe(5);
    expect(out.member.vouchers).toHaveLength(2);
    expect(out.entries.map((e) => e.type)).toEqual(["earn", "convert", "convert"]);
  });

  it("applies the tier the member holds, then re-evaluates it with the purchase", () => {
    const program = programWith({
      tiers: {
        windowDays: 30,
        levels: [{ tierId: "gold", name: "Gold", entrySpendCents: 10_000, multiplier: 2 }],
      },
    });
    const member = newMember(program, NOW);
    const first = purchase(member, ctxAt(program, NOW), spend(9_000, NOW), {}, ids(1));
    const second = purchase(
      first.member,
      ctxAt(program, NOW),
      spend(2_000, NOW),
      { "2026-11-23": 9_000 },
      ids(2),
    );
    const third = purchase(
      second.member,
      ctxAt(program, NOW),
      spend(1_000, NOW),
      { "2026-11-23": 11_000 },
      ids(3),
    );
    expect([first.member.tierId, second.member.tierId, third.member.tierId]).toEqual([null, "gold", "gold"]);
    expect([first.pointsEarned, second.pointsEarned, third.pointsEarned]).toEqual([90, 20, 20]);
    expect(third.member.tierReviewOn).toBe("2026-12-23");
    // 31 days later the spend has left the window: the sweep drops the tier
    const later = settle(third.member, ctxAt(program, "2026-12-24T10:00:00Z"), { "2026-11-23": 12_000 });
    expect(later?.member.tierId).toBeNull();
  });

  it("bumps passUpdatedAt strictly when the card changes, and keeps it when it does not", () => {
    const program = programWith();
    const member = newMember(program, NOW);
    const a = purchase(member, ctxAt(program, NOW), spend(500, NOW), {}, ids(1));
    const b = purchase(a.member, ctxAt(program, NOW), spend(500, NOW), {}, ids(2));
    const c = purchase(b.member, ctxAt(program, NOW), spend(50, NOW), {}, ids(3));
    expect(a.member.passUpdatedAt).toBeGreaterThan(member.passUpdatedAt - 1);
    expect(b.member.passUpdatedAt).toBe(a.member.passUpdatedAt + 1);
    expect(c.member.passUpdatedAt).toBe(b.member.passUpdatedAt);
    expect(c.member.version).toBe(4);
  });
});

describe("a refund", () => {
  const program = programWith({
    stamps: { cards: [{ category: "coffee", stampsRequired: 10, rewardTitle: "Free" }] },
  });
  const bought = purchase(
    newMember(program, NOW),
    ctxAt(program, NOW),
    spend(1000, NOW, { items: coffees(2, 500) }),
    {},
    ids(1),
  );

  it("takes points back in proportion and all of them once refunded in full, never more", () => {
    const first = refund(bought.member, ctxAt(program, NOW), bought.record, 333, {}, ids(2));
    const second = refund(first.member, ctxAt(program, NOW), first.record, 333, {}, ids(3));
    const last = refund(second.member, ctxAt(program, NOW), second.record, 334, {}, ids(4));
    expect([first.pointsTakenBack, second.pointsTakenBack, last.pointsTakenBack]).toEqual([3, 3, 4]);
    expect(last.member.points).toBe(0);
    expect(last.member.stamps).toEqual({});
    expect(errorCode(() => refund(last.member, ctxAt(program, NOW), last.record, 1, {}, ids(5)))).toBe(
      "refund_exceeds_purchase",
    );
  });

  it("reports the points the member had already spent instead of going negative", () => {
    const spent = transfer(
      bought.member,
      newMember(program, NOW),
      ctxAt(programWith({ transfers: { enabled: true } }), NOW),
      8,
      "txn_0000000000000009",
    ).from.member;
    const out = refund(spent, ctxAt(program, NOW), bought.record, 1000, {}, ids(2));
    expect(out.pointsTakenBack).toBe(2);
    expect(out.pointsNotRecovered).toBe(8);
    expect(out.member.points).toBe(0);
    expect(out.record.pointsRefunded).toBe(10);
  });
});

describe("redemptions", () => {
  const program = programWith({
    stamps: {
      cards: [{ category: "coffee", stampsRequired: 2, rewardTitle: "Free coffee", voucherValidDays: 10 }],
    },
    rewards: {
      catalogue: [
        { rewardId: "mug", title: "Mug", pointsCost: 50, voucher: { kind: "amount", valueCents: 800 } },
      ],
    },
  });
  const bought = purchase(
    newMember(program, NOW),
    ctxAt(program, NOW),
    spend(600, NOW, { items: coffees(2) }),
    {},
    ids(1),
  );
  const voucherId = bought.vouchersIssued[0]?.voucherId ?? "";

  it("redeems a voucher once", () => {
    const once = redeemVoucher(bought.member, ctxAt(program, NOW), voucherId, ids(2));
    expect(once.member.vouchers).toEqual([]);
    expect(errorCode(() => redeemVoucher(once.member, ctxAt(program, NOW), voucherId, ids(3)))).toBe(
      "voucher_already_redeemed",
    );
    expect(errorCode(() => redeemVoucher(once.member, ctxAt(program, NOW), "vch_unknown", ids(3)))).toBe(
      "voucher_not_found",
    );
  });

  it("refuses an expired voucher", () => {
    expect(
      errorCode(() =>
        redeemVoucher(bought.member, ctxAt(program, "2026-12-05T10:00:00Z"), voucherId, ids(2)),
      ),
    ).toBe("voucher_expired");
  });

  it("sells a reward for its points, and refuses it without them", () => {
    expect(errorCode(() => redeemReward(bought.member, ctxAt(program, NOW), "mug", ids(2)))).toBe(
      "insufficient_points",
    );
    const rich = accrue(bought.member, ctxAt(program, NOW), {
      partnerId: "prt_1",
      pointsPerEuro: 1,
      points: 50,
      reference: "r",
    });
    const out = redeemReward(rich.member, ctxAt(program, NOW), "mug", ids(2));
    expect(out.pointsSpent).toBe(50);
    expect(out.member.points).toBe(6);
    expect(out.voucher).toMatchObject({ title: "Mug", kind: "amount", valueCents: 800 });
    expect(errorCode(() => redeemReward(bought.member, ctxAt(program, NOW), "nope", ids(2)))).toBe(
      "reward_not_found",
    );
  });
});

describe("partners and transfers", () => {
  it("caps partner points per member per day in the program's time zone", () => {
    const program = programWith({ partners: { dailyCapPointsPerMember: 100 } });
    const accrual = (points: number) => ({ partnerId: "prt_1", pointsPerEuro: 1, points, reference: "r" });
    const a = accrue(newMember(program, NOW), ctxAt(program, NOW), accrual(70));
    let refused: DomainError | undefined;
    try {
      accrue(a.member, ctxAt(program, NOW), accrual(31));
    } catch (error) {
      refused = error as DomainError;
    }
    expect(refused?.code).toBe("daily_cap_exceeded");
    expect(refused?.details).toEqual({ cap: 100, remainingToday: 30 });
    // 23:30 UTC is already the next day in Paris
    const tomorrow = accrue(a.member, ctxAt(program, "2026-11-23T23:30:00Z"), accrual(100));
    expect(tomorrow.member.points).toBe(170);
  });

  it("moves the sender's oldest points with their expiry days", () => {
    const program = programWith({
      expiry: { months: 12 },
      transfers: { enabled: true, maxPointsPerDay: 100 },
    });
    const jan = purchase(
      newMember(program, "2026-01-05T10:00:00Z"),
      ctxAt(program, "2026-01-05T10:00:00Z"),
      spend(3000, "2026-01-05T10:00:00Z"),
      {},
      ids(1),
    );
    const feb = purchase(
      jan.member,
      ctxAt(program, "2026-02-05T10:00:00Z"),
      spend(5000, "2026-02-05T10:00:00Z"),
      {},
      ids(2),
    );
    const receiver = newMember(program, NOW);
    const out = transfer(feb.member, receiver, ctxAt(program, "2026-02-06T10:00:00Z"), 40, "txn_1");
    expect(out.from.member.lots).toEqual([{ expiresOn: "2027-02-28", points: 40 }]);
    expect(out.to.member.lots).toEqual([
      { expiresOn: "2027-01-31", points: 30 },
      { expiresOn: "2027-02-28", points: 10 },
    ]);
    const ctx = ctxAt(program, "2026-02-06T10:00:00Z");
    expect(errorCode(() => transfer(out.from.member, out.to.member, ctx, 61, "txn_2"))).toBe(
      "daily_cap_exceeded",
    );
    expect(errorCode(() => transfer(out.from.member, out.from.member, ctx, 1, "txn_2"))).toBe("same_member");
    expect(errorCode(() => transfer(out.to.member, out.from.member, ctx, 41, "txn_2"))).toBe(
      "insufficient_points",
    );
    expect(errorCode(() => transfer(receiver, out.from.member, ctxAt(programWith(), NOW), 1, "t"))).toBe(
      "transfers_disabled",
    );
  });
});

describe("time", () => {
  it("expires points FIFO after the end of the month N months later, lazily and by the sweep", () => {
    // Prepare: 10 points on 10 Jan 2026, 7 on 15 Feb; 12 months
    const program = programWith({ expiry: { months: 12 } });
    const jan = purchase(
      newMember(program, "2026-01-10T10:00:00Z"),
      ctxAt(program, "2026-01-10T10:00:00Z"),
      spend(1000, "2026-01-10T10:00:00Z"),
      {},
      ids(1),
    );
    const feb = purchase(
      jan.member,
      ctxAt(program, "2026-02-15T10:00:00Z"),
      spend(700, "2026-02-15T10:00:00Z"),
      {},
      ids(2),
    );

    // Act
    const lastDay = settle(feb.member, ctxAt(program, "2027-01-31T20:00:00Z"), undefined);
    const after = settle(feb.member, ctxAt(program, "2027-01-31T23:30:00Z"), undefined); // 1 Feb in Paris
    const view = currentView(feb.member, ctxAt(program, "2027-02-10T10:00:00Z"));

    // Assess
    expect(nextDue(feb.member, "Europe/Paris")).toBe("2027-01-31T23:00:00.000Z");
    expect(lastDay).toBeUndefined();
    expect(after?.member.points).toBe(7);
    expect(after?.entries.map((e) => [e.type, e.points, e.lots])).toEqual([
      ["expire", -10, { "2027-01-31": -10 }],
    ]);
    expect(view.points).toBe(7);
    expect(rebuildBalance([...jan.entries, ...feb.entries, ...(after?.entries ?? [])]).points).toBe(7);
  });

  it("renews a card from its end, or from today once lapsed", () => {
    const program = programWith({ validity: { cardMonths: 12 } });
    const member = newMember(program, "2026-01-31T10:00:00Z");
    expect(member.validUntil).toBe("2027-01-31");
    expect(renew(member, ctxAt(program, NOW)).member.validUntil).toBe("2028-01-31");
    expect(renew(member, ctxAt(program, "2027-03-01T10:00:00Z")).member.validUntil).toBe("2028-03-01");
    expect(errorCode(() => renew(member, ctxAt(programWith(), NOW)))).toBe("card_never_expires");
  });
});
