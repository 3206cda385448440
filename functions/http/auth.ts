import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type {
  KeyHolderRecord,
  PartnerRepository,
  ProgramRepository,
  StoreRepository,
} from "../domain/ports.js";
import { type KeyKind, keyMatches, keyOwner } from "../shared/api-keys.js";
import { ID_PATTERN } from "../shared/ids.js";
import { acceptedKey, type KeyState, useToRecord } from "../shared/key-lifecycle.js";
import { logger } from "../shared/logger.js";
import { HttpError } from "./errors.js";
import type { AuthRequirement, Principal, PrincipalByAuth } from "./operation.js";
import { requestHeader } from "./request.js";

const CHALLENGE = { "www-authenticate": 'Bearer realm="carnet"' };

const unauthenticated = (code: string, message: string) =>
  new HttpError(401, code, message, undefined, CHALLENGE);

const bearerToken = (event: APIGatewayProxyEventV2): string => {
  const value = requestHeader(event, "authorization");
  if (value === undefined || value.trim() === "") {
    throw unauthenticated("missing_credentials", "Send 'Authorization: Bearer <key>'.");
  }
  const match = /^Bearer[ \t]+(\S{1,512})[ \t]*$/i.exec(value);
  if (!match?.[1])
    throw unauthenticated("invalid_credentials", "The Authorization header must be 'Bearer <key>'.");
  return match[1];
};

/**
 * Apple's `Authorization: ApplePass <authenticationToken>`. Apple documents a bare 401 for a missing
 * or wrong token; the body says which, for people reading logs.
 */
const applePassToken = (event: APIGatewayProxyEventV2): string => {
  const value = requestHeader(event, "authorization");
  const match = value === undefined ? null : /^ApplePass[ \t]+([\x21-\x7e]{16,256})[ \t]*$/.exec(value);
  if (!match?.[1]) {
    throw new HttpError(
      401,
      value === undefined ? "missing_credentials" : "invalid_credentials",
      "Send 'Authorization: ApplePass <authenticationToken>' with the token of the pass.",
      undefined,
      { "www-authenticate": 'ApplePass realm="carnet"' },
    );
  }
  return match[1];
};

/**
 * What authentication reads: the hash of the root admin key, and the state of merchant, store and
 * partner keys, read strongly consistent on every request so that a rotated, disabled or deleted key
 * is refused at once; and where it records a key's use. A function is given only what its
 * operations' `auth` needs (missingKeyStores).
 */
export interface KeyStores {
  adminKeyHash?: () => Promise<string>;
  programs?: Pick<ProgramRepository, "merchantKey" | "recordKeyUse">;
  stores?: Pick<StoreRepository, "keyRecord" | "recordKeyUse">;
  partners?: Pick<PartnerRepository, "keyRecord" | "recordKeyUse">;
  /** The clock grace periods and last-use times are read with (tests set it). */
  now?: () => Date;
}

/** What an operation's `auth` reads that `keys` lacks, named for a start-time error; undefined if nothing. */
export const missingKeyStores = (requirement: AuthRequirement, keys: KeyStores): string | undefined => {
  const needed: (keyof KeyStores)[] =
    requirement === "admin" || requirement === "merchant"
      ? ["adminKeyHash", "programs"]
      : requirement === "store"
        ? ["stores"]
        : requirement === "partner"
          ? ["partners"]
          : [];
  const missing = needed.filter((name) => keys[name] === undefined);
  return missing.length > 0 ? `keys.${missing.join(" and keys.")}` : undefined;
};

/** Records nothing: a request authenticated without a key, or whose key's use is recorded already. */
const NOTHING_TO_RECORD = async (): Promise<void> => {};

/**
 * How to record that a key was accepted, at most once per KEY_USE_RECORDED_EVERY_MS. The handler runs
 * it once the request has succeeded — a refused request writes nothing, not even this — and a
 * failure to record is logged, never a reason to fail the request.
 */
const useRecorder = (
  key: KeyState,
  accepted: "current" | "previous",
  now: Date,
  record: (which: "current" | "previous", hash: string, at: Date) => Promise<void>,
): (() => Promise<void>) =>
  useToRecord(key, accepted, now)
    ? async () => {
        try {
          await record(accepted, accepted === "current" ? key.hash : (key.previousHash ?? ""), now);
        } catch (error) {
          logger.warn("could not record a key's use", { error: String(error) });
        }
      }
    : NOTHING_TO_RECORD;

