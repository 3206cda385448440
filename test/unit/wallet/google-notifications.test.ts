import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localDay } from "../../../functions/domain/loyalty/calendar.js";
import type { Member, MemberOffer, Voucher } from "../../../functions/domain/loyalty/member.js";
import {
  budgetLeft,
  decideNotification,
  type GoogleShown,
  NOTIFICATION_CLOCK_MARGIN_SECONDS,
  NOTIFICATION_WINDOW_SECONDS,
  NOTIFICATIONS_PER_WINDOW,
  notifyReason,
  shownOf,
} from "../../../functions/domain/pass/google-notifications.js";
import { lumiereProgram, newMember } from "../loyalty/fixtures.js";

const NOW = new Date("2026-06-15T10:00:00Z");
const T0 = Math.floor(NOW.getTime() / 1000);
const TODAY = "2026-06-15";
const DAY = 24 * 3600;

const program = lumiereProgram(
  {
    rules: {
      stamps: { cards: [{ category: "coffee", stampsRequired: 5, rewardTitle: "A coffee" }] },
      tiers: {
        levels: [
          { tierId: "silver", name: "Silver", entrySpendCents: 100 },
          { tierId: "gold", name: "Gold", entrySpendCents: 1000 },
          { tierId: "platinum", name: "Platinum", entrySpendCents: 10000 },
        ],
      },
      validity: { cardMonths: 12 },
    },
  },
  NOW,
);

const base = newMember(program, NOW.toISOString());

const voucher = (n: number): Voucher => ({
  voucherId: `vch_${String(n).padStart(16, "0")}`,
  title: "A coffee",
  kind: "gift",
  source: "stamps",
  sourceId: "coffee",
  issuedAt: NOW.toISOString(),
  validTo: "2026-09-13",
});

const offer = (n: number, extra: Partial<MemberOffer> = {}): MemberOffer => ({
  offerId: `off_${String(n).padStart(16, "0")}`,
  title: "Double points",
  description: "Every pastry earns twice the points.",
  validFrom: "2026-06-01",
  validTo: "2026-06-30",
  assignedAt: "2026-06-01T08:00:00.000Z",
  ...extra,
});

const TIERS = [null, "silver", "gold", "platinum"] as const;

