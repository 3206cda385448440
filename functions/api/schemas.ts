import { z } from "zod";
import { HolderStatus } from "../domain/credentials.js";
import { LedgerEntry, LineItem, MAX_FAVOURITE_STORES, Voucher } from "../domain/loyalty/member.js";
import { Cents, Currency, Points } from "../domain/money.js";
import { Offer, offerSettings } from "../domain/offers/offer.js";
import { Partner } from "../domain/partner.js";
import { Program, programChanges, programSettings } from "../domain/program.js";
import { Store, StoreBeacon, StoreLimits, storeSettings } from "../domain/store.js";
import { ID_PATTERN } from "../shared/ids.js";
import { MAX_KEY_GRACE_SECONDS } from "../shared/key-lifecycle.js";

/**
 * Every request and response body of the HTTP contract (design.md, "HTTP contract"), and the path and
 * query parameters: the one home of what crosses the wire, next to the operation table
 * (operations.ts) that names them. Entities and their field rules come from the domain.
 */

// ---------------------------------------------------------------------------------------------
// Parameters

const id = (example: string) => z.string().regex(ID_PATTERN).meta({ example });
export const ProgramParams = z.strictObject({ programId: id("prg_5g2k9x0m3q7w1z8c") });
export const StoreParams = ProgramParams.extend({ storeId: id("sto_8c1z7w3q0m9x2k5g") });
export const MemberParams = ProgramParams.extend({ memberId: id("mbr_1z8c5g2k9x0m3q7w") });
export const StoreOnly = z.strictObject({ storeId: id("sto_8c1z7w3q0m9x2k5g") });
export const PartnerOnly = z.strictObject({ partnerId: id("prt_3q7w1z8c5g2k9x0m") });
export const PartnerParams = ProgramParams.extend({ partnerId: id("prt_3q7w1z8c5g2k9x0m") });
export const OfferParams = ProgramParams.extend({ offerId: id("ofr_7w1z8c5g2k9x0m3q") });

export const Paging = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .meta({ description: "Items per page (1 to 100)" }),
  cursor: z
    .string()
    .max(1024)
    .optional()
    .meta({ description: "The nextCursor of the previous page; absent for the first page" }),
});

const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .optional()
        .meta({ description: "Pass as ?cursor= to get the next page; absent on the last" }),
    })
    .meta({ id });

// ---------------------------------------------------------------------------------------------
// Programs and stores

export const ProgramInput = z.strictObject(programSettings).meta({ id: "ProgramInput" });
export type ProgramInput = z.output<typeof ProgramInput>;

export const ProgramPatch = z
  .strictObject(programChanges)
  .refine((p) => Object.keys(p).length > 0, "give at least one field to change")
  .meta({ id: "ProgramPatch" });
export type ProgramPatch = z.output<typeof ProgramPatch>;

export const ProgramCreated = Program.extend({
  merchantKey: z.string().meta({
    description: "The program's own merchant key. Shown this once; only its hash is stored.",
    example: "mk.prg_5g2k9x0m3q7w1z8c.Q2FybmV0IGRldmVsb3BtZW50IGtleSBleGFtcGxlIQ",
  }),
}).meta({ id: "ProgramCreated" });

export const ProgramPage = pageOf(Program, "ProgramPage");

export const StoreInput = z.strictObject(storeSettings).meta({ id: "StoreInput" });
export type StoreInput = z.output<typeof StoreInput>;

export const StoreCreated = Store.extend({
  apiKey: z.string().meta({
    description: "The store's API key for the store API. Shown this once; only its hash is stored.",
    example: "sk.sto_8c1z7w3q0m9x2k5g.U3RvcmUga2V5IGV4YW1wbGUgLSBub3QgYSByZWFsIGtleQ",
  }),
}).meta({ id: "StoreCreated" });

export const StorePage = pageOf(Store, "StorePage");

export const StorePatch = z
  .strictObject({
    ...z.strictObject(storeSettings).partial().shape,
    status: HolderStatus.optional(),
    limits: StoreLimits.nullable()
      .optional()
      .meta({ description: "Replaces the store key's limits whole; null removes them" }),
    postcode: storeSettings.postcode.unwrap().nullable().optional().meta({
      description:
        "The store's postcode (sign-ups with a postcode get its stores on their card); null removes it",
      example: "75011",
    }),
    beacon: StoreBeacon.nullable()
      .optional()
      .meta({ description: "Replaces the store's iBeacon whole; null removes it" }),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: "give at least one field to change" })
  .meta({ id: "StorePatch" });
