import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../../functions/domain/errors.js";
import { localDay } from "../../../functions/domain/loyalty/calendar.js";
import {
  accrue,
  type Outcome,
  type PurchaseRecord,
  purchase,
  redeemReward,
  redeemVoucher,
  refund,
  settle,
  transfer,
} from "../../../functions/domain/loyalty/engine.js";
import {
  applyDeltas,
  balanceOf,
  type LedgerEntry,
  type Member,
  rebuildBalance,
} from "../../../functions/domain/loyalty/member.js";
import { coffees, ctxAt, ids, newMember, programWith, spend } from "./fixtures.js";

/**
 * Random sequences of every operation on two members of a program using every mechanic, with time
 * moving forward. Refusals are fine; whatever happens, the invariants below hold after every step.
 */
const program = programWith({
  earn: { bands: [{ aboveCents: 500, pointsPerEuro: 2 }], rounding: "round" },
  stamps: {
    cards: [{ category: "coffee", stampsRequired: 4, rewardTitle: "Free coffee", voucherValidDays: 20 }],
  },
  rewards: {
    autoConvert: false,
    catalogue: [
      { rewardId: "cake", title: "Cake", pointsCost: 30, voucher: { kind: "gift", description: "Any cake" } },
      { rewardId: "ten", title: "10 € off", pointsCost: 120, voucher: { kind: "amount", valueCents: 1000 } },
    ],
  },
  tiers: {
    windowDays: 60,
    levels: [{ tierId: "gold", name: "Gold", entrySpendCents: 20_000, multiplier: 1.5 }],
  },
  expiry: { months: 2 },
  partners: { dailyCapPointsPerMember: 50 },
  transfers: { enabled: true, maxPointsPerDay: 100 },
  bonuses: {
    memberCardPaymentMultiplier: 1.25,
    campaigns: [
      {
        campaignId: "spring",
        name: "Spring",
        startsAt: "2026-03-01T00:00:00Z",
        endsAt: "2026-04-01T00:00:00Z",
        multiplier: 2,
        categories: ["coffee"],
      },
    ],
  },
});

const op = fc.oneof(
  fc.record({
    kind: fc.constant("purchase" as const),
    who: fc.nat(1),
    cents: fc.integer({ min: 0, max: 20_000 }),
    coffees: fc.nat(9),
    card: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("refund" as const),
    which: fc.nat(100),
    cents: fc.integer({ min: 1, max: 20_000 }),
  }),
  fc.record({ kind: fc.constant("voucher" as const), who: fc.nat(1) }),
  fc.record({
    kind: fc.constant("reward" as const),
    who: fc.nat(1),
    rewardId: fc.constantFrom("cake", "ten"),
  }),
  fc.record({
    kind: fc.constant("partner" as const),
    who: fc.nat(1),
    points: fc.integer({ min: 1, max: 60 }),
  }),
  fc.record({
    kind: fc.constant("transfer" as const),
    from: fc.nat(1),
    points: fc.integer({ min: 1, max: 120 }),
  }),
  fc.record({ kind: fc.constant("wait" as const), days: fc.integer({ min: 1, max: 45 }) }),
);

interface World {
  members: [Member, Member];
  ledgers: [LedgerEntry[], LedgerEntry[]];
  purchases: { record: PurchaseRecord; who: 0 | 1 }[];
  spend: [Record<string, number>, Record<string, number>];
  now: Date;
  seq: number;
}

const checkInvariants = (w: World) => {
  for (const i of [0, 1] as const) {
    const m = w.members[i];
    const ledger = w.ledgers[i];
    // balance never negative, and the ledger folds back to the member
    expect(m.points).toBeGreaterThanOrEqual(0);
    for (const n of Object.values(m.stamps)) expect(n).toBeGreaterThan(0);
    expect(rebuildBalance(ledger)).toEqual(balanceOf(m));
    expect(ledger.map((e) => e.seq)).toEqual(ledger.map((_, k) => k + 1));
    // with expiry on, the balance is exactly the lots
    expect(m.points).toBe(m.lots.reduce((s, l) => s + l.points, 0));
    // stamps conserved: earned − taken back by refunds − turned into vouchers = on the card
    const stampDelta = (type: string) =>
      ledger.filter((e) => e.type === type).reduce((s, e) => s + (e.stamps.coffee ?? 0), 0);
    const issued = ledger
      .filter((e) => e.type === "voucher")
      .reduce((s, e) => s + (e.vouchersIssued?.length ?? 0), 0);
    expect(stampDelta("earn") + stampDelta("refund") - issued * 4).toBe(m.stamps.coffee ?? 0);
    expect(stampDelta("voucher") + issued * 4).toBe(0);
  }
  for (const p of w.purchases) {
    expect(p.record.pointsRefunded).toBeLessThanOrEqual(p.record.pointsEarned);
    expect(p.record.refundedCents).toBeLessThanOrEqual(p.record.amountCents);
  }
};

