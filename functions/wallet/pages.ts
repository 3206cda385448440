import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/**
 * The few HTML pages a customer sees: the card page behind the emailed link, and the friendly answer
 * to a link that is broken, expired or points at a card that no longer exists. Self-contained (no
 * scripts, inline CSS), readable on a phone.
 */

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

const page = (status: number, title: string, body: string, colours = { bg: "#1f2937", fg: "#ffffff" }) => ({
  statusCode: status,
  headers: {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-robots-tag": "noindex",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
  },
  body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>
body{margin:0;font-family:-apple-system,system-ui,sans-serif;background:#f3f4f6;color:#111827}
main{max-width:28rem;margin:0 auto;padding:2rem 1.25rem}
.card{background:${colours.bg};color:${colours.fg};border-radius:1rem;padding:1.5rem;margin-bottom:1.5rem}
.card h1{margin:0 0 .25rem;font-size:1.4rem}.card p{margin:0;opacity:.85}
a.button{display:block;text-align:center;background:#000;color:#fff;text-decoration:none;padding:.9rem;border-radius:.6rem;font-weight:600;margin:.75rem 0}
.note{color:#4b5563;font-size:.9rem}
</style></head><body><main>${body}</main></body></html>
`,
});

export type LinkProblem = "malformed" | "forged" | "expired" | "gone" | "replaced";

/** A link that gives no pass: what happened and what to do, never a stack trace or a pass. */
export const linkProblemPage = (problem: LinkProblem): APIGatewayProxyStructuredResultV2 => {
  switch (problem) {
    case "expired":
      return page(
        410,
        "This card link has expired",
        `<h1>This card link has expired</h1><p>For your security, card links work for a limited time. Ask the shop for a new link, or sign up again with the same email address: you will receive your same card, with all your points.</p>`,
      );
    case "gone":
      return page(
        410,
        "This card no longer exists",
        `<h1>This card no longer exists</h1><p>The loyalty card behind this link has been closed. If you think this is a mistake, contact the shop.</p>`,
      );
    case "replaced":
      return page(
        410,
        "This card link was replaced",
        `<h1>This card link was replaced</h1><p>The shop has issued a new card link for this loyalty card, and this one no longer works. Use the link in the most recent email from the shop, or ask the shop to send it again.</p>`,
      );
    default:
      return page(
        404,
        "This card link is not valid",
        `<h1>This card link is not valid</h1><p>The link may have been cut or changed when it was copied. Open it again from the email, by tapping it rather than copying it.</p>`,
      );
  }
};

/** The deployment cannot sign passes right now (no or wrong certificates): not the customer's doing. */
export const passesUnavailablePage = (): APIGatewayProxyStructuredResultV2 => ({
  ...page(
    503,
    "Your card cannot be added right now",
    `<h1>Your card cannot be added right now</h1><p>The shop's wallet passes are not available at the moment. Your card and your points are safe: try this link again later.</p>`,
  ),
});

/** No Google Wallet on this deployment, or Google did not answer: the card is safe, try again or use Apple. */
export const googleUnavailablePage = (): APIGatewayProxyStructuredResultV2 => ({
  ...page(
    503,
    "Google Wallet is not available right now",
    `<h1>Google Wallet is not available right now</h1><p>Your card could not be added to Google Wallet at the moment. Your card and your points are safe: try this link again later.</p>`,
  ),
});

/** The card's save link was opened too often this minute: nothing is wrong with the card. */
export const tooManyAttemptsPage = (retryAfterSeconds: number): APIGatewayProxyStructuredResultV2 => {
  const answer = page(
    429,
    "Please wait a moment",
    `<h1>Please wait a moment</h1><p>This card was just added several times in a row. Your card and your points are safe: try again in a minute.</p>`,
  );
  return { ...answer, headers: { ...answer.headers, "retry-after": String(retryAfterSeconds) } };
};

export interface CardPageInput {
  programName: string;
  organizationName: string;
  holderName?: string;
  points: number;
  backgroundColor: string;
  foregroundColor: string;
  passPath: string;
  /** The Google save link; absent when the deployment has no Google Wallet (the button is hidden). */
  googlePath?: string;
}

/** `GET /c/{token}`: the customer's card, with "Add to Apple Wallet" and, when offered, "Add to Google Wallet". */
export const cardPage = (card: CardPageInput): APIGatewayProxyStructuredResultV2 =>
  page(
    200,
    `${card.programName} - your card`,
    `<section class="card"><h1>${escapeHtml(card.programName)}</h1><p>${escapeHtml(card.organizationName)}</p>
<p data-testid="points" style="font-size:2rem;font-weight:700;margin-top:1rem">${card.points} points</p>
${card.holderName ? `<p>${escapeHtml(card.holderName)}</p>` : ""}</section>
<a class="button" id="add-to-apple-wallet" href="${escapeHtml(card.passPath)}">Add to Apple Wallet</a>
${card.googlePath ? `<a class="button" id="add-to-google-wallet" href="${escapeHtml(card.googlePath)}">Add to Google Wallet</a>` : ""}
<p class="note">The card updates itself on your phone after every purchase. Keep this link private: it opens your card.</p>`,
    { bg: card.backgroundColor, fg: card.foregroundColor },
  );
