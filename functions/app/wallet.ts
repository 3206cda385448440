import { DomainError } from "../domain/errors.js";
import { currentView } from "../domain/loyalty/engine.js";
import type { Member, MemberProfile } from "../domain/loyalty/member.js";
import { appleCardContent } from "../domain/pass/apple-card.js";
import type {
  MemberRepository,
  PassFactory,
  ProgramRepository,
  RegistrationRepository,
  StoreRepository,
} from "../domain/ports.js";
import type { Program } from "../domain/program.js";
import { registrationWindow } from "../domain/registrations.js";
import { cardStores } from "../domain/stores/card-stores.js";
import { ID_PATTERN, newId } from "../shared/ids.js";
import { passAuthMatches, passAuthToken, verifyCardLink } from "../shared/pass-tokens.js";

/**
 * Apple Wallet, customer side: the pass behind an emailed card link, and Apple's PassKit web service
 * (device registration, changed serials, latest pass, logs) exactly as Apple's "Wallet Passes" web
 * service reference describes it. Pushes are the push fan-out's job (push.ts).
 */

export interface SignedPass {
  /** The .pkpass archive. */
  body: Buffer;
  /** Epoch seconds: the pass's `Last-Modified`. */
  lastModified: number;
  memberId: string;
}

export type PassAnswer = { kind: "pass"; pass: SignedPass } | { kind: "not_modified"; lastModified: number };

export interface WalletDeps {
  programs: Pick<ProgramRepository, "recent">;
  /** The program's stores, indexed (kept per process): the card shows the member's chosen ones. */
  stores: Pick<StoreRepository, "places">;
  members: Pick<MemberRepository, "card">;
  registrations: RegistrationRepository;
  /** Signs passes: built once per process (certificates, models); throws when Apple Wallet is not configured. */
  passes: () => Promise<PassFactory>;
  secret: () => Promise<Buffer>;
  passTypeId: string;
  now?: () => Date;
}

/** What a pass shows of a member: the member and its profile (holder name, language), read together. */
export interface MemberCard {
  member: Member;
  profile?: MemberProfile;
}

/** A member write that has not committed within this many seconds never will (writes.ts, budgetMs + margin). */
export const WRITE_BUDGET_SECONDS = 10;

/** Why a card link gives no pass: each has its own friendly page (wallet/pages.ts). */
export class CardLinkError extends Error {
  constructor(
    readonly reason: "malformed" | "forged" | "expired" | "gone" | "replaced",
    /**
     * The program the link names, when it can be read from it (a forged link's may be made up): the
     * page then offers to email a fresh link, which only ever goes to a member's own address.
     */
    readonly programId?: string,
  ) {
    super(`card link ${reason}`);
    this.name = "CardLinkError";
  }
}

/**
 * A pass took its MAX_NEW_REGISTRATIONS_PER_HOUR new devices this clock hour (domain/registrations.ts):
 * the web service answers 429 with Retry-After, which Apple's web service reference allows.
 */
