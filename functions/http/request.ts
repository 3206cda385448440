import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { z } from "zod";
import { HttpError, issuesOf } from "./errors.js";

/**
 * Turning the raw event into validated input. Each kind of client mistake has its own code, so a
 * script can tell them apart: missing_body, unsupported_media_type, payload_too_large, malformed_json,
 * unknown_field, validation_failed, unknown_parameter, invalid_parameter, <thing>_not_found.
 */

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

export const parseBody = (event: APIGatewayProxyEventV2, schema: z.ZodType, maxBytes: number): unknown => {
  const raw = event.body ?? "";
  const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  if (bytes.length > maxBytes) {
    throw new HttpError(
      413,
      "payload_too_large",
      `The body is ${bytes.length} bytes; the limit is ${maxBytes} bytes.`,
    );
  }
  if (bytes.length === 0) throw new HttpError(400, "missing_body", "This operation needs a JSON body.");
  const contentType = header(event, "content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Send the body as JSON with 'Content-Type: application/json' (got '${contentType.slice(0, 100) || "none"}').`,
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
  return result.data;
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
