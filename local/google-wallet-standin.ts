import { randomBytes, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import ts from "typescript";

/**
 * A local stand-in for Google Wallet: Google's OAuth token endpoint (JWT bearer grant) and the part of
 * the Wallet REST API (walletobjects v1) Carnet uses, loyalty classes and objects, kept in memory.
 * Used by the tests and by `npm start`.
 *
 * It is as strict as Google, so that a body it takes is a body Google takes:
 * - every field of a request body is checked against Google's published typings
 *   (@googleapis/walletobjects, build/v1.d.ts, read once with the TypeScript compiler API): unknown
 *   fields and wrong JSON types are refused with Google's messages, naming the path;
 * - plus what the typings cannot say, from Google's REST reference: required fields, id formats and
 *   the issuer, enumerations, colours, list limits, the loyalty balance's one-of, image sources,
 *   coordinates.
 * It records every request, counts the updates that notify the holder, and can be told to fail
 * (quota, 5xx, expired tokens, an issuer not allowlisted for merchant locations).
 */

export interface StandInServiceAccount {
  client_email: string;
  publicKeyPem: string;
}

export interface StandInRequest {
  method: string;
  /** Relative to the REST base (e.g. `/loyaltyObject/ISSUER.x`, as sent); `/token` for the token endpoint. */
  path: string;
  /** The JSON body; for `/token`: `{grant_type, claims}` (the assertion's decoded claims). */
  body?: unknown;
  status: number;
  at: number;
  /** The request notified the holder (see `notifications`). */
  notify: boolean;
}

export interface GoogleWalletStandIn {
  /** REST base, e.g. http://127.0.0.1:PORT/walletobjects/v1 */
  apiUrl: string;
  /** e.g. http://127.0.0.1:PORT/token */
  tokenUrl: string;
  classes: Map<string, Record<string, unknown>>;
  objects: Map<string, Record<string, unknown>>;
  requests: StandInRequest[];
  /** notifying updates per object id: times (epoch ms) of PATCH/PUT carrying notifyPreference NOTIFY_ON_UPDATE, and of messages with messageType TEXT_AND_NOTIFY newly added */
  notifications(objectId: string): number[];
  /** the next `count` requests matching `match` (method and/or path regex; default any REST request, not the token endpoint) answer `status` with a Google-style error body (reason optional, e.g. "rateLimitExceeded"), plus optional headers */
  fail(fault: {
    status: number;
    count?: number;
    reason?: string;
    message?: string;
    method?: string;
    path?: RegExp;
    headers?: Record<string, string>;
  }): void;
  /** invalidate every access token issued so far (the next REST call with one gets 401) */
  expireTokens(): void;
  /** false → any object insert/patch/update carrying a non-empty merchantLocations gets 400 "... not allowlisted for merchant locations ..." (default true) */
  allowMerchantLocations: boolean;
  /** wait until a request matching the predicate has been seen (for tests), with timeout */
  waitFor(predicate: (r: StandInRequest) => boolean, timeoutMs?: number): Promise<StandInRequest>;
  close(): Promise<void>;
}

export const WALLET_SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer";
const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
/** Audiences Google's token endpoint also takes (its older addresses). */
const GOOGLE_TOKEN_AUDIENCES = [
  GOOGLE_TOKEN_URL,
  "https://www.googleapis.com/oauth2/v4/token",
  "https://accounts.google.com/o/oauth2/token",
];
const REST_BASE = "/walletobjects/v1";
const TOKEN_PATH = "/token";
const TOKEN_SECONDS = 3600;
const MAX_BODY_BYTES = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Google's typings, as a schema

type FieldType =
  | { kind: "string" | "number" | "boolean" | "any" }
  | { kind: "message"; name: string }
  | { kind: "array"; of: FieldType };
/** Schema name without `Schema$` → field → type. */
type Schemas = Map<string, Map<string, FieldType>>;

const ANY: FieldType = { kind: "any" };

let schemas: Schemas | undefined;

/** Every `Schema$X` interface of @googleapis/walletobjects' v1.d.ts, read once per process. */
export const walletSchemas = (): Schemas => {
  if (schemas) return schemas;
  const pkg = createRequire(import.meta.url).resolve("@googleapis/walletobjects/package.json");
  const file = join(dirname(pkg), "build", "v1.d.ts");
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const typeOf = (node: ts.TypeNode): FieldType => {
    if (ts.isParenthesizedTypeNode(node)) return typeOf(node.type);
    if (ts.isUnionTypeNode(node)) {
      const kept = node.types.filter(
        (t) =>
          !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword) &&
          t.kind !== ts.SyntaxKind.UndefinedKeyword,
      );
      const [only] = kept;
      return kept.length === 1 && only ? typeOf(only) : ANY;
    }
    if (ts.isArrayTypeNode(node)) return { kind: "array", of: typeOf(node.elementType) };
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const name = node.typeName.text;
      if (name.startsWith("Schema$")) return { kind: "message", name: name.slice("Schema$".length) };
      const [element] = node.typeArguments ?? [];
      if (name === "Array" && element) return { kind: "array", of: typeOf(element) };
      return ANY;
    }
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { kind: "string" };
      case ts.SyntaxKind.NumberKeyword:
        return { kind: "number" };
      case ts.SyntaxKind.BooleanKeyword:
        return { kind: "boolean" };
      default:
        // any, unknown, {[key: string]: any}: anything goes
        return ANY;
    }
  };
  const found: Schemas = new Map();
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && node.name.text.startsWith("Schema$")) {
      const fields = new Map<string, FieldType>();
      for (const member of node.members) {
        if (!ts.isPropertySignature(member) || !member.type) continue;
        const name =
          ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) ? member.name.text : undefined;
        if (name !== undefined) fields.set(name, typeOf(member.type));
      }
      found.set(node.name.text.slice("Schema$".length), fields);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (!found.has("LoyaltyClass") || !found.has("LoyaltyObject")) {
    throw new Error(`no Schema$LoyaltyClass / Schema$LoyaltyObject in ${file}`);
  }
  schemas = found;
  return found;
};

