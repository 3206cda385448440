import { z } from "zod";
import {
  AccrualBody,
  EnrollmentBody,
  PartnerBody,
  PurchaseBody,
  RedemptionBody,
  RefundBody,
  TransferBody,
} from "../app/schemas.js";
import { LedgerEntry, Voucher } from "../domain/loyalty/member.js";
import { Partner } from "../domain/partner.js";
import { operation } from "../http/operation.js";
import { ID_PATTERN } from "../shared/ids.js";

/** Members, the store API, partners and transfers: the loyalty half of the HTTP contract. */

const id = (example: string) => z.string().regex(ID_PATTERN).meta({ example });
const ProgramParams = z.strictObject({ programId: id("prg_5g2k9x0m3q7w1z8c") });
const MemberParams = ProgramParams.extend({ memberId: id("mbr_1z8c5g2k9x0m3q7w") });
const StoreOnly = z.strictObject({ storeId: id("sto_8c1z7w3q0m9x2k5g") });
const PartnerOnly = z.strictObject({ partnerId: id("prt_3q7w1z8c5g2k9x0m") });

const Stamps = z.record(z.string(), z.number().int()).meta({
  description: "Stamps per category",
  example: { coffee: 3 },
});

const MemberSummary = z
  .object({
    memberId: z.string(),
    points: z.number().int(),
    stamps: Stamps,
    tier: z.string().nullable().meta({ description: "The tierId, or null" }),
  })
  .meta({ id: "MemberSummary" });

const HistoryPage = z
  .object({ items: z.array(LedgerEntry), nextCursor: z.string().optional() })
  .meta({ id: "HistoryPage", description: "Ledger entries, newest first" });

export const MemberView = z
  .object({
    memberId: z.string(),
    programId: z.string(),
    status: z.enum(["active", "erased"]),
    cardCode: z.string().meta({ description: "The barcode value: 16 digits with a Luhn check digit" }),
    cardUrl: z.url().optional().meta({
      description:
        "The customer's card link (/c/{token}): the card page with Add to Apple Wallet. Signed, valid 90 days from this answer; every read gives a fresh one.",
    }),
    referralCode: z.string(),
    referredBy: z.string().optional(),
    email: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    points: z.number().int(),
    stamps: Stamps,
    stampCards: z.array(
      z.object({
        category: z.string(),
        stamps: z.number().int(),
        stampsRequired: z.number().int(),
        rewardTitle: z.string(),
      }),
    ),
    tier: z
      .object({ tierId: z.string(), name: z.string().nullable(), since: z.string().nullable() })
      .nullable(),
    windowSpendCents: z.number().int().meta({ description: "Spend over the tier window at the last change" }),
    vouchers: z.array(Voucher),
    pointsExpiring: z
      .object({ points: z.number().int(), after: z.string() })
      .nullable()
      .meta({ description: "The oldest points and the last day they are valid" }),
    expiringSoon: z.boolean(),
    card: z.object({ validUntil: z.string().nullable(), expired: z.boolean(), renewalDue: z.boolean() }),
    purchases: z.number().int(),
    lastPurchaseAt: z.string().nullable(),
    enrolledAt: z.string(),
    version: z.number().int(),
    history: HistoryPage,
  })
  .meta({ id: "Member" });

const MemberQuery = z
  .strictObject({
    email: z.email().max(254).optional(),
    cardCode: z.string().min(1).max(64).optional(),
  })
  .refine(
    (q) => (q.email === undefined) !== (q.cardCode === undefined),
    "give exactly one of email or cardCode",
  );

const Paging = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(1024).optional(),
});

const VoucherRedeemed = Voucher.extend({ status: z.literal("redeemed") });

