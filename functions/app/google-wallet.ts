import { localDay } from "../domain/loyalty/calendar.js";
import type { Member, MemberProfile } from "../domain/loyalty/member.js";
import { googleLoyaltyClass, googleLoyaltyObject, googleObjectId } from "../domain/pass/google-card.js";
import { decideNotification, shownOf } from "../domain/pass/google-notifications.js";
import type {
  GoogleObjectRepository,
  GoogleObjectState,
  GoogleWalletApi,
  ProgramRepository,
  RateCounter,
  StoreRepository,
} from "../domain/ports.js";
import type { Program } from "../domain/program.js";
import { cardStores } from "../domain/stores/card-stores.js";
import { rateScopes } from "../shared/keys.js";
import { eachInParallel } from "../shared/parallel.js";
import type { ChangeRecord, PushLog } from "./push.js";
import { CardLinkError, shownMember } from "./wallet.js";

/**
 * Google Wallet (docs/google-wallet.md): the "Add to Google Wallet" link and the live updates.
 *
 * - The save link inserts the member's object first (409: it exists, PATCH it), records it, and answers
 *   Google's save URL, whose JWT names only the object's id.
 * - Live updates come from the table's stream, in the same consumer as Apple's pushes: every change of
 *   a card that has a Google object PATCHes it whole (Google's PATCH replaces arrays whole), and a
 *   program's change updates its class. An update notifies the holder only for what deserves it (a
 *   voucher earned, a tier reached) and only within the budget kept per object in the table
 *   (google-notifications.ts); the rest are silent updates.
 * - A reissued card retires the old object (INACTIVE); an erased member's object is EXPIRED.
 *
 * Delivery is at-least-once: a member whose update failed is handed over again (the batch resumes at
 * its first record), and `syncedPassUpdatedAt` makes a repeat a no-op. A notification's budget is
 * spent in the table before the PATCH that notifies, so no failure or repeat can exceed it.
 */

export interface GoogleWalletDeps {
  programs: Pick<ProgramRepository, "recent" | "get">;
  /** The program's stores, indexed (kept per process): the card shows the member's chosen ones. */
  stores: Pick<StoreRepository, "places">;
  googleObjects: GoogleObjectRepository;
  rates: RateCounter;
  /** The REST client, built once per process (it reads the service account's key). */
  api: () => Promise<GoogleWalletApi>;
  issuerId: string;
  /** The logo of a program whose branding has no `logoUrl` (Google requires one per class). */
  defaultLogoUri: string;
  /** Google's save URL for an object (`https://pay.google.com/gp/v/save/<jwt>`). */
  saveUrl: (objectId: string) => Promise<string>;
  log: PushLog;
  now?: () => Date;
}

export interface GoogleSyncReport {
  /** Members whose card changed and who have a Google object. */
  members: number;
  classes: number;
  patched: number;
  notified: number;
  /** Updates that deserved a notification but went silent: the budget was spent. */
  coalesced: number;
  retired: number;
  skipped: number;
  failed: number;
  unfinished: number;
  /** The index of the first record to hand over again, when something was left unfinished. */
  resumeAt?: number;
}

/**
 * Save links per card per minute: each one calls Google (an insert, often a PATCH), so a card link
 * opened in a loop must not spend the issuer's quota. A person taps it once or twice.
 */
export const GOOGLE_SAVES_PER_MINUTE = 10;

