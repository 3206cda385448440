import type { StoreVisits } from "../loyalty/member.js";
import { MAX_PASS_LOCATIONS } from "../pass/apple-card.js";
import { visitScore } from "./activity.js";
import type { PassStore, StorePlaces } from "./places.js";

/**
 * The stores a member's wallet card carries (Apple Wallet shows the card near at most
 * MAX_PASS_LOCATIONS of them): the ones the member chose or shops at, then the stores around those.
 *
 * 1. The member's favourites still open, in the member's order.
 * 2. The stores the member visited, still open, most relevant first (`visitScore`: visits weighted by
 *    recency), ties by the latest visit, then storeId.
 * 3. The rest of the card: the open stores nearest to the "anchors" (the stores of 1 and 2, less the
 *    visits that have faded when something fresher is known: FADED_VISIT_SCORE), a store's distance
 *    being its distance to the nearest anchor; nearest first, ties by storeId.
 * 4. No favourite, no visit: the home store (enrollment store, or the sign-up postcode's) and the
 *    stores nearest to it.
 * 5. Nothing known: the first stores in storeId order.
 *
 * Never a store twice, never more than `max`, and the same answer for the same input (every order
 * has a last tie-break on storeId), so that a card changes only when the member's stores do.
 */

export interface StoreChoiceInput {
  places: StorePlaces;
  /** Pinned by the member: they come first (those still in places), in their order. */
  favouriteStoreIds?: readonly string[] | undefined;
  /** From Member.activity.stores. */
  visits?: readonly StoreVisits[] | undefined;
  /** The enrollment store or the store the sign-up postcode pointed to: the anchor before any visit. */
  homeStoreId?: string | undefined;
  /** YYYY-MM-DD, program time zone: how recent the visits are. */
  today: string;
  /** Default MAX_PASS_LOCATIONS. */
  max?: number;
}

/**
 * Below this score (one visit two half-lives ago, ≈ 6 months), a visited store no longer anchors the
 * fill when a favourite or a fresher visit does: a member who moved from Paris to Lyon gets the
 * stores around Lyon, not around the shop they left. The faded store itself stays on the card (after
 * the fresher ones) while there is room, and anchors the fill when it is all that is known.
 */
export const FADED_VISIT_SCORE = 0.25;

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface RankedVisit {
  storeId: string;
  lastDay: string;
  score: number;
}

/** The visits to open stores, most relevant first; a store listed twice counts once (its best). */
const rankedVisits = (places: StorePlaces, visits: readonly StoreVisits[], today: string): RankedVisit[] =>
  visits
    .filter((v) => places.get(v.storeId) !== undefined)
    .map((v) => ({ storeId: v.storeId, lastDay: v.lastDay, score: visitScore(v, today) }))
    .sort(
      (a, b) => b.score - a.score || compareIds(b.lastDay, a.lastDay) || compareIds(a.storeId, b.storeId),
    );

/**
 * Up to `count` stores not in `picked`, nearest to any of `anchors` first (ties by storeId).
 *
 * Why the union of each anchor's k nearest, with k = count + picked.size, holds the best fill: take
 * a store s of the best fill and its nearest anchor a (so s's distance is d(a, s)). A store t that
 * comes before s in a's own list has d(a, t) < d(a, s), or the same with a smaller storeId; its
 * distance to its nearest anchor is at most d(a, t), so t also comes before s in the fill's order.
 * If s were not among a's k nearest, k stores would come before it in a's list; at most picked.size
 * of them are picked, so `count` unpicked stores would come before s in the fill, leaving no room
 * for s. This needs `nearest` to break ties by storeId, as the fill does; it does. (Asking `nearest`
 * to exclude the picked stores would allow k = count, but costs a lookup per store it looks at.)
 */
const nearestToAnchors = (
  places: StorePlaces,
  anchors: readonly PassStore[],
  picked: ReadonlySet<string>,
  count: number,
): string[] => {
  const k = count + picked.size;
  const kmOf = new Map<string, number>();
  for (const anchor of anchors) {
    for (const { store, km } of places.nearest(anchor.latitude, anchor.longitude, k)) {
      if (picked.has(store.storeId)) continue;
      const known = kmOf.get(store.storeId);
      if (known === undefined || km < known) kmOf.set(store.storeId, km);
    }
  }
  return [...kmOf]
    .sort(([idA, kmA], [idB, kmB]) => kmA - kmB || compareIds(idA, idB))
    .slice(0, count)
    .map(([storeId]) => storeId);
};

/** The storeIds the member's card carries, at most `max`, in the order above. */
export const chooseStores = (input: StoreChoiceInput): string[] => {
  const { places, today } = input;
  const max = Math.max(0, Math.floor(input.max ?? MAX_PASS_LOCATIONS));
  const picked = new Set<string>();
  /** The picks that the fill gathers around (all picks but faded visits, unless nothing else). */
  const fresh: PassStore[] = [];
  const faded: PassStore[] = [];
  const pick = (storeId: string, anchors: PassStore[]) => {
    const store = places.get(storeId);
    if (!store || picked.has(storeId) || picked.size >= max) return;
    picked.add(storeId);
    anchors.push(store);
  };

  for (const storeId of input.favouriteStoreIds ?? []) pick(storeId, fresh);
  for (const visit of rankedVisits(places, input.visits ?? [], today)) {
    pick(visit.storeId, visit.score >= FADED_VISIT_SCORE ? fresh : faded);
  }
  if (picked.size === 0 && input.homeStoreId !== undefined) pick(input.homeStoreId, fresh);
  if (picked.size === 0) return places.first(max).map((s) => s.storeId);

  if (picked.size >= max) return [...picked];
  const anchors = fresh.length > 0 ? fresh : faded;
  const fill = nearestToAnchors(places, anchors, picked, max - picked.size);
  return [...picked, ...fill];
};

/**
 * The member's home store at enrollment: the store they enrolled at when it is open, else the first
 * store (in storeId order) of the postcode they signed up with, else none.
 */
export const homeStoreFor = (
  places: StorePlaces,
  input: { storeId?: string | undefined; postcode?: string | undefined },
): string | undefined => {
  if (input.storeId !== undefined && places.get(input.storeId)) return input.storeId;
  if (input.postcode === undefined) return undefined;
  return places.byPostcode(input.postcode)[0]?.storeId;
};
