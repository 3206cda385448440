import type { walletobjects_v1 } from "@googleapis/walletobjects";
import { addDays, localDay, startOfDay } from "../loyalty/calendar.js";
import { countOf } from "../loyalty/counts.js";
import type { Member, Voucher } from "../loyalty/member.js";
import { tierName } from "../loyalty/tiers.js";
import { formatMoney } from "../money.js";
import { liveOffersOf } from "../offers/holding.js";
import type { Program } from "../program.js";
import type { PassStore } from "../stores/places.js";
import { earnSummary, groupedCode, nextReward, voucherText } from "./apple-card.js";
import { CARD_LANGUAGES, type CardText, cardText } from "./card-text.js";
import { cut } from "./relevance.js";

/**
 * What a member's Google Wallet loyalty card shows: the class (one per program: names, logo, colour,
 * labels, terms, contact) and the object (one per member and card generation: balances, tier, vouchers,
 * offers, barcode, validity, stores). Pure, like apple-card.ts, whose card it mirrors field for field; the
 * adapter sends these bodies to the Wallet REST API as they are.
 *
 * Google's rules kept here:
 * - ids are `<issuerId>.<suffix>`, the issuer id digits, the suffix of `[A-Za-z0-9._-]`;
 * - the object is sent whole, arrays included (`textModulesData`, `messages`, `merchantLocations`):
 *   a PATCH replaces an array whole, so a shorter array removes what is no longer there. A field
 *   left out, though, is kept by a PATCH: so the tier of a program with tiers is always shown ("None"
 *   without one), and an erased member's name is cleared (`""`); `validTimeInterval` (a validity
 *   removed from the rules) and `accountName` (a name removed from the profile) stay until the next
 *   insert, which is rare enough to accept;
 * - at most 10 text modules, 10 messages and 10 merchant locations on an object; the messages are the
 *   member's live offers (best first, relevance.ts), then the vouchers lapsing soonest, each shown
 *   only within its validity (`displayInterval`, days in the program's time zone);
 * - text modules have stable ids of `[A-Za-z0-9_-]` (never a merchant's category name, which is any
 *   text, `__proto__` included: a stamp card's module is named by its place in the program);
 * - texts kept to Google's recommended lengths where a merchant's text could make them long: a text
 *   module's header to 35 characters, its body to 500 (whole lines kept, then "…"). Labels, names
 *   and message texts are not cut: Google only advises on them, and cutting a tier or reward name
 *   would misname it;
 * - no notification is decided here: messages are always `TEXT` (google-notifications.ts decides
 *   when a PATCH notifies).
 */

type LocalizedString = walletobjects_v1.Schema$LocalizedString;
type LoyaltyPoints = walletobjects_v1.Schema$LoyaltyPoints;
type TextModule = walletobjects_v1.Schema$TextModuleData;
type Uri = walletobjects_v1.Schema$Uri;

export const GOOGLE_ID_SUFFIX = /^[A-Za-z0-9._-]+$/;
const ISSUER_ID = /^\d+$/;

export const MAX_GOOGLE_LOCATIONS = 10;
export const MAX_GOOGLE_TEXT_MODULES = 10;
export const MAX_GOOGLE_MESSAGES = 10;
/** Google's recommended maximum lengths of a text module's header and body. */
export const TEXT_MODULE_HEADER_MAX = 35;
export const TEXT_MODULE_BODY_MAX = 500;

const googleId = (issuerId: string, suffix: string): string => {
  if (!ISSUER_ID.test(issuerId)) {
    throw new Error(`A Google Wallet issuer id is digits only, not '${issuerId}'`);
  }
  if (!GOOGLE_ID_SUFFIX.test(suffix)) {
    throw new Error(`A Google Wallet id suffix is made of A-Z a-z 0-9 . _ - only, not '${suffix}'`);
  }
  return `${issuerId}.${suffix}`;
};

/** The class of a program: `<issuerId>.<programId>`. */
export const googleClassId = (issuerId: string, programId: string): string => googleId(issuerId, programId);

