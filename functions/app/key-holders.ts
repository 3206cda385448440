import { notFound } from "../domain/errors.js";
import type { KeyHolderRecord, KeyHolderRepository, Page, PageRequest } from "../domain/ports.js";
import { issueKey } from "../shared/api-keys.js";
import { newId } from "../shared/ids.js";
import { createdBefore, creationClaim, type RotatedKey, rotateKey } from "./keys.js";
import type { IdempotencyClaim } from "./writes.js";

/** What differs between the things a program owns that have their own key (a store, a partner). */
export interface KeyHolderKind<T extends { programId: string }, R extends KeyHolderRecord, C> {
  /** "store" or "partner": the error codes' `<what>_not_found`. */
  what: "store" | "partner";
  /** The key's kind and the id's prefix. */
  key: "sk" | "pk";
  idPrefix: "sto" | "prt";
  /** The field that holds the id (`storeId`, `partnerId`). */
  idField: string;
  holders: KeyHolderRepository<T, R> & { list(programId: string, page: PageRequest): Promise<Page<T>> };
  /** The holder as stored now (strongly consistent). */
  read(programId: string, id: string): Promise<T | undefined>;
  /** The holder after a merchant's change (pure, domain). */
  changed(holder: T, changes: C, now: Date): T;
}

/**
 * The merchant's use cases of a key holder, over its repository: create it with its key (shown once;
 * with a claim, a retry gets the same holder and a new key: keys.ts, creationClaim), read, list,
 * change (status and limits included), rotate its key, delete it.
 */
export const keyHolderUseCases = <T extends { programId: string }, R extends KeyHolderRecord, C>(
  kind: KeyHolderKind<T, R, C>,
  now: () => Date,
) => {
  const { what, holders } = kind;
  const get = async (programId: string, id: string): Promise<T> => {
    const holder = await kind.read(programId, id);
    if (!holder) throw notFound(what, id);
    return holder;
  };

  /** A new key for the holder; the old one refused at once or after `graceSeconds`. */
  const rotate = async (programId: string, id: string, graceSeconds: number): Promise<RotatedKey> => {
    const holder = await get(programId, id);
    return rotateKey(
      kind.key,
      id,
      {
        read: async () => (await holders.keyRecord(id))?.key,
        write: (next, prefix, expected) => holders.setKey(holder, next, prefix, expected),
      },
      graceSeconds,
      now,
      () => notFound(what, id),
    );
  };

  return {
    /** `build` makes the holder from its new id, its key's prefix and the time of creation. */
    async create(
      programId: string,
      build: (ids: { id: string; programId: string; apiKeyPrefix: string }, at: Date) => T,
      claim?: IdempotencyClaim,
    ): Promise<T & { apiKey: string }> {
      const id = newId(kind.idPrefix);
      const key = issueKey(kind.key, id);
      const at = now();
      const holder = build({ id, programId, apiKeyPrefix: key.prefix }, at);
      const result = await holders.create(
        holder,
        key.hash,
        creationClaim(claim, { [kind.idField]: id }, at),
        at,
      );
      if (result === false) throw notFound("program", programId);
      if (result === true || !claim) return { ...holder, apiKey: key.key };
      const earlier = createdBefore(result, claim, kind.idField);
      const { apiKey } = await rotate(programId, earlier, 0);
      return { ...(await get(programId, earlier)), apiKey };
    },

    get,

    /** A program's holders; a program that does not exist is a 404, not an empty list. */
    async list(
      programId: string,
      page: PageRequest,
      programExists: () => Promise<boolean>,
    ): Promise<Page<T>> {
      const result = await holders.list(programId, page);
      if (result.items.length === 0 && page.cursor === undefined && !(await programExists())) {
        throw notFound("program", programId);
      }
      return result;
    },

    /** Changes the holder's settings or status (a disabled holder's key is refused) or limits. */
    async update(programId: string, id: string, changes: C): Promise<T> {
      const next = kind.changed(await get(programId, id), changes, now());
      if (!(await holders.replace(next))) throw notFound(what, id);
      return next;
    },

    rotateKey: rotate,

    /** Deletes the holder and its key: the key never works again. What it recorded stays in the ledgers. */
    async remove(programId: string, id: string): Promise<void> {
      if (!(await holders.remove(programId, id))) throw notFound(what, id);
    },
  };
};
