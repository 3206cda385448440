import type { Rules } from "../rules.js";

/**
 * How many points a purchase earns. Exact: amounts, rates and multipliers are turned into integers
 * (rates and multipliers have at most two decimals) and the whole computation is one fraction, rounded
 * once at the end by the program's rounding rule. No float ever decides a point.
 *
 *   points = round( Σ over the basket's parts: cents/100 × rate(part) × multipliers(line) )
 *
 * - rate: the base `pointsPerEuro` up to the first band's `aboveCents`, then each band's rate for the
 *   part of the amount above its threshold ("2 points per euro above 5 euros");
 * - a basket below `minimumBasketCents` earns nothing;
 * - multipliers multiply: the member's tier × the channel's × paid-with-the-member-card × the best
 *   campaign running at `occurredAt` for that channel (campaigns do not stack with each other). A
 *   campaign restricted to categories multiplies only those lines' share of the basket (each line's
 *   share = its cents over the lines' total); without line items the basket is one uncategorised line.
 */

export interface EarnLine {
  category?: string | undefined;
  cents: number;
}

export interface EarnInput {
  amountCents: number;
  lines: EarnLine[];
  channel: "in_store" | "online";
  paidWithMemberCard: boolean;
  occurredAt: Date;
  tierMultiplier: number;
}

export interface Earned {
  points: number;
  /** Campaigns that multiplied at least one line. */
  campaignIds: string[];
}

const hundredths = (x: number): bigint => BigInt(Math.round(x * 100));

/** Base points as a fraction over 10 000 (cents/100 × rate with the rate in hundredths). */
export const basePointsNumerator = (earn: Rules["earn"], amountCents: number): bigint => {
  if (amountCents < earn.minimumBasketCents) return 0n;
  let numerator = 0n;
  let from = 0;
  let rate = earn.pointsPerEuro;
  for (const band of earn.bands) {
    if (amountCents <= band.aboveCents) break;
    numerator += BigInt(band.aboveCents - from) * hundredths(rate);
    from = band.aboveCents;
    rate = band.pointsPerEuro;
  }
  numerator += BigInt(amountCents - from) * hundredths(rate);
  return numerator;
};

export const roundFraction = (num: bigint, den: bigint, rounding: Rules["earn"]["rounding"]): number => {
  if (num <= 0n) return 0;
  switch (rounding) {
    case "floor":
      return Number(num / den);
    case "ceil":
      return Number((num + den - 1n) / den);
    case "round":
      return Number((2n * num + den) / (2n * den));
  }
};

const activeCampaigns = (rules: Rules, input: EarnInput) => {
  const at = input.occurredAt.getTime();
  return rules.bonuses.campaigns.filter(
    (c) =>
      Date.parse(c.startsAt) <= at &&
      at < Date.parse(c.endsAt) &&
      (c.channels === undefined || c.channels.includes(input.channel)),
  );
};

export const earnPoints = (rules: Rules, input: EarnInput): Earned => {
  const base = basePointsNumerator(rules.earn, input.amountCents);
  if (base === 0n) return { points: 0, campaignIds: [] };
  const common =
    hundredths(input.tierMultiplier) *
    hundredths(rules.bonuses.channelMultipliers[input.channel]) *
    hundredths(input.paidWithMemberCard ? rules.bonuses.memberCardPaymentMultiplier : 1);
  const campaigns = activeCampaigns(rules, input);
  const lines = input.lines.filter((l) => l.cents > 0);
  const parts = lines.length > 0 ? lines : [{ cents: 1 }];
  const total = BigInt(parts.reduce((sum, l) => sum + l.cents, 0));
  const used = new Set<string>();
  let weighted = 0n; // Σ line cents × campaign multiplier (hundredths)
  for (const line of parts) {
    let best = 100n;
    let bestId: string | undefined;
    for (const c of campaigns) {
      const category = "category" in line ? line.category : undefined;
      if (c.categories !== undefined && (category === undefined || !c.categories.includes(category)))
        continue;
      const m = hundredths(c.multiplier);
      if (m > best) {
        best = m;
        bestId = c.campaignId;
      }
    }
    if (bestId !== undefined) used.add(bestId);
    weighted += BigInt(line.cents) * best;
  }
  // base/10^4 × common/10^6 × (weighted/total)/10^2
  const num = base * common * weighted;
  const den = 10_000n * 1_000_000n * 100n * total;
  return { points: roundFraction(num, den, rules.earn.rounding), campaignIds: [...used].sort() };
};
