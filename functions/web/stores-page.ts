import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { MAX_FAVOURITE_STORES } from "../domain/loyalty/member.js";
import type { Program } from "../domain/program.js";
import { brandHeader, coloursOf, imageOriginsOf } from "./brand.js";
import { fieldError } from "./form.js";
import { type Html, html } from "./html.js";
import type { Language } from "./locale.js";
import { htmlPage } from "./page.js";
import { type MyStoresWords, type PageWords, wordsFor } from "./words.js";

/**
 * "My stores" (GET /c/{token}/stores): the member pins up to MAX_FAVOURITE_STORES stores that the card
 * shows first. Without a script, like every customer page: one checkbox per store in a fieldset whose
 * legend and hint say the limit in words; a plain GET form searches the program's stores; the choice
 * posts to the same address. Too many stores, or a store that is not the program's, shows the page
 * again with the error summary of the join form's pattern (announced, focused, linking to the boxes).
 *
 * The two forms are separate: a search is a new page, and a box ticked before it is not kept (no
 * script to carry it). What is ticked is what is posted, in the page's order, so the chosen stores,
 * listed first, stay first.
 */

/** A store as the page lists it (app/my-stores.ts StoreOption). */
export interface StoreOption {
  storeId: string;
  name: string;
  address?: string | undefined;
  postcode?: string | undefined;
}

/** What went wrong with a posted choice. */
export type StoresProblem = "too_many" | "unknown_store";

export interface StoresPageInput {
  program: Program;
  lang: Language;
  /** `/c/{token}/stores`: where both forms go (relative, so CSP form-action 'self' allows it). */
  action: string;
  /** `/c/{token}`: the card page. */
  cardUrl: string;
  /** Ticked, listed first: the favourites, or what was posted when shown again. */
  chosen: readonly StoreOption[];
  onCard: readonly StoreOption[];
  nearby: readonly StoreOption[];
  search?: { query: string; found: readonly StoreOption[]; more: boolean } | undefined;
  /** After a save (`?saved=1`): the status message. */
  saved?: boolean;
  /** A refused choice: the page again, 422, with the error summary. */
  problem?: StoresProblem | undefined;
}

/** The stylesheet's rules for this page only (page.ts's `extraCss`). */
const STORES_CSS = `input[type=search]{display:block;width:100%;min-height:2.875rem;font:inherit;color:#111827;background:#fff;border:2px solid #4b5563;border-radius:.375rem;padding:.5rem .75rem;margin:0}
.stores h2{font-size:1.0625rem;margin:1.25rem 0 .5rem}
.stores .check label{font-weight:600}
.stores .check .hint{font-weight:400;margin:0}
.saved{border-left:6px solid #15803d}
.saved p{margin:0}`;

const idOf = (store: StoreOption) => `store-${store.storeId}`;

/** "12 rue de la Roquette, 75011": what tells two stores of the same name apart. */
const whereIs = (store: StoreOption): string | undefined => {
  const { address, postcode } = store;
  if (address && postcode && !address.includes(postcode)) return `${address}, ${postcode}`;
  return address || postcode || undefined;
};

/** One store's box: its name as the label, its address under it (still inside the label). */
const storeBox = (store: StoreOption, checked: boolean): Html => {
  const where = whereIs(store);
  return html`<div class="check">
<input type="checkbox" id="${idOf(store)}" name="store" value="${store.storeId}"${checked ? html` checked` : ""}>
<label for="${idOf(store)}">${store.name}${where === undefined ? "" : html`<span class="hint">${where}</span>`}</label>
</div>
`;
};

const group = (title: string, stores: readonly StoreOption[], checked: boolean, empty?: string): Html =>
  stores.length === 0 && empty === undefined
    ? html``
    : html`<h2>${title}</h2>
${stores.length === 0 ? html`<p class="muted">${empty}</p>\n` : stores.map((s) => storeBox(s, checked))}`;

const problemText = (problem: StoresProblem, words: MyStoresWords): string =>
  problem === "too_many" ? words.tooMany(MAX_FAVOURITE_STORES) : words.unknownStore;

/** The join form's error summary (form.ts), for a checkbox group: the message links to its first box. */
const errorSummary = (message: string, target: string, words: PageWords): Html =>
  html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
<h2 id="error-summary-title">${words.errorSummaryTitle}</h2>
<ul>
<li><a href="#${target}">${message}</a></li>
</ul>
</div>
`;

const searchForm = (input: StoresPageInput, t: MyStoresWords): Html =>
  html`<form method="get" action="${input.action}" role="search">
<div class="field">
<label for="q">${t.searchLabel}</label>
<span class="hint" id="q-hint">${t.searchHint}</span>
<input type="search" id="q" name="q" value="${input.search?.query ?? ""}" aria-describedby="q-hint" autocomplete="off" maxlength="100">
</div>
<button type="submit">${t.searchButton}</button>
</form>
${input.search ? html`<p><a href="${input.action}">${t.clearSearch}</a></p>\n` : ""}`;

export const storesPage = (input: StoresPageInput): APIGatewayProxyStructuredResultV2 => {
  const { program, lang, chosen, search, problem } = input;
  const words = wordsFor(lang);
  const t = words.myStores;
  const all = [...chosen, ...(search ? search.found : [...input.onCard, ...input.nearby])];
  const first = all[0];
  const message = problem === undefined ? undefined : problemText(problem, t);
  const describedBy = ["stores-hint", message === undefined ? "" : "stores-error"].filter(Boolean).join(" ");
  const lists = search
    ? html`${group(t.chosenTitle, chosen, true)}<h2>${t.foundTitle(search.query)}</h2>
${search.found.length === 0 ? html`<p>${t.noneFound(search.query, chosen.length > 0)}</p>\n` : search.found.map((s) => storeBox(s, false))}${search.more ? html`<p class="muted">${t.moreFound(search.found.length)}</p>\n` : ""}`
    : html`${group(t.chosenTitle, chosen, true, t.noneChosen)}${group(t.onCardTitle, input.onCard, false)}${group(t.nearbyTitle, input.nearby, false)}${all.length === 0 ? html`<p>${t.noStores}</p>\n` : ""}`;
  const body = html`${brandHeader(program, t.title)}${
    input.saved && message === undefined
      ? html`<div class="panel saved" role="status"><p>${chosen.length > 0 ? t.saved : t.savedNone}</p></div>\n`
      : ""
  }${message === undefined ? "" : errorSummary(message, first ? idOf(first) : "stores", words)}<div class="panel">
<p>${t.intro}</p>
${searchForm(input, t)}</div>
<div class="panel stores">
<form method="post" action="${input.action}" novalidate>
<fieldset id="stores" aria-describedby="${describedBy}"${message === undefined ? "" : html` class="has-error"`}>
<legend>${t.legend}</legend>
<span class="hint" id="stores-hint">${t.limit(MAX_FAVOURITE_STORES)}</span>
${fieldError("stores-error", message, words)}${lists}</fieldset>
<button type="submit">${t.save}</button>
</form>
</div>
<p><a href="${input.cardUrl}">${t.backToCard}</a></p>
`;
  const title = t.pageTitle(program.name);
  return htmlPage({
    status: message === undefined ? 200 : 422,
    lang,
    title: message === undefined ? title : `${words.errorPrefix}${title}`,
    body,
    colours: coloursOf(program),
    imageOrigins: imageOriginsOf(program),
    extraCss: STORES_CSS,
  });
};
