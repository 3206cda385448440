import { addDays, localDay, startOfDay } from "../loyalty/calendar.js";
import { countOf } from "../loyalty/counts.js";
import type { Member } from "../loyalty/member.js";
import { tierName } from "../loyalty/tiers.js";
import { formatMoney } from "../money.js";
import { liveOffersOf } from "../offers/holding.js";
import type { Program } from "../program.js";
import type { PassStore } from "../stores/places.js";
import { type CardText, cardText } from "./card-text.js";
import { locationText } from "./relevance.js";

/**
 * What a member's Apple Wallet store card shows, computed from the member, its program and the
 * stores to light up near: pure, so every rule of the card is unit-tested without signing anything.
 * The adapter (functions/adapters/apple/pass-factory.ts) turns it into a signed .pkpass.
 *
 * Apple's rules kept here: every field whose value can change has a `changeMessage` containing `%@`
 * (the lock-screen notification after a push); at most 10 locations and 10 beacons, each with the
 * lock-screen text of its store (relevance.ts); colours as `rgb(r, g, b)`; `expirationDate` from the
 * card's validity; `voided` once the member is erased.
 */

export interface PassField {
  key: string;
  label: string;
  value: string | number;
  changeMessage?: string;
  textAlignment?:
    | "PKTextAlignmentLeft"
    | "PKTextAlignmentCenter"
    | "PKTextAlignmentRight"
    | "PKTextAlignmentNatural";
}

export type BarcodeFormat = "PKBarcodeFormatQR" | "PKBarcodeFormatPDF417" | "PKBarcodeFormatCode128";

export interface AppleCardContent {
  serialNumber: string;
  description: string;
  organizationName: string;
  logoText: string;
  backgroundColor: string;
  foregroundColor: string;
  labelColor: string;
  sharingProhibited: true;
  voided: boolean;
  expirationDate?: string;
  headerFields: PassField[];
  primaryFields: PassField[];
  secondaryFields: PassField[];
  auxiliaryFields: PassField[];
  backFields: PassField[];
  barcode: { format: BarcodeFormat; message: string; messageEncoding: "iso-8859-1"; altText: string };
  locations: { latitude: number; longitude: number; relevantText: string }[];
  /** Metres from a location within which the card is relevant (Wallet uses the smaller of this and its own). */
  maxDistance: number;
  /** The iBeacons of the card's stores: the card lights up inside the store itself. */
  beacons: { proximityUUID: string; major?: number; minor?: number; relevantText: string }[];
}

/** Apple's limits: a pass lists at most 10 locations and 10 beacons. */
export const MAX_PASS_LOCATIONS = 10;
export const MAX_PASS_BEACONS = 10;
/**
 * A shop's doorstep, in metres. Wallet shows a store card within its own default radius for the
 * style, which for store cards is the small one (≈ 100 m; boarding passes and event tickets get the
 * large one, ≈ 1 km), and `maxDistance` can only shrink it ("the system uses the smaller of either
 * this distance or the default distance"). Saying 100 m keeps a card of a shop to the shop even if
 * a default grows, without asking for less than GPS can tell apart in a street.
 */
export const PASS_MAX_DISTANCE_METRES = 100;

const BARCODE_FORMATS: Record<Program["branding"]["barcodeFormat"], BarcodeFormat> = {
  qr: "PKBarcodeFormatQR",
  pdf417: "PKBarcodeFormatPDF417",
  code128: "PKBarcodeFormatCode128",
};