describe("why a change to a Google card notifies", () => {
  it("notifies a voucher the card did not show", () => {
    const shown: GoogleShown = { tierId: null, voucherIds: [voucher(1).voucherId] };
    const member = { ...base, vouchers: [voucher(1), voucher(2)] };
    expect(notifyReason(shown, member, program, TODAY)).toBe("voucher_earned");
  });

  it("is silent when a voucher is used or expires", () => {
    const shown: GoogleShown = { tierId: null, voucherIds: [voucher(1).voucherId, voucher(2).voucherId] };
    expect(notifyReason(shown, { ...base, vouchers: [voucher(2)] }, program, TODAY)).toBeUndefined();
  });

  it.each([
    [null, "silver", "tier_reached"],
    ["silver", "gold", "tier_reached"],
    [null, "platinum", "tier_reached"],
    ["gold", "silver", undefined],
    ["gold", null, undefined],
    ["gold", "gold", undefined],
    ["bronze", "gold", undefined], // a tier the program no longer has: no way to tell up from down
    [null, "bronze", undefined],
  ])("tier %s → %s: %s", (before, after, reason) => {
    const shown: GoogleShown = { tierId: before, voucherIds: [] };
    expect(notifyReason(shown, { ...base, tierId: after }, program, TODAY)).toBe(reason);
  });

  it("is silent for points, stamps, expiring points and validity alone", () => {
    const shown = shownOf(base, TODAY);
    const changes: Partial<Member>[] = [
      { points: 500 },
      { stamps: { coffee: 4 } },
      { lots: [{ expiresOn: "2026-12-31", points: 5 }] },
      { validUntil: "2030-01-01" },
      { validUntil: "2026-01-01" },
    ];
    for (const change of changes)
      expect(notifyReason(shown, { ...base, ...change }, program, TODAY)).toBeUndefined();
  });

  it("is silent on the first sync after the insert, and for an erased member", () => {
    const member = { ...base, vouchers: [voucher(1)], tierId: "gold" };
    expect(notifyReason(undefined, member, program, TODAY)).toBeUndefined();
    expect(
      notifyReason(shownOf(base, TODAY), { ...member, status: "erased" as const }, program, TODAY),
    ).toBeUndefined();
  });

  it("remembers the tier, the vouchers and the offers live today shown", () => {
    // Prepare
    const member = {
      ...base,
      tierId: "gold",
      vouchers: [voucher(1), voucher(2)],
      offers: [offer(1, { validTo: "2026-06-20" }), offer(2, { validFrom: "2026-06-16" }), offer(3)],
    };

    // Act
    const shown = shownOf(member, TODAY);

    // Assess
    expect(shown).toEqual({
      tierId: "gold",
      voucherIds: [voucher(1).voucherId, voucher(2).voucherId],
      offerIds: [offer(1).offerId, offer(3).offerId],
    });
  });

  it("notifies an offer live today that the card did not show, after a voucher and before a tier", () => {
    // Prepare
    const shown = shownOf({ ...base, offers: [offer(1)] }, TODAY);
    const withOffer = { ...base, offers: [offer(1), offer(2)] };

    // Act
    const newOffer = notifyReason(shown, withOffer, program, TODAY);
    const startsToday = notifyReason(
      shownOf({ ...base, offers: [offer(2, { validFrom: "2026-06-16" })] }, TODAY),
      { ...base, offers: [offer(2, { validFrom: "2026-06-16" })] },
      program,
      "2026-06-16",
    );
    const withVoucher = notifyReason(shown, { ...withOffer, vouchers: [voucher(1)] }, program, TODAY);
    const withTier = notifyReason(shown, { ...withOffer, tierId: "gold" }, program, TODAY);

    // Assess
    expect(newOffer).toBe("offer");
    expect(startsToday).toBe("offer");
    expect(withVoucher).toBe("voucher_earned");
    expect(withTier).toBe("offer");
  });

  it("is silent for an offer shown before, ended, or not live yet", () => {
    // Prepare
    const shown = shownOf({ ...base, offers: [offer(1)] }, TODAY);

    // Act
    const reasons = [
      notifyReason(shown, { ...base, offers: [offer(1)] }, program, TODAY),
      notifyReason(shown, { ...base, offers: [] }, program, TODAY),
      notifyReason(shown, { ...base, offers: [offer(2, { validTo: "2026-06-14" })] }, program, TODAY),
      notifyReason(shown, { ...base, offers: [offer(3, { validFrom: "2026-06-16" })] }, program, TODAY),
    ];

    // Assess
    expect(reasons).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("is silent for offers while the offers shown are unknown (a state stored before offers), not for vouchers", () => {
    // Prepare: what a state stored before offers were on cards reads as
    const legacy: GoogleShown = { tierId: null, voucherIds: [] };
    const member = { ...base, offers: [offer(1), offer(2)] };

    // Act
    const offersOnly = notifyReason(legacy, member, program, TODAY);
    const withVoucher = notifyReason(legacy, { ...member, vouchers: [voucher(1)] }, program, TODAY);
    const afterSync = notifyReason(
      shownOf(member, TODAY),
      { ...member, offers: [...member.offers, offer(3)] },
      program,
      TODAY,
    );

    // Assess
    expect(offersOnly).toBeUndefined();
    expect(withVoucher).toBe("voucher_earned");
    expect(afterSync).toBe("offer");
  });
});

describe("the notification budget", () => {
  it("allows 3 notifying updates per window, counting only those inside it", () => {
    expect(budgetLeft([], T0)).toBe(3);
    expect(budgetLeft([T0 - 100, T0 - 50], T0)).toBe(1);
    expect(budgetLeft([T0 - 300, T0 - 200, T0 - 100], T0)).toBe(0);
    expect(budgetLeft([T0 - NOTIFICATION_WINDOW_SECONDS, T0 - 200, T0 - 100], T0)).toBe(1);
    // Google's 24 h plus the margin: a send 24 h 5 min ago still counts.
    expect(budgetLeft([T0 - DAY - 300, T0 - 200, T0 - 100], T0)).toBe(0);
    expect(NOTIFICATION_WINDOW_SECONDS).toBe(DAY + NOTIFICATION_CLOCK_MARGIN_SECONDS);
    // A send stamped by a clock ahead of this one counts too.
    expect(budgetLeft([T0 - 100, T0 + 60, T0 + 120], T0)).toBe(0);
  });

  it("notifies a voucher earned while budget is left, and records the send", () => {
    const decision = decideNotification({
      shown: shownOf(base, TODAY),
      member: { ...base, vouchers: [voucher(1)] },
      program,
      sentAt: [T0 - DAY - 3600, T0 - 100],
      nowSeconds: T0,
    });
    expect(decision).toEqual({ notify: true, reason: "voucher_earned", sentAt: [T0 - 100, T0] });
  });

  it("notifies an offer within the budget, on the offers live on the day of the program's time zone", () => {
    // Prepare: an offer from 16 June; 22:30 UTC on 15 June is already 16 June in Paris
    const member = { ...base, offers: [offer(1, { validFrom: "2026-06-16" })] };
    const lateEvening = Math.floor(Date.parse("2026-06-15T22:30:00Z") / 1000);
    const decide = (nowSeconds: number, sentAt: number[]) =>
      decideNotification({ shown: shownOf(base, TODAY), member, program, sentAt, nowSeconds });

    // Act
    const beforeItStarts = decide(T0, []);
    const onItsFirstDay = decide(lateEvening, [T0 - 100]);
    const budgetSpent = decide(lateEvening, [T0 - 300, T0 - 200, T0 - 100]);

    // Assess
    expect(beforeItStarts).toEqual({ notify: false, sentAt: [] });
    expect(onItsFirstDay).toEqual({ notify: true, reason: "offer", sentAt: [T0 - 100, lateEvening] });
    expect(budgetSpent).toMatchObject({ notify: false, reason: "offer", coalesced: true });
  });

  it("coalesces a due notification into a silent update once the budget is spent", () => {
    const decision = decideNotification({
      shown: shownOf(base, TODAY),
      member: { ...base, tierId: "gold" },
      program,
      sentAt: [T0 - 300, T0 - 200, T0 - 100],
      nowSeconds: T0,
    });
    expect(decision).toEqual({
      notify: false,
      reason: "tier_reached",
      coalesced: true,
      sentAt: [T0 - 300, T0 - 200, T0 - 100],
    });
  });

  it("does not let a clock up to the margin behind reopen a window another clock has pruned", () => {
    const sent = [T0, T0 + 100, T0 + 200];
    // Just past 24 h after the first send, by a clock ahead: a silent update keeps the budget.
    const ahead = decideNotification({
      shown: shownOf(base, TODAY),
      member: { ...base, points: 10 },
      program,
      sentAt: sent,
      nowSeconds: T0 + DAY + 60,
    });
    expect(ahead.sentAt).toEqual(sent);
    // Then a voucher, by a clock 5 minutes behind: still inside 24 h of the first send.
    const behind = decideNotification({
      shown: shownOf(base, TODAY),
      member: { ...base, vouchers: [voucher(1)] },
      program,
      sentAt: ahead.sentAt,
      nowSeconds: T0 + DAY - 240,
    });
    expect(behind).toMatchObject({ notify: false, coalesced: true });
  });

  it("sends a silent update for a balance change, pruning the budget", () => {
    const decision = decideNotification({
      shown: shownOf(base, TODAY),
      member: { ...base, points: 99 },
      program,
      sentAt: [T0 - 2 * DAY, T0 - 100],
      nowSeconds: T0,
    });
    expect(decision).toEqual({ notify: false, sentAt: [T0 - 100] });
  });

  const change = fc.constantFrom(
    "points",
    "stamps",
    "voucher_earned",
    "voucher_used",
    "tier_up",
    "tier_down",
    "validity",
    "offer_given",
    "legacy_state",
    "reinsert",
  );
  const step = fc.record({
    // From seconds apart to more than a day, so windows both fill up and drain.
    advance: fc.oneof(
      fc.integer({ min: 0, max: 120 }),
      fc.integer({ min: 0, max: 6 * 3600 }),
      fc.integer({ min: 0, max: 2 * DAY }),
    ),
    // Another Lambda's clock, up to the margin behind.
    skew: fc.integer({ min: 0, max: NOTIFICATION_CLOCK_MARGIN_SECONDS }),
    change,
  });

  it("never notifies more than 3 times in any 24 hours, and never misses a voucher or an offer it has budget for", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
        let member: Member = base;
        let shown: GoogleShown | undefined;
        let sentAt: number[] = [];
        let clock = T0;
        let vouchers = 0;
        let offers = 0;
        const notified: number[] = [];
        for (const { advance, skew, change } of steps) {
          clock += advance;
          const nowSeconds = clock - skew;
          const tier = TIERS.indexOf(member.tierId as (typeof TIERS)[number]);
          switch (change) {
            case "points":
              member = { ...member, points: member.points + 10 };
              break;
            case "stamps":
              member = { ...member, stamps: { coffee: ((member.stamps.coffee ?? 0) + 1) % 5 } };
              break;
            case "voucher_earned":
              member = { ...member, vouchers: [...member.vouchers, voucher(++vouchers)] };
              break;
            case "voucher_used":
              member = { ...member, vouchers: member.vouchers.slice(1) };
              break;
            case "tier_up":
              member = { ...member, tierId: TIERS[Math.min(tier + 1, TIERS.length - 1)] ?? null };
              break;
            case "tier_down":
              member = { ...member, tierId: TIERS[Math.max(tier - 1, 0)] ?? null };
              break;
            case "validity":
              member = { ...member, validUntil: "2028-01-01" };
              break;
            case "offer_given":
              member = {
                ...member,
                offers: [
                  ...(member.offers ?? []),
                  offer(++offers, { validFrom: "2026-01-01", validTo: "2027-12-31" }),
                ],
              };
              break;
            case "legacy_state":
              // A state stored before offers were on cards, with a new offer since.
              if (shown !== undefined) shown = { tierId: shown.tierId, voucherIds: shown.voucherIds };
              member = {
                ...member,
                offers: [
                  ...(member.offers ?? []),
                  offer(++offers, { validFrom: "2026-01-01", validTo: "2027-12-31" }),
                ],
              };
              break;
            case "reinsert":
              shown = undefined; // a new object: its first sync
              break;
          }
          const left = budgetLeft(sentAt, nowSeconds);
          const decision = decideNotification({ shown, member, program, sentAt, nowSeconds });
          if (decision.notify) notified.push(nowSeconds);
          if (change === "voucher_earned" && shown !== undefined && left > 0) {
            expect(decision).toMatchObject({ notify: true, reason: "voucher_earned" });
          }
          if (change === "offer_given" && shown !== undefined && left > 0) {
            expect(decision).toMatchObject({ notify: true, reason: "offer" });
          }
          if (
            [
              "points",
              "stamps",
              "voucher_used",
              "tier_down",
              "validity",
              "legacy_state",
              "reinsert",
            ].includes(change)
          ) {
            expect(decision.notify).toBe(false);
          }
          expect(decision.sentAt.length).toBeLessThanOrEqual(NOTIFICATIONS_PER_WINDOW);
          sentAt = decision.sentAt;
          shown = shownOf(member, localDay(new Date(nowSeconds * 1000), program.timeZone));
        }
        // Every sliding 24 h window [t, t + 24 h) holds at most 3 notifications.
        const times = [...notified].sort((a, b) => a - b);
        for (let i = 0; i + NOTIFICATIONS_PER_WINDOW < times.length; i++) {
          const first = times[i] ?? 0;
          const fourth = times[i + NOTIFICATIONS_PER_WINDOW] ?? 0;
          expect(fourth - first).toBeGreaterThanOrEqual(DAY);
        }
      }),
      { numRuns: 300 },
    );
  });
});
