import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dynamoMemberRepository } from "../../functions/adapters/dynamodb/member-repository.js";
import { dynamoPartnerRepository } from "../../functions/adapters/dynamodb/partner-repository.js";
import { dynamoProgramRepository } from "../../functions/adapters/dynamodb/program-repository.js";
import { dynamoStoreRepository } from "../../functions/adapters/dynamodb/store-repository.js";
import { DUE_SHARDS } from "../../functions/adapters/dynamodb/table.js";
import { loyaltyService } from "../../functions/app/loyalty.js";
import { PurchaseBody } from "../../functions/app/schemas.js";
import { runSweep } from "../../functions/app/sweep.js";
import { requestHash } from "../../functions/app/writes.js";
import { rebuildBalance } from "../../functions/domain/loyalty/member.js";
import { ProgramInput } from "../../functions/domain/program.js";
import { programService } from "../../functions/programs/service.js";
import { storeService } from "../../functions/stores/service.js";
import { useTestTable } from "../support/table.js";

useTestTable();

const programs = dynamoProgramRepository();
const members = dynamoMemberRepository();
let clock = new Date("2026-03-10T12:00:00Z");
const service = loyaltyService({ programs, members, partners: dynamoPartnerRepository(), now: () => clock });

const buy = (
  caller: { storeId: string; programId: string },
  member: string,
  amountCents: number,
  coffees = 0,
) => {
  const body = PurchaseBody.parse({
    member,
    amountCents,
    currency: "EUR",
    items: coffees > 0 ? [{ name: "Coffee", category: "coffee", quantity: coffees, unitCents: 100 }] : [],
  });
  return service.purchase(caller, body, {
    scope: `STORE#${caller.storeId}`,
    clientKey: randomUUID(),
    requestHash: requestHash(body),
  });
};

describe("the scheduled sweep", () => {
  it("expires points FIFO and stale vouchers once they are due, and leaves members with nothing due alone", async () => {
    // Prepare: points expire 1 month after the month they were earned; stamp vouchers last 10 days
    clock = new Date("2026-03-10T12:00:00Z");
    const program = await programService(programs).create(
      ProgramInput.parse({
        name: "Sweep",
        organizationName: "Café",
        timeZone: "Europe/Paris",
        rules: {
          expiry: { months: 1 },
          stamps: {
            cards: [{ category: "coffee", stampsRequired: 2, rewardTitle: "Coffee", voucherValidDays: 10 }],
          },
        },
      }),
    );
    const store = await storeService(dynamoStoreRepository()).create(program.programId, {
      name: "Main",
      latitude: 48.85,
      longitude: 2.35,
    });
    const caller = { storeId: store.storeId, programId: program.programId };
    const enroll = () =>
      service.enroll(program.programId, { email: `${randomUUID()}@example.com`, marketingConsent: false });
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
