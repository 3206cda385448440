import { z } from "zod";
import { Cents, Points } from "./money.js";

/**
 * The rules document of a program: every loyalty mechanic of design.md has its place here, so a
 * merchant's configuration is validated in full even where the engine that applies a mechanic comes
 * later. Every part has a default: a program created with no rules earns 1 point per euro spent.
 *
 * Conventions: money is in cents (integers); points are integers; a rate is points per whole euro
 * (or currency unit) with at most two decimals; multipliers are factors >= 1 with at most two decimals.
 */

const Rate = z.number().positive().max(1000).multipleOf(0.01);
const Multiplier = z.number().min(1).max(20).multipleOf(0.01);
const Id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "lower-case letters, digits, '-' and '_', at most 40 characters");
const Label = z.string().trim().min(1).max(80);
const IsoDateTime = z.iso.datetime({ offset: true });
/**
 * A category of line items (stamp cards, campaigns): the merchant's own name, any text. It is data,
 * never a property name: `constructor` or `__proto__` is a category like `coffee` (loyalty/counts.ts).
 */
const Category = z.string().trim().min(1).max(40);
const Channel = z.enum(["in_store", "online"]);

const unique = <T>(items: T[], key: (t: T) => string): boolean =>
  new Set(items.map(key)).size === items.length;

export const EarnRules = z
  .strictObject({
    pointsPerEuro: Rate.default(1).meta({ description: "Base rate: points per whole currency unit spent" }),
    minimumBasketCents: Cents.default(0).meta({ description: "Baskets below this amount earn nothing" }),
    rounding: z.enum(["floor", "round", "ceil"]).default("floor").meta({
      description: "How a fractional number of points becomes an integer, applied once per purchase",
    }),
    bands: z
      .array(
        z.strictObject({
          aboveCents: Cents.meta({ description: "The part of the basket above this amount..." }),
          pointsPerEuro: Rate.meta({ description: "...earns this rate instead of the base rate" }),
        }),
      )
      .max(10)
      .default([])
      .refine(
        (bands) => bands.every((b, i) => i === 0 || b.aboveCents > (bands[i - 1]?.aboveCents ?? -1)),
        "bands must be in strictly increasing order of aboveCents",
      )
      .meta({ description: 'Higher rates above thresholds, e.g. "2 points per euro above 5 euros"' }),
  })
  .meta({ id: "EarnRules" });

export const StampCard = z.strictObject({
  category: Category.meta({ description: "Purchase line items of this category earn stamps" }),
  stampsRequired: z.number().int().min(2).max(50).meta({ description: "Buy N, get 1 free: N" }),
  rewardTitle: Label.meta({ example: "A free coffee" }),
  voucherValidDays: z.number().int().min(1).max(3650).default(90),
});

export const Reward = z.strictObject({
  rewardId: Id,
  title: Label,
  pointsCost: Points.min(1),
  voucher: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("amount"), valueCents: Cents.min(1) }),
    z.strictObject({ kind: z.literal("gift"), description: z.string().trim().min(1).max(200) }),
  ]),
  validDays: z.number().int().min(1).max(3650).default(90),
});

export const Tier = z.strictObject({
  tierId: Id,
  name: Label,
  entrySpendCents: Cents.meta({ description: "Spend over the window needed to enter the tier" }),
  exitSpendCents: Cents.optional().meta({
    description: "Spend below which a member leaves the tier (hysteresis); defaults to entrySpendCents",
  }),
  multiplier: Multiplier.default(1),
});

export const Campaign = z
  .strictObject({
    campaignId: Id,
    name: Label,
    startsAt: IsoDateTime,
    endsAt: IsoDateTime,
    multiplier: Multiplier,
    channels: z.array(Channel).min(1).max(2).optional(),
    categories: z.array(Category).min(1).max(20).optional(),
  })
  .refine((c) => Date.parse(c.startsAt) < Date.parse(c.endsAt), {
    message: "endsAt must be after startsAt",
    path: ["endsAt"],
  });

