import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";
import { haversineKm, LYON, PARIS } from "../support/geo.js";
import { useOfferDelivery } from "../support/offers.js";
import { openPass } from "../support/pkpass.js";

/**
 * Near the store, from the outside: a program with 200 stores in two cities, members who shop in one
 * of them, their passes downloaded as an iPhone does, and an offer sent to a purchase-history segment
 * through the merchant API, fanned out by the offer worker reading the table's stream.
 */

const { call, table, url } = useApi();
const delivery = useOfferDelivery(table);

interface TestStore {
  storeId: string;
  apiKey: string;
  latitude: number;
  longitude: number;
  city: "Paris" | "Lyon";
}

let programId: string;
const stores: TestStore[] = [];

/** A 10 × 10 grid of stores about 1 km apart around a city centre. */
const openCity = async (city: TestStore["city"], centre: typeof PARIS) => {
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 10; j++) {
      const place = {
        latitude: Number((centre.latitude + (i - 4.5) * 0.009).toFixed(5)),
        longitude: Number((centre.longitude + (j - 4.5) * 0.013).toFixed(5)),
      };
      const response = await call("POST", `/v1/programs/${programId}/stores`, {
        body: { name: `${city} ${i}-${j}`, ...place },
      });
      if (response.status !== 201) throw new Error(`store: ${response.status} ${response.text}`);
      stores.push({ storeId: response.body.storeId, apiKey: response.body.apiKey, city, ...place });
    }
  }
};

const enroll = async (firstName: string) => {
  const response = await call("POST", `/v1/programs/${programId}/members`, {
    body: { email: `${randomUUID()}@example.com`, firstName, sendEmail: false },
  });
  if (response.status !== 201) throw new Error(`enroll: ${response.status} ${response.text}`);
  return response.body as { memberId: string; cardUrl: string };
};

const buyAt = async (store: TestStore, memberId: string, amountCents = 1_000, occurredAt?: string) => {
  const response = await call("POST", `/v1/stores/${store.storeId}/purchases`, {
    key: store.apiKey,
    headers: { "idempotency-key": randomUUID() },
    body: { member: memberId, amountCents, currency: "EUR", ...(occurredAt ? { occurredAt } : {}) },
  });
  if (response.status !== 201) throw new Error(`purchase: ${response.status} ${response.text}`);
};

/** The pass an iPhone downloads from the member's card link. */
const passOf = async (cardUrl: string) => {
  const response = await fetch(
    cardUrl.startsWith("http") ? `${cardUrl}/pass.pkpass` : `${url()}${cardUrl}/pass.pkpass`,
  );
  expect(response.status).toBe(200);
  return openPass(Buffer.from(await response.arrayBuffer())).pass;
};

const memberOf = async (memberId: string) => {
  const response = await call("GET", `/v1/programs/${programId}/members/${memberId}`);
  expect(response.status).toBe(200);
  return response.body;
};

const storeAt = (location: { latitude: number; longitude: number }) =>
  stores.find((s) => s.latitude === location.latitude && s.longitude === location.longitude);

beforeAll(async () => {
  const program = await call("POST", "/v1/programs", {
    body: {
      name: "Two cities",
      organizationName: "Boulangeries",
      rules: {
        rewards: {
          catalogue: [
            {
              rewardId: "croissant",
              title: "A croissant",
              pointsCost: 150,
              voucher: { kind: "gift", description: "Any croissant" },
            },
          ],
        },
      },
    },
  });
  if (program.status !== 201) throw new Error(`program: ${program.status} ${program.text}`);
  programId = program.body.programId;
  await openCity("Paris", PARIS);
  await openCity("Lyon", LYON);
}, 120_000);