export type StorePatch = z.output<typeof StorePatch>;

// ---------------------------------------------------------------------------------------------
// Keys

export const KeyRotation = z
  .strictObject({
    graceSeconds: z.int().min(0).max(MAX_KEY_GRACE_SECONDS).default(0).meta({
      description:
        "How long the replaced key is still accepted, in seconds (at most 7 days); 0, the default, refuses it at once",
      example: 3600,
    }),
  })
  .meta({ id: "KeyRotation" });

export const RotatedKey = z
  .object({
    apiKey: z.string().meta({
      description: "The new key. Shown this once; only its hash is stored.",
      example: "sk.sto_8c1z7w3q0m9x2k5g.U3RvcmUga2V5IGV4YW1wbGUgLSBub3QgYSByZWFsIGtleQ",
    }),
    apiKeyPrefix: z.string().meta({ description: "The first characters of the new key" }),
    previousKeyValidUntil: z.iso
      .datetime()
      .optional()
      .meta({ description: "Until when the replaced key is still accepted; absent, it is refused already" }),
  })
  .meta({ id: "RotatedKey" });

// ---------------------------------------------------------------------------------------------
// Members, the store API, partners and transfers: requests

const MemberRef = z.string().trim().min(1).max(64).meta({
  description: "The card's barcode value (16 digits; spaces and dashes ignored) or the memberId",
  example: "4539 1488 0343 6467",
});

const Name = z.string().trim().min(1).max(64);
const Reference = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
  .meta({ description: "The partner's own reference for this accrual", example: "order-2026-000123" });

const PastDay = z.iso
  .date()
  .refine((d) => d <= new Date().toISOString().slice(0, 10), "must not be in the future");

const Email = z.email().max(254).meta({ example: "camille@example.com" });
const Postcode = z
  .string()
  .trim()
  .min(2)
  .max(12)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, "must be letters, digits, spaces or hyphens")
  .meta({ example: "75011" });
const ReferralCode = z.string().trim().min(1).max(20).meta({ description: "Another member's referral code" });
/** The language to write to the member in (their emails and card), e.g. `fr` or `fr-FR`. */
const MemberLocale = z.string().min(2).max(35);

export const EnrollmentBody = z
  .strictObject({
    email: Email,
    firstName: Name.optional(),
    lastName: Name.optional(),
    birthDate: PastDay.optional().meta({ description: "YYYY-MM-DD; used for birthday offers" }),
    postcode: Postcode.optional(),
    locale: MemberLocale.optional(),
    referralCode: ReferralCode.optional(),
    storeId: z.string().regex(ID_PATTERN, "a storeId").optional().meta({
      description:
        "The store the customer enrolls at: their home store, which the card shows until they buy. A store the program does not have is a 422 unknown_store.",
      example: "sto_8c1z7w3q0m9x2k5g",
    }),
    marketingConsent: z.boolean().default(false),
    sendEmail: z.boolean().default(true).meta({
      description:
        "Send the member the welcome email with their card link, as the join form does (default). False for an import whose members were told another way.",
    }),
  })
  .meta({ id: "EnrollmentInput" });
export type EnrollmentBody = z.output<typeof EnrollmentBody>;

export const PurchaseBody = z
  .strictObject({
    member: MemberRef,
    amountCents: Cents.max(100_000_000).meta({
      description: "What the customer paid, in cents",
      example: 1250,
    }),
    currency: Currency,
    channel: z.enum(["in_store", "online"]).default("in_store"),
    items: z.array(LineItem).max(100).default([]).meta({ description: "Line items (at most 100)" }),
    occurredAt: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: "When the purchase happened (default: now); at most 30 days ago" }),
    paidWithMemberCard: z.boolean().default(false),
  })
  .meta({ id: "PurchaseInput" });
export type PurchaseBody = z.output<typeof PurchaseBody>;

const TransactionId = z.string().regex(ID_PATTERN).meta({ example: "txn_0m3q7w1z8c5g2k9x" });

export const RefundBody = z
  .strictObject({
    transactionId: TransactionId.meta({ description: "The purchase to refund" }),
    amountCents: Cents.min(1).max(100_000_000),
  })
  .meta({ id: "RefundInput" });
export type RefundBody = z.output<typeof RefundBody>;