/** A store's or partner's own key: the key record it names, read now, must hold it and be active. */
const ownerKey = async <R extends KeyHolderRecord>(
  token: string,
  kind: Extract<KeyKind, "sk" | "pk">,
  holders: Pick<StoreRepository | PartnerRepository, "recordKeyUse"> & {
    keyRecord(id: string): Promise<R | undefined>;
  },
  now: Date,
): Promise<R & { ownerId: string; recordUse: () => Promise<void> }> => {
  const ownerId = keyOwner(kind, token);
  // A key of the wrong shape is refused before any read.
  if (ownerId !== undefined && ID_PATTERN.test(ownerId)) {
    const found = await holders.keyRecord(ownerId);
    const accepted = found && acceptedKey(found.key, token, now);
    if (found && accepted) {
      if (found.status !== "active") {
        throw unauthenticated(
          "key_disabled",
          `This ${kind === "sk" ? "store" : "partner"} is disabled by the program's merchant; its key is refused until it is enabled again.`,
        );
      }
      const recordUse = useRecorder(found.key, accepted, now, (which, hash, at) =>
        holders.recordKeyUse({ programId: found.programId }, ownerId, which, hash, at),
      );
      return { ...found, ownerId, recordUse };
    }
  }
  const what = kind === "sk" ? "a store key (sk.…)" : "a partner key (pk.…)";
  throw unauthenticated("invalid_credentials", `The key is not valid; this operation needs ${what}.`);
};

/** The caller, and how to record its key's use once the request has succeeded. */
export interface Authenticated<P extends Principal> {
  principal: P;
  recordUse: () => Promise<void>;
}

/**
 * Who is calling, established from the credentials the operation requires: nobody, a pass's token,
 * a store's or a partner's key, or the root admin key or one program's merchant key. The principal's
 * type follows from the requirement, so an operation's implementation never meets another kind.
 */
export const authenticate = async <A extends AuthRequirement>(
  event: APIGatewayProxyEventV2,
  requirement: A,
  keys: KeyStores,
): Promise<Authenticated<PrincipalByAuth[A]>> =>
  (await principalOf(event, requirement, keys)) as Authenticated<PrincipalByAuth[A]>;

const principalOf = async (
  event: APIGatewayProxyEventV2,
  requirement: AuthRequirement,
  keys: KeyStores,
): Promise<Authenticated<Principal>> => {
  const only = (principal: Principal) => ({ principal, recordUse: NOTHING_TO_RECORD });
  if (requirement === "none") return only({ kind: "anonymous" });
  if (requirement === "applePass") return only({ kind: "applePass", token: applePassToken(event) });
  const token = bearerToken(event);
  const now = keys.now?.() ?? new Date();
  if (requirement === "store") {
    if (!keys.stores) throw new Error("store authentication needs keys.stores");
    const { ownerId, programId, limits, recordUse } = await ownerKey(token, "sk", keys.stores, now);
    return {
      principal: { kind: "store", storeId: ownerId, programId, ...(limits ? { limits } : {}) },
      recordUse,
    };
  }
  if (requirement === "partner") {
    if (!keys.partners) throw new Error("partner authentication needs keys.partners");
    const { ownerId, programId, recordUse } = await ownerKey(token, "pk", keys.partners, now);
    return { principal: { kind: "partner", partnerId: ownerId, programId }, recordUse };
  }
  const { programs, adminKeyHash } = keys;
  if (!programs || !adminKeyHash)
    throw new Error("merchant authentication needs keys.programs and keys.adminKeyHash");
  const programId = keyOwner("mk", token);
  if (programId !== undefined) {
    const key = ID_PATTERN.test(programId) ? await programs.merchantKey(programId) : undefined;
    const accepted = key && acceptedKey(key, token, now);
    if (key && accepted) {
      if (requirement === "admin") {
        throw new HttpError(
          403,
          "forbidden",
          "This operation needs the root admin key; a program's merchant key cannot do it.",
        );
      }
      return {
        principal: { kind: "merchant", programId },
        recordUse: useRecorder(key, accepted, now, (which, hash, at) =>
          programs.recordKeyUse(programId, which, hash, at),
        ),
      };
    }
  } else if (keyMatches(token, await adminKeyHash())) {
    return only({ kind: "admin" });
  }
  throw unauthenticated("invalid_credentials", "The key is not valid.");
};

/**
 * A merchant key reaches only its own program. Asking for another one is answered exactly like a
 * program that does not exist, so a key cannot be used to learn which programs exist.
 */
export const assertCanReachProgram = (principal: Principal, programId: string): void => {
  if (principal.kind === "merchant" && principal.programId !== programId) {
    throw new HttpError(404, "program_not_found", `No program with id '${programId.slice(0, 64)}'.`);
  }
};

/** A store or partner key reaches only itself: another store's path is answered as not found. */
export const assertIsOwner = (principal: Principal, params: Record<string, string>): void => {
  if (principal.kind === "store" && params.storeId !== undefined && params.storeId !== principal.storeId) {
    throw new HttpError(404, "store_not_found", `No store with id '${params.storeId.slice(0, 64)}'.`);
  }
  if (
    principal.kind === "partner" &&
    params.partnerId !== undefined &&
    params.partnerId !== principal.partnerId
  ) {
    throw new HttpError(404, "partner_not_found", `No partner with id '${params.partnerId.slice(0, 64)}'.`);
  }
};
