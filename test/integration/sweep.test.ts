import { describe, expect, it } from "vitest";
import { DUE_SHARDS } from "../../functions/adapters/dynamodb/table.js";
import { runSweep } from "../../functions/app/sweep.js";
import { rebuildBalance } from "../../functions/domain/loyalty/member.js";
import { directService, openShopDirect, purchaseOf, repositories, storeClaim } from "../support/services.js";
import { useTestTable } from "../support/table.js";

useTestTable();

const { members } = repositories();
let clock = new Date("2026-03-10T12:00:00Z");
const service = directService({ now: () => clock });

const buy = (
  caller: { storeId: string; programId: string },
  member: string,
  amountCents: number,
  coffees = 0,
) => {
  const body = purchaseOf(member, amountCents, coffees);
  return service.purchase(caller, body, storeClaim(caller.storeId, body));
};

describe("the scheduled sweep", () => {
  it("expires points FIFO and stale vouchers once they are due, and leaves members with nothing due alone", async () => {
    // Prepare: points expire 1 month after the month they were earned; stamp vouchers last 10 days
    clock = new Date("2026-03-10T12:00:00Z");
    const { program, caller, enroll } = await openShopDirect(service, {
      timeZone: "Europe/Paris",
      rules: {
        expiry: { months: 1 },
        stamps: {
          cards: [{ category: "coffee", stampsRequired: 2, rewardTitle: "Coffee", voucherValidDays: 10 }],
        },
      },
    });
    const early = await enroll();
    const idle = await enroll();
    await buy(caller, early.memberId, 1000, 2); // 10 points in March (valid to 30 April) + a voucher to 20 March
    clock = new Date("2026-04-15T12:00:00Z");
    await buy(caller, early.memberId, 700); // 7 points in April (valid to 31 May)
    const idleBefore = await members.get(program.programId, idle.memberId);

    // Act: the sweep on 1 May (Paris), then again at once
    clock = new Date("2026-05-01T08:00:00Z");
    const first = await runSweep(service, members, DUE_SHARDS, () => clock);
    const second = await runSweep(service, members, DUE_SHARDS, () => clock);

    // Assess
    const after = await members.get(program.programId, early.memberId);
    const ledger = await members.ledger(early.memberId);
    expect(first.settled).toBeGreaterThanOrEqual(1);
    expect(second.settled).toBe(0);
    expect(after?.points).toBe(7);
    expect(after?.lots).toEqual([{ expiresOn: "2026-05-31", points: 7 }]);
    expect(after?.vouchers).toEqual([]);
    expect(after?.closedVouchers.map((v) => v.status)).toEqual(["expired"]);
    expect(ledger.filter((e) => e.type === "expire").map((e) => e.points)).toEqual([-10]);
    expect(rebuildBalance(ledger).points).toBe(7);
    expect(after?.dueAt).toBe("2026-05-31T22:00:00.000Z");
    expect(await members.get(program.programId, idle.memberId)).toEqual(idleBefore);
  });
});