// ---------------------------------------------------------------------------------------------
// Validation

/** A request Google would refuse: answered with Google's error body. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string = "invalid",
    readonly field?: string,
  ) {
    super(message);
  }
}

const GOOGLE_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Google's JSON parser takes `QR_CODE` and its legacy alias `qrCode`, `ACTIVE` and `active`. */
const canonical = (value: string) => value.replace(/_/g, "").toUpperCase();

const ENUMS = {
  State: ["STATE_UNSPECIFIED", "ACTIVE", "COMPLETED", "EXPIRED", "INACTIVE"],
  ReviewStatus: ["REVIEW_STATUS_UNSPECIFIED", "DRAFT", "UNDER_REVIEW", "APPROVED", "REJECTED"],
  BarcodeType: [
    "BARCODE_TYPE_UNSPECIFIED",
    "AZTEC",
    "CODE_39",
    "CODE_128",
    "CODABAR",
    "DATA_MATRIX",
    "EAN_8",
    "EAN_13",
    "ITF_14",
    "PDF_417",
    "QR_CODE",
    "UPC_A",
    "TEXT_ONLY",
  ],
  MessageType: ["MESSAGE_TYPE_UNSPECIFIED", "TEXT", "TEXT_AND_NOTIFY", "EXPIRATION_NOTIFICATION"],
  NotifyPreference: ["NOTIFICATION_SETTINGS_FOR_UPDATES_UNSPECIFIED", "NOTIFY_ON_UPDATE"],
  MultipleDevicesAndHoldersAllowedStatus: [
    "STATUS_UNSPECIFIED",
    "MULTIPLE_HOLDERS",
    "ONE_USER_ALL_DEVICES",
    "ONE_USER_ONE_DEVICE",
  ],
} as const;
type EnumName = keyof typeof ENUMS;

