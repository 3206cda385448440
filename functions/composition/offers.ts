import { type OfferService, offerService } from "../app/offers.js";
import { logger } from "../shared/logger.js";
import type { ProcessParts } from "./process.js";

/**
 * The offer use cases over this process's table (app/offers.ts): the merchant API's offers, the offer
 * worker's batches (functions/offer-delivery) and the sweep's hand-over of due deliveries.
 */
export const offersOver = (p: ProcessParts): OfferService =>
  offerService({
    offers: p.repositories.offers,
    members: p.repositories.members,
    programs: p.repositories.programs,
    stores: p.repositories.stores,
    log: logger,
  });
