import { apiFunction } from "../api/functions.js";
import { claimFor } from "../app/writes.js";
import { offersOver } from "../composition/offers.js";
import { httpSettings, processParts } from "../composition/process.js";
import { notFound } from "../domain/errors.js";
import type { Offer } from "../domain/offers/offer.js";

/** The merchant API's offers: count a target's audience, create (and so send) an offer, list, read, end. */
const parts = processParts();
const { programs } = parts.repositories;
const offers = offersOver(parts);

/** Another program's offer is answered as one that does not exist. */
const found = (offer: Offer | undefined, offerId: string): Offer => {
  if (!offer) throw notFound("offer", offerId);
  return offer;
};

export const handler = apiFunction(
  "offers",
  {
    offerAudience: ({ params, body }) => offers.audience(params.programId, body.target, body.storeIds),
    createOffer: async (r) => {
      const offer = await offers.create(
        r.params.programId,
        r.body,
        claimFor({ kind: "merchant", programId: r.params.programId }, r),
      );
      return { ...offer, matched: offer.audience };
    },
    listOffers: async ({ params, query }) => {
      const page = await offers.list(params.programId, query);
      // A program that does not exist is a 404, not an empty list (as its stores and partners).
      if (page.items.length === 0 && query.cursor === undefined && !(await programs.get(params.programId))) {
        throw notFound("program", params.programId);
      }
      return page;
    },
    getOffer: async ({ params }) => found(await offers.get(params.programId, params.offerId), params.offerId),
    endOffer: ({ params }) => offers.end(params.programId, params.offerId),
  },
  httpSettings(parts),
);
