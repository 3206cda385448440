import { type LoyaltyService, loyaltyService } from "../app/loyalty/index.js";
import { cardLinkFor } from "../shared/pass-tokens.js";
import type { ProcessParts } from "./process.js";

/** The loyalty use cases over this process's table, with card links signed by its pass secret. */
export const loyaltyOver = (p: ProcessParts): LoyaltyService =>
  loyaltyService({
    programs: p.repositories.programs,
    members: p.repositories.members,
    partners: p.repositories.partners,
    cardUrl: async (programId, memberId) =>
      `${p.publicUrl}/c/${cardLinkFor(await p.passSecret(), programId, memberId, new Date())}`,
  });