export const RedemptionBody = z
  .strictObject({
    member: MemberRef,
    voucherId: z.string().min(1).max(64).optional(),
    rewardId: z.string().min(1).max(40).optional(),
  })
  .refine((b) => (b.voucherId === undefined) !== (b.rewardId === undefined), {
    message: "give exactly one of voucherId or rewardId",
  })
  .meta({ id: "RedemptionInput" });
export type RedemptionBody = z.output<typeof RedemptionBody>;

export const PartnerBody = z
  .strictObject({
    name: Name.meta({ example: "Cinéma du Parc" }),
    pointsPerEuro: z.number().positive().max(1000).multipleOf(0.01).default(1).meta({
      description: "Rate for accruals given as an amount",
    }),
  })
  .meta({ id: "PartnerInput" });
export type PartnerBody = z.output<typeof PartnerBody>;

export const AccrualBody = z
  .strictObject({
    member: MemberRef,
    points: Points.min(1).max(1_000_000).optional(),
    amountCents: Cents.min(1).max(100_000_000).optional(),
    reference: Reference,
  })
  .refine((b) => (b.points === undefined) !== (b.amountCents === undefined), {
    message: "give exactly one of points or amountCents",
  })
  .meta({ id: "AccrualInput" });
export type AccrualBody = z.output<typeof AccrualBody>;

export const TransferBody = z
  .strictObject({
    toMemberId: z.string().regex(ID_PATTERN, "a memberId").meta({ example: "mbr_8c1z7w3q0m9x2k5g" }),
    points: Points.min(1),
  })
  .meta({ id: "TransferInput" });
export type TransferBody = z.output<typeof TransferBody>;

// ---------------------------------------------------------------------------------------------
// Members, the store API, partners and transfers: responses

export const Stamps = z.record(z.string(), z.number().int()).meta({
  description: "Stamps per category",
  example: { coffee: 3 },
});

export const MemberSummary = z
  .object({
    memberId: z.string(),
    points: z.number().int(),
    stamps: Stamps,
    tier: z.string().nullable().meta({ description: "The tierId, or null" }),
  })
  .meta({ id: "MemberSummary" });

export const HistoryPage = z
  .object({ items: z.array(LedgerEntry), nextCursor: z.string().optional() })
  .meta({ id: "HistoryPage", description: "Ledger entries, newest first" });

/** An offer on a member's card, as the member's GET shows it. */
export const MemberOfferView = z
  .object({
    offerId: z.string(),
    title: z.string(),
    description: z.string(),
    validFrom: z.string().meta({ description: "First day (program time zone)" }),
    validTo: z.string().meta({ description: "Last day (program time zone)" }),
    storeIds: z
      .array(z.string())
      .optional()
      .meta({ description: "Where it applies; every store when absent" }),
    forYou: z
      .boolean()
      .meta({ description: 'A personal offer (a `topCategory` target): shown as "for you"' }),
    voucherId: z
      .string()
      .optional()
      .meta({ description: "The voucher it gave the member (in `vouchers` until redeemed or expired)" }),
  })
  .meta({ id: "MemberLiveOffer" });

export const MemberView = z
  .object({
    memberId: z.string(),
    programId: z.string(),
    status: z.enum(["active", "erased"]),
    cardCode: z.string().meta({ description: "The barcode value: 16 digits with a Luhn check digit" }),
    cardUrl: z.url().optional().meta({
      description:
        "The customer's card link (/c/{token}): the card page with Add to Apple Wallet. Signed, valid 90 days from this answer; every read gives a fresh one.",
    }),
    referralCode: z.string(),
    referredBy: z.string().optional(),
    email: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    points: z.number().int(),
    stamps: Stamps,
    stampCards: z.array(
      z.object({
        category: z.string(),
        stamps: z.number().int(),
        stampsRequired: z.number().int(),
        rewardTitle: z.string(),
      }),
    ),
    tier: z
      .object({ tierId: z.string(), name: z.string().nullable(), since: z.string().nullable() })
      .nullable(),
    windowSpendCents: z
      .number()
      .int()
      .meta({ description: "Spend over the tier window at the last change (0 in a program without tiers)" }),
    vouchers: z.array(Voucher),
    offers: z.array(MemberOfferView).meta({
      description:
        "The member's live offers: those on the card whose validFrom ≤ today ≤ validTo (program time zone)",
    }),
    stores: z
      .object({
        onCard: z.array(z.string()).meta({
          description: "The storeIds the card carries (at most 10, in order), as last chosen for the member",
        }),
        favourites: z.array(z.string()).meta({
          description: "The storeIds the member pinned from the card page (they come first on the card)",
        }),
      })
      .meta({ description: "The member's stores" }),
    pointsExpiring: z
      .object({ points: z.number().int(), after: z.string() })
      .nullable()
      .meta({ description: "The oldest points and the last day they are valid" }),
    expiringSoon: z.boolean(),
    card: z.object({ validUntil: z.string().nullable(), expired: z.boolean(), renewalDue: z.boolean() }),
    purchases: z.number().int(),
    lastPurchaseAt: z.string().nullable(),
    enrolledAt: z.string(),
    version: z.number().int(),
    history: HistoryPage,
  })
  .meta({ id: "Member" });

