import { describe, expect, it, vi } from "vitest";
import { programService } from "../../../functions/app/programs.js";
import { type ChangeRecord, type PushResult, pushFanOut } from "../../../functions/app/push.js";
import { CardLinkError, WRITE_BUDGET_SECONDS, walletService } from "../../../functions/app/wallet.js";
import type { AppleCardContent } from "../../../functions/domain/pass/apple-card.js";
import type { PassFactory } from "../../../functions/domain/ports.js";
import { CARD_LINK_DAYS, cardLinkFor, passAuthToken } from "../../../functions/shared/pass-tokens.js";
import { type MemoryShop, memoryShop, NOW, rejection } from "../../support/memory-shop.js";

/**
 * Apple Wallet's customer side over memory: card links, passes (signed by a fake factory that
 * records what it was asked to render), device registrations and updated serials; and the push
 * fan-out over the registrations stored.
 */

const SECRET = Buffer.from("a-secret-of-at-least-thirty-two-characters");
const PASS_TYPE_ID = "pass.test.carnet";
const WEB_SERVICE = "https://carnet.test/wallet";
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

interface Rendered {
  look: string;
  content: AppleCardContent;
  service: { webServiceUrl: string; authenticationToken: string };
}

const walletShop = async (options: Parameters<typeof memoryShop>[0] = {}) => {
  const shop = await memoryShop(options);
  const rendered: Rendered[] = [];
  const factory: PassFactory = {
    render(look, content, service) {
      rendered.push({ look, content, service });
      return Buffer.from(`pkpass of ${content.serialNumber}`);
    },
  };
  const wallet = walletService({
    programs: shop.repos.programs,
    stores: shop.repos.stores,
    members: shop.repos.members,
    registrations: shop.repos.registrations,
    passes: async () => factory,
    secret: async () => SECRET,
    passTypeId: PASS_TYPE_ID,
    now: shop.clock.now,
  });
  const linkOf = (memberId: string, programId = shop.program.programId, passAuthGeneration = 0) =>
    cardLinkFor(SECRET, { programId, memberId, passAuthGeneration }, shop.clock.now());
  /** What an iPhone sends for a pass: its type, serial and authentication token. */
  const pass = (memberId: string, generation = 0) => ({
    passTypeId: PASS_TYPE_ID,
    serialNumber: memberId,
    token: passAuthToken(SECRET, memberId, generation),
  });
  const register = (memberId: string, device: string, pushToken = `push-${device}`) =>
    wallet.register({ ...pass(memberId), deviceLibraryIdentifier: device, pushToken });
  return { shop, wallet, rendered, linkOf, pass, register };
};

/** The reason a card link gives no pass. */
const linkRefusal = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run();
  } catch (error) {
    if (error instanceof CardLinkError) return error.reason;
    throw error;
  }
  throw new Error("expected a CardLinkError");
};

/** Marks a member erased, as erasure leaves it. */
const erase = async (shop: MemoryShop, memberId: string) => {
  const m = await shop.stored(memberId);
  await shop.repos.members.commit(
    [
      {
        kind: "member",
        member: { ...m, status: "erased", version: m.version + 1 },
        expectedVersion: m.version,
      },
    ],
    shop.clock.now(),
  );
};

