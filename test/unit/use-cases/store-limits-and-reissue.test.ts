import { describe, expect, it } from "vitest";
import { DomainError } from "../../../functions/domain/errors.js";
import { memoryShop, purchaseBody } from "../../support/memory-shop.js";

/** What a store key's limits refuse, and what reissuing a card changes, over the use cases alone. */

const refusal = async (attempt: Promise<unknown>) => {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return { kind: error.kind, code: error.code, details: error.details };
};

describe("a store key's limits", () => {
  it("refuses a purchase above the largest one the store may record, reading and writing nothing", async () => {
    // Prepare
    const shop = await memoryShop();
    const memberId = (await shop.member()).memberId;
    const limited = { ...shop.caller, limits: { maxPurchaseCents: 5000 } };
    const body = purchaseBody(memberId, 5001);

    // Act
    const refused = await refusal(shop.service.purchase(limited, body, shop.claim("recordPurchase", body)));
    const atLimit = purchaseBody(memberId, 5000);
    const accepted = await shop.service.purchase(limited, atLimit, shop.claim("recordPurchase", atLimit));

    // Assess
    expect(refused).toEqual({
      kind: "validation",
      code: "purchase_over_limit",
      details: { maxPurchaseCents: 5000 },
    });
    expect(accepted.pointsEarned).toBeGreaterThan(0);
    expect(shop.committed()).toBe(1);
  });

  it("refuses purchases beyond the store's per-minute limit until the next minute", async () => {
    // Prepare
    const shop = await memoryShop();
    const memberId = (await shop.member()).memberId;
    const limited = { ...shop.caller, limits: { purchasesPerMinute: 2 } };
    const buy = () => {
      const body = purchaseBody(memberId, 100);
      return shop.service.purchase(limited, body, shop.claim("recordPurchase", body));
    };
    shop.clock.set("2026-03-10T11:00:20.000Z");

    // Act
    await buy();
    await buy();
    const third = await refusal(buy());
    shop.clock.set("2026-03-10T11:01:00.000Z");
    const nextMinute = await buy();

    // Assess
    expect(third).toEqual({
      kind: "rate_limited",
      code: "store_rate_limited",
      details: { retryAfterSeconds: 40 },
    });
    expect(nextMinute.member.points).toBe(3);
    expect(shop.committed()).toBe(3);
  });

  it("lets another store of the program go on when one store reaches its limit", async () => {
    // Prepare
    const shop = await memoryShop();
    const memberId = (await shop.member()).memberId;
    const limits = { purchasesPerMinute: 1 };
    const other = { ...shop.caller, storeId: "sto_0000000000000099", limits };
    const first = purchaseBody(memberId, 100);
    await shop.service.purchase({ ...shop.caller, limits }, first, shop.claim("recordPurchase", first));

    // Act
    const body = purchaseBody(memberId, 100);
    const elsewhere = await shop.service.purchase(other, body, shop.claim("recordPurchase", body));

    // Assess
    expect(elsewhere.member.points).toBe(2);
  });
});

describe("reissuing a card", () => {
  it("moves the card generation on, keeps the balance, and unregisters the old pass's devices", async () => {
    // Prepare
    const shop = await memoryShop();
    const memberId = (await shop.member()).memberId;
    const bought = await shop.buy(memberId, 1000);
    const registration = {
      deviceLibraryIdentifier: "device-1",
      passTypeId: "pass.test",
      memberId,
      programId: shop.program.programId,
      pushToken: "token",
    };
    await shop.repos.registrations.register(registration, shop.clock.now(), true);

    // Act
    const reissued = await shop.service.reissueCard(shop.program.programId, memberId);

    // Assess
    expect(reissued.member.passAuthGeneration).toBe(1);
    expect(reissued.member.points).toBe(bought.member.points);
    expect(reissued.cardUrl).toBe(`https://carnet.test/c/${shop.program.programId}.${memberId}.1`);
    expect(await shop.repos.registrations.devicesOf(memberId)).toEqual([]);
    expect(await shop.repos.registrations.serialsOnDevice("device-1", "pass.test")).toEqual([]);
    expect((await shop.stored(memberId)).devices).toBe(0);
  });

  it("refuses a member of another program or one that was never enrolled", async () => {
    // Prepare
    const shop = await memoryShop();
    const memberId = (await shop.member()).memberId;
    const other = await shop.openProgram({});

    // Act
    const elsewhere = await refusal(shop.service.reissueCard(other.program.programId, memberId));
    const unknown = await refusal(shop.service.reissueCard(shop.program.programId, "mbr_0000000000000000"));

    // Assess
    expect([elsewhere.code, unknown.code]).toEqual(["member_not_found", "member_not_found"]);
    expect((await shop.stored(memberId)).passAuthGeneration).toBe(0);
  });
});
