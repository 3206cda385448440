import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { allOperations } from "../../functions/api/operations.js";
import { useApi } from "../support/api.js";
import { enrollMember, openShop, type Shop } from "../support/loyalty.js";
import { allItems, TEST_ADMIN_KEY } from "../support/table.js";

/**
 * One fuzz test over the whole HTTP contract: for every operation of functions/api/operations.ts,
 * bad requests are derived from what the operation declares (its auth, Idempotency-Key, path
 * parameters, query and body schemas) and sent to the real handlers over HTTP with valid
 * credentials, so that each one reaches the check it is made for. Every one must be answered with
 * the 4xx its mistake calls for, as `{"error":{"code","message"}}` with a code docs/api.md
 * documents, and must leave the table exactly as it was. Deterministic (fixed fast-check seeds) and
 * bounded (a few values per field).
 */

const { call, table } = useApi();

/** What this test reads of an operation; nothing else of its definition is assumed. */
interface Operation {
  operationId: string;
  method: string;
  path: string;
  auth: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  idempotency?: "required" | "optional";
  /** Takes HTML form posts too (http/operation.ts FormSpec). */
  form?: unknown;
}
const operations = allOperations as readonly Operation[];
/** The card link takes any token and ignores its query: there is nothing for this test to refuse. */
const TAKES_ANYTHING = new Set([
  "cardPage",
  "downloadPass",
  "googleSaveLink",
  // "My stores" reads any search (`q`) and `saved` as a page does; its form post is fuzzed like any body.
  "myStores",
  // The customer's pages: any program id gets a page (404 when unknown), any query is read leniently.
  "joinForm",
  "joinThanks",
  "cardLinkForm",
  "joinQr",
  "joinPoster",
]);

const SEED = 20261123;
/** Generated values per kind of mistake and field: the bound that keeps the test fast. */
const PER_FIELD = 3;
const MAX_BODY_BYTES = 64 * 1024;

/** The error codes docs/api.md documents (its "Errors" section). */
const documentedCodes = (() => {
  const api = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
  const start = api.indexOf("\n## Errors");
  const section = api.slice(start, api.indexOf("\n## ", start + 1));
  const codes = [...section.matchAll(/^\|[^|\n]*\|([^|\n]*)\|/gm)].flatMap((row) =>
    [...(row[1] ?? "").matchAll(/`([a-zA-Z_]+)`/g)].map((code) => code[1] ?? ""),
  );
  return new Set(codes);
})();

// ---------------------------------------------------------------------------------------------
// Reading a schema: zod gives the oracle (does it reject this?), JSON Schema the shape to mutate.

type JsonSchema = {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
};

interface Shape {
  properties: Record<string, JsonSchema>;
  required: string[];
  strict: boolean;
  resolve: (schema: JsonSchema) => JsonSchema;
}

const shapeOf = (schema: z.ZodType): Shape => {
  const root = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const resolve = (s: JsonSchema): JsonSchema => {
    const name = s.$ref?.replace("#/$defs/", "");
    return name && root.$defs?.[name] ? resolve(root.$defs[name]) : s;
  };
  const object = resolve(root);
  return {
    properties: object.properties ?? {},
    required: object.required ?? [],
    strict: object.additionalProperties === false,
    resolve,
  };
};

type JsonType = "string" | "number" | "boolean" | "null" | "array" | "object";

/** The JSON types a property takes; empty when the schema does not say (then any may be wrong). */
const typesOf = (s: JsonSchema, resolve: Shape["resolve"]): Set<JsonType> => {
  const r = resolve(s);
  const alternatives = r.anyOf ?? r.oneOf;
  if (alternatives) return new Set(alternatives.flatMap((a) => [...typesOf(a, resolve)]));
  const declared = r.type === undefined ? [] : Array.isArray(r.type) ? r.type : [r.type];
  return new Set(declared.map((t) => (t === "integer" ? "number" : t) as JsonType));
};

/** A stable seed per field, so that a new field does not change the values drawn for the others. */
const seedOf = (...names: string[]) =>
  [...names.join("/")].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, SEED);

