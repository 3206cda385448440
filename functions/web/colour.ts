/**
 * A merchant's brand colours, made safe and readable for a page: only `#rrggbb` reaches the
 * stylesheet (anything else could end the CSS rule it sits in), and text that would not reach WCAG
 * AA's 4.5:1 on its background is drawn in black or white instead, whichever reads better. Black or
 * white always reaches at least 4.58:1 on any colour, so every branded surface passes AA.
 */

export interface Colours {
  background: string;
  foreground: string;
}

/** Carnet's own colours when a program has none (the same defaults as Branding's). */
export const DEFAULT_COLOURS: Colours = { background: "#1f2937", foreground: "#ffffff" };

const HEX = /^#[0-9a-f]{6}$/;

/** `#RRGGBB` lowercased, or undefined for anything else. */
export const hexColour = (value: string | undefined): string | undefined => {
  const colour = value?.trim().toLowerCase();
  return colour && HEX.test(colour) ? colour : undefined;
};

const channel = (value: number): number => {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

/** WCAG 2 relative luminance of a `#rrggbb` colour. */
export const luminance = (hex: string): number => {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
};

/** WCAG 2 contrast ratio of two `#rrggbb` colours, from 1 to 21. */
export const contrastRatio = (a: string, b: string): number => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
};

/** WCAG AA for normal text. */
export const AA = 4.5;

/** The program's colours as a page may draw them: valid hex, and text readable on its background. */
export const readableColours = (colours: Partial<Colours> | undefined): Colours => {
  const background = hexColour(colours?.background) ?? DEFAULT_COLOURS.background;
  const foreground = hexColour(colours?.foreground) ?? DEFAULT_COLOURS.foreground;
  if (contrastRatio(background, foreground) >= AA) return { background, foreground };
  const black = "#000000";
  const white = "#ffffff";
  return {
    background,
    foreground: contrastRatio(background, black) >= contrastRatio(background, white) ? black : white,
  };
};
