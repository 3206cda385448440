import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { z } from "zod";
import { HttpError, issuesOf } from "./errors.js";
import { type FormSpec, InvalidForm } from "./operation.js";
import { percentDecode } from "./routing.js";

/**
 * Turning the raw event into validated input. Each kind of client mistake has its own code, so a
 * script can tell them apart: malformed_request, missing_body, unsupported_media_type,
 * payload_too_large, malformed_json, unknown_field, validation_failed, unknown_parameter,
 * invalid_parameter, <thing>_not_found.
 */

// ---------------------------------------------------------------------------------------------
// The door: a request target that cannot be read one way only is refused before anything else.

const malformed = (message: string) => new HttpError(400, "malformed_request", message);

/** A bounded, printable excerpt of what was sent, for a message. */
const excerpt = (raw: string): string => {
  const cut = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return cut.replace(/[^\x20-\x7e…]/g, "?");
};

/** The first `%` that does not start an escape, with what follows it. */
const badEscape = (raw: string): string | undefined => /%(?![0-9A-Fa-f]{2}).{0,2}/s.exec(raw)?.[0];

/** Why a component does not decode: an invalid escape, or escapes that are not UTF-8. */
const undecodable = (raw: string, where: string): HttpError => {
  const bad = badEscape(raw);
  return bad !== undefined
    ? malformed(
        `The ${where} has an invalid percent-escape '${excerpt(bad)}': '%' must be followed by two hexadecimal digits.`,
      )
    : malformed(`The ${where} has percent-escapes that do not decode to UTF-8 text (in '${excerpt(raw)}').`);
};

const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
};

/**
 * What a path segment may not hold once decoded. Carnet's identifiers (ids, card links, Apple's
 * device, pass type and serial identifiers) never hold any of these, so a path is read the same way
 * whether it arrives percent-encoded (as sent) or already decoded once by a proxy in front.
 */
const SEGMENT_RULES: readonly [(decoded: string) => boolean, string][] = [
  [(d) => d.includes("\0"), "a NUL byte (%00)"],
  [(d) => d.includes("/"), "an encoded '/' (%2F): a path parameter is one segment"],
  [(d) => d.includes("\\"), "a backslash ('\\' or %5C)"],
  [
    (d) => d.includes("%"),
    "an encoded '%' (%25): path segments are percent-decoded exactly once, so a decoded segment never holds '%'",
  ],
  [hasControl, "a control character"],
  [(d) => d.includes("\uFFFD"), "U+FFFD, the replacement character that invalid UTF-8 decodes to"],
];

const assertWellFormedPath = (rawPath: string): void => {
  for (const segment of rawPath.split("/")) {
    const decoded = percentDecode(segment);
    if (decoded === undefined) throw undecodable(segment, "path");
    for (const [holds, what] of SEGMENT_RULES) {
      if (holds(decoded)) throw malformed(`The path is malformed: a path segment may not hold ${what}.`);
    }
  }
};

const NUL_IN_QUERY = "The query string is malformed: it may not hold a NUL byte (%00).";

const assertWellFormedQuery = (
  rawQueryString: string,
  parsed: Record<string, string | undefined> | undefined,
): void => {
  for (const pair of rawQueryString === "" ? [] : rawQueryString.split("&")) {
    const at = pair.indexOf("=");
    for (const part of at < 0 ? [pair] : [pair.slice(0, at), pair.slice(at + 1)]) {
      const decoded = percentDecode(part);
      if (decoded === undefined) throw undecodable(part, "query string");
      if (decoded.includes("\0")) throw malformed(NUL_IN_QUERY);
    }
  }
  // What API Gateway parsed comes from the same string; checked all the same, at no cost.
  for (const [name, value] of Object.entries(parsed ?? {})) {
    if (name.includes("\0") || value?.includes("\0")) throw malformed(NUL_IN_QUERY);
  }
};

/**
 * The first check of every request, before routing, authentication or any read: the path and the
 * query string, as sent (the event's `rawPath` and `rawQueryString`), must read one way only.
 * Refused with 400 `malformed_request`: a `%` that does not start two hex digits, escapes that are
 * not UTF-8, or a NUL byte (raw or `%00`), anywhere in the path or the query; and in a path segment,
 * an encoded `/` (`%2F`), a backslash (raw or `%5C`), an encoded `%` (`%25`, so `%25zz` is refused
 * like `%zz`), a control character or U+FFFD. What passes is decoded once: path parameters by the
 * route (routing.ts), the query by API Gateway (or the local server) into `queryStringParameters`.
 */
export const assertWellFormedTarget = (event: APIGatewayProxyEventV2): void => {
  assertWellFormedPath(event.rawPath ?? "");
  assertWellFormedQuery(event.rawQueryString ?? "", event.queryStringParameters);
};

/** Thrown when a path fits no reading of the route it was sent to (after assertWellFormedTarget). */
export const pathNotOfRoute = (template: string): HttpError =>
  malformed(
    `The path does not read as ${template}: send each path parameter as one segment, percent-encoded once.`,
  );

const header = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

export const requestHeader = header;

const hasUnknownKeys = (error: z.ZodError): boolean =>
  error.issues.some((i) => i.code === "unrecognized_keys");