/**
 * The object of a member's card: `<issuerId>.<memberId>` for the first card (generation 0),
 * `<issuerId>.<memberId>-g<generation>` after a reissue, so a reissued card is a new object and the old
 * one (in someone else's Wallet, perhaps) can be expired on its own.
 */
export const googleObjectId = (issuerId: string, memberId: string, generation: number): string => {
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new Error(`A card generation is a non-negative integer, not ${generation}`);
  }
  return googleId(issuerId, generation === 0 ? memberId : `${memberId}-g${generation}`);
};

/** The language code of the words `cardText(...locales)` picks: one of CARD_LANGUAGES. */
const languageOf = (...locales: (string | undefined)[]): string => {
  const text = cardText(...locales);
  return CARD_LANGUAGES.find((language) => cardText(language) === text) ?? "en";
};

/** A text in one language (the object's texts: in the member's language). */
const oneLanguage = (language: string, value: string): LocalizedString => ({
  defaultValue: { language, value },
});

/** A text in the program's language, with Carnet's other languages as translations (the class's). */
const everyLanguage = (language: string, words: (t: CardText) => string): LocalizedString => ({
  defaultValue: { language, value: words(cardText(language)) },
  translatedValues: CARD_LANGUAGES.filter((l) => l !== language).map((l) => ({
    language: l,
    value: words(cardText(l)),
  })),
});

/** `text` cut to `max` characters at a line break (whole lines kept, then "…"), or cut when one line is too long. */
const cutLines = (text: string, max: number): string => {
  if ([...text].length <= max) return text;
  const kept: string[] = [];
  let length = 2; // "\n…"
  for (const line of text.split("\n")) {
    const next = [...line].length + (kept.length > 0 ? 1 : 0);
    if (length + next > max) break;
    kept.push(line);
    length += next;
  }
  return kept.length > 0 ? `${kept.join("\n")}\n…` : cut(text, max);
};

const textModule = (id: string, header: string, body: string): TextModule => ({
  id,
  header: cut(header, TEXT_MODULE_HEADER_MAX),
  body: cutLines(body, TEXT_MODULE_BODY_MAX),
});

/** A voucher's worth: its amount, or what the gift is. */
const voucherValue = (v: Voucher, currency: string): string | undefined =>
  v.kind === "amount" && v.valueCents !== undefined ? formatMoney(v.valueCents, currency) : v.description;

/** The instant a day ends in the program's time zone: the start of the next day (Apple's expirationDate). */
const endOfDay = (day: string, timeZone: string): string =>
  startOfDay(addDays(day, 1), timeZone).toISOString();

/** The contact's links: website as the class's home page, email and phone as links. */
const contactLinks = (program: Program, language: string) => {
  const { email, phone, website } = program.contact;
  const homepageUri: Uri | undefined = website
    ? { id: "website", uri: website, localizedDescription: everyLanguage(language, (t) => t.website) }
    : undefined;
  const uris: Uri[] = [];
  if (email) {
    uris.push({
      id: "email",
      uri: `mailto:${encodeURI(email)}`,
      localizedDescription: everyLanguage(language, (t) => t.email),
    });
  }
  const dial = phone?.replace(/[^\d+]/g, "") ?? "";
  if (/\d/.test(dial)) {
    uris.push({
      id: "phone",
      uri: `tel:${dial}`,
      localizedDescription: everyLanguage(language, (t) => t.phone),
    });
  }
  return { homepageUri, uris };
};

export interface GoogleClassInput {
  program: Program;
  issuerId: string;
  /**
   * URL of a square logo: branding.logoUrl, else Carnet's default (given by the caller). Google fetches
   * it, so in production it is a public https URL (PUBLIC_URL is); locally it is whatever PUBLIC_URL is.
   */
  logoUri: string;
}

/**
 * The loyalty class of a program. Its texts are in the program's language (the default value) with
 * Carnet's other languages as translations, so each holder reads them in their phone's language.
 */
