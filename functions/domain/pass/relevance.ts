import { countOf } from "../loyalty/counts.js";
import type { Member } from "../loyalty/member.js";
import { bestOfferAt } from "../offers/holding.js";
import type { Program } from "../program.js";
import type { PassStore } from "../stores/places.js";
import type { CardText } from "./card-text.js";

/**
 * What a card says when its holder is at one of its stores (Apple's lock-screen `relevantText` of a
 * location or a beacon), and which of the member's offers are on the card. Pure: drawn from the member
 * alone, so the Apple card, the Google card and the notifications agree on what is live.
 *
 * Near a store, the most useful thing first:
 * 1. the member's best live offer there: it is news, and only true at that store;
 * 2. else the store's own `relevantText`: the merchant chose it for that place;
 * 3. else a welcome in the member's name with their balance and next reward, so every store says
 *    something personal rather than a generic "welcome".
 */

/**
 * At most this many characters (code points) of lock-screen text. Apple documents no limit on
 * `relevantText` (Pass.Locations: "text displayed on the lock screen when the pass is currently
 * relevant"; its own example, "Store nearby on 3rd and Main.", is 29 characters), but the lock
 * screen shows it as a notification's body, collapsed to about two lines: some 40–45 characters a
 * line on an iPhone in portrait (our estimate of the system font at that width, not an Apple
 * figure), so ≈ 90 before iOS truncates wherever the line happens to end. Cutting at 90 ourselves
 * keeps the shown text ours: an offer's title (≤ 40, OFFER_TITLE_MAX) always fits, with its
 * description only when both do, and a merchant's text (≤ 100) loses at most its tail.
 */
export const RELEVANT_TEXT_MAX = 90;

/** `text` cut to `max` characters (code points), ending with "…" when cut. */
export const cut = (text: string, max: number): string => {
  const chars = [...text];
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join("")
        .trimEnd()}…`;
};

const lengthOf = (text: string): number => [...text].length;

/** The balance the card shows in front (the first stamp card when the branding says so) and the reward it leads to. */
const balanceAndReward = (program: Program, member: Member, t: CardText): string[] => {
  const [firstCard] = program.rules.stamps.cards;
  if (program.branding.cardFront === "stamps" && firstCard) {
    const stamps = countOf(member.stamps, firstCard.category);
    return [
      t.stampsBalance(firstCard.category, stamps, firstCard.stampsRequired),
      t.rewardAt(firstCard.rewardTitle, firstCard.stampsRequired),
    ];
  }
  // As the card's "next reward": the best one affordable when it is kept for the member to redeem,
  // else the cheapest one not reached yet.
  const { catalogue, autoConvert } = program.rules.rewards;
  const rewards = [...catalogue].sort((a, b) => a.pointsCost - b.pointsCost);
  const missing = rewards.find((r) => r.pointsCost > member.points);
  const affordable = rewards.filter((r) => r.pointsCost <= member.points).at(-1);
  const balance = t.pointsBalance(member.points);
  if (affordable && (!missing || autoConvert === false)) return [balance, t.rewardReady(affordable.title)];
  return missing ? [balance, t.rewardAt(missing.title, missing.pointsCost)] : [balance];
};

/** "Welcome back, Camille — 120 points, a free coffee at 150": the member's own welcome. */
const welcomeText = (program: Program, member: Member, firstName: string | undefined, t: CardText) =>
  `${t.welcomeBack(firstName?.trim() || undefined)} — ${balanceAndReward(program, member, t).join(", ")}`;

export interface LocationTextInput {
  program: Program;
  member: Member;
  store: Pick<PassStore, "storeId" | "relevantText">;
  firstName?: string | undefined;
  t: CardText;
  /** Today in the program's time zone (YYYY-MM-DD). */
  today: string;
}

/**
 * The lock-screen text of a store on the member's card: the best live offer there (its title, with its
 * description when both fit), else the store's own text, else the member's welcome; at most
 * RELEVANT_TEXT_MAX characters.
 */
export const locationText = ({ program, member, store, firstName, t, today }: LocationTextInput): string => {
  const offer = bestOfferAt(member, store.storeId, today);
  if (offer) {
    const full = t.offerAt(offer.title, offer.description);
    return cut(lengthOf(full) <= RELEVANT_TEXT_MAX ? full : offer.title, RELEVANT_TEXT_MAX);
  }
  if (store.relevantText) return cut(store.relevantText, RELEVANT_TEXT_MAX);
  return cut(welcomeText(program, member, firstName, t), RELEVANT_TEXT_MAX);
};