const draw = <T>(arbitrary: fc.Arbitrary<T>, count: number, ...names: string[]): T[] =>
  fc.sample(arbitrary, { numRuns: count, seed: seedOf(...names) });

/** One value of each JSON type, drawn with a fixed seed. */
const valueOfType: Record<JsonType, fc.Arbitrary<unknown>> = {
  string: fc.string({ minLength: 1, maxLength: 12 }),
  number: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 1, maxLength: 3 }),
  object: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), {
    minKeys: 1,
    maxKeys: 3,
  }),
};

/** Strings of URL-safe characters that `schema` rejects (a pattern or a format they miss). */
const stringsRejectedBy = (accepts: (v: string) => boolean, count: number, ...names: string[]) =>
  draw(fc.stringMatching(/^[\w~-]{1,24}$/), 4 * count, ...names)
    .filter((v) => !accepts(v))
    .slice(0, count);

/** Values just outside the property's declared bounds, pattern, format or enum. */
const outOfBounds = (s: JsonSchema, ...names: string[]): unknown[] => {
  const values: unknown[] = [];
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (s.minimum !== undefined) values.push(s.minimum - 1);
  if (s.exclusiveMinimum !== undefined) values.push(s.exclusiveMinimum);
  if (s.maximum !== undefined) values.push(s.maximum + 1);
  if (s.exclusiveMaximum !== undefined) values.push(s.exclusiveMaximum);
  if (types.includes("integer")) values.push((s.minimum ?? 0) + 1.5);
  if (s.minLength !== undefined && s.minLength > 0) values.push("x".repeat(s.minLength - 1));
  if (s.maxLength !== undefined) values.push("x".repeat(s.maxLength + 1));
  if (s.minItems !== undefined && s.minItems > 0) values.push([]);
  if (s.maxItems !== undefined) values.push(Array.from({ length: s.maxItems + 1 }, () => null));
  if (s.enum !== undefined) values.push(`not-${String(s.enum[0])}`);
  if (s.pattern !== undefined || s.format !== undefined) {
    const pattern = s.pattern === undefined ? undefined : new RegExp(s.pattern);
    values.push(...stringsRejectedBy((v) => pattern?.test(v) ?? false, 1, ...names));
  }
  return values;
};

// ---------------------------------------------------------------------------------------------
// A request, and the mistakes made to it.

interface Attempt {
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string | Buffer;
}

interface Case {
  what: string;
  /** The (status, code) answers that are right for this mistake. */
  expected: [number, string][];
  make: (valid: Attempt) => Attempt;
}

const JSON_TYPE = { "content-type": "application/json" };

const withBody = (
  valid: Attempt,
  body: string | Buffer | undefined,
  headers: Record<string, string>,
): Attempt => {
  const { body: _, ...rest } = valid;
  const { "content-type": __, ...others } = valid.headers;
  return { ...rest, headers: { ...others, ...headers }, ...(body === undefined ? {} : { body }) };
};

const jsonBody = (valid: Attempt, value: unknown): Attempt =>
  withBody(valid, JSON.stringify(value), JSON_TYPE);

const validationOf = (schema: z.ZodType, value: unknown): [number, string][] => {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.some((i) => i.code === "unrecognized_keys")
    ? [[400, "unknown_field"]]
    : [[422, "validation_failed"]];
};

/** Strings that stress a parser, a database key or a log line. */
const UNICODE: [string, string][] = [
  ["emoji and a zero-width joiner", "👩‍👩‍👧‍👦 café"],
  ["right-to-left text", "\u202eطلب\u202c"],
  ["a NUL and control characters", "a\u0000b\u0007c\u001b[31m"],
  ["a lone surrogate", "x\ud800y"],
  ["combining marks", "Z̷̢͉̀a̵͎̓l̶̙̈́g̷̪̾o̸̟͐"],
  ["a long string of 10,000 characters", "é".repeat(10_000)],
];
const NESTED_FIELD_DEPTH = 200;
/** A value nested `depth` deep: objects in arrays in objects… */
const nested = (depth: number): unknown =>
  Array.from({ length: depth }).reduce<unknown>((inner, _, i) => (i % 2 ? [inner] : { a: inner }), 1);

