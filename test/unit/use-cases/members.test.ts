import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Transfer } from "../../../functions/app/loyalty/index.js";
import { claimFor } from "../../../functions/app/writes.js";
import { richRules } from "../../support/loyalty.js";
import { type MemoryShop, memoryShop, NOW, purchaseBody, rejection } from "../../support/memory-shop.js";

/** The merchant API's member use cases (read, find, history, renew, transfer) over memory. */

/** The merchant's claim on a key, as the members handler makes it. */
const merchantClaim = (shop: MemoryShop, operationId: string, memberId: string, body: unknown, key: string) =>
  claimFor(
    { kind: "merchant", programId: shop.program.programId },
    { operationId, params: { programId: shop.program.programId, memberId }, body, idempotencyKey: key },
  );

describe("reading a member", () => {
  it("reads the member, its profile, its newest history and its card link, as of now", async () => {
    // Prepare
    const shop = await memoryShop();
    const member = await shop.member({ firstName: "Camille" });
    await shop.buy(member.memberId, 1000);
    await shop.buy(member.memberId, 300, { coffees: 3 });

    // Act
    const read = await shop.service.get(shop.program.programId, member.memberId);

    // Assess: 15 + 3 points; the three coffees made a voucher
    expect(read.program.programId).toBe(shop.program.programId);
    expect(read.member).toMatchObject({ memberId: member.memberId, points: 18, purchases: 2 });
    expect(read.member.vouchers).toHaveLength(1);
    expect(read.profile?.firstName).toBe("Camille");
    expect(read.history.items.map((e) => [e.seq, e.type, e.points])).toEqual([
      [3, "voucher", 0],
      [2, "earn", 3],
      [1, "earn", 15],
    ]);
    expect(read.history.nextCursor).toBeUndefined();
    expect(read.cardUrl).toBe(`https://carnet.test/c/${shop.program.programId}.${member.memberId}.0`);
    expect(read.asOf).toEqual(new Date(NOW));
  });

  it("shows points expired as of now before the sweep wrote it, writing nothing", async () => {
    // Prepare: points of March 2026 last until 31 March 2027
    const shop = await memoryShop();
    const member = await shop.member();
    await shop.buy(member.memberId, 1000);
    const committed = shop.committed();
    shop.clock.set("2027-04-01T10:00:00Z");

    // Act
    const read = await shop.service.get(shop.program.programId, member.memberId);

    // Assess
    expect(read.member.points).toBe(0);
    expect(read.member.lots).toEqual([]);
    expect((await shop.stored(member.memberId)).points).toBe(15);
    expect(shop.committed()).toBe(committed);
  });

  it.each<[string, (shop: MemoryShop) => Promise<[string, string]>, string]>([
    [
      "an unknown member",
      async (shop) => [shop.program.programId, "mbr_0000000000000000"],
      "member_not_found",
    ],
    [
      "another program's member",
      async (shop) => [shop.program.programId, (await (await shop.openProgram({})).member()).memberId],
      "member_not_found",
    ],
    [
      "an unknown program",
      async (shop) => ["prg_0000000000000000", (await shop.member()).memberId],
      "program_not_found",
    ],
  ])("answers a read of %s with 404", async (_what, ids, code) => {
    // Prepare
    const shop = await memoryShop();
    const [programId, memberId] = await ids(shop);

    // Act
    const refused = await rejection(() => shop.service.get(programId, memberId));

    // Assess
    expect(refused).toEqual({ kind: "not_found", code });
  });
});