/** Fields typed `string` that are int64 in Google's API: a JSON integer is taken too. */
const INT64_FIELDS = new Set(["micros", "version"]);

const show = (value: unknown) => JSON.stringify(value) ?? String(value);

const wrongValue = (path: string, type: string, value: unknown) =>
  new Refusal(400, `Invalid value at '${path}' (${type}), ${show(value)}`, "invalid", path);

const checkEnum = (value: unknown, name: EnumName, path: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  const allowed: readonly string[] = ENUMS[name];
  const match =
    typeof value === "string" ? allowed.find((option) => canonical(option) === canonical(value)) : undefined;
  if (!match) throw wrongValue(path, `type.googleapis.com/google.walletobjects.v1.${name}`, value);
  return match;
};

const invalid = (path: string, message: string) => new Refusal(400, message, "invalid", path);

/** Rules per message type, wherever the type appears. */
const MESSAGE_RULES: Record<string, (value: Record<string, unknown>, path: string) => void> = {
  Barcode: (value, path) => {
    checkEnum(value.type, "BarcodeType", `${path}.type`);
  },
  RotatingBarcode: (value, path) => {
    checkEnum(value.type, "BarcodeType", `${path}.type`);
  },
  Message: (value, path) => {
    checkEnum(value.messageType, "MessageType", `${path}.messageType`);
  },
  LoyaltyPointsBalance: (value, path) => {
    const set = ["string", "int", "double", "money"].filter(
      (k) => value[k] !== undefined && value[k] !== null,
    );
    if (set.length !== 1) {
      throw invalid(
        path,
        `Invalid value at '${path}': a loyalty points balance has exactly one of string, int, double or money (${set.length === 0 ? "none" : set.join(", ")} given)`,
      );
    }
  },
  Image: (value, path) => {
    const uri = isRecord(value.sourceUri) ? value.sourceUri.uri : undefined;
    if (!uri && !value.privateImageId) {
      throw invalid(`${path}.sourceUri.uri`, `Image at '${path}' must have a source URI (sourceUri.uri)`);
    }
  },
  MerchantLocation: (value, path) => coordinates(value, path),
  LatLongPoint: (value, path) => coordinates(value, path),
};

const coordinates = (value: Record<string, unknown>, path: string) => {
  const { latitude, longitude } = value;
  if (typeof latitude === "number" && (latitude < -90 || latitude > 90)) {
    throw invalid(`${path}.latitude`, `Invalid value at '${path}.latitude': must be within [-90, 90]`);
  }
  if (typeof longitude === "number" && (longitude < -180 || longitude > 180)) {
    throw invalid(`${path}.longitude`, `Invalid value at '${path}.longitude': must be within [-180, 180]`);
  }
};

const checkValue = (all: Schemas, value: unknown, type: FieldType, path: string, field: string): void => {
  if (value === null || value === undefined) return; // JSON null: the field is unset
  switch (type.kind) {
    case "any":
      return;
    case "string":
      if (typeof value === "string") return;
      if (INT64_FIELDS.has(field) && typeof value === "number" && Number.isInteger(value)) return;
      throw wrongValue(path, "TYPE_STRING", value);
    case "number":
      if (typeof value === "number" && Number.isFinite(value)) return;
      throw wrongValue(path, "TYPE_NUMBER", value);
    case "boolean":
      if (typeof value === "boolean") return;
      throw wrongValue(path, "TYPE_BOOL", value);
    case "array":
      if (!Array.isArray(value)) throw wrongValue(path, "repeated field, a JSON list", value);
      value.forEach((item, i) => {
        checkValue(all, item, type.of, `${path}[${i}]`, field);
      });
      return;
    case "message":
      checkMessage(all, value, type.name, path);
      return;
  }
};

