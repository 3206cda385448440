import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
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

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's violations of the page, as lines (impact, rule, help, where), those of at least
 * `minImpact` ("minor" for every one). axe is injected as a script file, which the pages' CSP (no
 * script at all) refuses: the page's context must bypass CSP (`bypassCSP: true`) for that.
 */
export const axeViolations = async (
  page: Page,
  minImpact: "minor" | "moderate" | "serious" | "critical" = "minor",
): Promise<string[]> => {
  const impacts = ["minor", "moderate", "serious", "critical"];
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<unknown> } }
    ).axe;
    const result = (await axe.run((globalThis as any).document, { resultTypes: ["violations"] })) as {
      violations: AxeViolation[];
    };
    return result.violations;
  });
  return violations
    .filter((v) => impacts.indexOf(v.impact ?? "minor") >= impacts.indexOf(minImpact))
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
};

/** A full-page screenshot into test-results/<folder>/<name>.png, as a test artefact. */
export const screenshotTo =
  (folder: string) =>
  (page: Page, name: string): Promise<Buffer> =>
    page.screenshot({ path: join(process.cwd(), "test-results", folder, `${name}.png`), fullPage: true });

/** An iPhone, as the page tests present one (Safari's user agent: the card page puts Apple Wallet first). */
export const IPHONE: BrowserContextOptions = {
  userAgent:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
