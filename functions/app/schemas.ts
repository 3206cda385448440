import { z } from "zod";
import { LineItem } from "../domain/loyalty/member.js";
import { Cents, Currency, Points } from "../domain/money.js";
import { ID_PATTERN } from "../shared/ids.js";

/** Request bodies of the member, store and partner APIs (design.md, "HTTP contract"). */

const MemberRef = z.string().trim().min(1).max(64).meta({
  description: "The card's barcode value (16 digits; spaces and dashes ignored) or the memberId",
  example: "4539 1488 0343 6467",
});

const Name = z.string().trim().min(1).max(64);
const Reference = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
  .meta({ description: "The partner's own reference for this accrual", example: "order-2026-000123" });

const PastDay = z.iso
  .date()
  .refine((d) => d <= new Date().toISOString().slice(0, 10), "must not be in the future");

export const EnrollmentBody = z
  .strictObject({
    email: z.email().max(254).meta({ example: "camille@example.com" }),
    firstName: Name.optional(),
    lastName: Name.optional(),
    birthDate: PastDay.optional().meta({ description: "YYYY-MM-DD; used for birthday offers" }),
    locale: z.string().min(2).max(35).optional(),
    referralCode: z.string().trim().min(1).max(20).optional().meta({ description: "Another member's code" }),
    marketingConsent: z.boolean().default(false),
  })
  .meta({ id: "EnrollmentInput" });
export type EnrollmentBody = z.output<typeof EnrollmentBody>;

export const PurchaseBody = z
  .strictObject({
    member: MemberRef,
    amountCents: Cents.max(100_000_000).meta({
      description: "What the customer paid, in cents",
      example: 1250,
    }),
    currency: Currency,
    channel: z.enum(["in_store", "online"]).default("in_store"),
    items: z.array(LineItem).max(100).default([]).meta({ description: "Line items (at most 100)" }),
    occurredAt: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: "When the purchase happened (default: now); at most 30 days ago" }),
    paidWithMemberCard: z.boolean().default(false),
  })
  .meta({ id: "PurchaseInput" });
export type PurchaseBody = z.output<typeof PurchaseBody>;

const TransactionId = z.string().regex(ID_PATTERN).meta({ example: "txn_0m3q7w1z8c5g2k9x" });

export const RefundBody = z
  .strictObject({
    transactionId: TransactionId.meta({ description: "The purchase to refund" }),
    amountCents: Cents.min(1).max(100_000_000),
  })
  .meta({ id: "RefundInput" });
export type RefundBody = z.output<typeof RefundBody>;

export const RedemptionBody = z
  .strictObject({
    member: MemberRef,
    voucherId: z.string().min(1).max(64).optional(),
    rewardId: z.string().min(1).max(40).optional(),
  })
  .refine((b) => (b.voucherId === undefined) !== (b.rewardId === undefined), {
    message: "give exactly one of voucherId or rewardId",
  })
  .meta({ id: "RedemptionInput" });
export type RedemptionBody = z.output<typeof RedemptionBody>;

export const PartnerBody = z
  .strictObject({
    name: Name.meta({ example: "Cinéma du Parc" }),
    pointsPerEuro: z.number().positive().max(1000).multipleOf(0.01).default(1).meta({
      description: "Rate for accruals given as an amount",
    }),
  })
  .meta({ id: "PartnerInput" });
export type PartnerBody = z.output<typeof PartnerBody>;

export const AccrualBody = z
  .strictObject({
    member: MemberRef,
    points: Points.min(1).max(1_000_000).optional(),
    amountCents: Cents.min(1).max(100_000_000).optional(),
    reference: Reference,
  })
  .refine((b) => (b.points === undefined) !== (b.amountCents === undefined), {
    message: "give exactly one of points or amountCents",
  })
  .meta({ id: "AccrualInput" });
export type AccrualBody = z.output<typeof AccrualBody>;

export const TransferBody = z
  .strictObject({
    toMemberId: z.string().regex(ID_PATTERN, "a memberId").meta({ example: "mbr_8c1z7w3q0m9x2k5g" }),
    points: Points.min(1),
  })
  .meta({ id: "TransferInput" });
export type TransferBody = z.output<typeof TransferBody>;
