import type { z } from "zod";
import { refused } from "../errors.js";
import { addDays, daysBetween, localDay } from "../loyalty/calendar.js";
import { type Ctx, finish, type Outcome } from "../loyalty/change.js";
import { MAX_FAVOURITE_STORES, type Member } from "../loyalty/member.js";
import { begin } from "../loyalty/opening.js";
import type { Program } from "../program.js";
import { cardLapsed, closeOffers, expireOffers, giveOffer, hasRoom, holdsOrHeld, isLive } from "./holding.js";
import {
  DEFAULT_OFFER_DAYS,
  freshDelivery,
  MAX_OFFER_DAYS,
  type Offer,
  type offerSettings,
} from "./offer.js";
import { matchesTarget } from "./targets.js";

/**
 * Offers on the member's side: a merchant's new offer (`newOffer`), and the engine operations that
 * put offers on cards and take them off — the fan-out's per-member step (`receiveOffer`), a
 * withdrawal (`withdrawOffer`) — plus the member's favourite stores (`chooseFavourites`), which
 * decide the stores the card carries and so where its offers show. Like the engine's other
 * operations, each returns the `Outcome` storage writes, conditioned on the member's version.
 *
 * What every change does with offers (expiry, giving the live offers that match) is holding.ts's
 * `refreshOffers`, run by the engine's `finish`; it is re-exported here with the rest of the API.
 */

export { bestOfferAt, isLive, liveOffersOf, refreshOffers } from "./holding.js";

/** A merchant's offer as the API receives it (offer.ts `offerSettings`), defaults not yet applied. */
export type OfferSettings = z.output<z.ZodObject<typeof offerSettings>>;

/** Refuses dates that make no offer: ending before it starts, longer than MAX_OFFER_DAYS, or over. */
const checkDates = (validFrom: string, validTo: string, today: string): void => {
  const details = { validFrom, validTo, today, maxDays: MAX_OFFER_DAYS };
  if (validTo < validFrom) {
    throw refused("offer_dates_invalid", `validTo (${validTo}) is before validFrom (${validFrom}).`, details);
  }
  if (daysBetween(validFrom, validTo) + 1 > MAX_OFFER_DAYS) {
    throw refused("offer_dates_invalid", `An offer runs at most ${MAX_OFFER_DAYS} days.`, details);
  }
  if (validTo < today) {
    throw refused(
      "offer_dates_invalid",
      `validTo (${validTo}) has already passed (today is ${today}).`,
      details,
    );
  }
};

/**
 * A merchant's new offer, before its sending: from today (program time zone) unless it says
 * otherwise, for DEFAULT_OFFER_DAYS days (validFrom included) unless it says otherwise. An offer
 * starting later waits "scheduled" (nothing gives it before its first day); one that runs today is
 * "sending" at once. `audience` is the count of members its target matched, taken beforehand.
 */
export const newOffer = (
  settings: OfferSettings,
  ids: { offerId: string; programId: string },
  program: Pick<Program, "timeZone">,
  now: Date,
  audience: number,
): Offer => {
  const today = localDay(now, program.timeZone);
  const validFrom = settings.validFrom ?? today;
  const validTo = settings.validTo ?? addDays(validFrom, DEFAULT_OFFER_DAYS - 1);
  checkDates(validFrom, validTo, today);
  const at = now.toISOString();
  return {
    offerId: ids.offerId,
    programId: ids.programId,
    title: settings.title,
    description: settings.description,
    validFrom,
    validTo,
    ...(settings.storeIds !== undefined ? { storeIds: [...new Set(settings.storeIds)] } : {}),
    target: settings.target,
    ...(settings.voucher !== undefined ? { voucher: settings.voucher } : {}),
    ...(settings.bonusPoints !== undefined ? { bonusPoints: settings.bonusPoints } : {}),
    status: "active",
    audience,
    delivery: freshDelivery(validFrom > today ? "scheduled" : "sending", at),
    version: 1,
    createdAt: at,
  };
};

/**
 * What the fan-out's step did for one member: "given" (the outcome to write), "held" (holds it, or
 * held it once: never twice), "full" (matched, but holds `rules.offers.maxActivePerMember` offers:
 * the delivery's `skipped`), "not_matched", "inactive" (the member is not active, or the offer does
 * not run today).
 */
export type ReceiveResult = "given" | "held" | "full" | "not_matched" | "inactive";

/**
 * The fan-out's step on one member: gives exactly this offer when its target matches the member
 * (as of now, time applied). Nothing to write unless it is given; whatever else time did to the
 * member is the sweep's to write. `facts.birthMonth` is the profile's, when the fan-out read it.
 */
export const receiveOffer = (
  member: Member,
  ctx: Ctx,
  offer: Offer,
  facts: { birthMonth?: number | undefined } = {},
): { outcome?: Outcome; result: ReceiveResult } => {
  const today = localDay(ctx.now, ctx.program.timeZone);
  if (member.status !== "active" || cardLapsed(member, today) || !isLive(offer, today)) {
    return { result: "inactive" };
  }
  const { change } = begin(member, ctx);
  expireOffers(change);
  if (holdsOrHeld(change.member, offer.offerId)) return { result: "held" };
  if (!matchesTarget(offer.target, change.member, { today, birthMonth: facts.birthMonth })) {
    return { result: "not_matched" };
  }
  if (!hasRoom(change)) return { result: "full" };
  giveOffer(change, offer);
  return { outcome: finish(change), result: "given" };
};

/**
 * Takes an offer off the member's card (the merchant ended it): into `closedOffers`, so it is never
 * given again. Its voucher stays: a voucher given is the member's. `undefined` when the member does
 * not hold it (nothing to write).
 */
export const withdrawOffer = (member: Member, ctx: Ctx, offerId: string): Outcome | undefined => {
  if (member.status !== "active" || !(member.offers ?? []).some((o) => o.offerId === offerId)) {
    return undefined;
  }
  const { change } = begin(member, ctx);
  closeOffers(change, [offerId]);
  return finish(change);
};

/** The member's favourites, checked: each once, at most MAX_FAVOURITE_STORES, each an open store. */
const checkFavourites = (ctx: Ctx, storeIds: readonly string[]): string[] => {
  const unique = [...new Set(storeIds)];
  if (unique.length > MAX_FAVOURITE_STORES) {
    throw refused("too_many_favourite_stores", `At most ${MAX_FAVOURITE_STORES} favourite stores.`, {
      max: MAX_FAVOURITE_STORES,
    });
  }
  const unknown = unique.filter((id) => ctx.places?.get(id) === undefined);
  if (unknown.length > 0) {
    throw refused("unknown_store", `No open store with id '${unknown[0]}'.`, { storeIds: unknown });
  }
  return unique;
};

/**
 * The stores the member pins from the card page ("My stores"), in their order; they come first on
 * the card (the store choice runs in `finish` when `ctx.places` is given). An empty list clears them.
 */
export const chooseFavourites = (member: Member, ctx: Ctx, storeIds: readonly string[]): Outcome => {
  const { change, checked } = begin(member, ctx, { check: () => checkFavourites(ctx, storeIds) });
  if (checked.length > 0) change.set({ favouriteStoreIds: checked });
  else {
    const { favouriteStoreIds: _, ...rest } = change.member;
    change.member = rest;
  }
  return finish(change);
};
