import { type LoyaltyService, loyaltyService } from "../app/loyalty/index.js";
import { cardLinkFor } from "../shared/pass-tokens.js";
import type { ProcessParts } from "./process.js";

/** The loyalty use cases over this process's table, with card links signed by its pass secret. */
export const loyaltyOver = (p: ProcessParts): LoyaltyService =>
  loyaltyService({
    programs: p.repositories.programs,
    members: p.repositories.members,
    partners: p.repositories.partners,
    registrations: p.repositories.registrations,
    rates: p.repositories.rates,
    outbox: p.repositories.mail,
    stores: p.repositories.stores,
    offers: p.repositories.offers,
    cardUrl: async (member) => `${p.publicUrl}/c/${cardLinkFor(await p.passSecret(), member, new Date())}`,
  });
