import type { Program } from "../domain/program.js";
import { type Html, html } from "./html.js";

/**
 * A program's identity on a page: its logo (the image at branding.logoUrl, else its logo text), its
 * name and its organization, in its colours. The logo is decorative (`alt=""`): the program's name is
 * written next to it, and a screen reader need not hear it twice.
 */

/** The origin of the program's logo, for the page's CSP img-src; none without a logo URL. */
export const imageOriginsOf = (program: Pick<Program, "branding">): string[] => {
  const url = program.branding.logoUrl;
  if (!url) return [];
  try {
    const { protocol, origin } = new URL(url);
    return protocol === "https:" ? [origin] : [];
  } catch {
    return [];
  }
};

/** The logo: the image when the program has one (https only), else its logo text when it has one. */
export const logo = (program: Program): Html => {
  const { logoUrl, logoText } = program.branding;
  if (logoUrl && imageOriginsOf(program).length > 0) {
    return html`<img class="logo" src="${logoUrl}" alt="" height="48" decoding="async">\n`;
  }
  return logoText ? html`<p class="logo-text" aria-hidden="true">${logoText}</p>\n` : html``;
};

/** The branded header of the join pages: logo, the page's heading, and who runs the program. */
export const brandHeader = (program: Program, heading: string): Html => html`<header class="brand">
${logo(program)}<h1>${heading}</h1>
<p>${program.organizationName}</p>
</header>
`;

/** The program's colours as the page draws them (page.ts checks and corrects them). */
export const coloursOf = (program: Program) => ({
  background: program.branding.backgroundColor,
  foreground: program.branding.foregroundColor,
});
