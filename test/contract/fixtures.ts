import { randomBytes, randomUUID } from "node:crypto";
import { expect } from "vitest";
import { z } from "zod";
import type { LedgerEntry, Member, MemberProfile } from "../../functions/domain/loyalty/member.js";
import type { PurchaseRecord } from "../../functions/domain/loyalty/records.js";
import type { Partner } from "../../functions/domain/partner.js";
import type {
  Enrollment,
  IdempotencyRecord,
  MemberRepository,
  Page,
  PageRequest,
  PartnerRepository,
  ProgramRepository,
  RateCounter,
  RegistrationRepository,
  StoreRepository,
} from "../../functions/domain/ports.js";
import { newProgram, type Program, programSettings } from "../../functions/domain/program.js";
import { newStore, type Store } from "../../functions/domain/store.js";
import { newCardCode, newReferralCode } from "../../functions/shared/codes.js";
import { newId, randomBase32 } from "../../functions/shared/ids.js";

/** The repository ports, as a use case gets them. */
export interface Repositories {
  programs: ProgramRepository;
  stores: StoreRepository;
  members: MemberRepository;
  partners: PartnerRepository;
  registrations: RegistrationRepository;
  rates: RateCounter;
}

/**
 * Repositories for one test. An implementation may hand every test the same ones (one DynamoDB table
 * per test file): the suites only rely on fresh ids, never on an empty store.
 */
export type MakeRepositories = () => Repositories;

/** Now, to the second: claims and their expiry count in epoch seconds. */
export const wholeSecond = (date = new Date()): Date => new Date(Math.floor(date.getTime() / 1000) * 1000);
export const secondsLater = (date: Date, seconds: number): Date => new Date(date.getTime() + seconds * 1000);
export const DAY_SECONDS = 86_400;

const ProgramSettings = z.object(programSettings);

export const aProgram = (createdAt = new Date()): Program =>
  newProgram(ProgramSettings.parse({ name: "Contract", organizationName: "Shop" }), newId("prg"), createdAt);

export const aStore = (programId: string, storeId = newId("sto")): Store =>
  newStore(
    { name: "Main street", latitude: 48.85, longitude: 2.35 },
    { storeId, programId, apiKeyPrefix: `sk.${storeId.slice(4, 10)}` },
    new Date(),
  );

export const aPartner = (programId: string): Partner => {
  const partnerId = newId("prt");
  return {
    partnerId,
    programId,
    name: "Partner",
    pointsPerEuro: 2,
    status: "active",
    apiKeyPrefix: `pk.${partnerId.slice(4, 10)}`,
    createdAt: new Date().toISOString(),
  };
};

/** A member id in a chosen due shard (the last character of the id). */
export const memberIdInShard = (shard: string): string => `mbr_${randomBase32(10).slice(0, 15)}${shard}`;

/** A member as enrolled: version 1, nothing on its ledger, counting its devices. */
export const aMember = (programId: string, overrides: Partial<Member> = {}): Member => ({
  memberId: newId("mbr"),
  programId,
  status: "active",
  version: 1,
  ledgerSeq: 0,
  cardCode: newCardCode(),
  referralCode: newReferralCode(),
  referralPending: false,
  points: 0,
  stamps: {},
  lots: [],
  tierId: null,
  windowSpendCents: 0,
  vouchers: [],
  closedVouchers: [],
  validUntil: null,
  enrolledAt: new Date().toISOString(),
  purchases: 0,
  passUpdatedAt: Math.floor(Date.now() / 1000),
  passAuthGeneration: 0,
  devices: 0,
  ...overrides,
});

export const aProfile = (member: Member): MemberProfile => ({
  memberId: member.memberId,
  programId: member.programId,
  email: `${randomUUID()}@example.com`,
  firstName: "Camille",
  marketingConsent: false,
  enrolledAt: member.enrolledAt,
  enrolledVia: "staff",
});

export const anEnrollment = (programId: string, overrides: Partial<Member> = {}): Enrollment => {
  const member = aMember(programId, overrides);
  return { member, profile: aProfile(member), emailHash: randomBytes(32).toString("hex") };
};

/** A ledger entry crediting `points`, with the balance it leaves. */
export const anEntry = (seq: number, points = 10, balanceAfter = seq * points): LedgerEntry => ({
  seq,
  type: "adjust",
  at: new Date().toISOString(),
  points,
  stamps: {},
  lots: {},
  balanceAfter,
  note: `entry ${seq}`,
});

export const aPurchase = (member: Member, transactionId = newId("txn")): PurchaseRecord => ({
  transactionId,
  programId: member.programId,
  memberId: member.memberId,
  storeId: newId("sto"),
  amountCents: 1_250,
  currency: "EUR",
  occurredAt: new Date().toISOString(),
  spendDay: new Date().toISOString().slice(0, 10),
  pointsEarned: 12,
  stampsEarned: { coffee: 1 },
  refundedCents: 0,
  pointsRefunded: 0,
  stampsRefunded: false,
});

export const aClaim = (at: Date, body: unknown = { ok: randomUUID() }): IdempotencyRecord => ({
  scope: `STORE#${newId("sto")}`,
  clientKey: randomUUID(),
  requestHash: randomBytes(32).toString("hex"),
  response: { status: 201, body },
  createdAt: at.toISOString(),
});

/** Every page of a listing, following its cursors; each page must hold at most `limit` items. */
export const allPages = async <T>(
  list: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> => {
  const items: T[] = [];
  let pages = 0;
  let cursor: string | undefined;
  do {
    const page = await list(cursor === undefined ? { limit } : { limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    // A page with room left is the last.
    if (page.items.length < limit) expect(page.nextCursor).toBeUndefined();
    items.push(...page.items);
    pages++;
    cursor = page.nextCursor;
    if (pages > 1_000) throw new Error("the cursors never end");
  } while (cursor !== undefined);
  return { items, pages };
};

/** A listing refuses a cursor it did not issue: 400 invalid_cursor. */
export const expectInvalidCursor = async (listing: Promise<unknown>): Promise<void> => {
  await expect(listing).rejects.toMatchObject({
    name: "DomainError",
    kind: "bad_request",
    code: "invalid_cursor",
  });
};

/** Cursors no listing ever issues. */
export const FORGED_CURSORS = [
  "not a cursor!",
  Buffer.from("not json", "utf8").toString("base64url"),
  Buffer.from(JSON.stringify({ some: "thing" }), "utf8").toString("base64url"),
  Buffer.from(JSON.stringify([1, 2]), "utf8").toString("base64url"),
];