describe("the card link", () => {
  it("shows the card of the member it names, as of now", async () => {
    // Prepare: points of March 2026 last until 31 March 2027
    const { shop, wallet, linkOf } = await walletShop();
    const member = await shop.member();
    await shop.buy(member.memberId, 1000);
    shop.clock.set("2027-04-02T10:00:00Z");

    // Act
    const card = await wallet.cardByLink(linkOf(member.memberId));

    // Assess
    expect(card.program.programId).toBe(shop.program.programId);
    expect(card.member).toMatchObject({ memberId: member.memberId, points: 0, lots: [] });
    expect((await shop.stored(member.memberId)).points).toBe(15);
  });

  it.each<[string, (t: Awaited<ReturnType<typeof walletShop>>, memberId: string) => Promise<string>, string]>(
    [
      ["forged", async ({ linkOf }, memberId) => `${linkOf(memberId).slice(0, -2)}xx`, "forged"],
      [
        "signed with another secret",
        async ({ shop }, memberId) =>
          cardLinkFor(
            Buffer.from("another-secret-of-thirty-two-characters!"),
            { programId: shop.program.programId, memberId, passAuthGeneration: 0 },
            shop.clock.now(),
          ),
        "forged",
      ],
      [
        "expired",
        async ({ shop, linkOf }, memberId) => {
          const link = linkOf(memberId);
          shop.clock.set(new Date(Date.parse(NOW) + CARD_LINK_DAYS * 86_400_000));
          return link;
        },
        "expired",
      ],
      ["malformed", async () => "not-a-link", "malformed"],
      ["of a member that does not exist", async ({ linkOf }) => linkOf("mbr_0000000000000000"), "gone"],
      [
        "naming another program",
        async ({ linkOf }, memberId) => linkOf(memberId, "prg_0000000000000000"),
        "gone",
      ],
      [
        "of an erased member",
        async ({ shop, linkOf }, memberId) => {
          await erase(shop, memberId);
          return linkOf(memberId);
        },
        "gone",
      ],
    ],
  )("gives no card for a link %s", async (_what, linkFor, reason) => {
    // Prepare
    const t = await walletShop();
    const member = await t.shop.member();
    const link = await linkFor(t, member.memberId);

    // Act
    const refused = await linkRefusal(() => t.wallet.cardByLink(link));
    const noPass = await linkRefusal(() => t.wallet.passByLink(link, WEB_SERVICE, undefined));

    // Assess
    expect([refused, noPass]).toEqual([reason, reason]);
    expect(t.rendered).toEqual([]);
  });
});

describe("the pass", () => {
  it("is rendered with the member's content, the program's look and the pass's own token", async () => {
    // Prepare
    const { shop, wallet, linkOf, rendered } = await walletShop();
    const member = await shop.member({ firstName: "Camille", lastName: "Martin" });
    shop.clock.set("2026-03-10T12:00:00Z");
    await shop.buy(member.memberId, 1000);
    const stored = await shop.stored(member.memberId);

    // Act
    const answer = await wallet.passByLink(linkOf(member.memberId), WEB_SERVICE, undefined);

    // Assess
    expect(answer).toEqual({
      kind: "pass",
      pass: {
        body: Buffer.from(`pkpass of ${member.memberId}`),
        lastModified: epoch("2026-03-10T12:00:00Z"),
        memberId: member.memberId,
      },
    });
    expect(stored.passUpdatedAt).toBe(epoch("2026-03-10T12:00:00Z"));
    expect(rendered).toHaveLength(1);
    const [{ look, content, service } = {} as Rendered] = rendered;
    expect(look).toBe("storecard");
    expect(service).toEqual({
      webServiceUrl: WEB_SERVICE,
      authenticationToken: passAuthToken(SECRET, member.memberId, 0),
    });
    expect(content).toMatchObject({
      serialNumber: member.memberId,
      organizationName: "Café",
      voided: false,
      primaryFields: [{ key: "points", value: 15 }],
      barcode: { message: member.cardCode },
      locations: [{ latitude: 48.85, longitude: 2.35 }],
    });
    expect(content.secondaryFields).toContainEqual(
      expect.objectContaining({ key: "holder", value: "Camille Martin" }),
    );
  });

  it("answers not_modified, rendering nothing, when the device's copy is as new", async () => {
    // Prepare
    const { shop, wallet, linkOf, rendered } = await walletShop();
    const member = await shop.member();
    const lastModified = epoch(NOW);

    // Act
    const same = await wallet.passByLink(linkOf(member.memberId), WEB_SERVICE, lastModified);
    const older = await wallet.passByLink(linkOf(member.memberId), WEB_SERVICE, lastModified - 1);

    // Assess
    expect(same).toEqual({ kind: "not_modified", lastModified });
    expect(older.kind).toBe("pass");
    expect(rendered).toHaveLength(1);
  });

  it("changes with the program: a later program change is the pass's Last-Modified", async () => {
    // Prepare
    const { shop, wallet, linkOf } = await walletShop();
    const member = await shop.member();
    shop.clock.set("2026-03-11T09:00:00Z");
    await programService(shop.repos.programs, shop.clock.now).update(shop.program.programId, {
      organizationName: "Café Lumière",
    });

    // Act
    const answer = await wallet.passByLink(linkOf(member.memberId), WEB_SERVICE, epoch(NOW));

    // Assess
    expect(answer.kind === "pass" && answer.pass.lastModified).toBe(epoch("2026-03-11T09:00:00Z"));
  });

  it("is served to the device, voided, once the member is erased", async () => {
    // Prepare
    const { shop, wallet, pass, rendered } = await walletShop();
    const member = await shop.member();
    await erase(shop, member.memberId);

    // Act
    const answer = await wallet.latestPass(pass(member.memberId), WEB_SERVICE, undefined);

    // Assess
    expect(answer.kind).toBe("pass");
    expect(rendered[0]?.content.voided).toBe(true);
  });
});

