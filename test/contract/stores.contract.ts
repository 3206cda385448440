import { describe, expect, it } from "vitest";
import { MAX_PASS_LOCATIONS } from "../../functions/domain/pass/apple-card.js";
import { hashKey } from "../../functions/shared/api-keys.js";
import { newId } from "../../functions/shared/ids.js";
import {
  allPages,
  aPartner,
  aProgram,
  aStore,
  expectInvalidCursor,
  FORGED_CURSORS,
  type MakeRepositories,
} from "./fixtures.js";

/** StoreRepository and PartnerRepository: things a program owns that have their own API key. */
export const describeStoreRepositoryContract = (name: string, make: MakeRepositories): void => {
  describe(`StoreRepository contract: ${name}`, () => {
    const withProgram = async () => {
      const repos = make();
      const program = aProgram();
      await repos.programs.create(program, hashKey("k"));
      return { ...repos, programId: program.programId };
    };

    it("writes the store and its key record together, or nothing when the program is missing", async () => {
      // Prepare
      const { stores, programId } = await withProgram();
      const store = aStore(programId);
      const orphan = aStore(newId("prg"));

      // Act
      const created = await stores.create(store, hashKey("store-key"));
      const refused = await stores.create(orphan, hashKey("orphan-key"));

      // Assess
      expect([created, refused]).toEqual([true, false]);
      expect(await stores.get(programId, store.storeId)).toEqual(store);
      expect(await stores.keyRecord(store.storeId)).toEqual({
        storeId: store.storeId,
        programId,
        status: "active",
        key: { hash: hashKey("store-key") },
      });
      expect(await stores.get(orphan.programId, orphan.storeId)).toBeUndefined();
      expect(await stores.keyRecord(orphan.storeId)).toBeUndefined();
      expect((await stores.list(orphan.programId, { limit: 10 })).items).toEqual([]);
    });

    it("finds a store only within its own program", async () => {
      // Prepare
      const { stores, programs, programId } = await withProgram();
      const other = aProgram();
      await programs.create(other, hashKey("o"));
      const store = aStore(programId);
      await stores.create(store, hashKey("s"));

      // Act
      const elsewhere = await stores.get(other.programId, store.storeId);

      // Assess
      expect(elsewhere).toBeUndefined();
      expect((await stores.list(other.programId, { limit: 10 })).items).toEqual([]);
      expect(await stores.passStores(other.programId)).toEqual([]);
    });

    it("refuses a second store under an id already taken, keeping the first", async () => {
      // Prepare
      const { stores, programId } = await withProgram();
      const store = aStore(programId);
      await stores.create(store, hashKey("first"));

      // Act
      const second = stores.create({ ...store, name: "Second" }, hashKey("second"));

      // Assess
      await expect(second).rejects.toThrow();
      expect(await stores.get(programId, store.storeId)).toEqual(store);
      expect((await stores.keyRecord(store.storeId))?.key.hash).toBe(hashKey("first"));
    });

    it("lists a program's stores in id order, a page at a time, each once", async () => {
      // Prepare
      const { stores, programId } = await withProgram();
      const mine = [1, 2, 3, 4, 5].map(() => aStore(programId));
      for (const store of mine) await stores.create(store, hashKey(store.storeId));

      // Act
      const paged = await allPages((page) => stores.list(programId, page), 2);
      const whole = await stores.list(programId, { limit: 10 });

      // Assess
      const inIdOrder = [...mine].sort((a, b) => (a.storeId < b.storeId ? -1 : 1));
      expect(paged.items).toEqual(inIdOrder);
      expect(paged.pages).toBeGreaterThanOrEqual(3);
      expect(whole).toEqual({ items: inIdOrder });
    });

    it("refuses a cursor of another program's listing or none at all", async () => {
      // Prepare
      const { stores, programs, programId } = await withProgram();
      const other = aProgram();
      await programs.create(other, hashKey("o"));
      for (let i = 0; i < 2; i++) {
        await stores.create(aStore(programId), hashKey(`a${i}`));
        await stores.create(aStore(other.programId), hashKey(`b${i}`));
      }
      const theirs = (await stores.list(other.programId, { limit: 1 })).nextCursor;

      // Act
      const list = (cursor: string) => stores.list(programId, { limit: 5, cursor });

      // Assess
      expect(theirs).toBeDefined();
      for (const cursor of [...FORGED_CURSORS, theirs ?? ""]) await expectInvalidCursor(list(cursor));
    });

    it(`shows the first ${MAX_PASS_LOCATIONS} stores in id order on passes, a new one at once`, async () => {
      // Prepare
      const { stores, programId } = await withProgram();
      const first = aStore(programId);
      await stores.create(first, hashKey("first"));
      const before = await stores.passStores(programId);
      const more = Array.from({ length: MAX_PASS_LOCATIONS }, () => aStore(programId));

      // Act
      for (const store of more) await stores.create(store, hashKey(store.storeId));
      const after = await stores.passStores(programId);

      // Assess
      expect(before).toEqual([first]);
      const inIdOrder = [first, ...more].sort((a, b) => (a.storeId < b.storeId ? -1 : 1));
      expect(after).toEqual(inIdOrder.slice(0, MAX_PASS_LOCATIONS));
    });
  });
};

export const describePartnerRepositoryContract = (name: string, make: MakeRepositories): void => {
  describe(`PartnerRepository contract: ${name}`, () => {
    it("writes the partner and its key record together, or nothing when the program is missing", async () => {
      // Prepare
      const { programs, partners } = make();
      const program = aProgram();
      await programs.create(program, hashKey("k"));
      const partner = aPartner(program.programId);
      const orphan = aPartner(newId("prg"));

      // Act
      const created = await partners.create(partner, hashKey("partner-key"));
      const refused = await partners.create(orphan, hashKey("orphan-key"));

      // Assess
      expect([created, refused]).toEqual([true, false]);
      expect(await partners.get(program.programId, partner.partnerId)).toEqual(partner);
      expect(await partners.keyRecord(partner.partnerId)).toEqual({
        partnerId: partner.partnerId,
        programId: program.programId,
        status: "active",
        key: { hash: hashKey("partner-key") },
      });
      expect(await partners.get(orphan.programId, orphan.partnerId)).toBeUndefined();
      expect(await partners.keyRecord(orphan.partnerId)).toBeUndefined();
    });

    it("finds a partner only within its own program", async () => {
      // Prepare
      const { programs, partners } = make();
      const program = aProgram();
      const other = aProgram();
      await programs.create(program, hashKey("k"));
      await programs.create(other, hashKey("o"));
      const partner = aPartner(program.programId);
      await partners.create(partner, hashKey("p"));

      // Act
      const elsewhere = await partners.get(other.programId, partner.partnerId);

      // Assess
      expect(elsewhere).toBeUndefined();
    });
  });
};
