import { createHmac, timingSafeEqual } from "node:crypto";
import { ID_PATTERN } from "./ids.js";

/**
 * The two secrets a customer's phone holds, both derived from the one pass secret by HMAC-SHA256 with
 * a purpose label (so one can never be used as the other), and neither ever stored:
 *
 * - the **card link** `/c/{token}`: names one member of one program and expires. Anyone holding an
 *   unexpired link can download that member's pass, as anyone holding the email could.
 *   Format: `<programId>.<memberId>.<expiry, base-36 epoch seconds>.<43-char base64url HMAC>`.
 * - the pass's **authenticationToken** (Apple's `ApplePass <token>`): HMAC of the member id and its
 *   `passAuthGeneration`; bumping the generation revokes the token of every copy of the pass.
 */

const mac = (secret: Buffer, purpose: string, payload: string): string =>
  createHmac("sha256", secret).update(`${purpose}\n${payload}`, "utf8").digest("base64url");

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
};

export const CARD_LINK_DAYS = 90;

export interface CardLink {
  programId: string;
  memberId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export const signCardLink = (secret: Buffer, link: CardLink): string => {
  const payload = `${link.programId}.${link.memberId}.${link.expiresAt.toString(36)}`;
  return `${payload}.${mac(secret, "card-link", payload)}`;
};

export type CardLinkCheck =
  | { ok: true; link: CardLink }
  | { ok: false; reason: "malformed" | "forged" | "expired"; expiredAt?: number };

export const verifyCardLink = (secret: Buffer, token: string, now: Date): CardLinkCheck => {
  const parts = token.length <= 200 ? token.split(".") : [];
  const [programId, memberId, expiry, signature] = parts;
  if (
    parts.length !== 4 ||
    !programId ||
    !memberId ||
    !expiry ||
    !signature ||
    !ID_PATTERN.test(programId) ||
    !ID_PATTERN.test(memberId) ||
    !/^[0-9a-z]{1,10}$/.test(expiry)
  ) {
    return { ok: false, reason: "malformed" };
  }
  if (!sameText(signature, mac(secret, "card-link", `${programId}.${memberId}.${expiry}`))) {
    return { ok: false, reason: "forged" };
  }
  const expiresAt = Number.parseInt(expiry, 36);
  if (expiresAt * 1000 <= now.getTime()) return { ok: false, reason: "expired", expiredAt: expiresAt };
  return { ok: true, link: { programId, memberId, expiresAt } };
};

/** A fresh card link for a member, valid CARD_LINK_DAYS from `now`. */
export const cardLinkFor = (secret: Buffer, programId: string, memberId: string, now: Date): string =>
  signCardLink(secret, {
    programId,
    memberId,
    expiresAt: Math.floor(now.getTime() / 1000) + CARD_LINK_DAYS * 24 * 60 * 60,
  });

/** The pass's authenticationToken: 43 characters, well over Apple's minimum of 16. */
export const passAuthToken = (secret: Buffer, memberId: string, generation: number): string =>
  mac(secret, "apple-pass-auth", `${memberId}.${generation}`);

export const passAuthMatches = (
  secret: Buffer,
  memberId: string,
  generation: number,
  presented: string,
): boolean => sameText(presented, passAuthToken(secret, memberId, generation));
