import type { z } from "zod";
import type { MemberRead } from "../app/loyalty/index.js";
import { addDays, localDay } from "../domain/loyalty/calendar.js";
import { countOf } from "../domain/loyalty/counts.js";
import type { Member } from "../domain/loyalty/member.js";
import { tierName } from "../domain/loyalty/tiers.js";
import { liveOffersOf } from "../domain/offers/holding.js";
import type { MemberOfferView, MemberView } from "./schemas.js";

/**
 * A member as the merchant API answers it (the `Member` schema): balance, stamp cards, tier,
 * vouchers, live offers, stores, what expires soon, the card's validity, and the newest history, as
 * of the read.
 */
export const memberView = ({ program: p, member: m, profile, history, cardUrl, asOf }: MemberRead) => {
  const today = localDay(asOf, p.timeZone);
  const lot = m.lots[0];
  const { warnDays } = p.rules.expiry;
  const { renewalReminderDays } = p.rules.validity;
  const view: z.input<typeof MemberView> = {
    memberId: m.memberId,
    programId: m.programId,
    status: m.status,
    cardCode: m.cardCode,
    ...(cardUrl ? { cardUrl } : {}),
    referralCode: m.referralCode,
    ...(m.referredBy ? { referredBy: m.referredBy } : {}),
    email: profile?.email,
    firstName: profile?.firstName,
    lastName: profile?.lastName,
    points: m.points,
    stamps: m.stamps,
    stampCards: p.rules.stamps.cards.map((card) => ({
      category: card.category,
      stamps: countOf(m.stamps, card.category),
      stampsRequired: card.stampsRequired,
      rewardTitle: card.rewardTitle,
    })),
    tier:
      m.tierId === null
        ? null
        : { tierId: m.tierId, name: tierName(p.rules.tiers.levels, m.tierId), since: m.tierSince ?? null },
    windowSpendCents: m.windowSpendCents,
    vouchers: m.vouchers,
    offers: liveOffers(m, today),
    stores: { onCard: m.passStoreIds ?? [], favourites: m.favouriteStoreIds ?? [] },
    pointsExpiring: lot ? { points: lot.points, after: lot.expiresOn } : null,
    expiringSoon: lot !== undefined && lot.expiresOn <= addDays(today, warnDays),
    card: {
      validUntil: m.validUntil,
      expired: m.validUntil !== null && m.validUntil < today,
      renewalDue: m.validUntil !== null && m.validUntil <= addDays(today, renewalReminderDays),
    },
    purchases: m.purchases,
    lastPurchaseAt: m.lastPurchaseAt ?? null,
    enrolledAt: m.enrolledAt,
    version: m.version,
    history: { items: history.items, ...(history.nextCursor ? { nextCursor: history.nextCursor } : {}) },
  };
  return view;
};

/**
 * The offers the member can use today. A member may also hold offers that start later (sent ahead of
 * their first day) and, until the next change of the member takes them off, offers past their last
 * day: neither is one to act on at the till, so neither is shown.
 */
const liveOffers = (member: Member, today: string): z.input<typeof MemberOfferView>[] =>
  liveOffersOf(member, today).map((o) => ({
    offerId: o.offerId,
    title: o.title,
    description: o.description,
    validFrom: o.validFrom,
    validTo: o.validTo,
    ...(o.storeIds ? { storeIds: o.storeIds } : {}),
    forYou: o.forYou ?? false,
    ...(o.voucherId ? { voucherId: o.voucherId } : {}),
  }));