/** The body: how it is sent, its top-level type, unknown fields, each field missing, wrong or out of bounds. */
const bodyCases = (op: Operation, schema: z.ZodType, base: Record<string, unknown>): Case[] => {
  const shape = shapeOf(schema);
  const raw = JSON.stringify(base);
  const cases: Case[] = [
    { what: "no body", expected: [[400, "missing_body"]], make: (v) => withBody(v, undefined, JSON_TYPE) },
    {
      what: "a body that is not JSON",
      expected: [[400, "malformed_json"]],
      make: (v) => withBody(v, raw.slice(0, -1), JSON_TYPE),
    },
    {
      what: "JSON sent as text/plain",
      expected: [[415, "unsupported_media_type"]],
      make: (v) => withBody(v, raw, { "content-type": "text/plain" }),
    },
    {
      what: "JSON sent without Content-Type",
      expected: [[415, "unsupported_media_type"]],
      make: (v) => withBody(v, Buffer.from(raw), {}),
    },
    // An operation that takes HTML form posts answers a wrong form with the form again (HTML, 422):
    // join.test.ts and customer-journey.test.ts check those; every other operation refuses forms.
    ...(op.form
      ? []
      : [
          {
            what: "a form body",
            expected: [[415, "unsupported_media_type"]] as [number, string][],
            make: (v: Attempt) => withBody(v, "a=1", { "content-type": "application/x-www-form-urlencoded" }),
          },
        ]),
    {
      what: "a body of arrays nested 20,000 deep",
      expected: [[422, "validation_failed"]],
      make: (v) => withBody(v, `${"[".repeat(20_000)}${"]".repeat(20_000)}`, JSON_TYPE),
    },
    {
      what: `a body over ${MAX_BODY_BYTES} bytes`,
      expected: [[413, "payload_too_large"]],
      make: (v) => withBody(v, JSON.stringify({ ...base, pad: "x".repeat(MAX_BODY_BYTES) }), JSON_TYPE),
    },
  ];
  const candidates: { what: string; value: unknown; only?: [number, string][] }[] = [];
  for (const value of [null, [], [base], 42, "text", true]) {
    candidates.push({ what: `the JSON ${JSON.stringify(value).slice(0, 20)} instead of an object`, value });
  }
  if (shape.strict) {
    const [name] = draw(fc.stringMatching(/^[a-z][A-Za-z]{2,11}$/), 20, op.operationId, "unknown").filter(
      (n) => !(n in shape.properties),
    );
    candidates.push({ what: `an unknown field '${name}'`, value: { ...base, [name ?? "x"]: 1 } });
  }
  for (const name of shape.required) {
    const { [name]: _, ...rest } = base;
    candidates.push({ what: `no ${name}`, value: rest, only: [[422, "validation_failed"]] });
  }
  for (const [name, property] of Object.entries(shape.properties)) {
    const types = typesOf(property, shape.resolve);
    for (const [type, arbitrary] of Object.entries(valueOfType)) {
      if (types.has(type as JsonType)) continue;
      const [value] = draw(arbitrary, 1, op.operationId, name, type);
      candidates.push({
        what: `${name}: ${/^[aeiou]/.test(type) ? "an" : "a"} ${type} (${JSON.stringify(value)?.slice(0, 30)})`,
        value: { ...base, [name]: value },
      });
    }
    for (const value of outOfBounds(shape.resolve(property), op.operationId, name).slice(0, 2 * PER_FIELD)) {
      const shown = JSON.stringify(value)?.slice(0, 30);
      candidates.push({
        what: `${name}: ${shown}`,
        value: { ...base, [name]: value },
        only: [[422, "validation_failed"]],
      });
    }
  }
  // Text no ASCII-minded parser expects, in every field: the schema decides whether it is a mistake.
  for (const name of Object.keys(shape.properties)) {
    for (const [kind, text] of UNICODE) {
      candidates.push({ what: `${name}: ${kind}`, value: { ...base, [name]: text } });
    }
    candidates.push({
      what: `${name}: nested ${NESTED_FIELD_DEPTH} deep`,
      value: { ...base, [name]: nested(NESTED_FIELD_DEPTH) },
    });
  }
  for (const { what, value, only } of candidates) {
    const expected = validationOf(schema, value);
    // A mutation the schema still accepts is no mistake: it is not sent (it could write).
    if (expected.length === 0) continue;
    cases.push({ what, expected: only ?? expected, make: (v) => jsonBody(v, value) });
  }
  return cases;
};