export const googleLoyaltyClass = ({
  program,
  issuerId,
  logoUri,
}: GoogleClassInput): walletobjects_v1.Schema$LoyaltyClass => {
  const language = languageOf(program.locale);
  const { homepageUri, uris } = contactLinks(program, language);
  return {
    id: googleClassId(issuerId, program.programId),
    issuerName: program.organizationName,
    programName: program.name,
    programLogo: {
      sourceUri: { uri: logoUri },
      contentDescription: everyLanguage(language, (t) => t.logo(program.name)),
    },
    hexBackgroundColor: program.branding.backgroundColor,
    // Google reviews a class after every insert or update; "UNDER_REVIEW" is what an update sends.
    reviewStatus: "UNDER_REVIEW",
    // The card is personal (Apple's sharingProhibited): one holder, on all of their devices.
    multipleDevicesAndHoldersAllowedStatus: "ONE_USER_ALL_DEVICES",
    localizedAccountIdLabel: everyLanguage(language, (t) => t.cardNumber),
    localizedAccountNameLabel: everyLanguage(language, (t) => t.member),
    textModulesData: [
      {
        id: "terms",
        localizedHeader: everyLanguage(language, (t) => cut(t.howItWorks, TEXT_MODULE_HEADER_MAX)),
        localizedBody: everyLanguage(language, (t) =>
          cutLines(earnSummary(program, t), TEXT_MODULE_BODY_MAX),
        ),
      },
    ],
    ...(homepageUri ? { homepageUri } : {}),
    ...(uris.length > 0 ? { linksModuleData: { uris } } : {}),
  };
};

export interface GoogleObjectInput {
  program: Program;
  member: Member;
  /** The member's stores, in order: the first MAX_GOOGLE_LOCATIONS are the object's merchant locations. */
  stores: readonly PassStore[];
  holderName?: string;
  /** The member's own locale (their profile); the program's is the fallback. */
  locale?: string;
  now: Date;
  issuerId: string;
}

const BARCODE_TYPES: Record<Program["branding"]["barcodeFormat"], string> = {
  qr: "QR_CODE",
  pdf417: "PDF_417",
  code128: "CODE_128",
};

/**
 * The loyalty object of a member's card, complete: every array is whole (a PATCH replaces arrays),
 * in the member's language. Front: the points (or the first stamp card when the branding puts stamps
 * in front) and, second, the tier (else the first stamp card, else the points). Details: what does
 * not fit the front, the next reward, the vouchers, the points expiring next and the card's validity.
 */
