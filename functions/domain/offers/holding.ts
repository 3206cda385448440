import { daysBetween } from "../loyalty/calendar.js";
import {
  MAX_ACTIVE_VOUCHERS,
  MAX_CLOSED_OFFERS,
  type Member,
  type MemberOffer,
  type Voucher,
} from "../loyalty/member.js";
import type { Rules } from "../rules.js";
import type { Offer } from "./offer.js";
import { matchesTarget } from "./targets.js";

/**
 * What a member holds of offers: which are live, which end, which are given, and the one a store's
 * lock screen shows. The engine's `finish` (loyalty/change.ts) runs `refreshOffers` on every change
 * of an active member, so this module works on the few things it needs of a change (`OfferChange`,
 * which the engine's `Change` is) and never imports the engine: the engine imports it.
 * The offer operations themselves (the fan-out's step, withdrawal) are in assign.ts.
 */

/** The entry that explains an offer's bonus points and voucher in the ledger. */
export interface OfferEntry {
  type: "offer";
  offerId: string;
  points: number;
  lots: Record<string, number>;
  vouchersIssued?: Voucher[];
}

/** What refreshing a member's offers needs of the change being built (loyalty/change.ts `Change`). */
export interface OfferChange {
  readonly member: Member;
  readonly today: string;
  readonly rules: Pick<Rules, "offers">;
  readonly ctx: { readonly now: Date };
  set(patch: Partial<Member>): void;
  newVoucher(
    v: Pick<Voucher, "title" | "kind" | "valueCents" | "description" | "source" | "sourceId">,
    validDays: number,
  ): Voucher;
  post(draft: OfferEntry): unknown;
  creditLots(points: number): Record<string, number>;
}

/**
 * Whether an offer runs today: between its first and last day (program time zone). A merchant's
 * offer must also be active and no longer scheduled (its sending has started): an ended offer gives
 * nothing more, and a scheduled one is given by its fan-out, not by whatever operation comes first.
 */
export const isLive = (offer: Offer | MemberOffer, today: string): boolean =>
  offer.validFrom <= today &&
  today <= offer.validTo &&
  (!("status" in offer) || (offer.status === "active" && offer.delivery.state !== "scheduled"));

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const held = (member: Member): readonly MemberOffer[] => member.offers ?? [];

/** Whether the member holds the offer or held it once: an offer reaches a member at most once. */
export const holdsOrHeld = (member: Member, offerId: string): boolean =>
  held(member).some((o) => o.offerId === offerId) || (member.closedOffers ?? []).includes(offerId);

/** Best first: a personal ("for you") offer, then the one ending soonest (the one not to miss), then by id. */
const byRelevance = (a: MemberOffer, b: MemberOffer): number =>
  Number(b.forYou === true) - Number(a.forYou === true) ||
  compareText(a.validTo, b.validTo) ||
  compareText(a.offerId, b.offerId);

/**
 * The offers the member holds that run today, best first: what the cards and the member's GET show
 * (offers starting later, or past their last day until the next change closes them, are not).
 */
export const liveOffersOf = (member: Pick<Member, "offers">, today: string): MemberOffer[] =>
  (member.offers ?? []).filter((o) => isLive(o, today)).sort(byRelevance);

/** The offer a store's lock-screen text shows: the best live offer naming this store or no store. */
export const bestOfferAt = (
  member: Pick<Member, "offers">,
  storeId: string,
  today: string,
): MemberOffer | undefined =>
  liveOffersOf(member, today).find((o) => o.storeIds === undefined || o.storeIds.includes(storeId));

/**
 * Takes offers off the card into `closedOffers` (these first, newest first, at most
 * MAX_CLOSED_OFFERS), so they are never given again. Their vouchers stay: a voucher given is the
 * member's until redeemed or expired.
 */
export const closeOffers = (change: OfferChange, offerIds: readonly string[]): void => {
  if (offerIds.length === 0) return;
  const closing = new Set(offerIds);
  const member = change.member;
  change.set({
    offers: held(member).filter((o) => !closing.has(o.offerId)),
    closedOffers: [...closing, ...(member.closedOffers ?? []).filter((id) => !closing.has(id))].slice(
      0,
      MAX_CLOSED_OFFERS,
    ),
  });
};

