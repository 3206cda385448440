import { z } from "zod";

/**
 * What the API shows of a key's lifecycle (shared/key-lifecycle.ts): a store's or partner's status,
 * and when its keys were used and until when a replaced one is accepted.
 */

/** A store or partner is active, or disabled by its merchant: its key is then refused. */
export const HolderStatus = z
  .enum(["active", "disabled"])
  .meta({ description: "A disabled store's or partner's key is refused until it is enabled again" });
export type HolderStatus = z.output<typeof HolderStatus>;

/** The fields of keyView, for the schemas of Store, Partner and Program. */
export const keyViewFields = (what: string) => ({
  keyLastUsedAt: z.iso
    .datetime()
    .optional()
    .meta({ description: `When ${what} key was last accepted (to the quarter hour)` }),
  previousKeyValidUntil: z.iso
    .datetime()
    .optional()
    .meta({ description: `Until when ${what} previous key, replaced by a rotation, is still accepted` }),
  previousKeyLastUsedAt: z.iso
    .datetime()
    .optional()
    .meta({ description: `When ${what} previous key was last accepted` }),
});