export const loyaltyOperations = {
  enrollMember: operation({
    operationId: "enrollMember",
    fn: "members",
    method: "POST",
    path: "/v1/programs/{programId}/members",
    tag: "Members",
    summary: "Enroll a customer (staff enrollment)",
    description:
      "Creates a member with a card code (the barcode value) and a referral code. An email already enrolled in the program is a 409 member_already_enrolled with the memberId in details.",
    auth: "merchant",
    params: ProgramParams,
    body: EnrollmentBody,
    success: { status: 201, description: "The new member", schema: MemberView },
    errors: [409],
  }),
  findMember: operation({
    operationId: "findMember",
    fn: "members",
    method: "GET",
    path: "/v1/programs/{programId}/members",
    tag: "Members",
    summary: "Find a member by email or card code",
    auth: "merchant",
    params: ProgramParams,
    query: MemberQuery,
    success: { status: 200, description: "The matching member", schema: MemberView },
  }),
  getMember: operation({
    operationId: "getMember",
    fn: "members",
    method: "GET",
    path: "/v1/programs/{programId}/members/{memberId}",
    tag: "Members",
    summary: "Read a member: balance, stamps, tier, vouchers and the latest history",
    description:
      "Expired points and vouchers are shown as of now even before the scheduled sweep has written them.",
    auth: "merchant",
    params: MemberParams,
    success: { status: 200, description: "The member", schema: MemberView },
  }),
  memberHistory: operation({
    operationId: "memberHistory",
    fn: "members",
    method: "GET",
    path: "/v1/programs/{programId}/members/{memberId}/history",
    tag: "Members",
    summary: "A member's ledger, newest first, with line items",
    auth: "merchant",
    params: MemberParams,
    query: Paging,
    success: { status: 200, description: "One page of ledger entries", schema: HistoryPage },
  }),
  transferPoints: operation({
    operationId: "transferPoints",
    fn: "members",
    method: "POST",
    path: "/v1/programs/{programId}/members/{memberId}/transfers",
    tag: "Members",
    summary: "Move points to another member of the same program",
    description:
      "Atomic: both balances change or neither. The oldest points go first and keep their expiry. Send an Idempotency-Key to make retries safe.",
    auth: "merchant",
    params: MemberParams,
    body: TransferBody,
    idempotency: "optional",
    success: {
      status: 201,
      description: "The transfer",
      schema: z
        .object({ transferId: z.string(), points: z.number().int(), from: MemberSummary, to: MemberSummary })
        .meta({ id: "Transfer" }),
    },
    errors: [409],
  }),
  renewCard: operation({
    operationId: "renewCard",
    fn: "members",
    method: "POST",
    path: "/v1/programs/{programId}/members/{memberId}/renewals",
    tag: "Members",
    summary: "Renew a member's card for the program's validity period",
    auth: "merchant",
    params: MemberParams,
    idempotency: "optional",
    success: { status: 200, description: "The member with the new validity", schema: MemberView },
    errors: [409],
  }),
  recordPurchase: operation({
    operationId: "recordPurchase",
    fn: "store-api",
    method: "POST",
    path: "/v1/stores/{storeId}/purchases",
    tag: "Store API",
    summary: "Credit a purchase",
    description:
      "Points, stamps, vouchers, tier and referral rewards in one transaction. The same Idempotency-Key with the same body returns the same answer and credits nothing more; with another body it is a 409 idempotency_key_reused.",
    auth: "store",
    params: StoreOnly,
    body: PurchaseBody,
    idempotency: "required",
    success: {
      status: 201,
      description: "What the purchase earned",
      schema: z
        .object({
          transactionId: z.string(),
          member: MemberSummary,
          pointsEarned: z.number().int(),
          vouchersIssued: z.array(Voucher),
          referralBonus: z
            .object({ refereePoints: z.number().int(), referrerPoints: z.number().int() })
            .optional(),
        })
        .meta({ id: "PurchaseResult" }),
    },
    errors: [409],
  }),
  recordRefund: operation({
    operationId: "recordRefund",
    fn: "store-api",
    method: "POST",
    path: "/v1/stores/{storeId}/refunds",
    tag: "Store API",
    summary: "Refund (part of) a purchase and take its points back",
    description:
      "Points are taken back in proportion to the amount; all refunds of a purchase together never take back more than it earned, nor refund more than its amount.",
    auth: "store",
    params: StoreOnly,
    body: RefundBody,
    idempotency: "required",
    success: {
      status: 201,
      description: "What the refund took back",
      schema: z
        .object({
          transactionId: z.string(),
          refundOf: z.string(),
          amountCents: z.number().int(),
          refundableCentsLeft: z.number().int(),
          pointsTakenBack: z.number().int(),
          pointsNotRecovered: z
            .number()
            .int()
            .meta({ description: "Points the member had already spent: not taken back" }),
          member: MemberSummary,
        })
        .meta({ id: "RefundResult" }),
    },
    errors: [409],
  }),
  redeem: operation({
    operationId: "redeem",
    fn: "store-api",
    method: "POST",
    path: "/v1/stores/{storeId}/redemptions",
    tag: "Store API",
    summary: "Redeem a voucher on the card, or a reward of the catalogue with points",
    description: "A voucher is redeemed once; a second redemption is a 409 voucher_already_redeemed.",
    auth: "store",
    params: StoreOnly,
    body: RedemptionBody,
    idempotency: "required",
    success: {
      status: 201,
      description: "The redeemed voucher",
      schema: z
        .object({
          redemptionId: z.string(),
          voucher: VoucherRedeemed,
          pointsSpent: z.number().int(),
          member: MemberSummary,
        })
        .meta({ id: "RedemptionResult" }),
    },
    errors: [409],
  }),
  createPartner: operation({
    operationId: "createPartner",
    fn: "partners",
    method: "POST",
    path: "/v1/programs/{programId}/partners",
    tag: "Partners",
    summary: "Add a partner merchant that may credit points",
    description: "The answer holds the partner's API key, shown once; only its hash is stored.",
    auth: "merchant",
    params: ProgramParams,
    body: PartnerBody,
    success: {
      status: 201,
      description: "The partner, with its key",
      schema: Partner.extend({
        apiKey: z.string().meta({ description: "The partner's API key for accruals. Shown this once." }),
      }).meta({ id: "PartnerCreated" }),
    },
  }),
  recordAccrual: operation({
    operationId: "recordAccrual",
    fn: "partners",
    method: "POST",
    path: "/v1/partners/{partnerId}/accruals",
    tag: "Partner API",
    summary: "Credit partner points to a member",
    description:
      "Capped per member per day (all partners together) by the program's rules.partners.dailyCapPointsPerMember; over the cap is a 422 daily_cap_exceeded with the points left today.",
    auth: "partner",
    params: PartnerOnly,
    body: AccrualBody,
    idempotency: "required",
    success: {
      status: 201,
      description: "The credited points",
      schema: z
        .object({
          accrualId: z.string(),
          reference: z.string(),
          pointsCredited: z.number().int(),
          member: MemberSummary,
        })
        .meta({ id: "AccrualResult" }),
    },
    errors: [409],
  }),
} as const;