export const MemberQuery = z
  .strictObject({
    email: z.email().max(254).optional(),
    cardCode: z.string().min(1).max(64).optional(),
  })
  .refine(
    (q) => (q.email === undefined) !== (q.cardCode === undefined),
    "give exactly one of email or cardCode",
  );

export const VoucherRedeemed = Voucher.extend({ status: z.literal("redeemed") });

export const Transfer = z
  .object({ transferId: z.string(), points: z.number().int(), from: MemberSummary, to: MemberSummary })
  .meta({ id: "Transfer" });

export const PurchaseResult = z
  .object({
    transactionId: z.string(),
    member: MemberSummary,
    pointsEarned: z.number().int(),
    vouchersIssued: z.array(Voucher),
    referralBonus: z.object({ refereePoints: z.number().int(), referrerPoints: z.number().int() }).optional(),
  })
  .meta({ id: "PurchaseResult" });

export const RefundResult = z
  .object({
    transactionId: z.string(),
    refundOf: z.string(),
    amountCents: z.number().int(),
    refundableCentsLeft: z.number().int(),
    pointsTakenBack: z.number().int(),
    pointsNotRecovered: z
      .number()
      .int()
      .meta({ description: "Points the member had already spent: not taken back" }),
    member: MemberSummary,
  })
  .meta({ id: "RefundResult" });

export const RedemptionResult = z
  .object({
    redemptionId: z.string(),
    voucher: VoucherRedeemed,
    pointsSpent: z.number().int(),
    member: MemberSummary,
  })
  .meta({ id: "RedemptionResult" });

export const PartnerPatch = z
  .strictObject({
    name: Name.optional(),
    pointsPerEuro: z.number().positive().max(1000).multipleOf(0.01).optional(),
    status: HolderStatus.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: "give at least one field to change" })
  .meta({ id: "PartnerPatch" });
export type PartnerPatch = z.output<typeof PartnerPatch>;

export const PartnerPage = pageOf(Partner, "PartnerPage");

export const PartnerCreated = Partner.extend({
  apiKey: z.string().meta({ description: "The partner's API key for accruals. Shown this once." }),
}).meta({ id: "PartnerCreated" });

export const AccrualResult = z
  .object({
    accrualId: z.string(),
    reference: z.string(),
    pointsCredited: z.number().int(),
    member: MemberSummary,
  })
  .meta({ id: "AccrualResult" });

// ---------------------------------------------------------------------------------------------
// Offers

export const OfferInput = z.strictObject(offerSettings).meta({ id: "OfferInput" });
export type OfferInput = z.output<typeof OfferInput>;

export const AudienceInput = z
  .strictObject({ target: offerSettings.target, storeIds: offerSettings.storeIds })
  .meta({ id: "AudienceInput" });
export type AudienceInput = z.output<typeof AudienceInput>;

export const Audience = z
  .object({
    matched: z.int().nonnegative().meta({ description: "Members the target matches now", example: 412 }),
    scanned: z.int().nonnegative().meta({ description: "Members looked at", example: 1830 }),
  })
  .meta({ id: "OfferAudience" });

export const OfferCreated = Offer.extend({
  matched: z.int().nonnegative().meta({
    description: "Members the target matched when the offer was created (the offer's `audience`)",
  }),
}).meta({ id: "OfferCreated" });

export const OfferPage = pageOf(Offer, "OfferPage");

// ---------------------------------------------------------------------------------------------
// Apple Wallet: the card link and Apple's PassKit web service

/** Path values are taken as they come (Apple's identifiers are opaque); the service judges them. */
const Opaque = z.string().min(1).max(2048);
/** Any length: a link too long to be ours still gets the friendly "not valid" page, not a JSON 404. */
export const Token = z.strictObject({
  token: z.string().min(1).meta({ description: "The signed card link token from the customer's email" }),
});
/**
 * A card link's query: whatever a mail client or a newsletter tool appends (`utm_source`, …) is
 * ignored, so the customer still gets the card rather than an error.
 */
