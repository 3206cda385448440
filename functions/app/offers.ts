import { conflict, notFound, refused } from "../domain/errors.js";
import { localDay } from "../domain/loyalty/calendar.js";
import type { Ctx } from "../domain/loyalty/engine.js";
import type { Member, MemberProfile } from "../domain/loyalty/member.js";
import { newOffer, type OfferSettings, receiveOffer, withdrawOffer } from "../domain/offers/assign.js";
import { freshDelivery, type Offer, type OfferDelivery, type OfferTarget } from "../domain/offers/offer.js";
import { matchesTarget } from "../domain/offers/targets.js";
import type {
  MemberRepository,
  OfferRepository,
  Page,
  PageRequest,
  ProgramRepository,
  StoreRepository,
} from "../domain/ports.js";
import type { Program } from "../domain/program.js";
import { newId } from "../shared/ids.js";
import { STALLED_DELIVERY_MS } from "../shared/keys.js";
import { eachInParallel } from "../shared/parallel.js";
import { createdBefore, creationClaim } from "./keys.js";
import { type IdempotencyClaim, memberWriter, outcomeWrites } from "./writes.js";

/**
 * Offers (domain/offers): a merchant creates one, and it is sent to the members its target matches,
 * a page of members at a time. The sending is a chain of batches driven by the table's stream: each
 * batch reads the offer, works through one page of the program's members from `delivery.cursor`,
 * and writes the offer back with the next cursor and its counters, conditioned on the version it
 * read (version + 1). That write is the next stream record, so the offer worker (functions/
 * offer-delivery) runs the next batch, until the last page marks the delivery sent. Ending an offer
 * runs the same chain again, withdrawing it from the cards.
 *
 * Exactly once per member, whatever fails: a batch that crashes leaves the offer as it was (same
 * version, same cursor), so the batch runs again (the stream hands its record over again, or the
 * sweep rewrites a delivery stalled for STALLED_DELIVERY_MS, `resumeDue`); the members it reached
 * before the crash hold the offer and are never given it twice (receiveOffer's "held"). Counters move
 * only with the cursor, in the same conditional write, so a page is counted once; a member an
 * earlier attempt reached is counted as reached ("held" counts as updated), so the counts stay exact.
 */

/** Members per batch: one page of the member listing, one BatchGetItem. */
export const OFFER_BATCH_SIZE = 100;
/** Member writes of a batch in flight at once. */
export const MEMBERS_IN_PARALLEL = 10;
/** Attempts of `end` against batches that move the offer at the same moment. */
const END_ATTEMPTS = 5;

export interface OfferLog {
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
}

export interface OfferDeps {
  offers: OfferRepository;
  members: MemberRepository;
  /** `get` when a merchant acts (a rule changed a moment ago counts); `recent` for the batches. */
  programs: Pick<ProgramRepository, "get" | "recent">;
  stores: Pick<StoreRepository, "get">;
  log?: OfferLog;
  now?: () => Date;
  /** See WriterOptions.serialise. */
  serialise?: boolean;
}

/** What one batch did: for the worker's log and the tests. */
export interface BatchReport {
  programId: string;
  offerId: string;
  /**
   * "ran": a page was worked through and the offer moved on. "stale": the offer is not at the version
   * asked (another batch or the merchant moved it on: the record was old, or handed over twice), or
   * moved on while the page was worked. "idle": nothing to deliver (absent, finished, scheduled).
   */
  outcome: "ran" | "stale" | "idle";
  state?: OfferDelivery["state"];
  batch?: number;
  /** This batch's own counts (the offer's `delivery` holds the totals). */
  counts?: DeliveryCounts;
}

type DeliveryCounts = Pick<OfferDelivery, "scanned" | "matched" | "updated" | "pushed" | "skipped">;

const noCounts = (): DeliveryCounts => ({ scanned: 0, matched: 0, updated: 0, pushed: 0, skipped: 0 });

/** The profile's birth month (1–12), which the member item does not always carry. */
const birthMonthOf = (profile: MemberProfile | undefined): number | undefined =>
  profile?.birthDate === undefined ? undefined : Number(profile.birthDate.slice(5, 7));

/** A card a change reaches a phone through: an Apple device registered, or a Google object. */
const hasWallet = (member: Member): boolean => (member.devices ?? 0) > 0 || member.googleObject !== undefined;

const quiet: OfferLog = { info: () => {}, warn: () => {}, error: () => {} };

