import { z } from "zod";
import { HolderStatus, keyViewFields } from "./credentials.js";

/** The fields a merchant sets on a store: the API's request body is made of these (api/schemas.ts). */
export const storeSettings = {
  name: z.string().trim().min(1).max(64).meta({ example: "Lumière Bastille" }),
  latitude: z.number().min(-90).max(90).meta({ example: 48.8532 }),
  longitude: z.number().min(-180).max(180).meta({ example: 2.3691 }),
  address: z.string().trim().min(1).max(200).optional().meta({ example: "12 rue de la Roquette, Paris" }),
  relevantText: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: "Shown on the lock screen near the store", example: "Your coffee is waiting!" }),
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

/** What a merchant may change on a store: its settings, its status, its limits (null removes them). */
export interface StoreChanges extends Partial<StoreSettings> {
  status?: HolderStatus | undefined;
  limits?: StoreLimits | null | undefined;
}

/** The store after a change; a field absent from the change stays, `limits: null` removes the limits. */
export const changedStore = (store: Store, changes: StoreChanges, now: Date): Store => {
  const { limits, ...rest } = changes;
  const next: Store = { ...store, ...definedOnly(rest), updatedAt: now.toISOString() };
  if (limits === null) delete next.limits;
  else if (limits !== undefined) next.limits = limits;
  return next;
};

const definedOnly = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
