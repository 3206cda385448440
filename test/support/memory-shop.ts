import { randomUUID } from "node:crypto";
import { ProgramInput, PurchaseBody } from "../../functions/api/schemas.js";
import { type Enrollment, type LoyaltyDeps, loyaltyService } from "../../functions/app/loyalty/index.js";
import { programService } from "../../functions/app/programs.js";
import { storeService } from "../../functions/app/stores.js";
import { claimFor } from "../../functions/app/writes.js";
import { DomainError } from "../../functions/domain/errors.js";
import type { LineItem, Member } from "../../functions/domain/loyalty/member.js";
import type { CommitResult, MemberRepository, MemberWrite } from "../../functions/domain/ports.js";
import type { IdempotentCaller } from "../../functions/shared/keys.js";
import { richRules } from "./loyalty.js";
import { memoryRepositories } from "./memory-repositories.js";

/**
 * The use cases over the in-memory repositories (memory-repositories.ts), for fast tests of the
 * application layer: a program with its rules, one store, members enrolled as the merchant API does,
 * and the till's calls with their Idempotency-Key claims made as the handlers make them (claimFor).
 * Time is a clock the test moves; every commit the use cases send is recorded with its result.
 */

/** Where every shop's clock starts: a Tuesday noon in Paris. */
export const NOW = "2026-03-10T11:00:00.000Z";

/** A clock the test moves by hand. */
export const testClock = (start: string | Date = NOW) => {
  let at = new Date(start);
  return {
    now: (): Date => new Date(at),
    set(to: string | Date): void {
      at = new Date(to);
    },
  };
};
export type TestClock = ReturnType<typeof testClock>;

/** One commit a use case sent, and what the repository answered. */
export interface Commit {
  writes: MemberWrite[];
  result: CommitResult;
}

/**
 * The member repository with its commits recorded. `beforeCommit` runs before each commit, given how
 * many were sent before: what a concurrent request does between a use case's read and its commit.
 */
export const recordedMembers = (members: MemberRepository) => {
  const commits: Commit[] = [];
  let before: ((sent: number) => Promise<void>) | undefined;
  const repository: MemberRepository = {
    ...members,
    async commit(writes, now) {
      await before?.(commits.length);
      const result = await members.commit(writes, now);
      commits.push({ writes, result });
      return result;
    },
  };
  return {
    repository,
    commits,
    beforeCommit(hook: ((sent: number) => Promise<void>) | undefined): void {
      before = hook;
    },
  };
};

/** The code of the DomainError `run` rejects with (anything else fails the test). */
export const rejection = async (run: () => Promise<unknown>): Promise<{ kind: string; code: string }> => {
  try {
    await run();
  } catch (error) {
    if (error instanceof DomainError) return { kind: error.kind, code: error.code };
    throw error;
  }
  throw new Error("expected a DomainError, but it resolved");
};

/** A till's purchase body, validated as the API does (defaults applied); `coffees` at 1 € each. */
export const purchaseBody = (
  member: string,
  amountCents: number,
  { coffees = 0, items = [] as LineItem[] } = {},
) =>
  PurchaseBody.parse({
    member,
    amountCents,
    currency: "EUR",
    items: [
      ...(coffees > 0 ? [{ name: "Coffee", category: "coffee", quantity: coffees, unitCents: 100 }] : []),
      ...items,
    ],
  });

export interface ShopOptions {
  /** The program's rules (default: richRules, every mechanic). */
  rules?: unknown;
  /** Other program settings (ProgramInput), e.g. `{ timeZone: "UTC" }`. */
  settings?: Record<string, unknown>;
  /** Queue each member's writes in process (the default, as deployed). */
  serialise?: boolean;
  clock?: TestClock;
}

/** A program in Paris time with one store, over fresh in-memory repositories. */
export const memoryShop = async ({
  rules = richRules,
  settings = {},
  serialise = true,
  clock = testClock(),
}: ShopOptions = {}) => {
  const repos = memoryRepositories();
  const recorded = recordedMembers(repos.members);
  const deps: LoyaltyDeps = {
    programs: repos.programs,
    members: recorded.repository,
    partners: repos.partners,
    now: clock.now,
    serialise,
    registrations: repos.registrations,
    rates: repos.rates,
    outbox: repos.mail,
    stores: repos.stores,
    offers: repos.offers,
    cardUrl: async (m) => `https://carnet.test/c/${m.programId}.${m.memberId}.${m.passAuthGeneration}`,
  };
  const service = loyaltyService(deps);
  /** Another process on the same data: its commits are not recorded and race this one's. */
  const elsewhere = loyaltyService({ ...deps, members: repos.members, serialise: false });
  const programs = programService(repos.programs, clock.now);
  const stores = storeService(repos.stores, clock.now);
  let enrolled = 0;

  /** A program of these rules with one store, and the till's calls at that store. */
  const openProgram = async (programRules: unknown, programSettings: Record<string, unknown> = {}) => {
    const program = await programs.create(
      ProgramInput.parse({
        name: "Memory café",
        organizationName: "Café",
        timeZone: "Europe/Paris",
        ...programSettings,
        rules: programRules,
      }),
    );
    const { programId } = program;
    const store = await stores.create(programId, { name: "Main street", latitude: 48.85, longitude: 2.35 });
    const caller = { storeId: store.storeId, programId };
    const storeCaller: IdempotentCaller = { kind: "store", storeId: store.storeId };

    /** The store's claim on a key (a fresh one unless given), as the store API's handler makes it. */
    const claim = (operationId: string, body: unknown, key: string = randomUUID()) =>
      claimFor(storeCaller, { operationId, params: { storeId: store.storeId }, body, idempotencyKey: key });

    const enroll = (input: Partial<Enrollment> = {}) =>
      service.enroll(programId, {
        email: `member-${++enrolled}@example.com`,
        marketingConsent: false,
        ...input,
      });

    return {
      program,
      store,
      caller,
      claim,
      enroll,
      /** A new member, as enrollment answers it. */
      member: async (input: Partial<Enrollment> = {}) => (await enroll(input)).member,
      buy(member: string, amountCents: number, options: { coffees?: number; key?: string } = {}) {
        const body = purchaseBody(member, amountCents, options);
        return service.purchase(caller, body, claim("recordPurchase", body, options.key));
      },
      refund(transactionId: string, amountCents: number, key?: string) {
        const body = { transactionId, amountCents };
        return service.refund(caller, body, claim("recordRefund", body, key));
      },
      redeem(body: { member: string; voucherId?: string; rewardId?: string }, key?: string) {
        return service.redeem(caller, body, claim("redeem", body, key));
      },
      /** The member as stored now. */
      async stored(memberId: string): Promise<Member> {
        const m = await repos.members.get(programId, memberId);
        if (!m) throw new Error(`member ${memberId} is not stored in ${programId}`);
        return m;
      },
    };
  };

  return {
    repos,
    clock,
    service,
    elsewhere,
    /** Every commit `service` sent, in order, with its result. */
    commits: recorded.commits,
    beforeCommit: recorded.beforeCommit,
    /** How many commits of `service` were written. */
    committed: () => recorded.commits.filter((c) => c.result.kind === "committed").length,
    ledger: (memberId: string) => repos.members.ledger(memberId),
    /** Another program (with its store) on the same repositories. */
    openProgram,
    ...(await openProgram(rules, settings)),
  };
};

export type MemoryShop = Awaited<ReturnType<typeof memoryShop>>;
