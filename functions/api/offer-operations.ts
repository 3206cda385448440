import { Offer } from "../domain/offers/offer.js";
import {
  Audience,
  AudienceInput,
  OfferCreated,
  OfferInput,
  OfferPage,
  OfferParams,
  Paging,
  ProgramParams,
} from "./schemas.js";
import { operation } from "./types.js";

/**
 * Offers: a merchant's promotion sent to the members a target picks (docs/api.md, "Offers"). The
 * sending itself happens after the answer, in batches (the offer's `delivery` shows how far it went),
 * so creating an offer for a large program answers at once.
 */

export const offerOperations = {
  createOffer: operation({
    operationId: "createOffer",
    fn: "offers",
    method: "POST",
    path: "/v1/programs/{programId}/offers",
    tag: "Offers",
    summary: "Create an offer and send it to the members its target matches",
    description:
      "Answers at once with the offer and `matched`, the members its target matches now; the offer then reaches their cards (and their GET, under `offers`) in batches, which `delivery` follows. Stores the program does not have are a 422 unknown_store, a tier it does not have a 422 unknown_tier, dates out of order, past or longer than 366 days a 422 offer_dates_invalid. With an Idempotency-Key, a retry whose first answer was lost gets the same offer, created and sent once.",
    auth: "merchant",
    params: ProgramParams,
    body: OfferInput,
    idempotency: "optional",
    success: { status: 201, description: "The offer, with the members it matched", schema: OfferCreated },
    errors: [409],
  }),
  offerAudience: operation({
    operationId: "offerAudience",
    fn: "offers",
    method: "POST",
    path: "/v1/programs/{programId}/offers/audience",
    tag: "Offers",
    summary: "Count the members a target would reach, before sending anything",
    description:
      "Evaluates the target on every member of the program as of now, and changes nothing. The same refusals as creating the offer (unknown_store, unknown_tier).",
    auth: "merchant",
    params: ProgramParams,
    body: AudienceInput,
    success: { status: 200, description: "How many members the target matches", schema: Audience },
  }),
  listOffers: operation({
    operationId: "listOffers",
    fn: "offers",
    method: "GET",
    path: "/v1/programs/{programId}/offers",
    tag: "Offers",
    summary: "List a program's offers, newest first",
    auth: "merchant",
    params: ProgramParams,
    query: Paging,
    success: { status: 200, description: "One page of offers", schema: OfferPage },
  }),
  getOffer: operation({
    operationId: "getOffer",
    fn: "offers",
    method: "GET",
    path: "/v1/programs/{programId}/offers/{offerId}",
    tag: "Offers",
    summary: "Read an offer, with how far its sending has gone",
    description:
      "`delivery` is the progress: `state` (scheduled, sending, sent; withdrawing, withdrawn once ended) and the members scanned, matched, updated and pushed so far.",
    auth: "merchant",
    params: OfferParams,
    success: { status: 200, description: "The offer", schema: Offer },
  }),
  endOffer: operation({
    operationId: "endOffer",
    fn: "offers",
    method: "POST",
    path: "/v1/programs/{programId}/offers/{offerId}/end",
    tag: "Offers",
    summary: "End an offer: it leaves the members' cards",
    description:
      "The offer's status becomes `ended` and it is withdrawn from the cards in batches (`delivery.state` withdrawing, then withdrawn). Vouchers it gave stay with the members. Ending an ended offer changes nothing and answers the same.",
    auth: "merchant",
    params: OfferParams,
    success: { status: 200, description: "The ended offer", schema: Offer },
    errors: [409],
  }),
} as const;