describe("device registrations", () => {
  it("count the devices a pass is on, once each, and one less when a device unregisters", async () => {
    // Prepare
    const { shop, wallet, pass, register } = await walletShop();
    const member = await shop.member();
    const before = await shop.stored(member.memberId);

    // Act
    const answers = [
      await register(member.memberId, "device-1"),
      await register(member.memberId, "device-1", "new-push-token"),
      await register(member.memberId, "device-2"),
    ];
    const withTwo = await shop.stored(member.memberId);
    await wallet.unregister({ ...pass(member.memberId), deviceLibraryIdentifier: "device-1" });

    // Assess
    expect(answers).toEqual(["created", "updated", "created"]);
    expect([withTwo.devices, withTwo.version]).toEqual([2, before.version + 2]);
    expect(withTwo.passUpdatedAt).toBe(before.passUpdatedAt);
    const after = await shop.stored(member.memberId);
    expect([after.devices, after.version]).toEqual([1, before.version + 3]);
    expect(await shop.repos.registrations.devicesOf(member.memberId)).toEqual([
      {
        deviceLibraryIdentifier: "device-2",
        passTypeId: PASS_TYPE_ID,
        memberId: member.memberId,
        programId: shop.program.programId,
        pushToken: "push-device-2",
      },
    ]);
  });

  it.each<[string, (memberId: string) => Record<string, string>, string, string]>([
    [
      "a wrong token",
      (id) => ({ token: passAuthToken(SECRET, "mbr_0000000000000000", 0), serialNumber: id }),
      "unauthenticated",
      "invalid_pass_token",
    ],
    [
      "a revoked token",
      (id) => ({ token: passAuthToken(SECRET, id, 1), serialNumber: id }),
      "unauthenticated",
      "invalid_pass_token",
    ],
    ["another pass type", () => ({ passTypeId: "pass.other" }), "unauthenticated", "invalid_pass_token"],
    [
      "a serial that is no member id",
      () => ({ serialNumber: "../etc" }),
      "unauthenticated",
      "invalid_pass_token",
    ],
    [
      "a device id with a space",
      () => ({ deviceLibraryIdentifier: "my device" }),
      "bad_request",
      "invalid_device_library_identifier",
    ],
  ])("refuses a registration with %s, counting nothing", async (_what, change, kind, code) => {
    // Prepare
    const { shop, wallet, pass } = await walletShop();
    const member = await shop.member();

    // Act
    const refused = await rejection(() =>
      wallet.register({
        ...pass(member.memberId),
        deviceLibraryIdentifier: "device-1",
        pushToken: "push",
        ...change(member.memberId),
      }),
    );

    // Assess
    expect(refused).toEqual({ kind, code });
    expect((await shop.stored(member.memberId)).devices).toBe(0);
    expect(await shop.repos.registrations.devicesOf(member.memberId)).toEqual([]);
  });

  it("refuses a registration for an erased member's pass", async () => {
    // Prepare
    const { shop, register } = await walletShop();
    const member = await shop.member();
    await erase(shop, member.memberId);

    // Act
    const refused = await rejection(() => register(member.memberId, "device-1"));

    // Assess
    expect(refused).toEqual({ kind: "unauthenticated", code: "invalid_pass_token" });
  });
});

