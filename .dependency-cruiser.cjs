/**
 * Carnet's dependency rule (docs/architecture.md, "Layers"), checked by `npm run check` and so by
 * `npm test`: dependencies point one way.
 *
 *   functions/<fn>/handler.ts  composition roots: parse config at cold start, wire, export the handler
 *        │
 *   composition/  ─────────────►  adapters/ config/  (the only place that knows the concrete parts)
 *        │
 *   api/  (operation table, schemas, presenters)  ──►  http/ (generic HTTP layer)
 *   web/  (pages, emails, words, barcodes: pure rendering, used by handlers and composition)
 *        │
 *   app/  (use cases)
 *        │
 *   domain/  (pure: rules, engine, ports)      adapters/ ──► domain ports
 *        │
 *   shared/  (ids, codes, keys, logger)
 */
const layer = (name) => `^functions/${name}/`;
const LAYERS = ["shared", "domain", "app", "adapters", "config", "http", "api", "web", "composition"];
/** Every other folder of functions/ is one Lambda function: its handler.ts and what only it uses. */
const HANDLERS = `^functions/(?!(${LAYERS.join("|")})/)[^/]+/`;

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes modules impossible to read, test or load one at a time.",
      from: { path: "^functions/" },
      to: { circular: true },
    },
    {
      name: "shared-is-the-floor",
      severity: "error",
      comment: "shared/ is used by every layer and uses none of them.",
      from: { path: layer("shared") },
      to: { path: "^functions/(?!shared/)" },
    },
    {
      name: "domain-is-pure",
      severity: "error",
      comment: "The domain knows no use case, adapter, HTTP, configuration or wiring.",
      from: { path: layer("domain") },
      to: { path: "^functions/(?!domain/|shared/)" },
    },
    {
      name: "domain-does-no-io",
      severity: "error",
      comment: "The domain does no I/O: no AWS SDK, no file system, no network.",
      from: { path: layer("domain") },
      to: { path: "(@aws-sdk|node_modules/aws-lambda|^(node:)?(fs|http|https|http2|net|child_process))" },
    },
    {
      name: "use-cases-see-only-the-domain",
      severity: "error",
      comment: "Use cases work on the domain's ports; they never see adapters, HTTP, the contract or config.",
      from: { path: layer("app") },
      to: { path: "^functions/(?!app/|domain/|shared/)" },
    },
    {
      name: "adapters-implement-ports",
      severity: "error",
      comment: "Adapters implement the domain's ports; they are given their settings, never read config.",
      from: { path: layer("adapters") },
      to: { path: "^functions/(?!adapters/|domain/|shared/)" },
    },
    {
      name: "config-reads-the-environment-only",
      severity: "error",
      comment: "Configuration parses the environment and secrets; it knows no other layer.",
      from: { path: layer("config") },
      to: { path: "^functions/(?!config/|shared/)" },
    },
    {
      name: "http-is-generic",
      severity: "error",
      comment:
        "The HTTP layer knows operations in general, not Carnet's table of them, nor what serves them.",
      from: { path: layer("http") },
      to: { path: "^functions/(?!http/|domain/errors|domain/ports|shared/)" },
    },
    {
      name: "contract-above-use-cases",
      severity: "error",
      comment:
        "The contract (api/) builds on http/ and the domain's schemas; it may present what use cases return (types only).",
      from: { path: layer("api") },
      to: { path: "^functions/(?!api/|http/|domain/|shared/)", pathNot: layer("app") },
    },
    {
      name: "contract-uses-use-case-types-only",
      severity: "error",
      from: { path: layer("api") },
      to: { path: layer("app"), dependencyTypesNot: ["type-only"] },
    },
    {
      name: "web-renders-only",
      comment:
        "web/ renders what customers see (pages, emails, barcodes, words) from domain values; it calls nothing.",
      severity: "error",
      from: { path: layer("web") },
      to: { path: "^functions/(?!web/|domain/|shared/)" },
    },
    {
      name: "composition-is-not-a-handler",
      severity: "error",
      comment: "Shared wiring is used by composition roots, never the other way round.",
      from: { path: layer("composition") },
      to: { path: HANDLERS },
    },
    {
      name: "handlers-are-independent",
      severity: "error",
      comment: "Each function is its own composition root: one function's handler never imports another's.",
      from: { path: "^functions/([^/]+)/handler\\.ts$" },
      to: { path: HANDLERS, pathNot: "^functions/$1/" },
    },
    {
      name: "nothing-below-imports-a-handler",
      severity: "error",
      from: { path: `^functions/(${LAYERS.join("|")})/` },
      to: { path: HANDLERS },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
