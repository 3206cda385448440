import { createHmac, timingSafeEqual } from "node:crypto";
import { ID_PATTERN } from "./ids.js";

/**
 * The two secrets a customer's phone holds, both derived from the one pass secret by HMAC-SHA256 with
 * a purpose label (so one can never be used as the other), and neither ever stored:
 *
 * - the **card link** `/c/{token}`: names one member of one program and one card generation, and
 *   expires. Anyone holding an unexpired link of the member's current generation can download that
 *   member's pass, as anyone holding the email could.
 *   Format: `<programId>.<memberId>.<expiry, base-36 epoch seconds>.<43-char base64url HMAC>` for
 *   generation 0, `<programId>.<memberId>.<generation, base 36>.<expiry>.<HMAC>` after a reissue.
 * - the pass's **authenticationToken** (Apple's `ApplePass <token>`): HMAC of the member id and its
 *   `passAuthGeneration`.
 *
 * The member's `passAuthGeneration` is its card generation: reissuing the card moves it on, which
 * revokes every earlier card link and the token of every copy of the pass at once.
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
  /** The member's card generation (`passAuthGeneration`) the link was made for. */
  generation: number;
  /** Epoch seconds. */
  expiresAt: number;
}

const linkPayload = (link: CardLink): string =>
  link.generation === 0
    ? `${link.programId}.${link.memberId}.${link.expiresAt.toString(36)}`
    : `${link.programId}.${link.memberId}.${link.generation.toString(36)}.${link.expiresAt.toString(36)}`;

export const signCardLink = (secret: Buffer, link: CardLink): string => {
  const payload = linkPayload(link);
  return `${payload}.${mac(secret, "card-link", payload)}`;
};

export type CardLinkCheck =
  | { ok: true; link: CardLink }
  | { ok: false; reason: "malformed" | "forged" | "expired"; expiredAt?: number };

/** Checked before any read: a token of the wrong shape is "malformed", a wrong HMAC "forged". */
export const verifyCardLink = (secret: Buffer, token: string, now: Date): CardLinkCheck => {
  const parts = token.length <= 200 ? token.split(".") : [];
  const [programId, memberId] = parts;
  const generationText = parts.length === 5 ? parts[2] : "0";
  const expiry = parts[parts.length - 2];
  const signature = parts[parts.length - 1];
  if (
    (parts.length !== 4 && parts.length !== 5) ||
    !programId ||
    !memberId ||
    !generationText ||
    !expiry ||
    !signature ||
    !ID_PATTERN.test(programId) ||
    !ID_PATTERN.test(memberId) ||
    !/^[0-9a-z]{1,6}$/.test(generationText) ||
    (parts.length === 5 && generationText === "0") ||
    !/^[0-9a-z]{1,10}$/.test(expiry)
  ) {
    return { ok: false, reason: "malformed" };
  }
  const link: CardLink = {
    programId,
    memberId,
    generation: Number.parseInt(generationText, 36),
    expiresAt: Number.parseInt(expiry, 36),
  };
  // The canonical payload of what was parsed must be what was signed (no leading zeros, one spelling).
  const payload = linkPayload(link);
  if (parts.slice(0, -1).join(".") !== payload) return { ok: false, reason: "malformed" };
  if (!sameText(signature, mac(secret, "card-link", payload))) {
    return { ok: false, reason: "forged" };
  }
  if (link.expiresAt * 1000 <= now.getTime()) {
    return { ok: false, reason: "expired", expiredAt: link.expiresAt };
  }
  return { ok: true, link };
};

/** A fresh card link for a member's current card generation, valid CARD_LINK_DAYS from `now`. */
export const cardLinkFor = (
  secret: Buffer,
  member: { programId: string; memberId: string; passAuthGeneration: number },
  now: Date,
): string =>
  signCardLink(secret, {
    programId: member.programId,
    memberId: member.memberId,
    generation: member.passAuthGeneration,
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
