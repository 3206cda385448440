import { z } from "zod";
import { keyViewFields } from "./credentials.js";
import { Currency } from "./money.js";
import { Rules } from "./rules.js";

const HexColour = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, "must be a hex colour like #1a2b3c")
  .transform((c) => c.toLowerCase());

const HttpsUrl = z
  .url({ protocol: /^https$/, hostname: z.regexes.domain })
  .max(2048)
  .meta({ description: "An https URL" });

const Locale = z
  .string()
  .min(2)
  .max(35)
  .refine((l) => {
    try {
      return Intl.getCanonicalLocales(l).length === 1;
    } catch {
      return false;
    }
  }, "must be a BCP 47 language tag, e.g. fr-FR")
  .meta({ example: "fr-FR" });

const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "must be an IANA time zone, e.g. Europe/Paris")
  .meta({ example: "Europe/Paris" });

/** The Apple Wallet models shipped in pass-templates/apple (one folder `<look>.pass` each). */
export const PASS_LOOKS = ["storecard"] as const;

export const Branding = z
  .strictObject({
    backgroundColor: HexColour.default("#1f2937"),
    foregroundColor: HexColour.default("#ffffff"),
    labelColor: HexColour.default("#d1d5db"),
    logoText: z.string().trim().min(1).max(40).optional(),
    logoUrl: HttpsUrl.optional(),
    barcodeFormat: z.enum(["qr", "pdf417", "code128"]).default("qr").meta({
      description: "How the card code is drawn on the pass: a QR code, a PDF417 or a Code 128 barcode",
    }),
    cardFront: z.enum(["points", "stamps"]).default("points").meta({
      description:
        "What the front of the card shows: the points balance, or the first stamp card (stamp programs)",
    }),
    passLook: z
      .enum(PASS_LOOKS)
      .default("storecard")
      .meta({ description: "The Apple Wallet model, pass-templates/apple/<passLook>.pass" }),
  })
  .meta({ id: "Branding" });

export const Contact = z
  .strictObject({
    email: z.email().max(254).optional(),
    phone: z.string().trim().min(3).max(32).optional(),
    website: HttpsUrl.optional(),
  })
  .meta({ id: "Contact" });

/** An origin a merchant's site is served from: https (or http on localhost, for development), no path. */
const Origin = z
  .string()
  .max(255)
  .regex(
    /^(https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/,
    "must be an origin like https://www.example.com (scheme and host, no path, lower case)",
  )
  .meta({ example: "https://www.cafe-lumiere.fr" });

/** The public join form (GET /join/{programId}) and what it links to and may be framed by. */
export const JoinSettings = z
  .strictObject({
    termsUrl: HttpsUrl.optional().meta({
      description: "The program's terms, linked from the join form's required consent",
    }),
    privacyUrl: HttpsUrl.optional().meta({
      description: "The merchant's privacy notice, linked from the join form's required consent",
    }),
    embedOrigins: z.array(Origin).max(10).default([]).meta({
      description:
        "Origins whose pages may show the join form in an iframe (CSP frame-ancestors); empty: none may",
    }),
  })
  .meta({ id: "JoinSettings" });

const Name = z.string().trim().min(1).max(64);

/**
 * The fields a merchant sets, with the defaults a new program takes: what a program is besides its
 * identity. The API's request bodies (api/schemas.ts) are made of these.
 */
export const programSettings = {
  name: Name.meta({ example: "Café Lumière Rewards" }),
  organizationName: Name.meta({ description: "Shown as the issuer of the card", example: "Café Lumière" }),
  locale: Locale.default("en"),
  timeZone: TimeZone.default("UTC"),
  currency: Currency.default("EUR"),
  branding: Branding.prefault({}),
  contact: Contact.prefault({}),
  join: JoinSettings.prefault({}),
  rules: Rules.prefault({}),
};

/**
 * The same fields as a change: each one given replaces the stored one whole (branding, contact and
 * rules are documents, validated in full), so a change can never leave a half-valid rules document.
 */
export const programChanges = {
  name: Name.optional(),
  organizationName: Name.optional(),
  locale: Locale.optional(),
  timeZone: TimeZone.optional(),
  currency: Currency.optional(),
  branding: Branding.optional(),
  contact: Contact.optional(),
  join: JoinSettings.optional(),
  rules: Rules.optional(),
};

export const Program = z
  .strictObject({
    ...programSettings,
    programId: z.string(),
    version: z.number().int().positive().meta({ description: "Incremented by every change" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    merchantKey: z
      .strictObject(keyViewFields("the program's merchant"))
      .optional()
      .meta({ description: "The merchant key's use and rotation (never the key)" }),
  })
  .meta({ id: "Program" });
export type Program = z.output<typeof Program>;

/** A new program's settings, defaults applied. */
export type ProgramSettings = z.output<z.ZodObject<typeof programSettings>>;
/** A change to a program: the settings given, each replacing the stored one whole. */
export type ProgramChanges = z.output<z.ZodObject<typeof programChanges>>;

export const newProgram = (settings: ProgramSettings, programId: string, now: Date): Program => ({
  ...settings,
  programId,
  version: 1,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
});

export const applyProgramPatch = (program: Program, changes: ProgramChanges, now: Date): Program => ({
  ...program,
  ...changes,
  version: program.version + 1,
  updatedAt: now.toISOString(),
});
