import { describe, expect, it } from "vitest";
import { refused } from "../../../functions/domain/errors.js";
import { purchase } from "../../../functions/domain/loyalty/engine.js";
import { begin } from "../../../functions/domain/loyalty/opening.js";
import { ctxAt, errorCode, ids, newMember, programWith, spend } from "./fixtures.js";

const NOW = "2026-11-23T10:00:00Z";

describe("begin, the opening every operation shares", () => {
  it("refuses a member who is not active before running the request's checks", () => {
    // Prepare
    const program = programWith();
    const erased = { ...newMember(program, NOW), status: "erased" as const };
    let checked = false;

    // Act
    const result = errorCode(() =>
      begin(erased, ctxAt(program, NOW), {
        check: () => {
          checked = true;
        },
      }),
    );

    // Assess
    expect(result).toBe("member_not_found");
    expect(checked).toBe(false);
  });

  it("runs the request's checks before the card's validity, and hands back what they return", () => {
    // Prepare: a card valid for a month, a year ago
    const program = programWith({ validity: { cardMonths: 1 } });
    const lapsed = newMember(program, "2025-11-23T10:00:00Z");
    const ctx = ctxAt(program, NOW);

    // Act
    const refusedFirst = errorCode(() =>
      begin(lapsed, ctx, {
        validCard: true,
        check: () => {
          throw refused("request_refused", "The request itself is refused.");
        },
      }),
    );
    const cardRefused = errorCode(() => begin(lapsed, ctx, { validCard: true, check: () => 42 }));
    const opened = begin(lapsed, ctx, { check: () => 42 });

    // Assess
    expect(refusedFirst).toBe("request_refused");
    expect(cardRefused).toBe("card_expired");
    expect(opened.checked).toBe(42);
    expect(opened.change.before).toBe(lapsed);
  });

  it("applies what time has done since the member last changed, and reviews the tier given the spend", () => {
    // Prepare: 20 points that expire after a month, and a gold tier earned by the same purchase
    const program = programWith({
      expiry: { months: 1 },
      tiers: {
        windowDays: 30,
        levels: [{ tierId: "gold", name: "Gold", entrySpendCents: 1_000, multiplier: 1 }],
      },
    });
    const ctx = ctxAt(program, NOW);
    const bought = purchase(newMember(program, NOW), ctx, spend(2_000, NOW), {}, ids(1)).member;
    const later = ctxAt(program, "2027-02-01T10:00:00Z");

    // Act
    const withoutSpend = begin(bought, later).change;
    const withSpend = begin(bought, later, { spend: { "2026-11-23": 2_000 } }).change;

    // Assess
    expect(bought.points).toBe(20);
    expect(bought.tierId).toBe("gold");
    expect(withoutSpend.entries.map((e) => [e.type, e.points])).toEqual([["expire", -20]]);
    expect(withoutSpend.member.points).toBe(0);
    expect(withoutSpend.member.tierId).toBe("gold");
    expect(withSpend.member.tierId).toBeNull();
    expect(withSpend.member.windowSpendCents).toBe(0);
  });
});
