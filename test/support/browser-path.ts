/** Debian's Chromium, or the binary CARNET_CHROMIUM names (the page tests and scripts/ensure-tools.ts). */
export const chromiumPath = (): string => process.env.CARNET_CHROMIUM || "/usr/bin/chromium";
