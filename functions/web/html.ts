/**
 * HTML built from template literals with every interpolated value escaped, unless it is HTML built the
 * same way (`Html`) or explicitly trusted (`trusted`, for markup Carnet made itself, such as an SVG
 * drawn by bwip-js). Hand-written rather than a template engine: Carnet's pages are a handful of small
 * server-rendered documents, and a 30-line escaper keeps the Lambda bundle free of one; what matters
 * (no value ever reaches the page unescaped) is tested in test/unit/web/html.test.ts.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

const render = (value: Value): string => {
  if (value === null || value === undefined || value === false || value === true) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
};

/** `html\`<p>${name}</p>\``: `name` is escaped; nested `html` is kept; arrays are joined; null/false/true render nothing. */
export const html = (strings: TemplateStringsArray, ...values: Value[]): Html =>
  new Html(
    strings.reduce((out, part, i) => out + part + (i < values.length ? render(values[i] as Value) : ""), ""),
  );

/** Markup Carnet made itself (an SVG from bwip-js): inserted as is. Never for anything a client sent. */
export const trusted = (markup: string): Html => new Html(markup);
