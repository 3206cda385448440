import { createHash } from "node:crypto";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { type Colours, readableColours } from "./colour.js";
import { type Html, html, trusted } from "./html.js";
import type { Language } from "./locale.js";

/**
 * The one layout of every page a customer sees: a small HTML document, no script at all, one
 * `<style>` element allowed by its SHA-256 hash in the Content-Security-Policy (so no
 * `'unsafe-inline'`: an injected `<style>` or `style=""` would not apply, an injected `<script>` could
 * not run), and the same security headers on every answer.
 *
 * The stylesheet is mobile first (one column, 44–48 px touch targets, readable from a 320 px phone),
 * widening on larger screens; colours reach WCAG AA (4.5:1 for text), the program's own colours
 * included (colour.ts corrects text that would not), and every focusable element shows a 3 px focus
 * ring. The program's colours are the only values in the stylesheet that vary, written as two custom
 * properties once checked to be `#rrggbb`.
 */

const STYLESHEET = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:1rem;line-height:1.5;background:#f3f4f6;color:#111827;overflow-wrap:break-word}
main{display:block;max-width:34rem;margin:0 auto;padding:1rem .75rem 2.5rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.25rem;line-height:1.3;margin:0 0 .75rem}
p{margin:0 0 1rem}
a{color:#1d4ed8;text-underline-offset:.15em}
a:hover{text-decoration-thickness:.125em}
:focus-visible{outline:3px solid #1d4ed8;outline-offset:3px}
.brand :focus-visible,.card :focus-visible{outline-color:currentColor}
img,svg{max-width:100%}
.visually-hidden{position:absolute!important;width:1px!important;height:1px!important;margin:-1px!important;padding:0!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;clip-path:inset(50%)!important;white-space:nowrap!important;border:0!important}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.panel{background:#fff;border-radius:.75rem;padding:1.25rem 1rem;margin:0 0 1.5rem;box-shadow:0 1px 3px rgba(17,24,39,.12)}
.brand{background:var(--brand-bg);color:var(--brand-fg);border-radius:.75rem;padding:1.25rem 1rem;margin:0 0 1.5rem}
.brand h1{margin:0}
.brand p{margin:.25rem 0 0}
.logo{display:block;max-height:3rem;width:auto;margin:0 0 .75rem}
.logo-text{display:inline-block;font-weight:700;letter-spacing:.04em;text-transform:uppercase;border:2px solid currentColor;border-radius:.375rem;padding:.125rem .5rem;margin:0 0 .75rem}
.lead{font-size:1.0625rem}
.muted{color:#4b5563}
.note{color:#4b5563;font-size:.9375rem}
.field{margin:0 0 1.25rem}
label,.label{display:block;font-weight:600;margin:0 0 .25rem}
.optional{font-weight:400;color:#4b5563}
.hint{display:block;color:#4b5563;font-size:.9375rem;margin:0 0 .375rem}
input[type=text],input[type=email],input[type=date]{display:block;width:100%;min-height:2.875rem;font:inherit;color:#111827;background:#fff;border:2px solid #4b5563;border-radius:.375rem;padding:.5rem .75rem;margin:0}
input[type=date]{max-width:14rem}
input.short{max-width:12rem}
input[aria-invalid=true]{border-color:#b91c1c;border-width:3px}
.has-error{border-left:4px solid #b91c1c;padding-left:.75rem}
.error{display:block;color:#b91c1c;font-weight:600;margin:0 0 .375rem}
fieldset{border:0;padding:0;margin:0 0 1.25rem;min-width:0}
legend{font-weight:700;font-size:1.0625rem;padding:0;margin:0 0 .5rem}
.check{display:flex;gap:.75rem;align-items:flex-start;margin:0 0 .75rem}
.check input{flex:none;width:1.5rem;height:1.5rem;margin:.125rem 0 0;accent-color:#1d4ed8}
.check label{font-weight:400;margin:0}
button{display:block;width:100%;min-height:3rem;font:inherit;font-weight:700;color:#fff;background:#1d4ed8;border:0;border-radius:.5rem;padding:.75rem 1.5rem;margin:.5rem 0 1rem;cursor:pointer}
button:hover{background:#1e40af}
.error-summary{background:#fff;border:4px solid #b91c1c;border-radius:.5rem;padding:1rem;margin:0 0 1.5rem}
.error-summary:focus{outline:3px solid #1d4ed8;outline-offset:3px}
.error-summary ul{margin:0;padding-left:1.25rem}
.error-summary a{color:#b91c1c;font-weight:600}
.card{background:var(--brand-bg);color:var(--brand-fg);border-radius:1rem;padding:1.25rem;margin:0 0 1.5rem;box-shadow:0 2px 8px rgba(17,24,39,.2)}
.card h1{font-size:1.375rem;margin:0}
.card .org{margin:.125rem 0 1rem}
.balance{margin:0 0 .75rem;font-size:1.125rem}
.balance strong{font-size:2.5rem;line-height:1.1;margin-right:.25rem}
.facts{display:flex;flex-wrap:wrap;gap:.75rem 1.5rem;margin:0;padding:0}
.facts div{min-width:6rem}
.facts dt{font-size:.75rem;font-weight:700;letter-spacing:.06em;text-transform:uppercase}
.facts dd{margin:0;font-size:1.0625rem}
.stamps{display:flex;flex-wrap:wrap;gap:.375rem;list-style:none;margin:.25rem 0 .75rem;padding:0}
.stamps li{width:1.5rem;height:1.5rem;border:2px solid currentColor;border-radius:50%}
.stamps li.on{background:currentColor}
.vouchers-title{font-size:1rem;margin:1rem 0 .25rem}
.vouchers{margin:0;padding-left:1.25rem}
.code-box{background:#fff;color:#111827;border-radius:.75rem;padding:1rem;margin:0 0 1.5rem;text-align:center;box-shadow:0 1px 3px rgba(17,24,39,.12)}
.code-box figure{margin:0}
.code-box svg{display:block;width:100%;height:auto;margin:0 auto .5rem}
.code-box .qr svg{max-width:15rem}
.code-box .linear svg{max-width:22rem}
.code{display:block;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1.25rem;font-weight:700;letter-spacing:.08em}
.wallets{display:flex;flex-direction:column;align-items:center;gap:1rem;margin:0 0 1.5rem;padding:.5rem 0}
.wallet-button{display:inline-flex;align-items:center;justify-content:center;gap:.75rem;width:100%;max-width:20rem;min-height:3rem;padding:.5rem 1.25rem;background:#000;color:#fff;font-size:1.0625rem;font-weight:600;line-height:1.2;text-decoration:none;border:1px solid #a6a6a6}
.wallet-button:hover{background:#1f1f1f}
.wallet-button svg{flex:none;width:1.75rem;height:1.75rem}
.wallet-apple{border-radius:.5rem}
.wallet-google{border-radius:100vmax}
.scan figure{margin:0}
.scan svg{display:block;width:100%;max-width:12rem;height:auto;margin:0 auto .5rem}
.scan figcaption{text-align:center}
@media (min-width:40em){main{padding:2.5rem 1.5rem 3rem}h1{font-size:1.875rem}.panel,.brand{padding:1.75rem 2rem}.card{padding:1.75rem}button{display:inline-block;width:auto}}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
@media print{body{background:#fff}.wallets,form{display:none}}`;

/** A CSP source for an origin: scheme, host, optional port; anything else (a `;`, a path) is dropped. */
const ORIGIN = /^(https:\/\/[a-z0-9.-]+|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/;

const origins = (list: readonly string[] | undefined): string[] => [
  ...new Set((list ?? []).map((o) => o.trim().toLowerCase()).filter((o) => ORIGIN.test(o))),
];

export interface PageOptions {
  status: number;
  lang: Language;
  /** The document's title (the browser tab, and what a screen reader announces first). */
  title: string;
  body: Html;
  /** The program's brand colours, drawn by `.brand` and `.card`; text is corrected to reach AA. */
  colours?: { background: string; foreground: string };
  /** Origins that may show the page in a frame (CSP frame-ancestors); none: no one may. */
  frameAncestors?: readonly string[];
  /** Origins images may come from besides the page's own (a program's logo). */
  imageOrigins?: readonly string[];
  /** Extra headers (e.g. retry-after); they never replace the security headers. */
  headers?: Record<string, string>;
  /** Carnet's own extra CSS for this page (the poster's print rules): never anything a client sent. */
  extraCss?: string;
}

/** The stylesheet of a page with these colours and extra rules, exactly as it is hashed and sent. */
export const stylesheet = (colours?: Partial<Colours>, extraCss = ""): string => {
  const { background, foreground } = readableColours(colours);
  return `:root{--brand-bg:${background};--brand-fg:${foreground}}\n${STYLESHEET}${extraCss ? `\n${extraCss}` : ""}`;
};

/** `'sha256-…'`: the CSP source that allows exactly this style element's text. */
export const styleHash = (css: string): string =>
  `'sha256-${createHash("sha256").update(css, "utf8").digest("base64")}'`;

export const htmlPage = ({
  status,
  lang,
  title,
  body,
  colours,
  frameAncestors,
  imageOrigins,
  headers,
  extraCss,
}: PageOptions): APIGatewayProxyStructuredResultV2 => {
  const css = stylesheet(colours, extraCss);
  const framers = origins(frameAncestors);
  const images = origins(imageOrigins);
  const csp = [
    "default-src 'none'",
    `style-src ${styleHash(css)}`,
    ["img-src 'self' data:", ...images].join(" "),
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${framers.length > 0 ? framers.join(" ") : "'none'"}`,
  ].join("; ");
  const document = html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<meta name="format-detection" content="telephone=no">
<title>${title}</title>
<style>${trusted(css)}</style>
</head>
<body>
<main id="main">
${body}
</main>
</body>
</html>
`;
  return {
    statusCode: status,
    headers: {
      ...headers,
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": csp,
      ...(framers.length === 0 ? { "x-frame-options": "DENY" } : {}),
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
      "x-robots-tag": "noindex",
    },
    body: document.text,
  };
};