export const CardLinkQuery = z.object({});

export const DeviceParams = z.strictObject({
  deviceLibraryIdentifier: Opaque.meta({ example: "6b1c6a1b8d2e4f3a" }),
  passTypeIdentifier: Opaque.meta({ example: "pass.com.example.loyalty" }),
});
export const RegistrationParams = DeviceParams.extend({
  serialNumber: Opaque.meta({ example: "mbr_1z8c5g2k9x0m3q7w" }),
});
export const PassParams = z.strictObject({ passTypeIdentifier: Opaque, serialNumber: Opaque });

export const Pkpass = z
  .string()
  .meta({ format: "binary", description: "A signed storeCard .pkpass archive" });

export const Png = z.string().meta({ format: "binary", description: "A PNG image" });

/** Apple's body: the device's push token (an opaque string). Extra fields Apple may add are ignored. */
export const RegistrationBody = z
  .object({ pushToken: z.string().regex(/^[\x21-\x7e]{1,512}$/, "1 to 512 printable ASCII characters") })
  .meta({ id: "DeviceRegistration" });

export const LogBody = z.object({ logs: z.array(z.string().max(4096)).max(100) }).meta({ id: "PassKitLogs" });

export const SerialNumbers = z
  .object({
    serialNumbers: z.array(z.string()),
    lastUpdated: z.string().meta({ description: "Pass this back as passesUpdatedSince next time" }),
  })
  .meta({ id: "SerialNumbers" });

export const UpdatedSince = z.strictObject({
  passesUpdatedSince: z
    .string()
    .regex(/^\d{1,12}$/, "the lastUpdated tag of an earlier answer")
    .optional(),
});

export const Empty = z.object({}).meta({ description: "No body" });

// ---------------------------------------------------------------------------------------------
// The customer side: the public join form and its JSON twin

/** Any text: an id that cannot exist gets the friendly "no such program" page, not a JSON 404. */
export const JoinParams = z.strictObject({
  programId: z.string().min(1).meta({ example: "prg_5g2k9x0m3q7w1z8c" }),
});
/**
 * A page's query: a person may edit or mistype the link, and a page answers with a page, never a JSON
 * error. A language Carnet does not have is ignored (Accept-Language decides: web/locale.ts), and so is
 * a referral code longer than any (the handler prefills up to 20 characters).
 */
const PageLanguage = z
  .string()
  .optional()
  .meta({ description: "The page's language (en, fr, de, es); anything else: Accept-Language decides" });

/** The store a printed QR code or poster names (`?store=`): a hint, so any other text is ignored. */
const StoreHint = z.string().optional().meta({
  description:
    "The store whose printed QR code or poster led here (its storeId): the new card starts with that store and those nearest to it; anything else is ignored",
});

export const JoinPageQuery = z.object({
  ref: z
    .string()
    .optional()
    .meta({ description: "A referral code to prefill (a member's share link); any other text is ignored" }),
  store: StoreHint,
  lang: PageLanguage,
});
export const LangQuery = z.object({ lang: PageLanguage });
/**
 * A printed QR code's or poster's query: `store` (the store it is printed for, whose id the join link
 * then carries); whatever a printing or campaign tool appends (`?utm_source=…`) is ignored.
 */
export const PrintedLinkQuery = z.object({ store: StoreHint });
export const PosterQuery = z.object({ store: StoreHint, lang: PageLanguage });

const Honeypot = z.string().max(2000).optional().meta({
  description:
    "Leave out or empty: a trap for robots (when filled, nothing is done and the answer is the same)",
});

/** A customer's own sign-up: the same rules for the JSON body and the HTML form post. */
export const SignUpBody = z
  .strictObject({
    firstName: Name,
    email: Email,
    lastName: Name.optional(),
    birthDate: PastDay.optional().meta({ description: "YYYY-MM-DD; used for birthday offers" }),
    postcode: Postcode.optional(),
    referralCode: ReferralCode.optional(),
    storeId: z.string().regex(ID_PATTERN, "a storeId").optional().meta({
      description:
        "The store the customer signs up at (the join link of a store's printed QR code carries it): the card starts with that store and those nearest to it. A store the program does not have is ignored.",
      example: "sto_8c1z7w3q0m9x2k5g",
    }),
    consent: z.literal(true, "must be accepted: the program's terms and privacy notice").meta({
      description: "The customer accepts the program's terms and privacy notice (program.join)",
    }),
    marketingConsent: z.boolean().default(false).meta({ description: "Separate, optional: offers by email" }),
    locale: MemberLocale.optional().meta({
      description: "The language of the form, for the email and the card",
    }),
    honeypot: Honeypot,
  })
  .meta({ id: "SignUpInput" });
