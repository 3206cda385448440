import { createHash } from "node:crypto";
import { DomainError, notFound, refused } from "../../domain/errors.js";
import { addDays, localDay } from "../../domain/loyalty/calendar.js";
import type { Ctx, SpendWindow } from "../../domain/loyalty/engine.js";
import type { Member } from "../../domain/loyalty/member.js";
import type {
  CardLinkReason,
  MailOutbox,
  MemberRepository,
  OfferRepository,
  OutboxEmail,
  PartnerRepository,
  ProgramRepository,
  RateCounter,
  RegistrationRepository,
  StoreRepository,
} from "../../domain/ports.js";
import type { Program } from "../../domain/program.js";
import { isValidCardCode, normaliseCardCode } from "../../shared/codes.js";
import { ID_PATTERN, newId } from "../../shared/ids.js";
import { type MemberWriter, memberWriter } from "../writes.js";

/**
 * What every loyalty use case shares: the repositories, the clock, the member writer, and the few
 * reads each of them starts with (the program, the member a till names, the spend over the tier
 * window). Each use case module (enrollment.ts, members.ts, store-api.ts, partners.ts, settle.ts)
 * is built on one of these.
 */

export interface LoyaltyDeps {
  programs: Pick<ProgramRepository, "recent">;
  members: MemberRepository;
  partners: PartnerRepository;
  /** Counts what store keys' limits cap (a store's purchases per minute). */
  rates?: RateCounter;
  now?: () => Date;
  /** See WriterOptions.serialise. */
  serialise?: boolean;
  /** Where a reissued card's old pass's devices are unregistered. */
  registrations?: Pick<RegistrationRepository, "removeAll">;
  /** The customer's card link (`/c/{token}`) for the member's current card generation, shown as `cardUrl`. */
  cardUrl?: (member: CardHolder) => Promise<string>;
  /** Where emails to members wait for the mail worker (an enrollment's own is written with it). */
  outbox?: Pick<MailOutbox, "add">;
  /** The program's stores, indexed: every card update re-chooses the member's stores with them. */
  stores?: Pick<StoreRepository, "places">;
  /** The program's live offers: every card update gives a member the offers whose segment it joined. */
  offers?: Pick<OfferRepository, "live">;
}

/** What a card link names: a member of a program, and its card generation. */
export type CardHolder = Pick<Member, "programId" | "memberId" | "passAuthGeneration">;

/** A member as a till names it: its id, and the card code it was named by, if any. */
export interface MemberReference {
  memberId: string;
  cardCode?: string;
}

/** A member's balance as the store, partner and transfer answers show it. */
export const summary = (m: Member) => ({
  memberId: m.memberId,
  points: m.points,
  stamps: m.stamps,
  tier: m.tierId,
});

export interface LoyaltyContext {
  members: MemberRepository;
  partners: PartnerRepository;
  rates: RateCounter | undefined;
  now: () => Date;
  writer: MemberWriter;
  registrations: Pick<RegistrationRepository, "removeAll"> | undefined;
  cardUrl: ((member: CardHolder) => Promise<string>) | undefined;
  outbox: Pick<MailOutbox, "add"> | undefined;
  /** The program, as recently read (data-model.md §10), so most requests read none; 404 when absent. */
  program(programId: string): Promise<Program>;
  /** The same, undefined when absent (work that starts from a member: the sweep). */
  programRecent(programId: string): Promise<Program | undefined>;
  /**
   * What the pure engine computes with: the program, now, how new ids are drawn, and — when the
   * deployment has them — the program's stores (the card's store choice) and live offers (segments
   * joined since). Both are kept per process (data-model.md §10), so a warm request reads nothing.
   */
  ctx(program: Program): Promise<Ctx>;
  /**
   * The member a till names: a member id, or the card's barcode value (spaces and dashes ignored).
   * A card code's member id may come from memory (it never changes owner); `named` then checks that
   * the member read still holds that code.
   */
  memberIdOf(programId: string, reference: string): Promise<MemberReference>;
  /** The member read for a reference, if it still holds the card code the reference named. */
  named(member: Member, reference: MemberReference): Member;
  /** The active member, strongly consistent; 404 when absent, erased or in another program. */
  memberOf(programId: string, memberId: string): Promise<Member>;
  /** The member's spend per day over the tier window (read only when the program has tiers). */
  spendOf(program: Program, memberId: string, at: Date): Promise<SpendWindow>;
  /**
   * The in-process queue a request waits in: the member as the till names it (card code or id). The
   * idempotency check comes first, so a replay never depends on the member still being found.
   */
  queueOf(programId: string, reference: string): string;
}

/** A new email with the member's card link, for the outbox (rendered and sent by the mail worker). */
export const cardLinkEmail = (
  at: Date,
  member: { memberId: string; programId: string },
  to: string,
  locale: string,
  reason: CardLinkReason = "welcome",
): OutboxEmail => ({
  emailId: newId("eml"),
  memberId: member.memberId,
  programId: member.programId,
  kind: "card_link",
  reason,
  to,
  locale,
  createdAt: at.toISOString(),
  status: "pending",
  attempts: 0,
});

/** How an email is looked up: SHA-256 of its trimmed, lower-cased form. */
export const emailHash = (email: string): string =>
  createHash("sha256").update(email.trim().toLowerCase(), "utf8").digest("hex");

export const noSuchMember = () =>
  new DomainError("not_found", "member_not_found", "No member of this program has this card code or id.");

export const loyaltyContext = ({
  programs,
  members,
  partners,
  rates,
  registrations,
  now = () => new Date(),
  serialise = true,
  cardUrl,
  outbox,
  stores,
  offers: offersOf,
}: LoyaltyDeps): LoyaltyContext => ({
  members,
  partners,
  rates,
  registrations,
  now,
  cardUrl,
  outbox,
  writer: memberWriter({ members, now, serialise }),

  async program(programId) {
    const p = await programs.recent(programId);
    if (!p) throw notFound("program", programId);
    return p;
  },

  programRecent: (programId) => programs.recent(programId),

  async ctx(p) {
    const at = now();
    const [places, offers] = await Promise.all([
      stores?.places(p.programId),
      offersOf?.live(p.programId, localDay(at, p.timeZone)),
    ]);
    return {
      program: p,
      now: at,
      ids: { voucher: () => newId("vch") },
      ...(places ? { places } : {}),
      ...(offers ? { offers } : {}),
    };
  },

  async memberIdOf(programId, reference) {
    if (ID_PATTERN.test(reference) && reference.startsWith("mbr_")) return { memberId: reference };
    const code = normaliseCardCode(reference);
    if (/^\d{16}$/.test(code)) {
      if (!isValidCardCode(code)) {
        throw refused(
          "invalid_card_code",
          "This card code's check digit does not match: it was probably mistyped.",
        );
      }
      const id = await members.idByCardCode(programId, code);
      if (id) return { memberId: id, cardCode: code };
    }
    throw noSuchMember();
  },

  named(m, reference) {
    if (reference.cardCode !== undefined && m.cardCode !== reference.cardCode) throw noSuchMember();
    return m;
  },

  async memberOf(programId, memberId) {
    const m = await members.get(programId, memberId);
    if (m?.status !== "active") throw notFound("member", memberId);
    return m;
  },

  async spendOf(p, memberId, at) {
    if (p.rules.tiers.levels.length === 0) return {};
    const today = localDay(at, p.timeZone);
    return members.spend(memberId, addDays(today, -p.rules.tiers.windowDays + 1), today);
  },

  queueOf: (programId, reference) => `${programId}:${normaliseCardCode(reference)}`,
});
