import { describe, expect, it } from "vitest";
import { barcodeSvg, qrSvg } from "../../../functions/web/barcode.js";

/** The card's barcode and the QR codes, drawn as SVG by bwip-js. */

const viewBox = (svg: string): [number, number] => {
  const [, w = "0", h = "0"] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg) ?? [];
  return [Number(w), Number(h)];
};

describe("barcodes", () => {
  it.each(["qr", "pdf417", "code128"] as const)(
    "draws a %s code as an SVG hidden from screen readers",
    (format) => {
      // Act
      const svg = barcodeSvg(format, "4539148803436467");

      // Assess
      expect(svg).toMatch(
        new RegExp(
          `^<svg class="barcode barcode-${format}" aria-hidden="true" focusable="false" [^>]*xmlns="http://www.w3.org/2000/svg">`,
        ),
      );
      expect(svg).toContain('fill="#ffffff"');
      expect(svg).toMatch(/<\/svg>$/);
      expect(svg).not.toMatch(/<script|<text|style=/);
    },
  );

  it("draws a square QR code and wide linear codes, sized by their viewBox", () => {
    // Act
    const [qrW, qrH] = viewBox(barcodeSvg("qr", "4539148803436467"));
    const [pdfW, pdfH] = viewBox(barcodeSvg("pdf417", "4539148803436467"));
    const [lineW, lineH] = viewBox(barcodeSvg("code128", "4539148803436467"));

    // Assess
    expect(qrW).toBe(qrH);
    expect(pdfW / pdfH).toBeGreaterThan(2);
    expect(lineW / lineH).toBeGreaterThan(2);
  });

  it("draws a card URL as a QR code, different URLs differently", () => {
    // Act
    const one = qrSvg("https://loyalty.example.com/c/aaaa");
    const two = qrSvg("https://loyalty.example.com/c/bbbb");

    // Assess
    expect(one).toContain('class="barcode barcode-qr"');
    expect(one).not.toBe(two);
  });
});
