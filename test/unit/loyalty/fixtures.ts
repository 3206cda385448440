import { ProgramInput } from "../../../functions/api/schemas.js";
import { DomainError } from "../../../functions/domain/errors.js";
import { type Ctx, enroll, type PurchaseInput } from "../../../functions/domain/loyalty/engine.js";
import type { Member } from "../../../functions/domain/loyalty/member.js";
import { newProgram } from "../../../functions/domain/program.js";
import { Rules, type RulesInput } from "../../../functions/domain/rules.js";

/** A program's rules as the engine sees them, in Paris time, counting in euros. */
export const programWith = (rules: RulesInput = {}) => ({
  programId: "prg_00000000000000pp",
  rules: Rules.parse(rules),
  timeZone: "Europe/Paris",
  currency: "EUR",
});

/** A clock and deterministic voucher ids for the engine. */
export const ctxAt = (program: ReturnType<typeof programWith>, now: string | Date): Ctx => {
  let n = 0;
  return {
    program,
    now: new Date(now),
    ids: { voucher: () => `vch_${String(++n).padStart(16, "0")}` },
  };
};

let members = 0;
export const newMember = (program: ReturnType<typeof programWith>, at: string, referredBy?: string): Member =>
  enroll(
    {
      memberId: `mbr_${String(++members).padStart(16, "0")}`,
      cardCode: "4539148803436467",
      referralCode: "ABCDEFGH",
      ...(referredBy ? { referredBy } : {}),
    },
    program,
    new Date(at),
  );

export const spend = (
  amountCents: number,
  at: string,
  extra: Partial<PurchaseInput> = {},
): PurchaseInput => ({
  amountCents,
  currency: "EUR",
  channel: "in_store",
  items: [],
  occurredAt: new Date(at),
  paidWithMemberCard: false,
  ...extra,
});

export const coffees = (quantity: number, unitCents = 300) => [
  { name: "Coffee", category: "coffee", quantity, unitCents },
];

export const ids = (n: number) => ({
  transactionId: `txn_${String(n).padStart(16, "0")}`,
  storeId: "sto_0000000000000001",
});

/** The code of the DomainError a call throws, or "no error". */
export const errorCode = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return "no error";
};

/** A catalogue of two rewards, a cake at 50 points and 5 EUR off at 200 (the cards' next-reward tests). */
export const twoRewards = {
  rewards: {
    catalogue: [
      { rewardId: "cake", title: "Cake", pointsCost: 50, voucher: { kind: "gift", description: "Cake" } },
      {
        rewardId: "five",
        title: "5 EUR off",
        pointsCost: 200,
        voucher: { kind: "amount", valueCents: 500 },
      },
    ],
  },
} as const;

/** The cards' tests' program: Café Lumière's "Lumière", in Paris time, created at `at`, with `input` over it. */
export const lumiereProgram = (input: Record<string, unknown> = {}, at = new Date("2026-06-15T10:00:00Z")) =>
  newProgram(
    ProgramInput.parse({
      name: "Lumière",
      organizationName: "Café Lumière",
      timeZone: "Europe/Paris",
      ...input,
    }),
    "prg_00000000000000pp",
    at,
  );
