import { describe, expect, it } from "vitest";
import { useApi } from "../support/api.js";

const { call } = useApi();

const newProgram = async () => {
  const response = await call("POST", "/v1/programs", {
    body: { name: "Stores test", organizationName: "Shop" },
  });
  return response.body as { programId: string; merchantKey: string };
};

const bastille = {
  name: "Lumière Bastille",
  latitude: 48.8532,
  longitude: 2.3691,
  address: "12 rue de la Roquette",
  relevantText: "Your coffee is waiting!",
};

describe("merchant API: stores", () => {
  it("adds a store and shows its API key once, storing only a hash", async () => {
    // Prepare
    const program = await newProgram();

    // Act
    const created = await call("POST", `/v1/programs/${program.programId}/stores`, { body: bastille });
    const read = await call("GET", `/v1/programs/${program.programId}/stores/${created.body.storeId}`);

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...bastille, programId: program.programId });
    expect(created.body.storeId).toMatch(/^sto_[0-9a-z]{16}$/);
    expect(created.body.apiKey).toMatch(new RegExp(`^sk\\.${created.body.storeId}\\.[A-Za-z0-9_-]{43}$`));
    expect(created.body.apiKey.startsWith(created.body.apiKeyPrefix)).toBe(true);
    expect(read.status).toBe(200);
    expect(read.body.apiKey).toBeUndefined();
    expect(JSON.stringify(read.body)).not.toContain(created.body.apiKey.split(".")[2]);
  });

  it("lets the program's merchant key add and list its stores", async () => {
    // Prepare
    const program = await newProgram();
    const key = program.merchantKey;

    // Act
    const a = await call("POST", `/v1/programs/${program.programId}/stores`, {
      key,
      body: { ...bastille, name: "A" },
    });
    const b = await call("POST", `/v1/programs/${program.programId}/stores`, {
      key,
      body: { ...bastille, name: "B" },
    });
    const first = await call("GET", `/v1/programs/${program.programId}/stores?limit=1`, { key });
    const second = await call(
      "GET",
      `/v1/programs/${program.programId}/stores?limit=1&cursor=${first.body.nextCursor}`,
      { key },
    );

    // Assess
    expect([a.status, b.status]).toEqual([201, 201]);
    const names = [...first.body.items, ...second.body.items].map((s: { name: string }) => s.name).sort();
    expect(names).toEqual(["A", "B"]);
  });

  it("keeps each program's stores apart, even with a cursor from another program", async () => {
    // Prepare
    const one = await newProgram();
    const two = await newProgram();
    const store = await call("POST", `/v1/programs/${one.programId}/stores`, { body: bastille });
    await call("POST", `/v1/programs/${one.programId}/stores`, { body: bastille });
    const page = await call("GET", `/v1/programs/${one.programId}/stores?limit=1`);

    // Act
    const viaOtherProgram = await call("GET", `/v1/programs/${two.programId}/stores/${store.body.storeId}`);
    const foreignCursor = await call(
      "GET",
      `/v1/programs/${two.programId}/stores?cursor=${page.body.nextCursor}`,
    );
    const listTwo = await call("GET", `/v1/programs/${two.programId}/stores`);

    // Assess
    expect(viaOtherProgram.status).toBe(404);
    expect(viaOtherProgram.body.error.code).toBe("store_not_found");
    expect(foreignCursor.status).toBe(400);
    expect(foreignCursor.body.error.code).toBe("invalid_cursor");
    expect(listTwo.body.items).toEqual([]);
  });

  it("rejects a cursor in the program's own partition that is not a store position", async () => {
    // Prepare
    const program = await newProgram();
    const onProgramItem = Buffer.from(
      JSON.stringify({ PK: `PROGRAM#${program.programId}`, SK: "PROGRAM" }),
    ).toString("base64url");

    // Act
    const listing = await call("GET", `/v1/programs/${program.programId}/stores?cursor=${onProgramItem}`);

    // Assess
    expect(listing.status).toBe(400);
    expect(listing.body.error.code).toBe("invalid_cursor");
  });

  it("answers 404 for stores of a program that does not exist, and writes nothing", async () => {
    // Act
    const create = await call("POST", "/v1/programs/prg_0000000000000000/stores", { body: bastille });
    const list = await call("GET", "/v1/programs/prg_0000000000000000/stores");

    // Assess
    expect(create.status).toBe(404);
    expect(create.body.error.code).toBe("program_not_found");
    expect(list.status).toBe(404);
  });
});
