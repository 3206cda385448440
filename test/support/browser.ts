import { type Browser, chromium } from "playwright-core";
import { chromiumPath } from "./browser-path.js";

/**
 * Debian's headless Chromium as the page tests drive it. Without the background-networking flags it
 * keeps trying to reach Google's hosts, which this machine's closed network refuses.
 */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
