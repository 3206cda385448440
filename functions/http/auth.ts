import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { PartnerRepository, ProgramRepository, StoreRepository } from "../domain/ports.js";
import { keyMatches, keyOwner } from "../shared/api-keys.js";
import { ID_PATTERN } from "../shared/ids.js";
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
 * What authentication reads: the hash of the root admin key, and the hashes of merchant, store and
 * partner keys. A function is given only what its operations' `auth` needs (missingKeyStores).
 */
export interface KeyStores {
  adminKeyHash?: () => Promise<string>;
  programs?: Pick<ProgramRepository, "merchantKeyHash">;
  stores?: Pick<StoreRepository, "keyRecord">;
  partners?: Pick<PartnerRepository, "keyRecord">;
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

/** A store's or partner's own key; the owner must be the one named in the path. */
const ownerKey = async (
  token: string,
  kind: "sk" | "pk",
  record: ((id: string) => Promise<{ programId: string; apiKeyHash: string } | undefined>) | undefined,
): Promise<{ ownerId: string; programId: string }> => {
  const ownerId = keyOwner(kind, token);
  if (ownerId !== undefined && ID_PATTERN.test(ownerId) && record) {
    const found = await record(ownerId);
    if (found && keyMatches(token, found.apiKeyHash)) return { ownerId, programId: found.programId };
  }
  const what = kind === "sk" ? "a store key (sk.…)" : "a partner key (pk.…)";
  throw unauthenticated("invalid_credentials", `The key is not valid; this operation needs ${what}.`);
};

/**
 * Who is calling, established from the credentials the operation requires: nobody, a pass's token,
 * a store's or a partner's key, or the root admin key or one program's merchant key. The principal's
 * type follows from the requirement, so an operation's implementation never meets another kind.
 */
export const authenticate = async <A extends AuthRequirement>(
  event: APIGatewayProxyEventV2,
  requirement: A,
  keys: KeyStores,
): Promise<PrincipalByAuth[A]> => (await principalOf(event, requirement, keys)) as PrincipalByAuth[A];

const principalOf = async (
  event: APIGatewayProxyEventV2,
  requirement: AuthRequirement,
  keys: KeyStores,
): Promise<Principal> => {
  if (requirement === "none") return { kind: "anonymous" };
  if (requirement === "applePass") return { kind: "applePass", token: applePassToken(event) };
  const token = bearerToken(event);
  if (requirement === "store") {
    const { ownerId, programId } = await ownerKey(token, "sk", keys.stores?.keyRecord);
    return { kind: "store", storeId: ownerId, programId };
  }
  if (requirement === "partner") {
    const { ownerId, programId } = await ownerKey(token, "pk", keys.partners?.keyRecord);
    return { kind: "partner", partnerId: ownerId, programId };
  }
  const { programs, adminKeyHash } = keys;
  if (!programs || !adminKeyHash)
    throw new Error("merchant authentication needs keys.programs and keys.adminKeyHash");
  const programId = keyOwner("mk", token);
  if (programId !== undefined) {
    const hash = ID_PATTERN.test(programId) ? await programs.merchantKeyHash(programId) : undefined;
    if (hash !== undefined && keyMatches(token, hash)) {
      if (requirement === "admin") {
        throw new HttpError(
          403,
          "forbidden",
          "This operation needs the root admin key; a program's merchant key cannot do it.",
        );
      }
      return { kind: "merchant", programId };
    }
  } else if (keyMatches(token, await adminKeyHash())) {
    return { kind: "admin" };
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
