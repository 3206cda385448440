import bwipjs from "bwip-js";
import { LRUCache } from "lru-cache";
import type { BarcodeFormat } from "./words.js";

/**
 * Barcodes drawn as inline SVG by bwip-js (the barcode writer in pure JavaScript, no canvas, no
 * native code): the card's code on the card page, the join link on the poster. The SVG is sized by
 * its viewBox and the page's CSS (`width: 100%`, a max-width per kind), so it fills a phone's width
 * and stays sharp at any zoom; each includes its quiet zone (4 modules for QR, 2 for PDF417, 10 for
 * Code 128) on a white background so a scanner reads it on any page colour.
 *
 * The SVG is hidden from assistive technology (`aria-hidden`): the caller wraps it in an element with
 * `role="img"` and a text alternative in the page's language, and writes the code out beside it.
 */

const SYMBOLOGY: Record<BarcodeFormat, string> = { qr: "qrcode", pdf417: "pdf417", code128: "code128" };

/** bwip-js's typed options, and the BWIPP options it passes through untyped. */
type Options = Partial<bwipjs.RenderOptions> & {
  eclevel?: "L" | "M" | "Q" | "H";
  columns?: number;
  rowmult?: number;
};

const OPTIONS: Record<BarcodeFormat, Options> = {
  // Error correction M: survives a scratched screen or a glare, still few modules for a URL.
  qr: { eclevel: "M", scale: 4, padding: 4 },
  pdf417: { scale: 2, paddingwidth: 2, paddingheight: 2, columns: 2, rowmult: 4 },
  code128: { scale: 2, height: 18, paddingwidth: 10, paddingheight: 2 },
};

const decorate = (svg: string, format: BarcodeFormat): string =>
  svg
    .trim()
    .replace(
      /^<svg /,
      `<svg class="barcode barcode-${format}" aria-hidden="true" focusable="false" preserveAspectRatio="xMidYMid meet" shape-rendering="crispEdges" `,
    );

/**
 * Drawn barcodes, kept per process: bwip-js takes 1 to 6 ms for a card code and 12 ms for a card link's
 * QR code, and a card page is opened again and again with the same code (a till, a reload). Bounded by
 * count (each SVG is a few kilobytes).
 */
const drawn = new LRUCache<string, string>({ max: 1000 });

/** The card's code in the program's barcode format, as an SVG element (no text alternative: the caller's). */
export const barcodeSvg = (format: BarcodeFormat, text: string): string => {
  const key = `${format}\n${text}`;
  const cached = drawn.get(key);
  if (cached !== undefined) return cached;
  const svg = draw(format, text);
  drawn.set(key, svg);
  return svg;
};

const draw = (format: BarcodeFormat, text: string): string =>
  decorate(
    bwipjs.toSVG({
      bcid: SYMBOLOGY[format],
      text,
      backgroundcolor: "ffffff",
      barcolor: "000000",
      ...OPTIONS[format],
    } as bwipjs.RenderOptions),
    format,
  );

/** A QR code of `text` (a URL), as an SVG element. */
export const qrSvg = (text: string): string => barcodeSvg("qr", text);