export const offerService = ({
  offers,
  members,
  programs,
  stores,
  log = quiet,
  now = () => new Date(),
  serialise = true,
}: OfferDeps) => {
  const writer = memberWriter({ members, now, serialise });
  const ctxOf = (program: Program): Ctx => ({ program, now: now(), ids: { voucher: () => newId("vch") } });

  const programOf = async (programId: string): Promise<Program> => {
    const program = await programs.get(programId);
    if (!program) throw notFound("program", programId);
    return program;
  };

  /** Refuses a target naming a tier, or stores, the program does not have (422), before anything is counted. */
  const checkTarget = async (program: Program, target: OfferTarget, storeIds?: readonly string[]) => {
    if (target.kind === "tier" && !program.rules.tiers.levels.some((t) => t.tierId === target.tier)) {
      throw refused("unknown_tier", `This program has no tier '${target.tier}'.`, { tier: target.tier });
    }
    const named = [...new Set(storeIds ?? [])];
    const found = await Promise.all(named.map((storeId) => stores.get(program.programId, storeId)));
    const unknown = named.filter((_, i) => found[i] === undefined);
    if (unknown.length > 0) {
      throw refused("unknown_store", `This program has no store '${unknown[0]}'.`, { storeIds: unknown });
    }
  };

  /** One pass over the program's members: how many active ones the target matches today. */
  const count = async (program: Program, target: OfferTarget, at: Date) => {
    const today = localDay(at, program.timeZone);
    let matched = 0;
    let scanned = 0;
    let cursor: string | undefined;
    do {
      const page = await members.listPage(program.programId, {
        limit: OFFER_BATCH_SIZE,
        ...(cursor !== undefined ? { cursor } : {}),
      });
      scanned += page.items.length;
      for (const { member, profile } of page.items) {
        if (matchesTarget(target, member, { today, birthMonth: birthMonthOf(profile) })) matched++;
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return { matched, scanned };
  };

  /**
   * The fan-out's step on one member: receiveOffer, written through the member writer. The first
   * attempt computes on the member the page read (strongly, with the page); a lost race reads it again.
   */
  const give = (program: Program, offer: Offer, listed: Member, profile: MemberProfile | undefined) => {
    let read: Member | undefined = listed;
    return writer.write(undefined, listed.memberId, async () => {
      const member = read ?? (await members.get(program.programId, listed.memberId));
      read = undefined;
      if (!member) return { body: { result: "inactive" as const, member: listed }, writes: [] };
      const { outcome, result } = receiveOffer(member, ctxOf(program), offer, {
        birthMonth: birthMonthOf(profile),
      });
      return {
        body: { result, member: outcome?.member ?? member },
        writes: outcome ? outcomeWrites(outcome, member.version) : [],
      };
    });
  };

  /**
   * The withdrawal's step on one member: "removed" now; "removed before" when the offer is off the card
   * and among its closed offers (an earlier attempt of this batch took it off, or it expired there).
   */
  const take = (program: Program, offerId: string, listed: Member) => {
    let read: Member | undefined = listed;
    return writer.write<{ result: "removed" | "removed before" | "none"; member: Member }>(
      undefined,
      listed.memberId,
      async () => {
        const member = read ?? (await members.get(program.programId, listed.memberId));
        read = undefined;
        if (!member) return { body: { result: "none", member: listed }, writes: [] };
        const outcome = withdrawOffer(member, ctxOf(program), offerId);
        if (outcome) {
          return {
            body: { result: "removed", member: outcome.member },
            writes: outcomeWrites(outcome, member.version),
          };
        }
        const closed = (member.closedOffers ?? []).includes(offerId);
        return { body: { result: closed ? "removed before" : "none", member }, writes: [] };
      },
    );
  };

  /**
   * A batch that gave the offer while the merchant ended it (its own write then fails on the version)
   * takes it back from the members it gave it to: the withdrawal may already have passed them.
   */
  const takeBack = async (program: Program, offer: Offer, given: Member[]) => {
    const stored = await offers.get(offer.programId, offer.offerId);
    if (stored?.status !== "ended" || given.length === 0) return;
    await eachInParallel(given, MEMBERS_IN_PARALLEL, async (member) => {
      await take(program, offer.offerId, member);
    });
    log.info("offer: ended while a batch was sending it; taken back from that batch's members", {
      offerId: offer.offerId,
      programId: offer.programId,
      members: given.length,
    });
  };

  return {
    /** The members a target matches now, counted over the whole program (changes nothing). */
    async audience(
      programId: string,
      target: OfferTarget,
      storeIds?: readonly string[],
    ): Promise<{ matched: number; scanned: number }> {
      const program = await programOf(programId);
      await checkTarget(program, target, storeIds);
      return count(program, target, now());
    },

    /**
     * A new offer, its audience counted first (its `audience`): "sending" when it runs today (its
     * INSERT hands it to the offer worker), "scheduled" when it starts later (the sweep starts it,
     * `resumeDue`). With a claim, a retry whose first answer was lost gets the same offer, as it is now.
     */
    async create(programId: string, settings: OfferSettings, claim?: IdempotencyClaim): Promise<Offer> {
      const at = now();
      const program = await programOf(programId);
      await checkTarget(program, settings.target, settings.storeIds);
      // Dates are checked (newOffer refuses them) before the members are counted.
      const draft = newOffer(settings, { offerId: newId("ofr"), programId }, program, at, 0);
      const { matched } = await count(program, settings.target, at);
      const offer: Offer = { ...draft, audience: matched };
      const seen = await offers.create(
        offer,
        program.timeZone,
        creationClaim(claim, { offerId: offer.offerId }, at),
        at,
      );
      if (!seen || !claim) {
        log.info("offer: created", {
          offerId: offer.offerId,
          programId,
          state: offer.delivery.state,
          audience: matched,
        });
        return offer;
      }
      const earlier = createdBefore(seen, claim, "offerId");
      const stored = await offers.get(programId, earlier);
      if (!stored) throw notFound("offer", earlier);
      return stored;
    },

    /** The offer as stored now; undefined when absent or another program's. */
    get: (programId: string, offerId: string): Promise<Offer | undefined> => offers.get(programId, offerId),

    list: (programId: string, page: PageRequest): Promise<Page<Offer>> => offers.list(programId, page),

    /**
     * Ends the offer: `ended`, and its delivery starts again as "withdrawing", from the first member,
     * taking it off every card (its vouchers stay with the members). The delivery's counters start again
     * too and then count the withdrawal (`matched`: members it had reached; `updated`: cards it left;
     * `pushed`: of those, with a wallet): one set of counters, whose `state` says which pass they
     * describe; the send's own numbers stay in the log, and the offer's `audience`. Ending an ended
     * offer changes nothing and answers it as it is.
     */
    async end(programId: string, offerId: string): Promise<Offer> {
      for (let attempt = 0; attempt < END_ATTEMPTS; attempt++) {
        const offer = await offers.get(programId, offerId);
        if (!offer) throw notFound("offer", offerId);
        if (offer.status === "ended") return offer;
        const program = await programs.recent(programId);
        if (!program) throw notFound("program", programId);
        const at = now().toISOString();
        const next: Offer = {
          ...offer,
          status: "ended",
          endedAt: at,
          version: offer.version + 1,
          delivery: { ...freshDelivery("withdrawing", at), startedAt: at },
        };
        // A batch writing the offer at this moment wins the version: read again and end that one.
        if (await offers.replace(next, offer.version, program.timeZone)) {
          log.info("offer: ended; withdrawing it from the cards", {
            offerId,
            programId,
            sent: offer.delivery,
          });
          return next;
        }
      }
      throw conflict("concurrent_modification", "The offer kept changing while it was ended; try again.");
    },

    /**
     * One batch of the offer's delivery at `version` (the stream record's): one page of members from
     * `delivery.cursor`, then the offer written with the next cursor and the counters (version + 1), or
     * as sent / withdrawn after the last page. Nothing when the offer is at another version (the record
     * is old, or was handed over twice) or has nothing to deliver. Throws when a member could not be
     * written: the offer stays as it was and the batch runs again.
     */
    async runBatch(programId: string, offerId: string, version: number): Promise<BatchReport> {
      const ref = { programId, offerId };
      const offer = await offers.get(programId, offerId);
      if (!offer || offer.version !== version) return { ...ref, outcome: "stale" };
      const { state } = offer.delivery;
      if (state !== "sending" && state !== "withdrawing") return { ...ref, outcome: "idle", state };
      const program = await programs.recent(programId);
      if (!program) return { ...ref, outcome: "idle", state };

      const page = await members.listPage(programId, {
        limit: OFFER_BATCH_SIZE,
        ...(offer.delivery.cursor !== undefined ? { cursor: offer.delivery.cursor } : {}),
      });
      const counts = { ...noCounts(), scanned: page.items.length };
      const given: Member[] = [];
      await eachInParallel(page.items, MEMBERS_IN_PARALLEL, async ({ member, profile }) => {
        if (state === "sending") {
          const { result, member: after } = await give(program, offer, member, profile);
          if (result === "given") given.push(after);
          if (result === "given" || result === "held" || result === "full") counts.matched++;
          if (result === "full") counts.skipped++;
          if (result === "given" || result === "held") {
            counts.updated++;
            if (hasWallet(after)) counts.pushed++;
          }
        } else {
          const { result, member: after } = await take(program, offerId, member);
          if (result === "none") return;
          counts.matched++;
          counts.updated++;
          if (hasWallet(after)) counts.pushed++;
        }
      });

      const at = now().toISOString();
      const last = page.nextCursor === undefined;
      const before = offer.delivery;
      const delivery: OfferDelivery = {
        state: last ? (state === "sending" ? "sent" : "withdrawn") : state,
        ...(page.nextCursor !== undefined ? { cursor: page.nextCursor } : {}),
        batches: before.batches + 1,
        scanned: before.scanned + counts.scanned,
        matched: before.matched + counts.matched,
        updated: before.updated + counts.updated,
        pushed: before.pushed + counts.pushed,
        skipped: before.skipped + counts.skipped,
        startedAt: before.startedAt ?? at,
        ...(last ? { finishedAt: at } : {}),
        updatedAt: at,
      };
      const next: Offer = { ...offer, delivery, version: offer.version + 1 };
      if (!(await offers.replace(next, offer.version, program.timeZone))) {
        // Another worker ran this batch too (its counts stand), or the merchant ended the offer.
        if (state === "sending") await takeBack(program, offer, given);
        return { ...ref, outcome: "stale", state };
      }
      log.info("offer: batch", {
        offerId,
        programId,
        state: delivery.state,
        batch: delivery.batches,
        scanned: delivery.scanned,
        matched: delivery.matched,
        updated: delivery.updated,
        pushed: delivery.pushed,
        skipped: delivery.skipped,
      });
      return { ...ref, outcome: "ran", state: delivery.state, batch: delivery.batches, counts };
    },

    /**
     * The sweep's part: every offer whose delivery is due (`OfferRepository.due`) is written again
     * (version + 1), and that write's stream record hands it to the offer worker — a scheduled offer
     * whose first day has come (program time zone) as "sending", a delivery stalled STALLED_DELIVERY_MS
     * as it was, from the same cursor. Safe to run twice at once (conditional writes). Returns how many
     * offers were handed over.
     */
    async resumeDue(at: Date = now()): Promise<number> {
      const due = await offers.due(at);
      let resumed = 0;
      await eachInParallel(due, 4, async ({ programId, offerId }) => {
        try {
          const offer = await offers.get(programId, offerId);
          const program = offer && (await programs.recent(programId));
          if (!offer || !program) return;
          const { delivery } = offer;
          const stamp = at.toISOString();
          let next: Offer | undefined;
          if (delivery.state === "scheduled" && offer.validFrom <= localDay(at, program.timeZone)) {
            next = {
              ...offer,
              version: offer.version + 1,
              delivery: { ...delivery, state: "sending", updatedAt: stamp },
            };
          } else if (
            (delivery.state === "sending" || delivery.state === "withdrawing") &&
            Date.parse(delivery.updatedAt) + STALLED_DELIVERY_MS <= at.getTime()
          ) {
            next = { ...offer, version: offer.version + 1, delivery: { ...delivery, updatedAt: stamp } };
          }
          if (!next || !(await offers.replace(next, offer.version, program.timeZone))) return;
          resumed++;
          log.info(
            delivery.state === "scheduled"
              ? "offer: first day come; sending"
              : "offer: stalled; handed over again",
            {
              offerId,
              programId,
              state: next.delivery.state,
              batches: delivery.batches,
            },
          );
        } catch (error) {
          // One offer's failure does not stop the others: the next sweep finds it due again.
          log.error("offer: due delivery not handed over", { offerId, programId, error: String(error) });
        }
      });
      return resumed;
    },
  };
};

export type OfferService = ReturnType<typeof offerService>;
