import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import type { ServiceAccount } from "./wallet-api.js";

/**
 * The "Add to Google Wallet" link: https://pay.google.com/gp/v/save/<jwt>.
 *
 * The JWT is "skinny": it names the loyalty object by id only (the object is inserted through the
 * REST API before the link is handed out), which keeps the URL short enough for every browser and
 * keeps the card's content out of the link. Claims, as Google documents them for save links: iss the
 * service account's email, aud "google", typ "savetowallet", iat, origins (the pages allowed to show
 * the button) and payload.loyaltyObjects [{id}].
 *
 * Signed RS256 with the service account's key through node:crypto: google-auth-library exposes no
 * signer for arbitrary claims (its JWT signing serves its own token and id-token assertions only), and
 * one RSA-2048 signature takes about 0.3 ms.
 */

export const SAVE_URL_BASE = "https://pay.google.com/gp/v/save/";

/** Longest JWT a save link may carry: the whole URL stays under 2000 characters, which every browser takes. */
export const MAX_SAVE_URL_JWT_LENGTH = 1800;

/** The parsed key of the last PEM seen: parsing costs more than signing, and a process has one account. */
let parsed: { pem: string; key: KeyObject } | undefined;
const privateKey = (pem: string): KeyObject => {
  if (parsed?.pem !== pem) parsed = { pem, key: createPrivateKey(pem) };
  return parsed.key;
};

const base64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

export const saveUrl = (input: {
  serviceAccount: ServiceAccount;
  objectId: string;
  origins: string[];
  now?: Date;
}): string => {
  const { serviceAccount, objectId, origins } = input;
  const header = {
    alg: "RS256",
    typ: "JWT",
    ...(serviceAccount.private_key_id ? { kid: serviceAccount.private_key_id } : {}),
  };
  const claims = {
    iss: serviceAccount.client_email,
    aud: "google",
    typ: "savetowallet",
    iat: Math.floor((input.now ?? new Date()).getTime() / 1000),
    origins,
    payload: { loyaltyObjects: [{ id: objectId }] },
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(signingInput), privateKey(serviceAccount.private_key));
  const jwt = `${signingInput}.${base64url(signature)}`;
  if (jwt.length > MAX_SAVE_URL_JWT_LENGTH) {
    throw new RangeError(
      `the Google Wallet save link's JWT is ${jwt.length} characters, more than ${MAX_SAVE_URL_JWT_LENGTH}: shorten the object id or the origins`,
    );
  }
  return `${SAVE_URL_BASE}${jwt}`;
};