const checkMessage = (all: Schemas, value: unknown, name: string, path: string): void => {
  const fields = all.get(name);
  if (!isRecord(value)) throw wrongValue(path, `type.googleapis.com/google.walletobjects.v1.${name}`, value);
  if (!fields) return;
  for (const [key, item] of Object.entries(value)) {
    const type = fields.get(key);
    if (!type) {
      throw new Refusal(
        400,
        `Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`,
        "invalid",
        path,
      );
    }
    checkValue(all, item, type, `${path}.${key}`, key);
  }
  MESSAGE_RULES[name]?.(value, path);
};

const HEX_COLOR = /^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$/;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

type Kind = "class" | "object";

interface Validator {
  /** The body's shape and values (for any insert, update or patch). */
  body(kind: Kind, body: unknown, patch: boolean): Record<string, unknown>;
  /** What a whole resource needs (an insert, an update, a patched resource). */
  whole(kind: Kind, resource: Record<string, unknown>): void;
  /** An id of this issuer, well formed. */
  id(id: unknown, path: string): string;
}

const validator = (issuerId: string): Validator => {
  const all = walletSchemas();
  const ownId = new RegExp(`^${escapeRegExp(issuerId)}\\.[A-Za-z0-9._-]+$`);
  const id = (value: unknown, path: string): string => {
    if (typeof value !== "string" || value === "") throw invalid(path, `'${path}' is required`);
    const issuer = value.split(".")[0] ?? "";
    if (issuer !== issuerId && /^\d+$/.test(issuer)) {
      throw new Refusal(
        403,
        `The caller does not have permission: issuer ${issuer} of '${path}' is not the issuer ${issuerId} of this service account`,
        "forbidden",
        path,
      );
    }
    if (!ownId.test(value)) {
      throw invalid(
        path,
        `Invalid resource ID ${show(value)} at '${path}': it must be "${issuerId}.<identifier>", the identifier made of letters, digits, '.', '_' or '-'`,
      );
    }
    return value;
  };
  return {
    id,
    body: (kind, body, patch) => {
      const name = kind === "class" ? "LoyaltyClass" : "LoyaltyObject";
      checkMessage(all, body, name, "resource");
      const resource = body as Record<string, unknown>;
      checkEnum(resource.notifyPreference, "NotifyPreference", "resource.notifyPreference");
      const color = resource.hexBackgroundColor;
      if (typeof color === "string" && !HEX_COLOR.test(color)) {
        throw invalid(
          "resource.hexBackgroundColor",
          `Invalid value at 'resource.hexBackgroundColor': ${show(color)} is not a colour like #rrggbb or #rgb`,
        );
      }
      const locations = resource.merchantLocations;
      if (Array.isArray(locations) && locations.length > 10) {
        throw invalid(
          "resource.merchantLocations",
          `Invalid value at 'resource.merchantLocations': at most 10 merchant locations, ${locations.length} given`,
        );
      }
      const modules = resource.textModulesData;
      if (Array.isArray(modules)) {
        if (kind === "object" && modules.length > 10) {
          throw invalid(
            "resource.textModulesData",
            `Invalid value at 'resource.textModulesData': at most 10 text modules on an object, ${modules.length} given`,
          );
        }
        const seen = new Set<string>();
        for (const module of modules) {
          const moduleId = isRecord(module) ? module.id : undefined;
          if (typeof moduleId !== "string") continue;
          if (seen.has(moduleId)) {
            throw invalid(
              "resource.textModulesData",
              `Invalid value at 'resource.textModulesData': the id ${show(moduleId)} is used twice`,
            );
          }
          seen.add(moduleId);
        }
      }
      if (kind === "object") {
        checkEnum(resource.state, "State", "resource.state");
      } else {
        checkEnum(
          resource.multipleDevicesAndHoldersAllowedStatus,
          "MultipleDevicesAndHoldersAllowedStatus",
          "resource.multipleDevicesAndHoldersAllowedStatus",
        );
        const review = checkEnum(resource.reviewStatus, "ReviewStatus", "resource.reviewStatus");
        if (review !== undefined && review !== "DRAFT" && review !== "UNDER_REVIEW") {
          throw invalid(
            "resource.reviewStatus",
            `Invalid value at 'resource.reviewStatus': a class may only be ${patch ? "patched" : "written"} with reviewStatus draft or underReview, not ${show(resource.reviewStatus)}`,
          );
        }
      }
      return resource;
    },
    whole: (kind, resource) => {
      const required =
        kind === "class"
          ? ["id", "issuerName", "reviewStatus", "programName", "programLogo"]
          : ["id", "classId", "state"];
      for (const field of required) {
        const value = resource[field];
        if (value === undefined || value === null || value === "") {
          throw invalid(`resource.${field}`, `Missing required field: resource.${field}`);
        }
      }
      id(resource.id, "resource.id");
      if (kind === "object") id(resource.classId, "resource.classId");
    },
  };
};

