import type { Member, MemberProfile } from "../domain/loyalty/member.js";
import { chooseFavourites } from "../domain/offers/assign.js";
import type { MemberRepository, StoreRepository } from "../domain/ports.js";
import type { Program } from "../domain/program.js";
import { cardStores } from "../domain/stores/card-stores.js";
import type { PassStore, StorePlaces } from "../domain/stores/places.js";
import type { LoyaltyContext } from "./loyalty/context.js";
import { CardLinkError, type WalletService } from "./wallet.js";
import { outcomeWrites } from "./writes.js";

/**
 * "My stores", behind the emailed card link (`/c/{token}/stores`): the member pins up to
 * MAX_FAVOURITE_STORES favourite stores, which come first among the stores the card carries. The
 * link is the member's only credential, so every read and write starts by checking it exactly as the
 * card page does (wallet.ts `cardByLink`): a broken, expired or replaced link is a CardLinkError and
 * reaches no store list and no write. Favourites are saved like every other change of a member: the
 * engine (`chooseFavourites`, which refuses stores that are not the program's open ones) computes the
 * next state with the program's stores in its context, so the card's store set is chosen again in
 * the same write, and the member writer commits it on the version it was computed from.
 */

/** A store as the page offers it: what a person recognises it by. */
export interface StoreOption {
  storeId: string;
  name: string;
  address?: string;
  postcode?: string;
}

/** What the page shows: the card, and the stores to choose from, none twice. */
export interface MyStoresView {
  program: Program;
  member: Member;
  profile?: MemberProfile;
  /** Ticked: the member's favourites, or what was posted when the choice is shown again. */
  chosen: StoreOption[];
  /** The stores the card carries now, less the chosen ones (without a search). */
  onCard: StoreOption[];
  /** The stores nearest to the card's first store, less the above (without a search). */
  nearby: StoreOption[];
  /** With `?q=`: the program's stores that match, less the chosen ones. */
  search?: { query: string; found: StoreOption[]; more: boolean };
}

export interface MyStoresDeps {
  /** The card a link names, or a CardLinkError: the card page's own check. */
  cards: Pick<WalletService, "cardByLink">;
  stores: Pick<StoreRepository, "places">;
  members: Pick<MemberRepository, "get">;
  /**
   * How every change of a member is computed and written (app/loyalty/context.ts): its `ctx` carries
   * the program's stores, so the card's stores are chosen again with the favourites first.
   */
  updates: Pick<LoyaltyContext, "ctx" | "writer">;
}

/** "Nearby": about as many stores as fit on a phone's screen or two. */
export const NEARBY_STORES = 20;
/** A search shows at most this many stores: more means the search should say more. */
export const MAX_FOUND_STORES = 50;
/** Longer searches are cut: no store's name, address and postcode need more. */
export const MAX_QUERY_LENGTH = 100;

const optionOf = (store: PassStore): StoreOption => ({
  storeId: store.storeId,
  name: store.name,
  ...(store.address !== undefined ? { address: store.address } : {}),
  ...(store.postcode !== undefined ? { postcode: store.postcode } : {}),
});

/** Case and accents ignored: "Lumiere" finds "Lumière", "ROQUETTE" finds "rue de la Roquette". */
const folded = (text: string): string => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/**
 * The program's open stores whose name, address or postcode holds every word of `query`, in storeId
 * order, at most MAX_FOUND_STORES. A linear scan over the stores the process already holds (the
 * card's store index, cached per process): a page a person asks for, a few milliseconds for
 * thousands of stores, and no search index to keep.
 */
const searchStores = (
  places: StorePlaces,
  query: string,
  skip: ReadonlySet<string>,
): { found: PassStore[]; more: boolean } => {
  const words = folded(query)
    .split(/[\s,;]+/)
    .filter((w) => w.length > 0);
  const found: PassStore[] = [];
  if (words.length === 0) return { found, more: false };
  for (const store of places.first(places.size)) {
    if (skip.has(store.storeId)) continue;
    const text = folded([store.name, store.address, store.postcode].filter(Boolean).join(" "));
    if (!words.every((w) => text.includes(w))) continue;
    if (found.length === MAX_FOUND_STORES) return { found, more: true };
    found.push(store);
  }
  return { found, more: false };
};

export const myStores = (deps: MyStoresDeps) => ({
  /**
   * The page's content for a card link: the chosen stores (the member's favourites, unless `chosen`
   * gives what was just posted), then either the stores matching `query`, or the card's stores and
   * those nearest to its first one (the program's first stores when the card has none). Stores that
   * closed are left out.
   */
  async page(
    token: string,
    { query, chosen }: { query?: string | undefined; chosen?: readonly string[] | undefined } = {},
  ): Promise<MyStoresView> {
    const { program, member, profile } = await deps.cards.cardByLink(token);
    const places = await deps.stores.places(program.programId);
    const shown = new Set<string>();
    const take = (storeIds: readonly string[]): PassStore[] =>
      storeIds.flatMap((storeId) => {
        const store = places.get(storeId);
        if (!store || shown.has(storeId)) return [];
        shown.add(storeId);
        return [store];
      });
    const view = {
      program,
      member,
      ...(profile ? { profile } : {}),
      chosen: take(chosen ?? member.favouriteStoreIds ?? []).map(optionOf),
    };
    const search = query?.trim().slice(0, MAX_QUERY_LENGTH);
    if (search) {
      const { found, more } = searchStores(places, search, shown);
      return { ...view, onCard: [], nearby: [], search: { query: search, found: found.map(optionOf), more } };
    }
    const carried = cardStores(places, member, new Date(), program.timeZone);
    const onCard = take(carried.map((s) => s.storeId));
    const anchor = carried[0];
    const nearby = anchor
      ? places
          .nearest(anchor.latitude, anchor.longitude, NEARBY_STORES, (id) => shown.has(id))
          .map((n) => n.store)
      : places
          .first(NEARBY_STORES + shown.size)
          .filter((s) => !shown.has(s.storeId))
          .slice(0, NEARBY_STORES);
    return { ...view, onCard: onCard.map(optionOf), nearby: nearby.map(optionOf) };
  },

  /**
   * Saves the member's favourite stores (in order; none clears them) and, in the same write, the
   * stores the card carries: the pass changes with them and is pushed. Refused (422, nothing
   * written): more than MAX_FAVOURITE_STORES, or a store that is not one of the program's open
   * stores. A link made stale meanwhile (the card reissued or closed) writes nothing either.
   */
  async save(token: string, storeIds: readonly string[]): Promise<void> {
    const { program, member } = await deps.cards.cardByLink(token);
    await deps.updates.writer.write(undefined, member.memberId, async () => {
      const current = await deps.members.get(program.programId, member.memberId);
      if (current?.status !== "active") throw new CardLinkError("gone", program.programId);
      if (current.passAuthGeneration !== member.passAuthGeneration)
        throw new CardLinkError("replaced", program.programId);
      const outcome = chooseFavourites(current, await deps.updates.ctx(program), storeIds);
      return { body: undefined, writes: outcomeWrites(outcome, current.version) };
    });
  },
});

export type MyStores = ReturnType<typeof myStores>;