export const googleLoyaltyObject = ({
  program,
  member,
  stores,
  holderName,
  locale,
  now,
  issuerId,
}: GoogleObjectInput): walletobjects_v1.Schema$LoyaltyObject => {
  const t = cardText(locale, program.locale);
  const language = languageOf(locale, program.locale);
  const { branding, timeZone, currency } = program;
  const balance = (label: string, value: LoyaltyPoints["balance"]): LoyaltyPoints => ({
    label,
    localizedLabel: oneLanguage(language, label),
    balance: value,
  });

  const stampCards = program.rules.stamps.cards.map((card, index) => ({
    index,
    label: t.stamps(card.category),
    category: card.category,
    value: `${countOf(member.stamps, card.category)} / ${card.stampsRequired}`,
  }));
  const [firstCard] = stampCards;
  const stampsFirst = branding.cardFront === "stamps" && firstCard !== undefined;
  const tier = tierName(program.rules.tiers.levels, member.tierId);

  type Shown = "points" | "tier" | "first-card";
  const primary: Shown = stampsFirst ? "first-card" : "points";
  // A program with tiers always shows the tier second ("None" without one): a PATCH keeps a field it
  // does not mention, so a tier lost must be shown as none, not left out.
  const hasTiers = program.rules.tiers.levels.length > 0;
  const secondary: Shown | undefined = hasTiers
    ? "tier"
    : !stampsFirst && firstCard
      ? "first-card"
      : stampsFirst
        ? "points"
        : undefined;
  const onFront = (what: Shown) => primary === what || secondary === what;
  const shownAs = (what: Shown): LoyaltyPoints | undefined => {
    if (what === "points") return balance(t.points, { int: member.points });
    if (what === "tier") return balance(t.tier, { string: tier ?? t.none });
    return firstCard ? balance(firstCard.label, { string: firstCard.value }) : undefined;
  };

  const fixedBefore: TextModule[] = [];
  if (tier !== null && !onFront("tier")) fixedBefore.push(textModule("tier", t.tier, tier));
  if (!onFront("points")) fixedBefore.push(textModule("points", t.points, String(member.points)));
  const reward = nextReward(program, member.points, t);
  const lot = member.lots[0];
  const fixedAfter: TextModule[] = [
    ...(reward !== undefined ? [textModule("next-reward", t.nextReward, reward)] : []),
    textModule("vouchers", t.voucherList, voucherText(member, currency, t)),
    textModule("expiring", t.expiringNext, lot ? t.expiring(lot.points, lot.expiresOn) : t.none),
    textModule("valid-until", t.validUntil, member.validUntil ?? t.noEndDate),
  ];
  // The stamp cards not on the front: one module each when they fit, else one module listing them.
  const otherCards = stampCards.filter((c) => !(c === firstCard && onFront("first-card")));
  const room = MAX_GOOGLE_TEXT_MODULES - fixedBefore.length - fixedAfter.length;
  const stampModules =
    otherCards.length <= room
      ? otherCards.map((c) => textModule(`stamps-${c.index}`, c.label, c.value))
      : [textModule("stamps", t.stampCards, otherCards.map((c) => `${c.category}: ${c.value}`).join("\n"))];

  const today = localDay(now, timeZone);
  const expired = member.status !== "active" || (member.validUntil !== null && member.validUntil < today);
  // Live offers first (news, best first), then the vouchers, the soonest to lapse first: those are
  // the ones a holder must not miss.
  const offerMessages = liveOffersOf(member, today).map((o) => ({
    id: o.offerId,
    header: o.title,
    body: o.forYou ? `${t.forYou}\n${o.description}` : o.description,
    messageType: "TEXT",
    displayInterval: {
      start: { date: startOfDay(o.validFrom, timeZone).toISOString() },
      end: { date: endOfDay(o.validTo, timeZone) },
    },
  }));
  const voucherMessages = [...member.vouchers]
    .sort((a, b) => a.validTo.localeCompare(b.validTo) || a.voucherId.localeCompare(b.voucherId))
    .map((v) => ({
      id: v.voucherId,
      header: v.title,
      body: [voucherValue(v, currency), t.voucherValidTo(v.validTo)].filter(Boolean).join("\n"),
      messageType: "TEXT",
      displayInterval: { end: { date: endOfDay(v.validTo, timeZone) } },
    }));
  const messages = [...offerMessages, ...voucherMessages].slice(0, MAX_GOOGLE_MESSAGES);
  const secondaryPoints = secondary !== undefined ? shownAs(secondary) : undefined;

  return {
    id: googleObjectId(issuerId, member.memberId, member.passAuthGeneration),
    classId: googleClassId(issuerId, program.programId),
    state: expired ? "EXPIRED" : "ACTIVE",
    accountId: groupedCode(member.cardCode),
    // An erased member's name is cleared explicitly: a PATCH keeps a field it does not mention.
    ...(member.status !== "active" ? { accountName: "" } : holderName ? { accountName: holderName } : {}),
    loyaltyPoints: shownAs(primary),
    ...(secondaryPoints ? { secondaryLoyaltyPoints: secondaryPoints } : {}),
    textModulesData: [...fixedBefore, ...stampModules, ...fixedAfter],
    barcode: {
      type: BARCODE_TYPES[branding.barcodeFormat],
      value: member.cardCode,
      alternateText: groupedCode(member.cardCode),
    },
    ...(member.validUntil !== null
      ? { validTimeInterval: { end: { date: endOfDay(member.validUntil, timeZone) } } }
      : {}),
    merchantLocations: stores
      .slice(0, MAX_GOOGLE_LOCATIONS)
      .map(({ latitude, longitude }) => ({ latitude, longitude })),
    messages,
  };
};
