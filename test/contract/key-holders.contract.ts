import { describe, expect, it } from "vitest";
import type { CreationClaim } from "../../functions/domain/ports.js";
import { hashKey } from "../../functions/shared/api-keys.js";
import { newId } from "../../functions/shared/ids.js";
import type { KeyState } from "../../functions/shared/key-lifecycle.js";
import { allPages, aPartner, aProgram, aStore, type MakeRepositories, wholeSecond } from "./fixtures.js";

/**
 * The lifecycle of keys (credentials.ts) as the repositories keep it: a store's and a partner's item
 * and key record changed together, the merchant key on its program, claims written with creations,
 * and the rate counters.
 */
export const describeKeyHolderContract = (name: string, make: MakeRepositories): void => {
  const withStore = async () => {
    const repos = make();
    const program = aProgram();
    await repos.programs.create(program, hashKey("mk"));
    const store = aStore(program.programId);
    await repos.stores.create(store, hashKey("first"));
    return { ...repos, program, store };
  };

  const rotated: KeyState = {
    hash: hashKey("second"),
    previousHash: hashKey("first"),
    previousValidUntil: "2040-01-01T00:00:00.000Z",
  };

  describe(`key holders: ${name}`, () => {
    it("writes a store's settings, status and limits to its item and its key record together", async () => {
      // Prepare
      const { stores, store } = await withStore();
      const changed = {
        ...store,
        name: "Renamed",
        status: "disabled" as const,
        limits: { maxPurchaseCents: 5000 },
      };

      // Act
      const replaced = await stores.replace(changed);
      const cleared = await stores.replace({ ...changed, status: "active", limits: undefined });

      // Assess
      expect([replaced, cleared]).toEqual([true, true]);
      const { limits: _none, ...withoutLimits } = changed;
      expect(await stores.get(store.programId, store.storeId)).toEqual({
        ...withoutLimits,
        status: "active",
      });
      expect(await stores.keyRecord(store.storeId)).toEqual({
        storeId: store.storeId,
        programId: store.programId,
        status: "active",
        key: { hash: hashKey("first") },
      });
    });

    it("carries a disabled status and limits to the key record authentication reads", async () => {
      // Prepare
      const { stores, store } = await withStore();

      // Act
      await stores.replace({ ...store, status: "disabled", limits: { purchasesPerMinute: 2 } });

      // Assess
      expect(await stores.keyRecord(store.storeId)).toMatchObject({
        status: "disabled",
        limits: { purchasesPerMinute: 2 },
      });
    });

    it("replaces a key only from the hash it was read with, and shows only what may be shown", async () => {
      // Prepare
      const { stores, store } = await withStore();

      // Act
      const stale = await stores.setKey(store, rotated, "sk.new", hashKey("not-the-current"));
      const done = await stores.setKey(store, rotated, "sk.new", hashKey("first"));
      const again = await stores.setKey(store, { hash: hashKey("third") }, "sk.third", hashKey("first"));

      // Assess
      expect([stale, done, again]).toEqual([false, true, false]);
      expect((await stores.keyRecord(store.storeId))?.key).toEqual(rotated);
      const shown = await stores.get(store.programId, store.storeId);
      expect(shown).toMatchObject({
        apiKeyPrefix: "sk.new",
        previousKeyValidUntil: rotated.previousValidUntil,
      });
      expect(JSON.stringify(shown)).not.toContain(hashKey("first"));
    });

    it("drops the previous key's fields when a rotation keeps no grace", async () => {
      // Prepare
      const { stores, store } = await withStore();
      await stores.setKey(store, rotated, "sk.new", hashKey("first"));

      // Act
      await stores.setKey(store, { hash: hashKey("third") }, "sk.third", hashKey("second"));

      // Assess
      expect((await stores.keyRecord(store.storeId))?.key).toEqual({ hash: hashKey("third") });
      expect(await stores.get(store.programId, store.storeId)).not.toHaveProperty("previousKeyValidUntil");
    });

    it("records a key's use on the record and the item, and never recreates a deleted store", async () => {
      // Prepare
      const { stores, store } = await withStore();
      const gone = aStore(store.programId);
      const at = wholeSecond();

      // Act
      await stores.setKey(store, rotated, "sk.new", hashKey("first"));
      await stores.recordKeyUse(store, store.storeId, "current", hashKey("second"), at);
      await stores.recordKeyUse(store, store.storeId, "previous", hashKey("first"), at);
      const later = new Date(at.getTime() + 1000);
      await stores.recordKeyUse(store, store.storeId, "current", hashKey("first"), later);
      await stores.recordKeyUse(gone, gone.storeId, "current", hashKey("x"), at);

      // Assess: the use of a key rotated away is not recorded as the new key's
      expect((await stores.keyRecord(store.storeId))?.key).toEqual({
        ...rotated,
        lastUsedAt: at.toISOString(),
        previousLastUsedAt: at.toISOString(),
      });
      expect(await stores.get(store.programId, store.storeId)).toMatchObject({
        keyLastUsedAt: at.toISOString(),
        previousKeyLastUsedAt: at.toISOString(),
      });
      expect(await stores.keyRecord(gone.storeId)).toBeUndefined();
      expect(await stores.get(gone.programId, gone.storeId)).toBeUndefined();
    });

    it("deletes a store and its key record once, and only in its own program", async () => {
      // Prepare
      const { stores, store } = await withStore();

      // Act
      const elsewhere = await stores.remove(newId("prg"), store.storeId);
      const removed = await stores.remove(store.programId, store.storeId);
      const again = await stores.remove(store.programId, store.storeId);

      // Assess
      expect([elsewhere, removed, again]).toEqual([false, true, false]);
      expect(await stores.get(store.programId, store.storeId)).toBeUndefined();
      expect(await stores.keyRecord(store.storeId)).toBeUndefined();
      expect(await stores.replace(store)).toBe(false);
      expect(await stores.setKey(store, rotated, "sk", hashKey("first"))).toBe(false);
      expect(await stores.get(store.programId, store.storeId)).toBeUndefined();
    });

    it("lists a program's partners in id order and reads one as stored now", async () => {
      // Prepare
      const { programs, partners } = make();
      const program = aProgram();
      await programs.create(program, hashKey("mk"));
      const created = [aPartner(program.programId), aPartner(program.programId), aPartner(program.programId)];
      for (const partner of created) await partners.create(partner, hashKey(partner.partnerId));

      // Act
      const { items: listed } = await allPages((page) => partners.list(program.programId, page), 2);
      await partners.replace({ ...(created[0] ?? aPartner("")), name: "Renamed" });
      const read = await partners.read(program.programId, created[0]?.partnerId ?? "");

      // Assess
      expect(listed.map((p) => p.partnerId)).toEqual(created.map((p) => p.partnerId).sort());
      expect(read?.name).toBe("Renamed");
      expect((await partners.list(newId("prg"), { limit: 10 })).items).toEqual([]);
    });

    it("replaces a merchant key only from the hash it was read with, and shows its use on the program", async () => {
      // Prepare
      const { programs } = make();
      const program = aProgram();
      await programs.create(program, hashKey("first"));
      const at = wholeSecond();

      // Act
      const stale = await programs.setMerchantKey(program.programId, rotated, hashKey("other"));
      const done = await programs.setMerchantKey(program.programId, rotated, hashKey("first"));
      await programs.recordKeyUse(program.programId, "current", hashKey("second"), at);
      await programs.recordKeyUse(program.programId, "previous", hashKey("not-it"), at);
      const missing = await programs.setMerchantKey(newId("prg"), rotated, hashKey("first"));
      await programs.recordKeyUse(newId("prg"), "current", hashKey("first"), at);

      // Assess
      expect([stale, done, missing]).toEqual([false, true, false]);
      expect(await programs.merchantKey(program.programId)).toEqual({
        ...rotated,
        lastUsedAt: at.toISOString(),
      });
      expect((await programs.get(program.programId))?.merchantKey).toEqual({
        keyLastUsedAt: at.toISOString(),
        previousKeyValidUntil: rotated.previousValidUntil,
      });
    });

    it("writes a creation's claim with it, and answers a second creation under the key with the claim, writing nothing", async () => {
      // Prepare
      const { programs, stores } = make();
      const now = wholeSecond();
      const program = aProgram();
      const claimOf = (body: Record<string, string>): CreationClaim => ({
        transactionId: newId("txn"),
        record: {
          scope: `MERCHANT#${program.programId}`,
          clientKey: "k",
          requestHash: "h",
          response: { status: 201, body },
          createdAt: now.toISOString(),
        },
      });
      const programClaim = claimOf({ programId: program.programId });
      const first = aStore(program.programId);
      const storeClaim = claimOf({ storeId: first.storeId });

      // Act
      const createdProgram = await programs.create(program, hashKey("mk"), programClaim, now);
      const replayedProgram = await programs.create(aProgram(), hashKey("mk2"), programClaim, now);
      const created = await stores.create(first, hashKey("s1"), storeClaim, now);
      const second = aStore(program.programId);
      const replayed = await stores.create(second, hashKey("s2"), storeClaim, now);

      // Assess
      expect(createdProgram).toBeUndefined();
      expect(replayedProgram).toEqual(programClaim.record);
      expect(created).toBe(true);
      expect(replayed).toEqual(storeClaim.record);
      expect(await stores.get(program.programId, second.storeId)).toBeUndefined();
      expect(await stores.keyRecord(second.storeId)).toBeUndefined();
    });

    it("counts uses per window up to the limit, then answers the seconds to the next window", async () => {
      // Prepare
      const { rates } = make();
      const scope = `TEST#${newId("sto")}`;
      const windowStart = new Date("2031-05-06T07:08:00.000Z");
      const later = new Date(windowStart.getTime() + 45_000);

      // Act
      const inWindow = [];
      for (let i = 0; i < 3; i++) inWindow.push(await rates.take(scope, 2, 60, later));
      const nextWindow = await rates.take(scope, 2, 60, new Date(windowStart.getTime() + 60_000));
      const otherScope = await rates.take(`${scope}-other`, 2, 60, later);

      // Assess
      expect(inWindow).toEqual([{}, {}, { retryAfterSeconds: 15 }]);
      expect(nextWindow).toEqual({});
      expect(otherScope).toEqual({});
    });
  });
};