export type SignUpBody = z.output<typeof SignUpBody>;

export const CardLinkRequestBody = z
  .strictObject({
    email: Email,
    locale: MemberLocale.optional(),
    honeypot: Honeypot,
  })
  .meta({ id: "CardLinkRequest" });

/** The one answer of the public operations, whatever the email: nothing to learn from it. */
export const Accepted = z
  .strictObject({
    status: z.literal("accepted"),
    message: z.string(),
  })
  .meta({ id: "Accepted" });

/** A form field as a browser sends it: blank is absent. */
const field = (fields: URLSearchParams, name: string): string | undefined => {
  const value = fields.get(name);
  return value === null || value.trim() === "" ? undefined : value;
};
/** A checkbox: sent (with value "true") when ticked, absent when not. */
const ticked = (fields: URLSearchParams, name: string): boolean => fields.get(name) === "true";

/** The join form's fields (HTML names) as SignUpBody: `lang` is the page's language, `website` the honeypot. */
export const signUpForm = {
  decode: (f: URLSearchParams) => ({
    firstName: field(f, "firstName"),
    email: field(f, "email"),
    lastName: field(f, "lastName"),
    birthDate: field(f, "birthDate"),
    postcode: field(f, "postcode"),
    referralCode: field(f, "referralCode"),
    storeId: field(f, "store"),
    consent: ticked(f, "consent"),
    marketingConsent: ticked(f, "marketingConsent"),
    locale: field(f, "lang"),
    honeypot: field(f, "website"),
  }),
  fields: {
    firstName: "First name (required)",
    email: "Email address (required)",
    lastName: "Last name",
    birthDate: "Birthday, YYYY-MM-DD",
    postcode: "Postcode",
    referralCode: "Another member's referral code",
    store: "The store the customer signs up at (a hidden field from the page's ?store=)",
    consent: '"true": the customer accepts the terms and privacy notice (required)',
    marketingConsent: '"true": the customer accepts offers by email',
    lang: "The form's language (en, fr, de, es)",
    website: "Leave empty: a trap for robots",
  },
};

/** The "email me my card link again" form: `email`, `lang`, and the `website` honeypot. */
export const cardLinkForm = {
  decode: (f: URLSearchParams) => ({
    email: field(f, "email"),
    locale: field(f, "lang"),
    honeypot: field(f, "website"),
  }),
  fields: {
    email: "Email address (required)",
    lang: "The form's language (en, fr, de, es)",
    website: "Leave empty: a trap for robots",
  },
};

export const Svg = z.string().meta({ description: "An SVG image" });
export const Html = z.string().meta({ description: "An HTML page" });

// ---------------------------------------------------------------------------------------------
// The customer's "My stores" page (the card link's favourite stores)

/**
 * The page's query: `q` searches the program's stores, `saved` says the choice was just saved. Any
 * text is taken (a long search is cut by the handler) and anything else a link carries (`utm_source`,
 * …) is ignored: a person gets a page, never a JSON error.
 */
export const MyStoresQuery = z.object({
  q: z.string().optional().meta({ description: "Find stores by name, address or postcode" }),
  saved: z.string().optional().meta({ description: "Present after a save: the page says it was saved" }),
});

/** The member's favourite stores, in their order; none clears them. Unknown or closed stores: 422. */
export const FavouriteStoresBody = z
  .strictObject({
    storeIds: z
      .array(z.string().regex(ID_PATTERN, "a storeId").meta({ example: "sto_8c1z7w3q0m9x2k5g" }))
      .max(MAX_FAVOURITE_STORES)
      .meta({
        description: `The stores the card shows first, in order (at most ${MAX_FAVOURITE_STORES}); [] clears them`,
      }),
  })
  .meta({ id: "FavouriteStores" });

/** The "My stores" form: one `store` field per ticked box, in the page's order. */
export const favouriteStoresForm = {
  decode: (f: URLSearchParams) => ({ storeIds: f.getAll("store") }),
  fields: {
    store: `A storeId, once per chosen store (at most ${MAX_FAVOURITE_STORES}); none clears the favourites`,
  },
};
