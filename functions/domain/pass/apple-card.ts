import { addDays, localDay, startOfDay } from "../loyalty/calendar.js";
import type { Member } from "../loyalty/member.js";
import { tierName } from "../loyalty/tiers.js";
import { formatMoney } from "../money.js";
import type { Program } from "../program.js";
import type { Store } from "../store.js";

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

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The cheapest reward the member cannot afford yet, or the best one they can. */
const nextReward = (program: Program, points: number): string | undefined => {
  const rewards = [...program.rules.rewards.catalogue].sort((a, b) => a.pointsCost - b.pointsCost);
  if (rewards.length === 0) return undefined;
  const missing = rewards.find((r) => r.pointsCost > points);
  const affordable = rewards.filter((r) => r.pointsCost <= points).at(-1);
  if (affordable && (!missing || program.rules.rewards.autoConvert === false)) {
    return `${affordable.title}: ready to redeem`;
  }
  if (missing) return `${missing.title} in ${plural(missing.pointsCost - points, "point", "points")}`;
  return undefined;
};

const earnSummary = (program: Program): string => {
  const { earn, stamps, rewards, expiry } = program.rules;
  const lines: string[] = [];
  if (earn.pointsPerEuro > 0) {
    lines.push(
      `Earn ${earn.pointsPerEuro} point${earn.pointsPerEuro === 1 ? "" : "s"} per ${program.currency} 1 spent.`,
    );
  }
  if (earn.minimumBasketCents > 0) {
    lines.push(`Purchases under ${formatMoney(earn.minimumBasketCents, program.currency)} earn no points.`);
  }
  for (const card of stamps.cards) {
    lines.push(`${card.category}: ${card.stampsRequired} stamps give ${card.rewardTitle}.`);
  }
  for (const r of rewards.catalogue) lines.push(`${r.title}: ${plural(r.pointsCost, "point", "points")}.`);
  if (expiry.months !== null)
    lines.push(`Points expire ${expiry.months} months after the month they were earned.`);
  lines.push("This card is personal and cannot be shared.");
  return lines.join("\n");
};

const contactText = (program: Program): string | undefined => {
  const { email, phone, website } = program.contact;
  const lines = [email && `Email: ${email}`, phone && `Phone: ${phone}`, website && `Web: ${website}`].filter(
    (l): l is string => Boolean(l),
  );
  return lines.length > 0 ? lines.join("\n") : undefined;
};

const voucherText = (member: Member, currency: string): string =>
  member.vouchers.length === 0
    ? "No vouchers right now."
    : member.vouchers
        .map((v) => {
          const value =
            v.kind === "amount" && v.valueCents !== undefined
              ? ` (${formatMoney(v.valueCents, currency)})`
              : "";
          return `${v.title}${value}, valid until ${v.validTo}`;
        })
        .join("\n");

export interface AppleCardInput {
  program: Program;
  member: Member;
  /** The stores the card lights up near; the first MAX_PASS_LOCATIONS are used. */
  stores: readonly Pick<Store, "name" | "latitude" | "longitude" | "relevantText">[];
  holderName?: string;
  now: Date;
}

export const appleCardContent = ({
  program,
  member,
  stores,
  holderName,
  now,
}: AppleCardInput): AppleCardContent => {
  const { branding } = program;
  const stampCards = program.rules.stamps.cards;
  const stampsFirst = branding.cardFront === "stamps" && stampCards.length > 0;
  const stampField = (card: (typeof stampCards)[number]): PassField => ({
    key: `stamps-${card.category}`,
    label: `${card.category} stamps`.toUpperCase(),
    value: `${member.stamps[card.category] ?? 0} / ${card.stampsRequired}`,
    changeMessage: `${card.category} stamps: %@`,
  });
  const pointsField: PassField = {
    key: "points",
    label: "POINTS",
    value: member.points,
    changeMessage: "You now have %@ points",
  };
  const [firstCard, ...otherCards] = stampCards;
  const primary = stampsFirst && firstCard ? stampField(firstCard) : pointsField;
  const extraStamps = (stampsFirst ? otherCards : stampCards).map(stampField);

  const secondary: PassField[] = [];
  const tier = tierName(program.rules.tiers.levels, member.tierId);
  if (tier !== null)
    secondary.push({ key: "tier", label: "TIER", value: tier, changeMessage: "You are now %@" });
  const reward = nextReward(program, member.points);
  if (reward !== undefined) {
    secondary.push({ key: "next-reward", label: "NEXT REWARD", value: reward, changeMessage: "%@" });
  }
  if (holderName) secondary.push({ key: "holder", label: "MEMBER", value: holderName });

  const auxiliary: PassField[] = [...(stampsFirst ? [pointsField] : []), ...extraStamps].slice(0, 3);
  if (member.vouchers.length > 0 || secondary.length < 3) {
    auxiliary.push({
      key: "vouchers",
      label: "VOUCHERS",
      value: member.vouchers.length,
      changeMessage: "You have %@ vouchers",
    });
  }

  const lot = member.lots[0];
  const back: PassField[] = [
    {
      key: "vouchers-list",
      label: "Your vouchers",
      value: voucherText(member, program.currency),
      changeMessage: "%@",
    },
    {
      key: "expiring",
      label: "Points expiring next",
      value: lot ? `${plural(lot.points, "point", "points")} after ${lot.expiresOn}` : "None",
      changeMessage: "Points expiring next: %@",
    },
    {
      key: "valid-until",
      label: "Card valid until",
      value: member.validUntil ?? "No end date",
      changeMessage: "Your card is now valid until %@",
    },
    { key: "card-code", label: "Card number", value: groupedCode(member.cardCode) },
    { key: "terms", label: "How it works", value: earnSummary(program) },
  ];
  const contact = contactText(program);
  if (contact) back.push({ key: "contact", label: `Contact ${program.organizationName}`, value: contact });

  const locations = stores.slice(0, MAX_PASS_LOCATIONS).map((s) => ({
    latitude: s.latitude,
    longitude: s.longitude,
    relevantText: s.relevantText ?? `Welcome to ${s.name}! Show your card at the till.`,
  }));

  const today = localDay(now, program.timeZone);
  return {
    serialNumber: member.memberId,
    description: `${program.name} loyalty card`,
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
        ? [{ key: "state", label: "CARD", value: "Expired", changeMessage: "Your card is %@" }]
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