// ---------------------------------------------------------------------------------------------
// The server

interface Fault {
  status: number;
  remaining: number;
  reason?: string;
  message?: string;
  method?: string;
  path?: RegExp;
  headers?: Record<string, string>;
}

const googleErrorBody = (status: number, message: string, reason?: string, field?: string) => ({
  error: {
    code: status,
    message,
    status: GOOGLE_STATUS[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"),
    errors: [{ message, domain: "global", reason: reason ?? (status >= 500 ? "backendError" : "invalid") }],
    ...(field
      ? {
          details: [
            {
              "@type": "type.googleapis.com/google.rpc.BadRequest",
              fieldViolations: [{ field, description: message }],
            },
          ],
        }
      : {}),
  },
});

const decodeSegment = (text: string): unknown => {
  try {
    return JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
};

export const startGoogleWalletStandIn = async (options: {
  issuerId: string;
  serviceAccounts: StandInServiceAccount[];
  port?: number;
  host?: string;
  log?: (line: string) => void;
}): Promise<GoogleWalletStandIn> => {
  const { issuerId } = options;
  const check = validator(issuerId);
  const accounts = new Map(options.serviceAccounts.map((a) => [a.client_email, a.publicKeyPem]));
  const classes = new Map<string, Record<string, unknown>>();
  const objects = new Map<string, Record<string, unknown>>();
  const requests: StandInRequest[] = [];
  const notified = new Map<string, number[]>();
  const tokens = new Map<string, { email: string; expiresAt: number }>();
  const faults: Fault[] = [];
  /** Whether the issuer is allowlisted for merchant locations (the `allowMerchantLocations` property). */
  const allowMerchantLocations = { value: true };
  const waiters = new Set<(r: StandInRequest) => void>();
  let tokenUrl = "";

  const record = (entry: StandInRequest) => {
    requests.push(entry);
    options.log?.(`google-wallet-standin ${entry.method} ${entry.path} → ${entry.status}`);
    for (const waiter of [...waiters]) waiter(entry);
  };

  const notify = (objectId: string, at: number) => {
    const list = notified.get(objectId) ?? [];
    list.push(at);
    notified.set(objectId, list);
  };

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new Refusal(413, "Request payload too large", "badRequest");
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
  };

  const takeFault = (method: string, path: string): Fault | undefined => {
    const index = faults.findIndex(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined ? path !== TOKEN_PATH : f.path.test(path)),
    );
    const fault = faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  };

  // --- the token endpoint -------------------------------------------------------------------

  const grant = (form: URLSearchParams): { claims?: unknown; reply: { status: number; body: unknown } } => {
    const oauthError = (error: string, description: string, claims?: unknown) => ({
      ...(claims === undefined ? {} : { claims }),
      reply: { status: 400, body: { error, error_description: description } },
    });
    const grantType = form.get("grant_type");
    if (grantType !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return oauthError("unsupported_grant_type", `Invalid grant_type: ${grantType ?? ""}`);
    }
    const parts = (form.get("assertion") ?? "").split(".");
    const [head, payload, signature] = parts;
    const header = decodeSegment(head ?? "");
    const claims = decodeSegment(payload ?? "");
    if (parts.length !== 3 || !isRecord(header) || !isRecord(claims) || !signature) {
      return oauthError("invalid_grant", "Invalid JWT: the assertion is not a signed JWT.", claims);
    }
    if (header.alg !== "RS256") {
      return oauthError(
        "invalid_grant",
        `Invalid JWT: the algorithm must be RS256, not ${show(header.alg)}.`,
        claims,
      );
    }
    const publicKey = typeof claims.iss === "string" ? accounts.get(claims.iss) : undefined;
    if (!publicKey) return oauthError("invalid_grant", "Invalid grant: account not found", claims);
    const signed = verify(
      "sha256",
      Buffer.from(`${head}.${payload}`),
      publicKey,
      Buffer.from(signature, "base64url"),
    );
    if (!signed) return oauthError("invalid_grant", "Invalid JWT Signature.", claims);
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp, aud, scope } = claims;
    if (
      typeof iat !== "number" ||
      typeof exp !== "number" ||
      exp <= now ||
      exp > iat + TOKEN_SECONDS ||
      iat > now + 300
    ) {
      return oauthError(
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
        claims,
      );
    }
    if (typeof aud !== "string" || !(GOOGLE_TOKEN_AUDIENCES.includes(aud) || aud === tokenUrl)) {
      return oauthError(
        "invalid_grant",
        `Invalid JWT: Failed audience check. The right audience is ${GOOGLE_TOKEN_URL}`,
        claims,
      );
    }
    if (typeof scope !== "string" || !scope.split(" ").includes(WALLET_SCOPE)) {
      return oauthError("invalid_scope", "Invalid OAuth scope or ID token audience provided.", claims);
    }
    const accessToken = `ya29.standin.${randomBytes(24).toString("base64url")}`;
    tokens.set(accessToken, { email: claims.iss as string, expiresAt: Date.now() + TOKEN_SECONDS * 1000 });
    return {
      claims,
      reply: {
        status: 200,
        body: { access_token: accessToken, expires_in: TOKEN_SECONDS, token_type: "Bearer" },
      },
    };
  };

  // --- the REST API -------------------------------------------------------------------------

  const authenticated = (req: IncomingMessage): boolean => {
    const match = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? "");
    const token = match?.[1] ? tokens.get(match[1]) : undefined;
    return token !== undefined && token.expiresAt > Date.now();
  };

  const parseJson = (text: string): unknown => {
    if (text.trim() === "")
      throw new Refusal(400, "Invalid JSON payload received. Empty body.", "parseError");
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new Refusal(
        400,
        `Invalid JSON payload received. ${error instanceof Error ? error.message : "Unexpected token."}`,
        "parseError",
      );
    }
  };

  /** Stored without the per-request notifyPreference; a null field is unset. */
  const stored = (resource: Record<string, unknown>): Record<string, unknown> => {
    const copy: Record<string, unknown> = structuredClone(resource);
    delete copy.notifyPreference;
    for (const [key, value] of Object.entries(copy)) if (value === null) delete copy[key];
    return copy;
  };

  const messageKey = (message: unknown) =>
    isRecord(message) && typeof message.id === "string" ? `id:${message.id}` : show(message);

  /** TEXT_AND_NOTIFY messages of `next` that `previous` did not have. */
  const newNotifyingMessages = (previous: Record<string, unknown>, next: Record<string, unknown>): number => {
    const before = new Set((Array.isArray(previous.messages) ? previous.messages : []).map(messageKey));
    const after = Array.isArray(next.messages) ? next.messages : [];
    return after.filter(
      (m) =>
        isRecord(m) &&
        typeof m.messageType === "string" &&
        canonical(m.messageType) === canonical("TEXT_AND_NOTIFY") &&
        !before.has(messageKey(m)),
    ).length;
  };

  const refuseMerchantLocations = (body: Record<string, unknown>) => {
    const locations = body.merchantLocations;
    if (!allowMerchantLocations.value && Array.isArray(locations) && locations.length > 0) {
      throw new Refusal(
        400,
        `Invalid argument: the issuer ${issuerId} is not allowlisted for merchant locations. Ask Google to allowlist it, or send the object without merchantLocations.`,
        "invalid",
        "resource.merchantLocations",
      );
    }
  };

  /** Answers a REST request; returns the status, body and whether it notified the holder. */
  const rest = (
    method: string,
    path: string,
    text: string,
  ): { status: number; body: unknown; parsed?: unknown; notify: boolean } => {
    const match = /^\/(loyaltyClass|loyaltyObject)(?:\/([^/]+))?$/.exec(path);
    if (!match) throw new Refusal(404, `Method not found: ${method} ${REST_BASE}${path}`, "notFound");
    const kind: Kind = match[1] === "loyaltyClass" ? "class" : "object";
    const store = kind === "class" ? classes : objects;
    const label = kind === "class" ? "class" : "object";
    let resourceId: string | undefined;
    if (match[2] !== undefined) {
      try {
        resourceId = decodeURIComponent(match[2]);
      } catch {
        throw new Refusal(400, `Invalid resource id in the path: ${match[2]}`);
      }
    }

    if (resourceId === undefined) {
      if (method !== "POST")
        throw new Refusal(404, `Method not found: ${method} ${REST_BASE}${path}`, "notFound");
      const parsed = parseJson(text);
      const body = check.body(kind, parsed, false);
      check.whole(kind, body);
      const id = body.id as string;
      if (kind === "object") {
        refuseMerchantLocations(body);
        const classId = body.classId as string;
        if (!classes.has(classId)) {
          throw new Refusal(404, `Resource not found: the class ${classId} does not exist.`, "classNotFound");
        }
      }
      if (store.has(id)) throw new Refusal(409, `Resource already exists: ${label} ${id}.`, "duplicate");
      const resource = stored(body);
      store.set(id, resource);
      return { status: 200, body: resource, parsed, notify: false };
    }

    const id = resourceId;
    if (method === "GET") {
      const resource = store.get(id);
      if (!resource) throw new Refusal(404, `Resource not found: ${label} ${id}.`, "resourceNotFound");
      return { status: 200, body: resource, notify: false };
    }
    if (method !== "PATCH" && method !== "PUT") {
      throw new Refusal(404, `Method not found: ${method} ${REST_BASE}${path}`, "notFound");
    }
    const parsed = parseJson(text);
    const body = check.body(kind, parsed, method === "PATCH");
    if (body.id !== undefined && body.id !== null && body.id !== id) {
      throw new Refusal(
        400,
        `Invalid value at 'resource.id': ${show(body.id)} is not the id ${id} of the path`,
      );
    }
    const previous = store.get(id);
    if (!previous) throw new Refusal(404, `Resource not found: ${label} ${id}.`, "resourceNotFound");
    // PATCH: the top-level fields given replace the stored ones (lists whole); PUT: the body replaces all.
    const next = stored(method === "PATCH" ? { ...previous, ...body, id } : { ...body, id });
    check.whole(kind, next);
    let notifications = 0;
    if (kind === "object") {
      refuseMerchantLocations(body);
      if (next.classId !== previous.classId && !classes.has(next.classId as string)) {
        throw new Refusal(
          400,
          `Invalid value at 'resource.classId': the class ${show(next.classId)} does not exist.`,
        );
      }
      const asked =
        typeof body.notifyPreference === "string" &&
        canonical(body.notifyPreference) === canonical("NOTIFY_ON_UPDATE");
      notifications = (asked ? 1 : 0) + newNotifyingMessages(previous, next);
    }
    store.set(id, next);
    const at = Date.now();
    for (let i = 0; i < notifications; i += 1) notify(id, at);
    return { status: 200, body: next, parsed, notify: notifications > 0 };
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json; charset=UTF-8",
      "content-length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://stand-in");
    const isToken = url.pathname === TOKEN_PATH;
    const path = isToken
      ? TOKEN_PATH
      : url.pathname.startsWith(`${REST_BASE}/`)
        ? url.pathname.slice(REST_BASE.length)
        : url.pathname;
    const at = Date.now();
    let text = "";
    let recordedBody: unknown;
    try {
      text = await readBody(req);
      if (isToken) recordedBody = { grant_type: new URLSearchParams(text).get("grant_type") ?? undefined };
      else if (text)
        recordedBody = (() => {
          try {
            return JSON.parse(text);
          } catch {
            return text;
          }
        })();

      const fault = takeFault(method, path);
      if (fault) {
        const message =
          fault.message ?? (fault.status >= 500 ? "Internal error encountered." : "Request refused.");
        const body = isToken
          ? { error: fault.reason ?? "internal_failure", error_description: message }
          : googleErrorBody(fault.status, message, fault.reason);
        send(res, fault.status, body, fault.headers);
        record({ method, path, body: recordedBody, status: fault.status, at, notify: false });
        return;
      }

      if (isToken) {
        if (method !== "POST") throw new Refusal(405, "Method not allowed");
        const { claims, reply } = grant(new URLSearchParams(text));
        recordedBody = { grant_type: new URLSearchParams(text).get("grant_type") ?? undefined, claims };
        send(res, reply.status, reply.body);
        record({ method, path, body: recordedBody, status: reply.status, at, notify: false });
        return;
      }

      if (!url.pathname.startsWith(`${REST_BASE}/`))
        throw new Refusal(404, `Not found: ${url.pathname}`, "notFound");
      if (!authenticated(req)) {
        send(
          res,
          401,
          googleErrorBody(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            "authError",
          ),
          { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
        );
        record({ method, path, body: recordedBody, status: 401, at, notify: false });
        return;
      }
      const reply = rest(method, path, text);
      send(res, reply.status, reply.body);
      record({ method, path, body: recordedBody, status: reply.status, at, notify: reply.notify });
    } catch (error) {
      const refusal =
        error instanceof Refusal
          ? error
          : new Refusal(500, error instanceof Error ? error.message : String(error), "backendError");
      if (!res.headersSent) {
        send(
          res,
          refusal.status,
          isToken && refusal.status < 500
            ? { error: "invalid_request", error_description: refusal.message }
            : googleErrorBody(refusal.status, refusal.message, refusal.reason, refusal.field),
        );
      }
      record({ method, path, body: recordedBody, status: refusal.status, at, notify: false });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`google-wallet-standin error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  tokenUrl = `${origin}${TOKEN_PATH}`;

  return {
    apiUrl: `${origin}${REST_BASE}`,
    tokenUrl,
    classes,
    objects,
    requests,
    notifications: (objectId) => [...(notified.get(objectId) ?? [])],
    fail: (fault) => {
      faults.push({ ...fault, remaining: fault.count ?? 1 });
    },
    expireTokens: () => tokens.clear(),
    get allowMerchantLocations() {
      return allowMerchantLocations.value;
    },
    set allowMerchantLocations(value: boolean) {
      allowMerchantLocations.value = value;
    },
    waitFor: (predicate, timeoutMs = 5_000) => {
      const seen = requests.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise<StandInRequest>((resolve, reject) => {
        const waiter = (entry: StandInRequest) => {
          if (!predicate(entry)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(entry);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`Google Wallet stand-in: no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
};