export const Rules = z
  .strictObject({
    earn: EarnRules.prefault({}),
    stamps: z
      .strictObject({
        cards: z
          .array(StampCard)
          .max(20)
          .default([])
          .refine((cards) => unique(cards, (c) => c.category), "one stamp card per category"),
      })
      .prefault({}),
    rewards: z
      .strictObject({
        catalogue: z
          .array(Reward)
          .max(50)
          .default([])
          .refine((rs) => unique(rs, (r) => r.rewardId), "rewardId must be unique"),
        autoConvert: z.boolean().default(false).meta({
          description: "Convert points to the cheapest reward's voucher as soon as the threshold is met",
        }),
      })
      .prefault({}),
    tiers: z
      .strictObject({
        windowDays: z.number().int().min(1).max(1095).default(365),
        levels: z
          .array(Tier)
          .max(10)
          .default([])
          .refine((ts) => unique(ts, (t) => t.tierId), "tierId must be unique")
          .refine(
            (ts) => ts.every((t, i) => i === 0 || t.entrySpendCents > (ts[i - 1]?.entrySpendCents ?? -1)),
            "levels must be in strictly increasing order of entrySpendCents",
          )
          .refine(
            (ts) => ts.every((t) => t.exitSpendCents === undefined || t.exitSpendCents <= t.entrySpendCents),
            "exitSpendCents must not be above entrySpendCents",
          ),
      })
      .prefault({}),
    expiry: z
      .strictObject({
        months: z
          .number()
          .int()
          .min(1)
          .max(120)
          .nullable()
          .default(null)
          .meta({ description: "Points expire FIFO this many months after they were earned; null: never" }),
        warnDays: z.number().int().min(1).max(365).default(30),
      })
      .prefault({}),
    validity: z
      .strictObject({
        cardMonths: z.number().int().min(1).max(120).nullable().default(null).meta({
          description: "A card is valid this many months after enrollment or renewal; null: forever",
        }),
        renewalReminderDays: z.number().int().min(1).max(365).default(30),
      })
      .prefault({}),
    bonuses: z
      .strictObject({
        channelMultipliers: z
          .strictObject({ in_store: Multiplier.default(1), online: Multiplier.default(1) })
          .prefault({}),
        memberCardPaymentMultiplier: Multiplier.default(1).meta({
          description: "Applied when the purchase was paid with the merchant's member card",
        }),
        campaigns: z
          .array(Campaign)
          .max(50)
          .default([])
          .refine((cs) => unique(cs, (c) => c.campaignId), "campaignId must be unique"),
      })
      .prefault({}),
    partners: z
      .strictObject({
        dailyCapPointsPerMember: Points.default(1000).meta({
          description: "Most points all partners together may credit to one member per day",
        }),
      })
      .prefault({}),
    transfers: z
      .strictObject({
        enabled: z.boolean().default(false),
        minPoints: Points.min(1).default(1),
        maxPointsPerDay: Points.min(1).default(10_000),
      })
      .prefault({}),
    referral: z
      .strictObject({
        enabled: z.boolean().default(false),
        referrerPoints: Points.default(0),
        refereePoints: Points.default(0),
      })
      .prefault({}),
    offers: z
      .strictObject({
        maxActivePerMember: z.number().int().min(1).max(10).default(5),
      })
      .prefault({}),
    history: z
      .strictObject({
        retainMonths: z.number().int().min(1).max(120).default(36),
      })
      .prefault({}),
  })
  .meta({
    id: "Rules",
    description: "The program's rules document; every part is optional and has a default",
  });

export type Rules = z.output<typeof Rules>;
export type RulesInput = z.input<typeof Rules>;

/** The rules of a program created without any: 1 point per euro spent, nothing else. */
export const defaultRules = (): Rules => Rules.parse({});