describe("the stores on a member's card", () => {
  it("carries the three Lyon stores a member shops at and the seven nearest to them, none in Paris", async () => {
    // Prepare: a member who shops at three stores of Lyon
    const member = await enroll("Camille");
    const lyon = stores.filter((s) => s.city === "Lyon");
    const shopped = [lyon[11], lyon[45], lyon[78]] as TestStore[];
    for (const store of shopped) await buyAt(store, member.memberId);

    // Act
    const pass = await passOf(member.cardUrl);

    // Assess: 10 locations, the three first, the rest within 20 km of them, none in Paris
    const carried = (pass.locations as { latitude: number; longitude: number }[]).map(storeAt);
    expect(carried).toHaveLength(10);
    expect(carried.every((s) => s !== undefined)).toBe(true);
    expect(new Set(carried.map((s) => s?.storeId)).size).toBe(10);
    expect(
      carried
        .slice(0, 3)
        .map((s) => s?.storeId)
        .sort(),
    ).toEqual(shopped.map((s) => s.storeId).sort());
    for (const store of carried.slice(3)) {
      expect(Math.min(...shopped.map((s) => haversineKm(s, store as TestStore)))).toBeLessThan(20);
    }
    expect(carried.filter((s) => s?.city === "Paris")).toEqual([]);
    // Each location greets the member by name with the balance and the next reward
    expect(pass.locations[0].relevantText).toContain("Camille");
    expect(pass.locations[0].relevantText).toContain("30");
    expect(pass.maxDistance).toBeLessThanOrEqual(200);
    // The merchant sees the same choice on the member
    const view = await memberOf(member.memberId);
    expect(view.stores.onCard).toEqual(carried.map((s) => s?.storeId));
  });

  it("moves the card's stores to Paris when the member starts shopping there", async () => {
    // Prepare: a member of Lyon
    const member = await enroll("Noé");
    const lyon = stores.filter((s) => s.city === "Lyon");
    const paris = stores.filter((s) => s.city === "Paris");
    await buyAt(lyon[0] as TestStore, member.memberId);
    const before = await memberOf(member.memberId);

    // Act: they shop in Paris, again and again
    for (const store of [paris[5], paris[6], paris[5], paris[6]] as TestStore[]) {
      await buyAt(store, member.memberId);
    }

    // Assess: Paris first; the Lyon store they visited once stays (it is theirs), most of the rest is Parisian
    const pass = await passOf(member.cardUrl);
    const carried = (pass.locations as { latitude: number; longitude: number }[]).map(storeAt);
    expect(before.stores.onCard.every((id: string) => lyon.some((s) => s.storeId === id))).toBe(true);
    expect(carried.slice(0, 2).map((s) => s?.city)).toEqual(["Paris", "Paris"]);
    expect(carried.map((s) => s?.storeId)).toContain((lyon[0] as TestStore).storeId);
    const inParis = carried.filter((s) => s?.city === "Paris").length;
    expect(inParis).toBeGreaterThan(carried.length - inParis);
  });
});

describe("an offer to members who bought in the last 60 days", () => {
  it("reaches exactly the members who did, on their card and in their GET, and a later buyer on their next purchase", async () => {
    // Prepare: two buyers (one 20 days ago), one member who never bought
    const lyon = stores.filter((s) => s.city === "Lyon");
    const recent = await enroll("Ana");
    const earlier = await enroll("Ben");
    const never = await enroll("Chloé");
    await buyAt(lyon[3] as TestStore, recent.memberId);
    await buyAt(
      lyon[4] as TestStore,
      earlier.memberId,
      800,
      new Date(Date.now() - 20 * 86_400_000).toISOString(),
    );
    const target = { kind: "purchasedWithinDays", days: 60 };
    const counted = await call("POST", `/v1/programs/${programId}/offers/audience`, { body: { target } });

    // Act
    const created = await call("POST", `/v1/programs/${programId}/offers`, {
      headers: { "idempotency-key": randomUUID() },
      body: {
        title: "Galette week",
        description: "A free galette slice with any bread.",
        storeIds: [(lyon[3] as TestStore).storeId],
        target,
      },
    });
    await delivery.drained();

    // Assess: counted before sending, and sent to exactly the buyers of this test and the two before
    expect(created.status).toBe(201);
    expect(counted.body.matched).toBe(created.body.matched);
    const offerId = created.body.offerId as string;
    const offer = await call("GET", `/v1/programs/${programId}/offers/${offerId}`);
    expect(offer.body.delivery.state).toBe("sent");
    expect(offer.body.delivery.matched).toBe(created.body.matched);
    const has = async (memberId: string) =>
      ((await memberOf(memberId)).offers as { offerId: string }[]).some((o) => o.offerId === offerId);
    expect(await has(recent.memberId)).toBe(true);
    expect(await has(earlier.memberId)).toBe(true);
    expect(await has(never.memberId)).toBe(false);
    const pass = await passOf(recent.cardUrl);
    const back = (pass.storeCard.backFields as { key: string; value: string }[]).find(
      (f) => f.key === "offers",
    );
    expect(back?.value).toContain("Galette week");
    const atTheStore = (
      pass.locations as { latitude: number; longitude: number; relevantText: string }[]
    ).find((l) => storeAt(l)?.storeId === (lyon[3] as TestStore).storeId);
    expect(atTheStore?.relevantText).toContain("Galette week");
    expect(
      ((await passOf(never.cardUrl)).storeCard.backFields as { key: string; value: string }[]).find(
        (f) => f.key === "offers",
      )?.value,
    ).not.toContain("Galette week");

    // Act again: the member who never bought buys now
    await buyAt(lyon[7] as TestStore, never.memberId);

    // Assess: they joined the segment, and got the offer with that card update
    expect(await has(never.memberId)).toBe(true);
  });
});