/** Each path parameter with a value its schema rejects: that thing is simply not found. */
const paramCases = (op: Operation, schema: z.ZodType, base: Record<string, string>): Case[] => {
  const shape = shapeOf(schema);
  const cases: Case[] = [];
  for (const [name, property] of Object.entries(shape.properties)) {
    const accepts = (v: string) => schema.safeParse({ ...base, [name]: v }).success;
    const values = [
      ...stringsRejectedBy(accepts, PER_FIELD, op.operationId, "params", name),
      ...(property.maxLength === undefined ? [] : ["x".repeat(property.maxLength + 1)]),
    ].filter((v) => !accepts(v));
    const thing = name.replace(/Id$/, "");
    for (const value of values) {
      cases.push({
        what: `the path parameter ${name}=${value.slice(0, 30)}`,
        expected: [[404, `${thing}_not_found`]],
        make: (v) => ({ ...v, params: { ...v.params, [name]: value } }),
      });
    }
  }
  return cases;
};

/** A query parameter the operation does not define, and each defined one with a value it rejects. */
const queryCases = (op: Operation, schema: z.ZodType | undefined, base: Record<string, string>): Case[] => {
  const shape = schema ? shapeOf(schema) : undefined;
  const cases: Case[] = [];
  if (!shape || shape.strict) {
    const [name] = draw(fc.stringMatching(/^[a-z][a-z_]{2,11}$/), 20, op.operationId, "query").filter(
      (n) => !(n in (shape?.properties ?? {})),
    );
    cases.push({
      what: `an unknown query parameter '${name}'`,
      expected: [[400, "unknown_parameter"]],
      make: (v) => ({ ...v, query: { ...v.query, [name ?? "x"]: "1" } }),
    });
  }
  if (!schema || !shape) return cases;
  for (const [name, property] of Object.entries(shape.properties)) {
    const accepts = (v: string) => schema.safeParse({ ...base, [name]: v }).success;
    const values = [
      ...outOfBounds(shape.resolve(property), op.operationId, "query", name).map(String),
      ...stringsRejectedBy(accepts, PER_FIELD, op.operationId, "query", name),
    ].filter((v) => !accepts(v));
    for (const value of [...new Set(values)].slice(0, 2 * PER_FIELD)) {
      cases.push({
        what: `the query parameter ${name}=${value.slice(0, 30)}`,
        expected: [[400, "invalid_parameter"]],
        make: (v) => ({ ...v, query: { ...v.query, [name]: value } }),
      });
    }
  }
  return cases;
};

/** The Idempotency-Key header, when the operation takes one. */
const idempotencyCases = (op: Operation): Case[] => {
  if (!op.idempotency) return [];
  const setKey = (key: string | undefined) => (v: Attempt) => {
    const { "idempotency-key": _, ...others } = v.headers;
    return { ...v, headers: key === undefined ? others : { ...others, "idempotency-key": key } };
  };
  const invalid: [string, string][] = [
    ["of 256 characters", "k".repeat(256)],
    ["with a tab", "key\twith-tab"],
    // fetch sends header values as Latin-1 bytes: an accented letter arrives as one byte over 0x7f
    ["with an accented letter", "clé-de-caisse-1"],
  ];
  return [
    ...(op.idempotency === "required"
      ? [
          {
            what: "no Idempotency-Key",
            expected: [[400, "missing_idempotency_key"]],
            make: setKey(undefined),
          } as Case,
        ]
      : []),
    ...invalid.map(
      ([what, key]): Case => ({
        what: `an Idempotency-Key ${what}`,
        expected: [[400, "invalid_idempotency_key"]],
        make: setKey(key),
      }),
    ),
  ];
};

