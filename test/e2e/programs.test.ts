import { describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";

const { call } = useApi();

const createProgram = async (body: Record<string, unknown> = {}) => {
  const response = await call("POST", "/v1/programs", {
    body: { name: "Café Lumière Rewards", organizationName: "Café Lumière", ...body },
  });
  expect(response.status).toBe(201);
  return response.body;
};

describe("merchant API: programs", () => {
  it("creates a program that earns 1 point per euro and hands out its merchant key once", async () => {
    // Act
    const created = await call("POST", "/v1/programs", {
      body: { name: "Café Lumière Rewards", organizationName: "Café Lumière", locale: "fr-FR" },
    });
    const read = await call("GET", `/v1/programs/${created.body.programId}`);

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toMatch(/^application\/json/);
    expect(created.body.programId).toMatch(/^prg_[0-9a-z]{16}$/);
    expect(created.body.merchantKey).toMatch(new RegExp(`^mk\\.${created.body.programId}\\.`));
    expect(created.body.rules.earn.pointsPerEuro).toBe(1);
    expect(read.status).toBe(200);
    expect(read.body.merchantKey).toBeUndefined();
    expect(read.body.merchantKeyHash).toBeUndefined();
    expect(read.body).toEqual({ ...created.body, merchantKey: undefined });
  });

  it("changes branding and rules with PATCH, replacing each given document whole", async () => {
    // Prepare
    const program = await createProgram({ rules: { earn: { pointsPerEuro: 3 } } });

    // Act
    const patched = await call("PATCH", `/v1/programs/${program.programId}`, {
      body: {
        branding: { backgroundColor: "#112233", logoText: "Lumière" },
        rules: {
          earn: { pointsPerEuro: 1, bands: [{ aboveCents: 500, pointsPerEuro: 2 }] },
          expiry: { months: 12 },
        },
      },
    });
    const read = await call("GET", `/v1/programs/${program.programId}`);

    // Assess
    expect(patched.status).toBe(200);
    expect(patched.body.version).toBe(2);
    expect(read.body.branding).toMatchObject({ backgroundColor: "#112233", logoText: "Lumière" });
    expect(read.body.rules.earn).toEqual({
      pointsPerEuro: 1,
      minimumBasketCents: 0,
      rounding: "floor",
      bands: [{ aboveCents: 500, pointsPerEuro: 2 }],
    });
    expect(read.body.rules.expiry.months).toBe(12);
    expect(read.body.name).toBe(program.name);
  });

  it("applies concurrent PATCHes one after the other, losing none", async () => {
    // Prepare
    const program = await createProgram();

    // Act
    const results = await Promise.all([
      call("PATCH", `/v1/programs/${program.programId}`, { body: { name: "New name" } }),
      call("PATCH", `/v1/programs/${program.programId}`, { body: { locale: "de-DE" } }),
      call("PATCH", `/v1/programs/${program.programId}`, { body: { currency: "CHF" } }),
    ]);
    const read = await call("GET", `/v1/programs/${program.programId}`);

    // Assess
    for (const r of results) expect([200, 409]).toContain(r.status);
    const applied = results.filter((r) => r.status === 200).length;
    expect(read.body.version).toBe(1 + applied);
    expect(applied).toBeGreaterThanOrEqual(2);
  });

  it("lists programs newest first, page by page, with an opaque cursor", async () => {
    // Prepare
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await createProgram({ name: `Paged ${i}` }));

    // Act
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await call("GET", `/v1/programs?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.nextCursor;
    } while (cursor && pages.length < 100);

    // Assess
    const ids = pages.flatMap((p) => p.items.map((i: { programId: string }) => i.programId));
    expect(new Set(ids).size).toBe(ids.length);
    const positions = created.map((p) => ids.indexOf(p.programId));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    expect(pages[0].items.length).toBe(2);
  });

  it("lets a merchant key manage its own program and see nothing of another", async () => {
    // Prepare
    const mine = await createProgram({ name: "Mine" });
    const theirs = await createProgram({ name: "Theirs" });
    const key = mine.merchantKey;

    // Act
    const own = await call("GET", `/v1/programs/${mine.programId}`, { key });
    const patchOwn = await call("PATCH", `/v1/programs/${mine.programId}`, {
      key,
      body: { name: "Mine, renamed" },
    });
    const other = await call("GET", `/v1/programs/${theirs.programId}`, { key });
    const patchOther = await call("PATCH", `/v1/programs/${theirs.programId}`, {
      key,
      body: { name: "Hijacked" },
    });
    const storeOther = await call("POST", `/v1/programs/${theirs.programId}/stores`, {
      key,
      body: { name: "Rogue", latitude: 0, longitude: 0 },
    });
    const listed = await call("GET", "/v1/programs", { key });
    const createAnother = await call("POST", "/v1/programs", {
      key,
      body: { name: "x", organizationName: "y" },
    });
    const theirsAfter = await call("GET", `/v1/programs/${theirs.programId}`);

    // Assess
    expect(own.status).toBe(200);
    expect(patchOwn.status).toBe(200);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe("program_not_found");
    expect(patchOther.status).toBe(404);
    expect(storeOther.status).toBe(404);
    expect(listed.body.items.map((p: { programId: string }) => p.programId)).toEqual([mine.programId]);
    expect(createAnother.status).toBe(403);
    expect(createAnother.body.error.code).toBe("forbidden");
    expect(theirsAfter.body.name).toBe("Theirs");
    expect(theirsAfter.body.version).toBe(1);
  });

  it("does not accept a merchant key whose secret was altered", async () => {
    // Prepare
    const program = await createProgram();
    const parts = program.merchantKey.split(".");
    const forged = `${parts[0]}.${parts[1]}.${"A".repeat(43)}`;

    // Act
    const response = await call("GET", `/v1/programs/${program.programId}`, { key: forged });

    // Assess
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("invalid_credentials");
  });
});
