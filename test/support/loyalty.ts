import { randomUUID } from "node:crypto";
import type { ApiResponse, CallOptions } from "./api.js";

type Call = <T = any>(method: string, path: string, options?: CallOptions) => Promise<ApiResponse<T>>;

/** A rules document exercising every mechanic: stamps, rewards, tiers, campaigns, partners, transfers, referral. */
export const richRules = {
  earn: { pointsPerEuro: 1, bands: [{ aboveCents: 500, pointsPerEuro: 2 }] },
  stamps: { cards: [{ category: "coffee", stampsRequired: 3, rewardTitle: "A free coffee" }] },
  rewards: {
    catalogue: [
      {
        rewardId: "cake",
        title: "A slice of cake",
        pointsCost: 50,
        voucher: { kind: "gift", description: "Any cake" },
      },
      {
        rewardId: "five-euros",
        title: "5 € off",
        pointsCost: 200,
        voucher: { kind: "amount", valueCents: 500 },
      },
    ],
  },
  tiers: { levels: [{ tierId: "gold", name: "Gold", entrySpendCents: 10_000, multiplier: 1.5 }] },
  partners: { dailyCapPointsPerMember: 100 },
  transfers: { enabled: true },
  referral: { enabled: true, referrerPoints: 20, refereePoints: 10 },
  expiry: { months: 12 },
};

export interface Shop {
  programId: string;
  merchantKey: string;
  storeId: string;
  storeKey: string;
}

/** A program with one store, through the merchant API. */
export const openShop = async (
  call: Call,
  rules: unknown = richRules,
  name = "Loyalty test",
): Promise<Shop> => {
  const program = await call("POST", "/v1/programs", { body: { name, organizationName: "Café", rules } });
  if (program.status !== 201) throw new Error(`program: ${program.status} ${program.text}`);
  const store = await call("POST", `/v1/programs/${program.body.programId}/stores`, {
    body: { name: "Main street", latitude: 48.85, longitude: 2.35 },
  });
  if (store.status !== 201) throw new Error(`store: ${store.status} ${store.text}`);
  return {
    programId: program.body.programId,
    merchantKey: program.body.merchantKey,
    storeId: store.body.storeId,
    storeKey: store.body.apiKey,
  };
};

export const enrollMember = async (call: Call, shop: Shop, body: Record<string, unknown> = {}) => {
  const response = await call("POST", `/v1/programs/${shop.programId}/members`, {
    body: { email: `${randomUUID()}@example.com`, firstName: "Camille", ...body },
  });
  if (response.status !== 201) throw new Error(`enroll: ${response.status} ${response.text}`);
  return response.body as { memberId: string; cardCode: string; referralCode: string };
};

/** A store API call as a till makes it: the store key and an Idempotency-Key (a fresh one unless given). */
export const tillCall = (
  call: Call,
  shop: Shop,
  what: "purchases" | "refunds" | "redemptions",
  body: unknown,
  idempotencyKey: string | null = randomUUID(),
) =>
  call("POST", `/v1/stores/${shop.storeId}/${what}`, {
    key: shop.storeKey,
    body,
    headers: idempotencyKey === null ? {} : { "idempotency-key": idempotencyKey },
  });