// ---------------------------------------------------------------------------------------------
// The data the valid requests point at.

let shop: Shop;
let member: { memberId: string };
let partner: { partnerId: string; apiKey: string };
/** Keys of the shop that were rotated away (no grace): each is refused like a made-up one. */
let rotatedAway: Record<"merchant" | "store" | "partner", string>;
/** The keys of another store and partner of the program, both disabled by the merchant. */
let disabled: Record<"store" | "partner", string>;

beforeAll(async () => {
  const opened = await openShop(call, undefined, "Fuzz");
  member = await enrollMember(call, opened);
  const created = await call("POST", `/v1/programs/${opened.programId}/partners`, {
    body: { name: "Cinema" },
  });
  if (created.status !== 201) throw new Error(`partner: ${created.status} ${created.text}`);
  const rotate = async (path: string) => {
    const rotated = await call("POST", `${path}/key`, { body: {} });
    if (rotated.status !== 201) throw new Error(`rotation: ${rotated.status} ${rotated.text}`);
    return rotated.body.apiKey as string;
  };
  const program = `/v1/programs/${opened.programId}`;
  shop = {
    ...opened,
    merchantKey: await rotate(program),
    storeKey: await rotate(`${program}/stores/${opened.storeId}`),
  };
  partner = { ...created.body, apiKey: await rotate(`${program}/partners/${created.body.partnerId}`) };
  rotatedAway = { merchant: opened.merchantKey, store: opened.storeKey, partner: created.body.apiKey };
  const disabledKey = async (collection: "stores" | "partners", body: Record<string, unknown>) => {
    const made = await call("POST", `${program}/${collection}`, { body });
    const id = made.body.storeId ?? made.body.partnerId;
    const changed = await call("PATCH", `${program}/${collection}/${id}`, { body: { status: "disabled" } });
    if (changed.status !== 200) throw new Error(`disable: ${changed.status} ${changed.text}`);
    return made.body.apiKey as string;
  };
  disabled = {
    store: await disabledKey("stores", { name: "Closed", latitude: 48.8, longitude: 2.3 }),
    partner: await disabledKey("partners", { name: "Gone" }),
  };
});

const PASS_TOKEN = "fuzz-authentication-token-0123456789";

/** Each kind of credential, and which kinds an operation's `auth` takes. */
const credentials = () => ({
  admin: `Bearer ${TEST_ADMIN_KEY}`,
  merchant: `Bearer ${shop.merchantKey}`,
  store: `Bearer ${shop.storeKey}`,
  partner: `Bearer ${partner.apiKey}`,
});
type Credential = keyof ReturnType<typeof credentials>;
const accepted: Record<string, Credential[]> = {
  admin: ["admin"],
  merchant: ["admin", "merchant"],
  store: ["store"],
  partner: ["partner"],
};

const authorizationFor = (auth: string): Record<string, string> => {
  if (auth === "none") return {};
  if (auth === "applePass") return { authorization: `ApplePass ${PASS_TOKEN}` };
  return { authorization: credentials()[auth === "admin" ? "admin" : (auth as Credential)] };
};

