import { addDays, localDay, startOfDay } from "../loyalty/calendar.js";
import { countOf } from "../loyalty/counts.js";
import type { Member } from "../loyalty/member.js";
import { tierName } from "../loyalty/tiers.js";
import { formatMoney } from "../money.js";
import type { Program } from "../program.js";
import type { Store } from "../store.js";
import { type CardText, cardText } from "./card-text.js";

/**
 * What a member's Apple Wallet store card shows, computed from the member, its program and the
 * stores to light up near: pure, so every rule of the card is unit-tested without signing anything.
 * The adapter (functions/adapters/apple/pass-factory.ts) turns it into a signed .pkpass.
 *
 * Apple's rules kept here: every field whose value can change has a `changeMessage` containing `%@`
 * (the lock-screen notification after a push); at most 10 locations; colours as `rgb(r, g, b)`;
 * `expirationDate` from the card's validity; `voided` once the member is erased.
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
}

export const MAX_PASS_LOCATIONS = 10;

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

export interface AppleCardInput {
  program: Program;
  member: Member;
  /** The stores the card lights up near; the first MAX_PASS_LOCATIONS are used. */
  stores: readonly Pick<Store, "name" | "latitude" | "longitude" | "relevantText">[];
  holderName?: string;
  /** The member's own locale (their profile); the program's is the fallback. */
  locale?: string;
  now: Date;
}

export const appleCardContent = ({
  program,
  member,
  stores,
  holderName,
  locale,
  now,
}: AppleCardInput): AppleCardContent => {
  const t = cardText(locale, program.locale);
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

  const locations = stores.slice(0, MAX_PASS_LOCATIONS).map((s) => ({
    latitude: s.latitude,
    longitude: s.longitude,
    relevantText: s.relevantText ?? t.welcome(s.name),
  }));

  const today = localDay(now, program.timeZone);
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
  };
};