export class RegistrationRateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many new devices for this pass; retry in ${retryAfterSeconds} s`);
    this.name = "RegistrationRateLimited";
  }
}

/** Apple's PassKit web service answers a bare 401 to anything it cannot authenticate. */
const unauthorized = () =>
  new DomainError("unauthenticated", "invalid_pass_token", "The pass's authentication token does not match.");

/** Device library identifiers and push tokens are opaque to us: printable ASCII of bounded length. */
const OPAQUE = (max: number) => new RegExp(`^[\\x21-\\x7e]{1,${max}}$`);
export const DEVICE_ID_PATTERN = OPAQUE(128);

/** The member as a card shows it at `at` (lazy expiry applied, as on every read): Apple's and Google's. */
export const shownMember = (member: Member, program: Program, at: Date): Member =>
  member.status === "active"
    ? currentView(member, { program, now: at, ids: { voucher: () => newId("vch") } })
    : member;

export const walletService = (deps: WalletDeps) => {
  const now = deps.now ?? (() => new Date());

  /** The member's program, as recently read (data-model.md §10): a pass request reads only the member. */
  const programOf = async (member: Member): Promise<Program> => {
    const program = await deps.programs.recent(member.programId);
    if (!program) throw new CardLinkError("gone");
    return program;
  };

  const shown = shownMember;

  const render = async (card: MemberCard, program: Program, webServiceUrl: string): Promise<SignedPass> => {
    const { member, profile } = card;
    const at = now();
    const [places, secret] = await Promise.all([deps.stores.places(program.programId), deps.secret()]);
    const stores = cardStores(places, member, at, program.timeZone);
    const holderName = [profile?.firstName, profile?.lastName].filter(Boolean).join(" ") || undefined;
    const content = appleCardContent({
      program,
      member: shown(member, program, at),
      stores,
      ...(holderName ? { holderName } : {}),
      ...(profile?.firstName ? { firstName: profile.firstName } : {}),
      ...(profile?.locale ? { locale: profile.locale } : {}),
      now: at,
    });
    const body = (await deps.passes()).render(program.branding.passLook, content, {
      webServiceUrl,
      authenticationToken: passAuthToken(secret, member.memberId, member.passAuthGeneration),
    });
    return { body, lastModified: lastModifiedOf(member, program), memberId: member.memberId };
  };

  /** The pass changes with the member and with the program's look and rules. */
  const lastModifiedOf = (member: Member, program: Program): number =>
    Math.max(member.passUpdatedAt, Math.floor(Date.parse(program.updatedAt) / 1000));

  const answer = async (
    card: MemberCard,
    webServiceUrl: string,
    since: number | undefined,
  ): Promise<PassAnswer> => {
    const program = await programOf(card.member);
    const lastModified = lastModifiedOf(card.member, program);
    if (since !== undefined && lastModified <= since) return { kind: "not_modified", lastModified };
    return { kind: "pass", pass: await render(card, program, webServiceUrl) };
  };

  /** The member a PassKit request names (with its profile), once its ApplePass token is proven; else 401. */
  const authenticatedCard = async (
    passTypeId: string,
    serial: string,
    token: string,
  ): Promise<MemberCard> => {
    if (passTypeId !== deps.passTypeId || !ID_PATTERN.test(serial) || !serial.startsWith("mbr_")) {
      throw unauthorized();
    }
    const [card, secret] = await Promise.all([deps.members.card(serial), deps.secret()]);
    if (!card || !passAuthMatches(secret, card.member.memberId, card.member.passAuthGeneration, token))
      throw unauthorized();
    return card;
  };

  /** The card a link names (member and profile, one read), or why there is none. */
  const linkedCard = async (token: string): Promise<MemberCard> => {
    const check = verifyCardLink(await deps.secret(), token, now());
    if (!check.ok) {
      const named = token.split(".")[0];
      throw new CardLinkError(
        check.reason,
        check.reason !== "malformed" && named && ID_PATTERN.test(named) ? named : undefined,
      );
    }
    const { programId } = check.link;
    const card = await deps.members.card(check.link.memberId);
    if (card?.member.programId !== programId || card.member.status !== "active")
      throw new CardLinkError("gone", programId);
    // A link of an earlier card generation: the card was reissued since (a forwarded email).
    if (card.member.passAuthGeneration !== check.link.generation)
      throw new CardLinkError("replaced", programId);
    return card;
  };

  return {
    /**
     * `GET /c/{token}` (and its Google save link): the card as its page shows it (the same one read as
     * its pass), with the member's profile.
     */
    async cardByLink(token: string): Promise<{ program: Program; member: Member; profile?: MemberProfile }> {
      const { member, profile } = await linkedCard(token);
      const program = await programOf(member);
      return { program, member: shown(member, program, now()), ...(profile ? { profile } : {}) };
    },

    /** `GET /c/{token}/pass.pkpass`. */
    async passByLink(token: string, webServiceUrl: string, since: number | undefined): Promise<PassAnswer> {
      return answer(await linkedCard(token), webServiceUrl, since);
    },

    /**
     * Register a device for a pass's updates: "created" (201) or "updated" (200). At most
     * MAX_DEVICES_PER_PASS devices per pass (a new one evicts the oldest registrations), and at most
     * MAX_NEW_REGISTRATIONS_PER_HOUR new ones per clock hour, else RegistrationRateLimited (429).
     */
    async register(input: {
      deviceLibraryIdentifier: string;
      passTypeId: string;
      serialNumber: string;
      token: string;
      pushToken: string;
    }): Promise<"created" | "updated"> {
      const { member } = await authenticatedCard(input.passTypeId, input.serialNumber, input.token);
      if (member.status !== "active") throw unauthorized();
      if (!DEVICE_ID_PATTERN.test(input.deviceLibraryIdentifier)) {
        throw new DomainError(
          "bad_request",
          "invalid_device_library_identifier",
          "The device library identifier must be 1 to 128 printable ASCII characters.",
        );
      }
      const at = now();
      const outcome = await deps.registrations.register(
        {
          deviceLibraryIdentifier: input.deviceLibraryIdentifier,
          passTypeId: input.passTypeId,
          memberId: member.memberId,
          programId: member.programId,
          pushToken: input.pushToken,
        },
        at,
        member.devices !== undefined,
        member.devices,
      );
      if (outcome === "rate_limited")
        throw new RegistrationRateLimited(registrationWindow(at).retryAfterSeconds);
      return outcome;
    },

    async unregister(input: {
      deviceLibraryIdentifier: string;
      passTypeId: string;
      serialNumber: string;
      token: string;
    }) {
      const { member } = await authenticatedCard(input.passTypeId, input.serialNumber, input.token);
      if (DEVICE_ID_PATTERN.test(input.deviceLibraryIdentifier)) {
        await deps.registrations.unregister(
          input.deviceLibraryIdentifier,
          input.passTypeId,
          member.memberId,
          member.devices !== undefined,
        );
      }
    },

    /**
     * The serials on a device updated after the tag (data-model.md §7). Tags are epoch seconds. A write
     * commits at most WRITE_BUDGET_SECONDS after it chose its `passUpdatedAt`, so a change not yet
     * visible now can only carry a later tag than `now − WRITE_BUDGET_SECONDS`: `lastUpdated` never goes
     * beyond that, and no change is ever skipped. The cost: for a few seconds after a change, asking
     * again lists it again (the device then gets a 304).
     */
    async updatedSerials(
      deviceLibraryIdentifier: string,
      passTypeId: string,
      since: number | undefined,
    ): Promise<{ serialNumbers: string[]; lastUpdated: string } | undefined> {
      if (passTypeId !== deps.passTypeId || !DEVICE_ID_PATTERN.test(deviceLibraryIdentifier))
        return undefined;
      const serials = await deps.registrations.serialsOnDevice(deviceLibraryIdentifier, passTypeId);
      if (serials.length === 0) return undefined;
      const updated = await deps.registrations.passUpdatedAt(serials);
      const changed = [...updated].filter(([, at]) => since === undefined || at > since);
      if (changed.length === 0) return undefined;
      const newest = Math.max(...changed.map(([, at]) => at));
      const settled = Math.floor(now().getTime() / 1000) - WRITE_BUDGET_SECONDS;
      return {
        serialNumbers: changed.map(([id]) => id).sort(),
        lastUpdated: String(Math.min(newest, settled)),
      };
    },

    /** `GET …/v1/passes/{passTypeId}/{serial}`: the voided pass too, so that devices learn of erasure. */
    async latestPass(
      input: { passTypeId: string; serialNumber: string; token: string },
      webServiceUrl: string,
      since: number | undefined,
    ): Promise<PassAnswer> {
      return answer(
        await authenticatedCard(input.passTypeId, input.serialNumber, input.token),
        webServiceUrl,
        since,
      );
    },
  };
};

export type WalletService = ReturnType<typeof walletService>;
