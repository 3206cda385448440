import type { Rules } from "../rules.js";

type Levels = Rules["tiers"]["levels"];

/**
 * The tier a member holds given their spend over the rolling window. A member enters the highest
 * level whose `entrySpendCents` the spend reaches, and keeps a higher level they already hold while
 * their spend stays at or above its `exitSpendCents` (hysteresis, so a member does not flip between
 * two levels around one threshold). `null` = no tier (below the first level, or no tiers at all).
 */
export const tierFor = (levels: Levels, spendCents: number, currentTierId: string | null): string | null => {
  let earned = -1;
  levels.forEach((level, i) => {
    if (spendCents >= level.entrySpendCents) earned = i;
  });
  const held = currentTierId === null ? -1 : levels.findIndex((l) => l.tierId === currentTierId);
  if (held > earned) {
    const level = levels[held];
    if (level && spendCents >= (level.exitSpendCents ?? level.entrySpendCents)) return level.tierId;
  }
  return earned >= 0 ? (levels[earned]?.tierId ?? null) : null;
};

export const tierMultiplier = (levels: Levels, tierId: string | null): number =>
  levels.find((l) => l.tierId === tierId)?.multiplier ?? 1;

export const tierName = (levels: Levels, tierId: string | null): string | null =>
  levels.find((l) => l.tierId === tierId)?.name ?? null;
