import { z } from "zod";
import { HolderStatus, keyViewFields } from "./credentials.js";

/** An iBeacon in the store (Apple Wallet `beacons`): the card lights up in the store itself. */
export const StoreBeacon = z
  .strictObject({
    proximityUUID: z.uuid().meta({ example: "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0" }),
    major: z.int().min(0).max(65_535).optional(),
    minor: z.int().min(0).max(65_535).optional(),
  })
  .meta({ id: "StoreBeacon" });
export type StoreBeacon = z.output<typeof StoreBeacon>;

/** The fields a merchant sets on a store: the API's request body is made of these (api/schemas.ts). */
export const storeSettings = {
  name: z.string().trim().min(1).max(64).meta({ example: "Lumière Bastille" }),
  latitude: z.number().min(-90).max(90).meta({ example: 48.8532 }),
  longitude: z.number().min(-180).max(180).meta({ example: 2.3691 }),
  address: z.string().trim().min(1).max(200).optional().meta({ example: "12 rue de la Roquette, Paris" }),
  relevantText: z.string().trim().min(1).max(100).optional().meta({
    description:
      "Shown on the lock screen near the store when the member has no offer there (else the member's own welcome)",
    example: "Your coffee is waiting!",
  }),
  postcode: z
    .string()
    .trim()
    .min(2)
    .max(12)
    .regex(/^[A-Za-z0-9 -]+$/, "letters, digits, spaces and dashes")
    .optional()
    .meta({
      description:
        "The store's postcode: a member who signs up with a postcode and has not bought yet gets the stores of that postcode (or its area) and those nearest to them",
      example: "75011",
    }),
  beacon: StoreBeacon.optional(),
};

/** What a merchant may cap on a store's key; beyond it the store API refuses the purchase. */
export const StoreLimits = z
  .strictObject({
    maxPurchaseCents: z
      .int()
      .min(1)
      .max(100_000_000)
      .optional()
      .meta({ description: "The largest purchase the store may record, in cents", example: 50_000 }),
    purchasesPerMinute: z
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .meta({ description: "Purchase requests the store may send per minute (retries count)", example: 30 }),
  })
  .meta({ id: "StoreLimits" });
export type StoreLimits = z.output<typeof StoreLimits>;

export const Store = z
  .strictObject({
    ...storeSettings,
    storeId: z.string(),
    programId: z.string(),
    status: HolderStatus.default("active"),
    limits: StoreLimits.optional(),
    apiKeyPrefix: z
      .string()
      .meta({ description: "The first characters of the store's key, to tell keys apart" }),
    ...keyViewFields("the store's"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime().optional(),
  })
  .meta({ id: "Store" });
export type Store = z.output<typeof Store>;

export type StoreSettings = z.output<z.ZodObject<typeof storeSettings>>;

export const newStore = (
  settings: StoreSettings,
  ids: { storeId: string; programId: string; apiKeyPrefix: string },
  now: Date,
): Store => ({ ...settings, ...ids, status: "active", createdAt: now.toISOString() });

/** What a merchant may change on a store: its settings, its status, its limits; `null` removes an optional one. */
export interface StoreChanges extends Partial<Omit<StoreSettings, "postcode" | "beacon">> {
  status?: HolderStatus | undefined;
  limits?: StoreLimits | null | undefined;
  postcode?: string | null | undefined;
  beacon?: StoreBeacon | null | undefined;
}

/**
 * The store after a change: a field absent from the change stays, a field given replaces it, and
 * `null` removes `limits`, `postcode` or `beacon`. Those three are always named on the result, a
 * removed one as `undefined` rather than deleted, so that a repository that updates the stored item
 * in place drops it too (DynamoDB's replace turns an undefined field into a REMOVE); JSON never
 * shows an undefined field.
 */
export const changedStore = (store: Store, changes: StoreChanges, now: Date): Store => {
  const { limits, postcode, beacon, ...rest } = changes;
  return {
    ...store,
    ...definedOnly(rest),
    limits: removable(limits, store.limits),
    postcode: removable(postcode, store.postcode),
    beacon: removable(beacon, store.beacon),
    updatedAt: now.toISOString(),
  };
};

/** A removable field after a change: absent keeps it, null removes it, a value replaces it. */
const removable = <T>(change: T | null | undefined, was: T | undefined): T | undefined =>
  change === null ? undefined : (change ?? was);

const definedOnly = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