/** `#1f2937` → `rgb(31, 41, 55)`, the colour syntax Wallet reads. */
export const rgb = (hex: string): string => {
  const n = Number.parseInt(hex.replace(/^#/, "").slice(0, 6), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
};

/** `1234567890123456` → `1234 5678 9012 3456`: what a cashier types when the scanner fails. */
export const groupedCode = (code: string): string => code.replace(/(.{4})(?=.)/g, "$1 ");

/** The cheapest reward the member cannot afford yet, or the best one they can (Apple's and Google's card). */
export const nextReward = (program: Program, points: number, t: CardText): string | undefined => {
  const rewards = [...program.rules.rewards.catalogue].sort((a, b) => a.pointsCost - b.pointsCost);
  if (rewards.length === 0) return undefined;
  const missing = rewards.find((r) => r.pointsCost > points);
  const affordable = rewards.filter((r) => r.pointsCost <= points).at(-1);
  if (affordable && (!missing || program.rules.rewards.autoConvert === false)) {
    return t.rewardReady(affordable.title);
  }
  if (missing) return t.rewardIn(missing.title, missing.pointsCost - points);
  return undefined;
};

export const earnSummary = (program: Program, t: CardText): string => {
  const { earn, stamps, rewards, expiry } = program.rules;
  const lines: string[] = [];
  if (earn.pointsPerEuro > 0) {
    lines.push(t.earn(earn.pointsPerEuro, program.currency));
  }
  if (earn.minimumBasketCents > 0) {
    lines.push(t.minimumBasket(formatMoney(earn.minimumBasketCents, program.currency)));
  }
  for (const card of stamps.cards) {
    lines.push(t.stampRule(card.category, card.stampsRequired, card.rewardTitle));
  }
  for (const r of rewards.catalogue) lines.push(t.rewardRule(r.title, r.pointsCost));
  if (expiry.months !== null) lines.push(t.expiryRule(expiry.months));
  lines.push(t.personal);
  return lines.join("\n");
};

const contactText = (program: Program): string | undefined => {
  const { email, phone, website } = program.contact;
  const lines = [email && `Email: ${email}`, phone && `Phone: ${phone}`, website && `Web: ${website}`].filter(
    (l): l is string => Boolean(l),
  );
  return lines.length > 0 ? lines.join("\n") : undefined;
};

export const voucherText = (member: Member, currency: string, t: CardText): string =>
  member.vouchers.length === 0
    ? t.noVouchers
    : member.vouchers
        .map((v) => {
          const value =
            v.kind === "amount" && v.valueCents !== undefined
              ? ` (${formatMoney(v.valueCents, currency)})`
              : "";
          return t.voucherLine(v.title, value, v.validTo);
        })
        .join("\n");

/** The member's live offers, one a line (best first), as the back of the card lists them. */
export const offerText = (member: Member, today: string, t: CardText): string => {
  const offers = liveOffersOf(member, today);
  return offers.length === 0
    ? t.noOffers
    : offers.map((o) => t.offerLine(o.title, o.description, o.validTo)).join("\n");
};

export interface AppleCardInput {
  program: Program;
  member: Member;
  /** The member's stores, in order: the first MAX_PASS_LOCATIONS are the card's locations. */
  stores: readonly PassStore[];
  holderName?: string;
  /** The holder's first name, for the welcome near a store. */
  firstName?: string;
  /** The member's own locale (their profile); the program's is the fallback. */
  locale?: string;
  now: Date;
}

export const appleCardContent = ({
  program,
  member,
  stores,
  holderName,
  firstName,
  locale,
  now,
}: AppleCardInput): AppleCardContent => {
  const t = cardText(locale, program.locale);
  const today = localDay(now, program.timeZone);
  const { branding } = program;
  const stampCards = program.rules.stamps.cards;
  const stampsFirst = branding.cardFront === "stamps" && stampCards.length > 0;
  const stampField = (card: (typeof stampCards)[number]): PassField => ({
    key: `stamps-${card.category}`,
    label: t.stamps(card.category),
    value: `${countOf(member.stamps, card.category)} / ${card.stampsRequired}`,
    changeMessage: t.stampsChanged(card.category),
  });
  const pointsField: PassField = {
    key: "points",
    label: t.points,
    value: member.points,
    changeMessage: t.pointsChanged,
  };
  const [firstCard, ...otherCards] = stampCards;
  const primary = stampsFirst && firstCard ? stampField(firstCard) : pointsField;
  const extraStamps = (stampsFirst ? otherCards : stampCards).map(stampField);

  const secondary: PassField[] = [];
  const tier = tierName(program.rules.tiers.levels, member.tierId);
  if (tier !== null)
    secondary.push({ key: "tier", label: t.tier, value: tier, changeMessage: t.tierChanged });
  const reward = nextReward(program, member.points, t);
  if (reward !== undefined) {
    secondary.push({ key: "next-reward", label: t.nextReward, value: reward, changeMessage: "%@" });
  }
  if (holderName) secondary.push({ key: "holder", label: t.member, value: holderName });

  const auxiliary: PassField[] = [...(stampsFirst ? [pointsField] : []), ...extraStamps].slice(0, 3);
  if (member.vouchers.length > 0 || secondary.length < 3) {
    auxiliary.push({
      key: "vouchers",
      label: t.vouchers,
      value: member.vouchers.length,
      changeMessage: t.vouchersChanged,
    });
  }

  const lot = member.lots[0];
  const back: PassField[] = [
    {
      key: "vouchers-list",
      label: t.voucherList,
      value: voucherText(member, program.currency, t),
      changeMessage: "%@",
    },
    {
      key: "offers",
      label: t.offerList,
      value: offerText(member, today, t),
      changeMessage: "%@",
    },
    {
      key: "expiring",
      label: t.expiringNext,
      value: lot ? t.expiring(lot.points, lot.expiresOn) : t.none,
      changeMessage: t.expiringNextChanged,
    },
    {
      key: "valid-until",
      label: t.validUntil,
      value: member.validUntil ?? t.noEndDate,
      changeMessage: t.validUntilChanged,
    },
    { key: "card-code", label: t.cardNumber, value: groupedCode(member.cardCode) },
    { key: "terms", label: t.howItWorks, value: earnSummary(program, t) },
  ];
  const contact = contactText(program);
  if (contact) back.push({ key: "contact", label: t.contact(program.organizationName), value: contact });

  const places = stores.slice(0, MAX_PASS_LOCATIONS).map((store) => ({
    store,
    relevantText: locationText({ program, member, store, firstName, t, today }),
  }));
  const locations = places.map(({ store, relevantText }) => ({
    latitude: store.latitude,
    longitude: store.longitude,
    relevantText,
  }));
  const beacons = places
    .flatMap(({ store: { beacon }, relevantText }) =>
      beacon
        ? [
            {
              proximityUUID: beacon.proximityUUID,
              ...(beacon.major !== undefined ? { major: beacon.major } : {}),
              ...(beacon.minor !== undefined ? { minor: beacon.minor } : {}),
              relevantText,
            },
          ]
        : [],
    )
    .slice(0, MAX_PASS_BEACONS);

  return {
    serialNumber: member.memberId,
    description: t.description(program.name),
    organizationName: program.organizationName,
    logoText: branding.logoText ?? program.name,
    backgroundColor: rgb(branding.backgroundColor),
    foregroundColor: rgb(branding.foregroundColor),
    labelColor: rgb(branding.labelColor),
    sharingProhibited: true,
    voided: member.status !== "active",
    ...(member.validUntil !== null
      ? { expirationDate: startOfDay(addDays(member.validUntil, 1), program.timeZone).toISOString() }
      : {}),
    headerFields:
      member.validUntil !== null && member.validUntil < today
        ? [{ key: "state", label: t.card, value: t.expired, changeMessage: t.cardChanged }]
        : [],
    primaryFields: [primary],
    secondaryFields: secondary.slice(0, 4),
    auxiliaryFields: auxiliary.slice(0, 4),
    backFields: back,
    barcode: {
      format: BARCODE_FORMATS[branding.barcodeFormat],
      message: member.cardCode,
      messageEncoding: "iso-8859-1",
      altText: groupedCode(member.cardCode),
    },
    locations,
    maxDistance: PASS_MAX_DISTANCE_METRES,
    beacons,
  };
};