describe("finding a member", () => {
  it("finds a member by email in any case, and by card code with spaces or dashes", async () => {
    // Prepare
    const shop = await memoryShop();
    await shop.member();
    const member = await shop.member({ email: "dana@example.com" });
    const { programId } = shop.program;
    const dashed = member.cardCode.replace(/(\d{4})(?=\d)/g, "$1-");

    // Act
    const byEmail = await shop.service.find(programId, { email: "  Dana@Example.COM" });
    const byCode = await shop.service.find(programId, { cardCode: dashed });

    // Assess
    expect(byEmail.member.memberId).toBe(member.memberId);
    expect(byEmail.profile?.email).toBe("dana@example.com");
    expect(byCode.member.memberId).toBe(member.memberId);
  });

  it.each<[string, (shop: MemoryShop) => Promise<{ email?: string; cardCode?: string }>, string, string]>([
    ["an email nobody has", async () => ({ email: "nobody@example.com" }), "not_found", "member_not_found"],
    [
      "a card code nobody has",
      async () => ({ cardCode: "4539148803436467" }),
      "not_found",
      "member_not_found",
    ],
    [
      "another program's card code",
      async (shop) => ({ cardCode: (await (await shop.openProgram({})).member()).cardCode }),
      "not_found",
      "member_not_found",
    ],
    [
      "another program's member's email",
      async (shop) => {
        await (await shop.openProgram({})).member({ email: "elsewhere@example.com" });
        return { email: "elsewhere@example.com" };
      },
      "not_found",
      "member_not_found",
    ],
    [
      "a mistyped card code",
      async () => ({ cardCode: "4539148803436468" }),
      "validation",
      "invalid_card_code",
    ],
  ])("answers a search for %s", async (_what, query, kind, code) => {
    // Prepare
    const shop = await memoryShop();
    const q = await query(shop);

    // Act
    const refused = await rejection(() => shop.service.find(shop.program.programId, q));

    // Assess
    expect(refused).toEqual({ kind, code });
  });
});