describe("the serials updated on a device", () => {
  it("lists the passes changed since the tag, and tags no later than the writes that may still land", async () => {
    // Prepare: two passes on one device; one changes an hour later
    const { shop, wallet, register } = await walletShop();
    const [a, b] = [await shop.member(), await shop.member()];
    await register(a.memberId, "device-1");
    await register(b.memberId, "device-1");
    await register(a.memberId, "device-2");
    shop.clock.set("2026-03-10T12:00:00Z");
    await shop.buy(b.memberId, 1000);

    // Act
    const all = await wallet.updatedSerials("device-1", PASS_TYPE_ID, undefined);
    const sinceEnrollment = await wallet.updatedSerials("device-1", PASS_TYPE_ID, epoch(NOW));
    const sinceChange = await wallet.updatedSerials("device-1", PASS_TYPE_ID, epoch("2026-03-10T12:00:00Z"));

    // Assess: the newest change is at 12:00, now is 12:00: the tag stays WRITE_BUDGET_SECONDS behind
    const tag = String(epoch("2026-03-10T12:00:00Z") - WRITE_BUDGET_SECONDS);
    expect(all).toEqual({ serialNumbers: [a.memberId, b.memberId].sort(), lastUpdated: tag });
    expect(sinceEnrollment).toEqual({ serialNumbers: [b.memberId], lastUpdated: tag });
    expect(sinceChange).toBeUndefined();
  });

  it("lists nothing for an unknown device, another pass type or a malformed device id", async () => {
    // Prepare
    const { shop, wallet, register } = await walletShop();
    const member = await shop.member();
    await register(member.memberId, "device-1");

    // Act
    const answers = [
      await wallet.updatedSerials("device-9", PASS_TYPE_ID, undefined),
      await wallet.updatedSerials("device-1", "pass.other", undefined),
      await wallet.updatedSerials("device 1", PASS_TYPE_ID, undefined),
    ];

    // Assess
    expect(answers).toEqual([undefined, undefined, undefined]);
  });
});

describe("the push fan-out over the registrations stored", () => {
  /** A stream record of a member whose pass changed, as the table's stream gives it. */
  const changed = (memberId: string, from: number, to: number, devices: number): ChangeRecord => ({
    sequenceNumber: "000001",
    eventName: "MODIFY",
    oldImage: { entity: "member", memberId, passUpdatedAt: from, devices },
    newImage: { entity: "member", memberId, passUpdatedAt: to, devices },
  });

  it("pushes every device of the changed pass once, and removes a device that no longer has it", async () => {
    // Prepare
    const { shop, register } = await walletShop();
    const member = await shop.member();
    await register(member.memberId, "device-1", "token-1");
    await register(member.memberId, "device-2", "token-2");
    const pushed: string[][] = [];
    const sender = {
      push: async (tokens: readonly string[]) => {
        pushed.push([...tokens]);
        return tokens.map(
          (token): PushResult =>
            token === "token-2"
              ? { token, outcome: "unregistered", status: 410, reason: "Unregistered" }
              : { token, outcome: "delivered" },
        );
      },
    };
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const fanOut = pushFanOut({
      registrations: shop.repos.registrations,
      sender,
      passTypeId: PASS_TYPE_ID,
      log,
    });
    const batch = [changed(member.memberId, 100, 101, 2)];

    // Act
    const first = await fanOut.handle(batch);
    const again = await fanOut.handle(batch);

    // Assess
    expect(first).toEqual({ members: 1, delivered: 1, skipped: 0, removed: 1, failed: 0, unfinished: 0 });
    expect(again).toEqual({ members: 1, delivered: 0, skipped: 1, removed: 0, failed: 0, unfinished: 0 });
    expect(pushed.map((tokens) => [...tokens].sort())).toEqual([["token-1", "token-2"]]);
    expect((await shop.repos.registrations.devicesOf(member.memberId)).map((d) => d.pushToken)).toEqual([
      "token-1",
    ]);
    expect((await shop.stored(member.memberId)).devices).toBe(1);
  });

  it("reads no registrations for a member whose record counts no device", async () => {
    // Prepare
    const { shop } = await walletShop();
    const member = await shop.member();
    const pushTargets = vi.spyOn(shop.repos.registrations, "pushTargets");
    const sender = { push: vi.fn(async () => []) };
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const fanOut = pushFanOut({
      registrations: shop.repos.registrations,
      sender,
      passTypeId: PASS_TYPE_ID,
      log,
    });

    // Act
    const report = await fanOut.handle([changed(member.memberId, 100, 101, 0)]);

    // Assess
    expect(report).toEqual({ members: 1, delivered: 0, skipped: 0, removed: 0, failed: 0, unfinished: 0 });
    expect(pushTargets).not.toHaveBeenCalled();
    expect(sender.push).not.toHaveBeenCalled();
  });
});