/** Offers past their last day leave the card (the latest ending first in `closedOffers`). */
export const expireOffers = (change: OfferChange): void => {
  const ended = held(change.member)
    .filter((o) => o.validTo < change.today)
    .sort((a, b) => compareText(b.validTo, a.validTo) || compareText(a.offerId, b.offerId));
  closeOffers(
    change,
    ended.map((o) => o.offerId),
  );
};

/** Whether the member has room for one more offer (`rules.offers.maxActivePerMember`). */
export const hasRoom = (change: OfferChange): boolean =>
  held(change.member).length < change.rules.offers.maxActivePerMember;

/**
 * Gives the member an offer: a copy on the card (so the card is drawn from the member alone), its
 * voucher, valid to the offer's last day, when the member has room for one more voucher (the offer
 * is given all the same), and its bonus points. One "offer" ledger entry explains the voucher and
 * the points; an offer with neither changes no balance and posts none.
 */
export const giveOffer = (change: OfferChange, offer: Offer): void => {
  const template = offer.voucher;
  const voucher =
    template !== undefined && change.member.vouchers.length < MAX_ACTIVE_VOUCHERS
      ? change.newVoucher(
          {
            title: template.title,
            kind: template.kind,
            ...(template.valueCents !== undefined ? { valueCents: template.valueCents } : {}),
            ...(template.description !== undefined ? { description: template.description } : {}),
            source: "offer",
            sourceId: offer.offerId,
          },
          Math.max(0, daysBetween(change.today, offer.validTo)),
        )
      : undefined;
  const copy: MemberOffer = {
    offerId: offer.offerId,
    title: offer.title,
    description: offer.description,
    validFrom: offer.validFrom,
    validTo: offer.validTo,
    ...(offer.storeIds !== undefined ? { storeIds: [...offer.storeIds] } : {}),
    ...(offer.target.kind === "topCategory" ? { forYou: true } : {}),
    ...(voucher !== undefined ? { voucherId: voucher.voucherId } : {}),
    assignedAt: change.ctx.now.toISOString(),
  };
  change.set({
    offers: [...held(change.member), copy],
    ...(voucher !== undefined ? { vouchers: [...change.member.vouchers, voucher] } : {}),
  });
  const points = offer.bonusPoints ?? 0;
  if (points > 0 || voucher !== undefined) {
    change.post({
      type: "offer",
      offerId: offer.offerId,
      points,
      lots: change.creditLots(points),
      ...(voucher !== undefined ? { vouchersIssued: [voucher] } : {}),
    });
  }
};

/**
 * Keeps the member's offers current, as every change of an active member ends (`finish`): offers
 * past their last day leave the card; then, given the program's live offers, each one the member
 * never held and whose target matches the member as changed (a purchase that qualifies gives the
 * offer at once) is given, while the member has room. Offers are taken by their last day, then
 * offerId, so the same member and offers always give the same card.
 */
/**
 * A card past its `validUntil` gets no new offer (nor its bonus points): a purchase on it is refused
 * too, and its Google card shows as expired. Renewed, it gets them on its next update.
 */
export const cardLapsed = (member: Pick<Member, "validUntil">, today: string): boolean =>
  member.validUntil !== null && member.validUntil < today;

export const refreshOffers = (
  change: OfferChange,
  live: readonly Offer[] | undefined,
  facts: { birthMonth?: number | undefined } = {},
): void => {
  expireOffers(change);
  if (live === undefined || cardLapsed(change.member, change.today)) return;
  const today = change.today;
  const candidates = live
    .filter((o) => o.programId === change.member.programId && isLive(o, today))
    .sort((a, b) => compareText(a.validTo, b.validTo) || compareText(a.offerId, b.offerId));
  for (const offer of candidates) {
    if (!hasRoom(change)) return;
    if (holdsOrHeld(change.member, offer.offerId)) continue;
    if (!matchesTarget(offer.target, change.member, { today, birthMonth: facts.birthMonth })) continue;
    giveOffer(change, offer);
  }
};