describe("a member's history", () => {
  /** A member with 12 ledger entries: 12 purchases of 1, 2, … 12 €. */
  const withTwelveEntries = async () => {
    const shop = await memoryShop({ rules: {} });
    const member = await shop.member();
    for (let euros = 1; euros <= 12; euros++) await shop.buy(member.memberId, euros * 100);
    return { shop, member };
  };

  it("pages through the ledger newest first", async () => {
    // Prepare
    const { shop, member } = await withTwelveEntries();
    const { programId } = shop.program;

    // Act
    const pages: number[][] = [];
    let cursor: string | undefined;
    do {
      const page = await shop.service.history(programId, member.memberId, {
        limit: 5,
        ...(cursor ? { cursor } : {}),
      });
      pages.push(page.items.map((e) => e.points));
      cursor = page.nextCursor;
    } while (cursor && pages.length < 100);

    // Assess
    expect(pages).toEqual([
      [12, 11, 10, 9, 8],
      [7, 6, 5, 4, 3],
      [2, 1],
    ]);
  });

  it("shows the 10 newest entries with the member, and its cursor continues with the history", async () => {
    // Prepare
    const { shop, member } = await withTwelveEntries();
    const { programId } = shop.program;

    // Act
    const read = await shop.service.get(programId, member.memberId);
    const rest = await shop.service.history(programId, member.memberId, {
      limit: 10,
      cursor: read.history.nextCursor ?? "none",
    });

    // Assess
    expect(read.history.items.map((e) => e.seq)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(rest.items.map((e) => e.seq)).toEqual([2, 1]);
    expect(rest.nextCursor).toBeUndefined();
  });

  it("refuses another member's cursor as invalid_cursor", async () => {
    // Prepare
    const { shop, member } = await withTwelveEntries();
    const other = await shop.member();
    const { programId } = shop.program;
    const { nextCursor } = await shop.service.history(programId, member.memberId, { limit: 1 });

    // Act
    const refused = await rejection(() =>
      shop.service.history(programId, other.memberId, { limit: 1, cursor: nextCursor ?? "" }),
    );

    // Assess
    expect(refused).toEqual({ kind: "bad_request", code: "invalid_cursor" });
  });

  it("answers the history of a member of another program with member_not_found", async () => {
    // Prepare
    const shop = await memoryShop();
    const stranger = await (await shop.openProgram({})).member();

    // Act
    const refused = await rejection(() =>
      shop.service.history(shop.program.programId, stranger.memberId, { limit: 10 }),
    );

    // Assess
    expect(refused).toEqual({ kind: "not_found", code: "member_not_found" });
  });
});

describe("renewing a card", () => {
  const yearlyCards = { ...richRules, validity: { cardMonths: 12 } };

  it("extends a valid card from its end, with a renewal in the ledger, and answers the member read again", async () => {
    // Prepare
    const shop = await memoryShop({ rules: yearlyCards });
    const member = await shop.member();
    shop.clock.set("2027-02-20T10:00:00Z");

    // Act
    const read = await shop.service.renew(shop.program.programId, member.memberId, undefined);

    // Assess
    expect(member.validUntil).toBe("2027-03-10");
    expect(read.member.validUntil).toBe("2028-03-10");
    expect(read.history.items.map((e) => [e.type, e.note])).toEqual([["renewal", "valid until 2028-03-10"]]);
    expect((await shop.stored(member.memberId)).validUntil).toBe("2028-03-10");
  });

  it("extends a lapsed card from today", async () => {
    // Prepare
    const shop = await memoryShop({ rules: yearlyCards });
    const member = await shop.member();
    shop.clock.set("2027-06-01T10:00:00Z");

    // Act
    const read = await shop.service.renew(shop.program.programId, member.memberId, undefined);

    // Assess
    expect(read.member.validUntil).toBe("2028-06-01");
  });

  it("renews once for a retried request with the same Idempotency-Key", async () => {
    // Prepare
    const shop = await memoryShop({ rules: yearlyCards });
    const member = await shop.member();
    const claim = merchantClaim(shop, "renewCard", member.memberId, {}, randomUUID());
    await shop.service.renew(shop.program.programId, member.memberId, claim);

    // Act
    const again = await shop.service.renew(shop.program.programId, member.memberId, { ...claim });

    // Assess
    expect(again.member.validUntil).toBe("2028-03-10");
    expect((await shop.ledger(member.memberId)).map((e) => e.type)).toEqual(["renewal"]);
  });

  it.each<[string, unknown, (shop: MemoryShop) => Promise<string>, string]>([
    [
      "of a program whose cards never expire",
      richRules,
      async (shop) => (await shop.member()).memberId,
      "card_never_expires",
    ],
    ["of a member that does not exist", yearlyCards, async () => "mbr_0000000000000000", "member_not_found"],
  ])("refuses a renewal %s", async (_what, rules, memberOf, code) => {
    // Prepare
    const shop = await memoryShop({ rules });
    const memberId = await memberOf(shop);

    // Act
    const refused = await rejection(() => shop.service.renew(shop.program.programId, memberId, undefined));

    // Assess
    expect(refused.code).toBe(code);
    expect(shop.commits).toEqual([]);
  });
});

describe("a transfer of points", () => {
  /** Two members of a program that allows transfers; the first with 35 points. */
  const twoMembers = async () => {
    const shop = await memoryShop();
    const from = await shop.member();
    const to = await shop.member();
    await shop.buy(from.memberId, 2000);
    const transfer = (input: Transfer, fromId = from.memberId) =>
      shop.service.transfer(shop.program.programId, fromId, input, undefined);
    return { shop, from, to, transfer };
  };

  it("moves points from one member to the other, oldest first and keeping their expiry, in one commit", async () => {
    // Prepare
    const { shop, from, to, transfer } = await twoMembers();

    // Act
    const moved = await transfer({ toMemberId: to.memberId, points: 30 });

    // Assess
    expect(moved).toEqual({
      transferId: expect.stringMatching(/^txn_/),
      points: 30,
      from: { memberId: from.memberId, points: 5, stamps: {}, tier: null },
      to: { memberId: to.memberId, points: 30, stamps: {}, tier: null },
    });
    expect((await shop.stored(to.memberId)).lots).toEqual([{ expiresOn: "2027-03-31", points: 30 }]);
    expect((await shop.ledger(from.memberId)).at(-1)).toMatchObject({
      type: "transfer_out",
      points: -30,
      counterpartMemberId: to.memberId,
      transactionId: moved.transferId,
    });
    expect((await shop.ledger(to.memberId)).map((e) => [e.type, e.points, e.transactionId])).toEqual([
      ["transfer_in", 30, moved.transferId],
    ]);
    expect(shop.commits.at(-1)?.writes.map((w) => w.kind)).toEqual(["member", "ledger", "member", "ledger"]);
  });

  it("changes neither member when the sender lacks the points", async () => {
    // Prepare
    const { shop, from, to, transfer } = await twoMembers();
    const before = [await shop.stored(from.memberId), await shop.stored(to.memberId)];
    const committed = shop.committed();

    // Act
    const refused = await rejection(() => transfer({ toMemberId: to.memberId, points: 36 }));

    // Assess
    expect(refused).toEqual({ kind: "validation", code: "insufficient_points" });
    expect([await shop.stored(from.memberId), await shop.stored(to.memberId)]).toEqual(before);
    expect(shop.committed()).toBe(committed);
  });

  it("computes both sides again when the receiver changed meanwhile, never writing one side alone", async () => {
    // Prepare: the receiver buys (15 points) between the transfer's reads and its commit
    const { shop, from, to, transfer } = await twoMembers();
    const commits = shop.commits.length;
    const body = purchaseBody(to.memberId, 1000);
    shop.beforeCommit(async (sent) => {
      if (sent === commits)
        await shop.elsewhere.purchase(shop.caller, body, shop.claim("recordPurchase", body));
    });

    // Act
    const moved = await transfer({ toMemberId: to.memberId, points: 30 });

    // Assess
    expect(shop.commits.slice(commits).map((c) => c.result.kind)).toEqual(["changed", "committed"]);
    expect(moved.to.points).toBe(45);
    expect((await shop.stored(from.memberId)).points).toBe(5);
    expect((await shop.ledger(from.memberId)).filter((e) => e.type === "transfer_out")).toHaveLength(1);
  });

  it("transfers once for a retried request with the same Idempotency-Key, and refuses it with another body", async () => {
    // Prepare
    const { shop, from, to } = await twoMembers();
    const key = randomUUID();
    const send = (points: number) => {
      const body = { toMemberId: to.memberId, points };
      const claim = merchantClaim(shop, "transferPoints", from.memberId, body, key);
      return shop.service.transfer(shop.program.programId, from.memberId, body, claim);
    };
    const first = await send(10);

    // Act
    const again = await send(10);
    const other = await rejection(() => send(11));

    // Assess
    expect(again).toEqual(first);
    expect(other).toEqual({ kind: "conflict", code: "idempotency_key_reused" });
    expect((await shop.stored(to.memberId)).points).toBe(10);
  });

  it.each<[string, (t: Awaited<ReturnType<typeof twoMembers>>) => Promise<[string, string]>, string]>([
    ["to the same member", async ({ from }) => [from.memberId, from.memberId], "same_member"],
    [
      "to another program's member",
      async ({ shop, from }) => [from.memberId, (await (await shop.openProgram({})).member()).memberId],
      "member_not_found",
    ],
    [
      "from a member that does not exist",
      async ({ to }) => ["mbr_0000000000000000", to.memberId],
      "member_not_found",
    ],
  ])("refuses a transfer %s", async (_what, ids, code) => {
    // Prepare
    const t = await twoMembers();
    const [fromId, toId] = await ids(t);

    // Act
    const refused = await rejection(() => t.transfer({ toMemberId: toId, points: 5 }, fromId));

    // Assess
    expect(refused.code).toBe(code);
  });

  it("refuses a transfer in a program that does not allow them", async () => {
    // Prepare
    const shop = await memoryShop({ rules: {} });
    const [a, b] = [await shop.member(), await shop.member()];

    // Act
    const refused = await rejection(() =>
      shop.service.transfer(
        shop.program.programId,
        a.memberId,
        { toMemberId: b.memberId, points: 1 },
        undefined,
      ),
    );

    // Assess
    expect(refused).toEqual({ kind: "validation", code: "transfers_disabled" });
  });
});