/** No credentials, malformed ones, forged ones of the right kind, and real ones of the wrong kind. */
const authCases = (op: Operation): Case[] => {
  if (op.auth === "none") return [];
  const setAuthorization = (value: string | undefined) => (v: Attempt) => {
    const { authorization: _, ...others } = v.headers;
    return { ...v, headers: value === undefined ? others : { ...others, authorization: value } };
  };
  const cases: Case[] = [
    { what: "no Authorization", expected: [[401, "missing_credentials"]], make: setAuthorization(undefined) },
  ];
  const invalid = (what: string, value: string): Case => ({
    what,
    expected: [[401, "invalid_credentials"]],
    make: setAuthorization(value),
  });
  if (op.auth === "applePass") {
    return [
      ...cases,
      invalid("a token too short for a pass", "ApplePass short"),
      invalid("a Bearer key instead of the pass's token", credentials().admin),
    ];
  }
  const forged = `A${"B".repeat(42)}`;
  cases.push(
    invalid("Basic credentials", "Basic dXNlcjpwYXNz"),
    invalid("a made-up admin key", `Bearer made-up-admin-key-${forged}`),
  );
  if (op.auth === "merchant" || op.auth === "store" || op.auth === "partner")
    cases.push(invalid("a key rotated away", `Bearer ${rotatedAway[op.auth]}`));
  if (op.auth === "store" || op.auth === "partner") {
    cases.push({
      what: `the key of a disabled ${op.auth}`,
      expected: [[401, "key_disabled"]],
      make: setAuthorization(`Bearer ${disabled[op.auth]}`),
    });
  }
  if (op.auth === "merchant")
    cases.push(invalid("a made-up merchant key", `Bearer mk.${shop.programId}.${forged}`));
  if (op.auth === "store") cases.push(invalid("a made-up store key", `Bearer sk.${shop.storeId}.${forged}`));
  if (op.auth === "partner")
    cases.push(invalid("a made-up partner key", `Bearer pk.${partner.partnerId}.${forged}`));
  for (const [kind, value] of Object.entries(credentials()) as [Credential, string][]) {
    if (accepted[op.auth]?.includes(kind)) continue;
    cases.push({
      what: `the ${kind} key`,
      expected:
        op.auth === "admin" && kind === "merchant" ? [[403, "forbidden"]] : [[401, "invalid_credentials"]],
      make: setAuthorization(value),
    });
  }
  return cases;
};

/** Valid bodies to mutate, one per operation that takes a body (only their shape matters). */
const validBodies: Record<string, Record<string, unknown>> = {
  createProgram: { name: "Fuzz", organizationName: "Café" },
  updateProgram: { name: "Fuzz" },
  createStore: { name: "Main street", latitude: 48.85, longitude: 2.35 },
  enrollMember: { email: "fuzz@example.com" },
  transferPoints: { toMemberId: "mbr_0000000000000000", points: 1 },
  recordPurchase: { member: "mbr_0000000000000000", amountCents: 1000, currency: "EUR" },
  recordRefund: { transactionId: "txn_0000000000000000", amountCents: 100 },
  redeem: { member: "mbr_0000000000000000", rewardId: "cake" },
  createPartner: { name: "Bowling" },
  rotateMerchantKey: { graceSeconds: 60 },
  updateStore: { name: "Renamed" },
  rotateStoreKey: { graceSeconds: 60 },
  updatePartner: { name: "Renamed" },
  rotatePartnerKey: { graceSeconds: 60 },
  recordAccrual: { member: "mbr_0000000000000000", points: 5, reference: "r1" },
  createOffer: { title: "Fuzz week", description: "Twice the points.", target: { kind: "all" } },
  offerAudience: { target: { kind: "purchasedWithinDays", days: 30 } },
  registerDevice: { pushToken: "f".repeat(64) },
  logMessages: { logs: ["a message"] },
  signUp: { firstName: "Fuzz", email: "fuzz-join@example.com", consent: true },
  requestCardLink: { email: "fuzz-join@example.com" },
  chooseStores: { storeIds: [] },
};

const validQueries: Record<string, Record<string, string>> = {
  findMember: { email: "nobody@example.com" },
};

const validParam = (name: string): string | undefined =>
  ({
    programId: shop.programId,
    storeId: shop.storeId,
    memberId: member.memberId,
    partnerId: partner.partnerId,
    offerId: "ofr_0000000000000000",
    token: "not-a-card-link",
    deviceLibraryIdentifier: "fuzzdevice0001",
    passTypeIdentifier: "pass.example.fuzz",
    serialNumber: member.memberId,
  })[name];

