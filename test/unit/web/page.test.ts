import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { contrastRatio, readableColours } from "../../../functions/web/colour.js";
import { html } from "../../../functions/web/html.js";
import { htmlPage } from "../../../functions/web/page.js";

/** The one layout: its Content-Security-Policy, its security headers and its colours. */

const styleOf = (body: string | undefined): string =>
  /<style>([\s\S]*?)<\/style>/.exec(body ?? "")?.[1] ?? "";

const directive = (csp: string | undefined, name: string): string | undefined =>
  csp
    ?.split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `));

const page = (extra: Partial<Parameters<typeof htmlPage>[0]> = {}) =>
  htmlPage({ status: 200, lang: "fr", title: "Bonjour", body: html`<p>Bonjour</p>`, ...extra });

describe("the page layout", () => {
  it("allows its one style element by its SHA-256 hash, and nothing inline besides", () => {
    // Prepare
    const answer = page({ colours: { background: "#123456", foreground: "#ffffff" } });

    // Act
    const css = styleOf(answer.body);
    const hash = createHash("sha256").update(css, "utf8").digest("base64");
    const csp = answer.headers?.["content-security-policy"] as string;

    // Assess
    expect(css).toContain("--brand-bg:#123456");
    expect(directive(csp, "style-src")).toBe(`style-src 'sha256-${hash}'`);
    expect(csp).not.toContain("unsafe-inline");
    expect(answer.body?.match(/<style>/g)).toHaveLength(1);
    expect(answer.body).not.toMatch(/<script|\sstyle=/i);
  });

  it("sends the security headers on every page", () => {
    // Act
    const answer = page({ headers: { "retry-after": "60", "content-security-policy": "default-src *" } });

    // Assess
    expect(answer.headers).toMatchObject({
      "content-type": "text/html; charset=utf-8",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
      "x-robots-tag": "noindex",
      "x-frame-options": "DENY",
      "retry-after": "60",
    });
    const csp = answer.headers?.["content-security-policy"] as string;
    expect(csp.split("; ").map((d) => d.split(" ")[0])).toEqual([
      "default-src",
      "style-src",
      "img-src",
      "form-action",
      "base-uri",
      "frame-ancestors",
    ]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("base-uri 'none'");
    expect(directive(csp, "img-src")).toBe("img-src 'self' data:");
  });

  it("refuses every frame without frame ancestors", () => {
    // Act
    const answer = page();

    // Assess
    expect(directive(answer.headers?.["content-security-policy"] as string, "frame-ancestors")).toBe(
      "frame-ancestors 'none'",
    );
    expect(answer.headers?.["x-frame-options"]).toBe("DENY");
  });

  it("lets exactly the given origins frame it, without X-Frame-Options", () => {
    // Act
    const answer = page({ frameAncestors: ["https://www.cafe-lumiere.fr", "http://localhost:8080"] });

    // Assess
    expect(directive(answer.headers?.["content-security-policy"] as string, "frame-ancestors")).toBe(
      "frame-ancestors https://www.cafe-lumiere.fr http://localhost:8080",
    );
    expect(answer.headers?.["x-frame-options"]).toBeUndefined();
  });

  it("drops an origin that would add a directive or a path to the policy", () => {
    // Act
    const answer = page({
      frameAncestors: ["https://evil.example; script-src *", "https://ok.example/path", "*"],
      imageOrigins: ["https://cdn.example.com", "https://x.example 'unsafe-inline'"],
    });

    // Assess
    const csp = answer.headers?.["content-security-policy"] as string;
    expect(directive(csp, "frame-ancestors")).toBe("frame-ancestors 'none'");
    expect(directive(csp, "img-src")).toBe("img-src 'self' data: https://cdn.example.com");
    expect(csp).not.toContain("script-src");
    expect(csp).not.toContain("unsafe-inline");
  });

  it("writes the language, the escaped title, the viewport and noindex into the document", () => {
    // Act
    const body = page({ lang: "de", title: '<Hallo> & "du"' }).body ?? "";

    // Assess
    expect(body).toMatch(/^<!doctype html>\n<html lang="de">/);
    expect(body).toContain("<title>&lt;Hallo&gt; &amp; &quot;du&quot;</title>");
    expect(body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(body).toContain('<meta name="robots" content="noindex">');
    expect(body).toContain('<main id="main">');
  });

  it("never lets a brand colour end the CSS rule it is written in", () => {
    // Act
    const css = styleOf(page({ colours: { background: "red}body{display:none", foreground: "#fff" } }).body);

    // Assess: both fall back to Carnet's defaults
    expect(css.split("\n")[0]).toBe(":root{--brand-bg:#1f2937;--brand-fg:#ffffff}");
  });
});

describe("brand colours", () => {
  it("keeps a merchant's text colour when it reads well on the background", () => {
    expect(readableColours({ background: "#7C2D12", foreground: "#FED7AA" })).toEqual({
      background: "#7c2d12",
      foreground: "#fed7aa",
    });
  });

  it.each([
    ["#ffffff", "#fefefe", "#000000"],
    ["#1f2937", "#374151", "#ffffff"],
    ["#ffd400", "#ffffff", "#000000"],
    ["#767676", "#808080", "#000000"],
  ])("draws text on %s in black or white when %s would fail WCAG AA", (background, foreground, expected) => {
    // Act
    const colours = readableColours({ background, foreground });

    // Assess
    expect(colours.foreground).toBe(expected);
    expect(contrastRatio(colours.background, colours.foreground)).toBeGreaterThanOrEqual(4.5);
  });

  it("measures contrast as WCAG does", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#ffffff", "#ffffff")).toBe(1);
    expect(contrastRatio("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
  });
});