const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

/**
 * An HTML form post, for an operation that takes them: its fields decoded the operation's way, then
 * validated by the same schema as JSON. Refused fields come back as an InvalidForm, for the form to
 * show them; a body that is not even a form (bad escapes, not UTF-8) is a 400 like malformed JSON.
 */
const parseForm = (
  text: string,
  schema: z.ZodType,
  form: FormSpec,
): { body: unknown; format: "form"; fields: URLSearchParams } => {
  for (const pair of text.split("&")) {
    if (percentDecode(pair.replace(/\+/g, " ")) === undefined || pair.includes("\0") || /%00/.test(pair)) {
      throw new HttpError(
        400,
        "malformed_form",
        "The form body is not valid application/x-www-form-urlencoded text (bad percent-escapes, invalid UTF-8 or a NUL byte).",
      );
    }
  }
  const fields = new URLSearchParams(text);
  const result = schema.safeParse(form.decode(fields));
  return {
    body: result.success ? result.data : new InvalidForm(result.error.issues, fields),
    format: "form",
    fields,
  };
};

export const parseBody = (
  event: APIGatewayProxyEventV2,
  schema: z.ZodType,
  maxBytes: number,
  form?: FormSpec,
): { body: unknown; format: "json" | "form"; fields?: URLSearchParams } => {
  const raw = event.body ?? "";
  const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  if (bytes.length > maxBytes) {
    throw new HttpError(
      413,
      "payload_too_large",
      `The body is ${bytes.length} bytes; the limit is ${maxBytes} bytes.`,
    );
  }
  const contentType = header(event, "content-type") ?? "";
  if (form && FORM_CONTENT_TYPE.test(contentType)) {
    return parseForm(bytes.toString("utf8"), schema, form);
  }
  if (bytes.length === 0) throw new HttpError(400, "missing_body", "This operation needs a JSON body.");
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Send the body as JSON with 'Content-Type: application/json'${form ? " (or an HTML form post, application/x-www-form-urlencoded)" : ""} (got '${contentType.slice(0, 100) || "none"}').`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new HttpError(400, "malformed_json", `The body is not valid JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    if (hasUnknownKeys(result.error)) {
      throw new HttpError(
        400,
        "unknown_field",
        "The body has fields this operation does not know.",
        issuesOf(result.error),
      );
    }
    throw new HttpError(
      422,
      "validation_failed",
      "The body is not valid for this operation.",
      issuesOf(result.error),
    );
  }
  return { body: result.data, format: "json" };
};

export const parseQuery = (event: APIGatewayProxyEventV2, schema: z.ZodObject | undefined): unknown => {
  const query = event.queryStringParameters ?? {};
  if (!schema) {
    if (Object.keys(query).length > 0) {
      throw new HttpError(
        400,
        "unknown_parameter",
        `This operation takes no query parameters (got: ${Object.keys(query).join(", ")}).`,
      );
    }
    return {};
  }
  const result = schema.safeParse(query);
  if (!result.success) {
    if (hasUnknownKeys(result.error)) {
      throw new HttpError(
        400,
        "unknown_parameter",
        "The query has parameters this operation does not know.",
        issuesOf(result.error),
      );
    }
    throw new HttpError(400, "invalid_parameter", "A query parameter is not valid.", issuesOf(result.error));
  }
  return result.data;
};

/** A path id that cannot exist is simply not found: no database read, no hint about the syntax. */
export const parseParams = (event: APIGatewayProxyEventV2, schema: z.ZodObject | undefined): unknown => {
  if (!schema) return {};
  const params = event.pathParameters ?? {};
  const result = schema.safeParse(params);
  if (!result.success) {
    const name = String(result.error.issues[0]?.path[0] ?? "resource");
    const thing = name.replace(/Id$/, "");
    const value = String(params[name] ?? "").slice(0, 64);
    throw new HttpError(404, `${thing}_not_found`, `No ${thing} with id '${value}'.`);
  }
  return result.data;
};

/**
 * The `Idempotency-Key` header: the client's name for one request, so that a retry is recognised.
 * 1 to 255 printable ASCII characters (a UUID is the usual choice).
 */
export const idempotencyKey = (
  event: APIGatewayProxyEventV2,
  mode: "required" | "optional" | undefined,
): string | undefined => {
  if (mode === undefined) return undefined;
  const value = header(event, "idempotency-key");
  if (value === undefined || value === "") {
    if (mode === "optional") return undefined;
    throw new HttpError(
      400,
      "missing_idempotency_key",
      "Send an 'Idempotency-Key' header (e.g. a UUID) so that a retry of this request is never applied twice.",
    );
  }
  if (!/^[\x20-\x7e]{1,255}$/.test(value)) {
    throw new HttpError(
      400,
      "invalid_idempotency_key",
      "The Idempotency-Key must be 1 to 255 printable ASCII characters.",
    );
  }
  return value;
};

/** `If-Modified-Since` as epoch seconds, or undefined when absent or not an HTTP date. */
export const ifModifiedSince = (event: APIGatewayProxyEventV2): number | undefined => {
  const value = header(event, "if-modified-since");
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
};