/** The operation's request with everything right; each case spoils one part of it. */
const validAttempt = (op: Operation, n: number): Attempt => {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "");
  const params = Object.fromEntries(
    names.map((name) => {
      const value = validParam(name);
      if (value === undefined)
        throw new Error(`request-fuzz: give a valid value of the path parameter ${name}`);
      return [name, value];
    }),
  );
  const body = validBodies[op.operationId];
  if (op.body && !body)
    throw new Error(`request-fuzz: give a valid body for ${op.operationId} in validBodies`);
  return {
    params,
    query: validQueries[op.operationId] ?? {},
    headers: {
      ...authorizationFor(op.auth),
      ...(op.idempotency ? { "idempotency-key": `fuzz-${op.operationId}-${n}` } : {}),
      ...(op.body ? JSON_TYPE : {}),
    },
    ...(op.body ? { body: JSON.stringify(body) } : {}),
  };
};

const casesOf = (op: Operation): Case[] => {
  const valid = validAttempt(op, 0);
  return [
    ...authCases(op),
    ...(op.params ? paramCases(op, op.params, valid.params) : []),
    ...idempotencyCases(op),
    ...queryCases(op, op.query, valid.query),
    ...(op.body ? bodyCases(op, op.body, validBodies[op.operationId] ?? {}) : []),
  ];
};

const send = (op: Operation, attempt: Attempt) => {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(attempt.params[name] ?? ""),
  );
  const query = new URLSearchParams(attempt.query).toString();
  return call(op.method, `${path}${query ? `?${query}` : ""}`, {
    key: null,
    headers: attempt.headers,
    ...(attempt.body === undefined ? {} : { raw: attempt.body }),
  });
};

const sorted = (items: Record<string, unknown>[]) => items.map((item) => JSON.stringify(item)).sort();

describe("every operation of the contract refuses what its schemas refuse, with a documented 4xx, writing nothing", () => {
  it("has valid requests to start from that its schemas accept", () => {
    for (const op of operations) {
      if (op.body) expect(op.body.safeParse(validBodies[op.operationId]).success, op.operationId).toBe(true);
      if (op.query)
        expect(op.query.safeParse(validQueries[op.operationId] ?? {}).success, op.operationId).toBe(true);
    }
    expect(documentedCodes.size).toBeGreaterThan(20);
  });

  it("covers every operation /openapi.json publishes", async () => {
    // Act
    const document = await call("GET", "/openapi.json", { key: null });

    // Assess
    const published = Object.values(
      document.body.paths as Record<string, Record<string, { operationId: string }>>,
    )
      .flatMap((path) => Object.values(path).map((op) => op.operationId))
      .sort();
    expect(published).toEqual(operations.map((op) => op.operationId).sort());
  });

  it.each(operations.map((op) => [op.operationId, op] as const))("%s", async (_id, op) => {
    // Prepare
    const cases = casesOf(op);
    if (TAKES_ANYTHING.has(op.operationId)) {
      // A card link that is not valid gets a friendly page (apple-wallet.test.ts), never a JSON error.
      expect(cases).toEqual([]);
      return;
    }
    const before = sorted(await allItems(table.endpoint, table.tableName));

    // Act
    const wrong: { what: string; expected: string[]; got: unknown }[] = [];
    for (const [n, mistake] of cases.entries()) {
      const response = await send(op, mistake.make(validAttempt(op, n + 1)));
      const error = response.body?.error;
      const right =
        mistake.expected.some(([status, code]) => response.status === status && error?.code === code) &&
        /^application\/json/.test(response.headers.get("content-type") ?? "") &&
        typeof error?.message === "string" &&
        error.message.length > 10 &&
        Object.keys(response.body).length === 1 &&
        Object.keys(error).every((key) => ["code", "message", "details"].includes(key)) &&
        documentedCodes.has(error.code);
      if (!right) {
        wrong.push({
          what: mistake.what,
          expected: mistake.expected.map(([status, code]) => `${status} ${code}`),
          got: `${response.status} ${response.text.slice(0, 200)}`,
        });
      }
    }
    const after = sorted(await allItems(table.endpoint, table.tableName));

    // Assess
    expect(cases.length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
    expect(after).toEqual(before);
  });
});