/** A card's save link was opened more than GOOGLE_SAVES_PER_MINUTE times this minute. */
export class GoogleSavesLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many Google Wallet save links for this card; retry in ${retryAfterSeconds} s`);
    this.name = "GoogleSavesLimited";
  }
}

/** Members synchronised at the same time within a batch. */
export const GOOGLE_MEMBERS_IN_PARALLEL = 8;
/** A state write that met another one (the save link) reads again: at most this many times. */
const ATTEMPTS = 3;

type Outcome = "patched" | "notified" | "coalesced" | "retired" | "skipped";

/** Whether a member record changed something its Google object shows or is (its card, its generation). */
const googleChange = (record: ChangeRecord): string | undefined => {
  const next = record.newImage;
  if (record.eventName === "REMOVE" || next?.entity !== "member") return undefined;
  if (typeof next.googleObject !== "number" || typeof next.memberId !== "string") return undefined;
  const old = record.oldImage;
  const changed =
    record.eventName === "INSERT" ||
    old?.passUpdatedAt !== next.passUpdatedAt ||
    old?.googleObject !== next.googleObject ||
    old?.passAuthGeneration !== next.passAuthGeneration ||
    old?.status !== next.status;
  return changed ? next.memberId : undefined;
};

/** A program created or changed (its version moved; a key's last use does not move it). */
const programChange = (record: ChangeRecord): string | undefined => {
  const next = record.newImage;
  if (record.eventName === "REMOVE" || next?.entity !== "program" || typeof next.programId !== "string")
    return undefined;
  return record.eventName === "INSERT" || record.oldImage?.version !== next.version
    ? next.programId
    : undefined;
};

export const googleWallet = (deps: GoogleWalletDeps) => {
  const now = deps.now ?? (() => new Date());

  const classOf = (program: Program) =>
    googleLoyaltyClass({
      program,
      issuerId: deps.issuerId,
      logoUri: program.branding.logoUrl ?? deps.defaultLogoUri,
    });

  const objectOf = async (program: Program, member: Member, profile: MemberProfile | undefined, at: Date) => {
    const stores = cardStores(await deps.stores.places(program.programId), member, at, program.timeZone);
    const holderName = [profile?.firstName, profile?.lastName].filter(Boolean).join(" ") || undefined;
    return googleLoyaltyObject({
      program,
      member,
      stores,
      ...(holderName ? { holderName } : {}),
      ...(profile?.locale ? { locale: profile.locale } : {}),
      now: at,
      issuerId: deps.issuerId,
    });
  };

  /** Retires the object of an earlier card generation (the card was reissued): INACTIVE, once. */
  const retire = async (memberId: string, google: GoogleObjectState, deadline: number): Promise<Outcome> => {
    if (google.state === "inactive") return "skipped";
    await (await deps.api()).patchObject(google.objectId, { state: "INACTIVE" }, { deadline });
    return (await deps.googleObjects.update(memberId, { ...google, state: "inactive" }, google.version))
      ? "retired"
      : "skipped";
  };

  /** One member's object brought up to date with its card; "changed" when its state moved meanwhile. */
  const syncOnce = async (memberId: string, deadline: number): Promise<Outcome | "changed"> => {
    const card = await deps.googleObjects.cardWithGoogle(memberId);
    const google = card?.google;
    if (!card || !google || card.member.googleObject === undefined) return "skipped";
    const { member, profile } = card;
    if (google.generation !== member.passAuthGeneration) return retire(memberId, google, deadline);
    if (google.state === "inactive" || google.syncedPassUpdatedAt >= member.passUpdatedAt) return "skipped";
    const program = await deps.programs.recent(member.programId);
    if (!program) return "skipped";
    const at = now();
    const view = shownMember(member, program, at);
    const decision = decideNotification({
      shown: google.shown,
      member: view,
      program,
      sentAt: google.notifiedAt,
      nowSeconds: Math.floor(at.getTime() / 1000),
    });
    let version = google.version;
    if (decision.notify) {
      // The budget is spent before the PATCH that notifies: whatever fails after, it is never exceeded.
      if (!(await deps.googleObjects.update(memberId, { ...google, notifiedAt: decision.sentAt }, version)))
        return "changed";
      version += 1;
    }
    await (await deps.api()).saveObject(await objectOf(program, view, profile, at), classOf(program), {
      mode: "patch-first",
      notify: decision.notify,
      deadline,
    });
    const synced: GoogleObjectState = {
      ...google,
      notifiedAt: decision.sentAt,
      syncedPassUpdatedAt: member.passUpdatedAt,
      shown: shownOf(view, localDay(at, program.timeZone)),
      state: member.status === "active" ? "active" : "expired",
      version,
    };
    if (!(await deps.googleObjects.update(memberId, synced, version))) return "changed";
    if (decision.coalesced)
      deps.log.info("google: notification budget spent; sent as a silent update", {
        memberId,
        reason: decision.reason,
      });
    return decision.notify ? "notified" : decision.coalesced ? "coalesced" : "patched";
  };

  const sync = async (memberId: string, deadline: number): Promise<Outcome> => {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await syncOnce(memberId, deadline);
      if (outcome !== "changed") return outcome;
      if (attempt >= ATTEMPTS) throw new Error("the Google object's state kept changing");
    }
  };

  return {
    /**
     * `GET /c/{token}/google`, for a card whose link was verified: makes the member's object exist with
     * the card as it is now (inserted; PATCHed when it exists), records it, and answers the save URL.
     * At most GOOGLE_SAVES_PER_MINUTE per card (else GoogleSavesLimited), before anything reaches Google.
     */
    async saveLink(card: { program: Program; member: Member; profile?: MemberProfile }): Promise<string> {
      const { program, member, profile } = card;
      const at = now();
      const { retryAfterSeconds } = await deps.rates.take(
        rateScopes.googleSaves(member.memberId),
        GOOGLE_SAVES_PER_MINUTE,
        60,
        at,
      );
      if (retryAfterSeconds !== undefined) throw new GoogleSavesLimited(retryAfterSeconds);
      const objectId = googleObjectId(deps.issuerId, member.memberId, member.passAuthGeneration);
      const object = await objectOf(program, member, profile, at);
      const api = await deps.api();
      await api.saveObject(object, classOf(program), { mode: "insert-first", notify: false });
      // The object of an earlier card generation (the card was reissued since it was saved) is retired
      // here: the state recorded below is the new card's, so the stream would no longer know the old one.
      const saved = member.googleObject;
      if (saved !== undefined && saved !== member.passAuthGeneration)
        await api.patchObject(googleObjectId(deps.issuerId, member.memberId, saved), { state: "INACTIVE" });
      const recorded = await deps.googleObjects.recordSaved(
        member.memberId,
        {
          objectId,
          generation: member.passAuthGeneration,
          syncedPassUpdatedAt: member.passUpdatedAt,
          shown: shownOf(member, localDay(at, program.timeZone)),
        },
        member.googleObject !== member.passAuthGeneration,
      );
      if (!recorded) throw new CardLinkError("gone");
      return deps.saveUrl(objectId);
    },

    /**
     * One batch of stream records: classes of changed programs upserted, objects of changed cards
     * PATCHed, members in parallel, none started after `deadline` (epoch ms). What failed or was not
     * started is reported with the index of the first record to hand over again.
     */
    async handle(
      records: readonly ChangeRecord[],
      options: { deadline?: number } = {},
    ): Promise<GoogleSyncReport> {
      const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
      // One piece of work per program and per member, at the index of its first record.
      type Work = { kind: "program" | "member"; id: string; index: number; run: () => Promise<Outcome> };
      const work = new Map<string, Work>();
      const add = (kind: Work["kind"], id: string, index: number, run: Work["run"]) => {
        if (!work.has(`${kind}:${id}`)) work.set(`${kind}:${id}`, { kind, id, index, run });
      };
      records.forEach((record, index) => {
        const programId = programChange(record);
        if (programId)
          add("program", programId, index, async () => {
            const program = await deps.programs.get(programId);
            if (!program) return "skipped";
            await (await deps.api()).upsertClass(classOf(program));
            return "patched";
          });
        const memberId = googleChange(record);
        if (memberId) add("member", memberId, index, () => sync(memberId, deadline));
      });
      const items = [...work.values()];
      const report: GoogleSyncReport = {
        members: items.filter((w) => w.kind === "member").length,
        classes: 0,
        patched: 0,
        notified: 0,
        coalesced: 0,
        retired: 0,
        skipped: 0,
        failed: 0,
        unfinished: 0,
      };
      const unfinished: number[] = [];
      await eachInParallel(items, GOOGLE_MEMBERS_IN_PARALLEL, async (item) => {
        if (Date.now() >= deadline) {
          unfinished.push(item.index);
          return;
        }
        try {
          const outcome = await item.run();
          if (item.kind === "program") {
            if (outcome !== "skipped") report.classes += 1;
          } else if (outcome === "notified") {
            report.patched += 1;
            report.notified += 1;
          } else if (outcome === "coalesced") {
            report.patched += 1;
            report.coalesced += 1;
          } else report[outcome] += 1;
        } catch (error) {
          report.failed += 1;
          unfinished.push(item.index);
          deps.log.warn("google: update not delivered; its records will be handed over again", {
            [`${item.kind}Id`]: item.id,
            error: (error as Error).message,
          });
        }
      });
      report.unfinished = unfinished.length;
      if (unfinished.length > 0) report.resumeAt = Math.min(...unfinished);
      return report;
    },
  };
};

export type GoogleWallet = ReturnType<typeof googleWallet>;