describe("a new card before any purchase", () => {
  const firstLocations = async (cardUrl: string) =>
    ((await passOf(cardUrl)).locations as { latitude: number; longitude: number }[]).map(storeAt);

  it("starts with the store the member enrolled at and the stores nearest to it", async () => {
    // Prepare
    const lyon = stores.filter((s) => s.city === "Lyon");
    const home = lyon[55] as TestStore;

    // Act
    const response = await call("POST", `/v1/programs/${programId}/members`, {
      body: { email: `${randomUUID()}@example.com`, storeId: home.storeId, sendEmail: false },
    });

    // Assess
    expect(response.status).toBe(201);
    const carried = await firstLocations(response.body.cardUrl);
    expect(carried[0]?.storeId).toBe(home.storeId);
    expect(carried).toHaveLength(10);
    for (const store of carried) expect(haversineKm(home, store as TestStore)).toBeLessThan(3);
  });

  it("refuses a staff enrollment at a store the program does not have, and enrolls no one", async () => {
    // Prepare
    const email = `${randomUUID()}@example.com`;

    // Act
    const response = await call("POST", `/v1/programs/${programId}/members`, {
      body: { email, storeId: "sto_0000000000000000", sendEmail: false },
    });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe("unknown_store");
    const found = await call("GET", `/v1/programs/${programId}/members?email=${encodeURIComponent(email)}`);
    expect(found.status).toBe(404);
  });

  it("starts from the store of the sign-up's postcode, or of the store a printed QR code names", async () => {
    // Prepare: a Paris store with a postcode, and the join link of a Lyon store's QR code
    const paris = stores.find((s) => s.city === "Paris") as TestStore;
    const lyonStore = stores.filter((s) => s.city === "Lyon")[20] as TestStore;
    const patched = await call("PATCH", `/v1/programs/${programId}/stores/${paris.storeId}`, {
      body: { postcode: "75011" },
    });
    expect(patched.status).toBe(200);
    const joinPage = await fetch(`${url()}/join/${programId}?store=${lyonStore.storeId}`);
    const signUp = async (extra: Record<string, unknown>) => {
      const email = `${randomUUID()}@example.com`;
      const answer = await call("POST", `/v1/programs/${programId}/enrollments`, {
        key: null,
        body: { firstName: "Dana", email, consent: true, ...extra },
      });
      expect(answer.status).toBe(202);
      const found = await call("GET", `/v1/programs/${programId}/members?email=${encodeURIComponent(email)}`);
      return found.body as { cardUrl: string };
    };

    // Act
    const byPostcode = await signUp({ postcode: "75 011" });
    const byQrCode = await signUp({ storeId: lyonStore.storeId });
    const byUnknownStore = await signUp({ storeId: "sto_0000000000000000" });

    // Assess
    expect(await joinPage.text()).toContain(`name="store" value="${lyonStore.storeId}"`);
    expect((await firstLocations(byPostcode.cardUrl))[0]?.storeId).toBe(paris.storeId);
    expect((await firstLocations(byQrCode.cardUrl))[0]?.storeId).toBe(lyonStore.storeId);
    expect(await firstLocations(byUnknownStore.cardUrl)).toHaveLength(10);
  });
});
