/**
 * Draws the images of the default Apple Wallet model (pass-templates/apple/storecard.pass): icon, logo
 * and strip at @1x/@2x/@3x, in Apple's recommended sizes. They are neutral shapes in white over
 * transparency, so that the program's own `backgroundColor` shows through; the icon (which iOS shows
 * on notifications) is opaque; and Google Wallet's default program logo (pass-templates/google). Run `npx tsx scripts/make-pass-images.ts` after changing a shape.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";

type Paint = (x: number, y: number, w: number, h: number) => [number, number, number, number];

const draw = (file: string, w: number, h: number, paint: Paint) => {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b, a] = paint(x + 0.5, y + 0.5, w, h);
      const i = (y * w + x) * 4;
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = a;
    }
  }
  writeFileSync(file, PNG.sync.write(png, { colorType: 6 }));
};

/** Anti-aliased coverage of a shape given its signed distance (negative inside) in pixels. */
const cover = (distance: number) => Math.max(0, Math.min(1, 0.5 - distance));

const icon: Paint = (x, y, w) => {
  const c = w / 2;
  const d = Math.hypot(x - c, y - c);
  const ring = cover(Math.abs(d - w * 0.28) - w * 0.07);
  const dot = cover(d - w * 0.1);
  const white = Math.max(ring, dot);
  const slate = [31, 41, 55];
  const mix = (k: number) => Math.round((slate[k] ?? 0) * (1 - white) + 255 * white);
  return [mix(0), mix(1), mix(2), 255];
};

const logo: Paint = (x, y, _w, h) => {
  const r = h * 0.36;
  const d = Math.hypot(x - h / 2, y - h / 2);
  const ring = cover(Math.abs(d - r * 0.75) - r * 0.18);
  const dot = cover(d - r * 0.25);
  return [255, 255, 255, Math.round(255 * Math.max(ring, dot))];
};

const strip: Paint = (x, y, _w, h) => {
  const band = (x + y * 0.6) % (h * 0.5);
  const stripe = band < h * 0.12 ? 0.14 : 0.05;
  const fade = 1 - y / h / 2;
  return [255, 255, 255, Math.round(255 * stripe * fade)];
};

const dir = join(import.meta.dirname, "..", "pass-templates", "apple", "storecard.pass");
const sizes = { icon: [29, 29], logo: [160, 50], strip: [375, 123] } as const;
const painters = { icon, logo, strip };
for (const [name, [w, h]] of Object.entries(sizes) as [keyof typeof sizes, readonly [number, number]][]) {
  for (const scale of [1, 2, 3]) {
    const suffix = scale === 1 ? "" : `@${scale}x`;
    draw(join(dir, `${name}${suffix}.png`), w * scale, h * scale, painters[name]);
  }
}
console.log(`images written to ${dir}`);

// Google Wallet's default program logo (a class needs one; a program's `branding.logoUrl` replaces it):
// square, 660 × 660 as Google recommends, the icon's mark (Google crops it to a circle).
const google = join(import.meta.dirname, "..", "pass-templates", "google");
mkdirSync(google, { recursive: true });
draw(join(google, "logo.png"), 660, 660, icon);
console.log(`Google logo written to ${google}`);
