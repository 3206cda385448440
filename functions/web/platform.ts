/**
 * Which wallet a visitor's phone has, from its User-Agent: it only decides which wallet button comes
 * first (and whether a "scan to open on your phone" QR code is worth showing), never what is allowed.
 *
 * Two regular expressions rather than a user-agent parsing library: the only question is "iOS,
 * Android or something else", which these tokens have answered reliably for fifteen years, and a wrong
 * guess costs nothing (every page still shows every button that works). A UA library would add
 * hundreds of kilobytes of rules to every Lambda bundle to answer questions Carnet never asks. iPadOS
 * 13+ in its default "desktop" mode says Macintosh and is treated as a desktop: it gets both buttons
 * and the QR code, and Add to Apple Wallet works there all the same.
 */
export type Platform = "apple" | "android" | "desktop";

const APPLE = /\b(iPhone|iPad|iPod)\b/;
const ANDROID = /\bAndroid\b/i;

export const platformOf = (userAgent: string | undefined): Platform => {
  if (!userAgent) return "desktop";
  if (APPLE.test(userAgent)) return "apple";
  if (ANDROID.test(userAgent)) return "android";
  return "desktop";
};
