import { z } from "zod";

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

export const Store = z
  .strictObject({
    ...storeSettings,
    storeId: z.string(),
    programId: z.string(),
    apiKeyPrefix: z
      .string()
      .meta({ description: "The first characters of the store's key, to tell keys apart" }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "Store" });
export type Store = z.output<typeof Store>;

export type StoreSettings = z.output<z.ZodObject<typeof storeSettings>>;

export const newStore = (
  settings: StoreSettings,
  ids: { storeId: string; programId: string; apiKeyPrefix: string },
  now: Date,
): Store => ({ ...settings, ...ids, createdAt: now.toISOString() });