/**
 * FIFO: an entry that takes points from lots empties every earlier lot before touching a later one,
 * and expiry only removes lots whose last day is before the entry's day.
 */
const checkFifo = (before: Member, entries: LedgerEntry[]) => {
  let lots = before.lots;
  for (const e of entries) {
    const taken = Object.entries(e.lots)
      .filter(([, d]) => d < 0)
      .map(([k]) => k)
      .sort();
    if (e.type === "expire") {
      for (const k of taken) expect(k < localDay(new Date(e.at), program.timeZone)).toBe(true);
    } else if (taken.length > 0 && e.type !== "adjust") {
      const last = taken[taken.length - 1] as string;
      for (const lot of lots)
        if (lot.expiresOn < last) expect(-(e.lots[lot.expiresOn] ?? 0)).toBe(lot.points);
    }
    lots = applyDeltas({ points: 0, stamps: {}, lots }, { points: 0, stamps: {}, lots: e.lots }).lots;
  }
};

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

const step = (w: World, o: Op): void => {
  const ctx = ctxAt(program, w.now);
  const take = (i: 0 | 1, out: Outcome) => {
    checkFifo(w.members[i], out.entries);
    w.members[i] = out.member;
    w.ledgers[i].push(...out.entries);
  };
  w.seq++;
  switch (o.kind) {
    case "purchase": {
      const i = o.who as 0 | 1;
      const items = o.coffees > 0 ? coffees(o.coffees, 250) : [];
      const out = purchase(
        w.members[i],
        ctx,
        spend(o.cents, w.now.toISOString(), { items, paidWithMemberCard: o.card }),
        w.spend[i],
        ids(w.seq),
      );
      take(i, out);
      w.spend[i][out.record.spendDay] = (w.spend[i][out.record.spendDay] ?? 0) + o.cents;
      w.purchases.push({ record: out.record, who: i });
      break;
    }
    case "refund": {
      const p = w.purchases[o.which % Math.max(1, w.purchases.length)];
      if (!p) return;
      const out = refund(w.members[p.who], ctx, p.record, o.cents, w.spend[p.who], ids(w.seq));
      take(p.who, out);
      w.spend[p.who][p.record.spendDay] = (w.spend[p.who][p.record.spendDay] ?? 0) - o.cents;
      p.record = out.record;
      break;
    }
    case "voucher": {
      const i = o.who as 0 | 1;
      const v = w.members[i].vouchers[0];
      if (!v) return;
      take(i, redeemVoucher(w.members[i], ctx, v.voucherId, ids(w.seq)));
      break;
    }
    case "reward":
      take(o.who as 0 | 1, redeemReward(w.members[o.who as 0 | 1], ctx, o.rewardId, ids(w.seq)));
      break;
    case "partner":
      take(
        o.who as 0 | 1,
        accrue(w.members[o.who as 0 | 1], ctx, {
          partnerId: "prt_1",
          pointsPerEuro: 1,
          points: o.points,
          reference: `r${w.seq}`,
        }),
      );
      break;
    case "transfer": {
      const from = o.from as 0 | 1;
      const to = (1 - from) as 0 | 1;
      const out = transfer(w.members[from], w.members[to], ctx, o.points, `txn_${w.seq}`);
      take(from, out.from);
      take(to, out.to);
      break;
    }
    case "wait": {
      w.now = new Date(w.now.getTime() + o.days * 86_400_000);
      for (const i of [0, 1] as const) {
        const out = settle(w.members[i], ctxAt(program, w.now), w.spend[i]);
        if (out) take(i, out);
      }
      break;
    }
  }
};

describe("the engine under random sequences of operations", () => {
  it("keeps balances non-negative, refunds bounded, stamps conserved, expiry FIFO and the ledger exact", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const start = new Date("2026-02-01T09:00:00Z");
        const w: World = {
          members: [newMember(program, start.toISOString()), newMember(program, start.toISOString())],
          ledgers: [[], []],
          purchases: [],
          spend: [{}, {}],
          now: start,
          seq: 0,
        };
        for (const o of ops) {
          const before = structuredClone(w.members);
          try {
            step(w, o);
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            // a refusal changes nothing
            expect(w.members).toEqual(before);
          }
          checkInvariants(w);
        }
      }),
      { numRuns: 400 },
    );
  });
});
