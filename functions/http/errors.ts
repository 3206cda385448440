import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { z } from "zod";
import { DomainError, type DomainErrorKind } from "../domain/errors.js";

/**
 * The one error vocabulary of the HTTP API. Every failure leaves as
 * `{"error":{"code","message","details?"}}` with a status chosen here and nowhere else.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  bad_request: 400,
  validation: 422,
  not_found: 404,
  conflict: 409,
  unauthenticated: 401,
  forbidden: 403,
  rate_limited: 429,
  unavailable: 503,
};

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ example: "validation_failed" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "Error" });

export const jsonResponse = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  body: JSON.stringify(body),
});

/** Zod issues as a short list a client can act on: where, and what is wrong. */
export const issuesOf = (error: z.ZodError): { path: string; message: string }[] =>
  error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message:
      issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
  }));

/** The whole seconds to wait that a rate-limited error's details name (at least 1), if any. */
export const retryAfterOf = (details: unknown): number | undefined => {
  const seconds = (details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === "number" && Number.isFinite(seconds)
    ? Math.max(1, Math.ceil(seconds))
    : undefined;
};

/** Any thrown value as an HTTP error. Unknown errors are the server's fault: 500, with nothing leaked. */
export const toHttpError = (error: unknown): HttpError => {
  if (error instanceof HttpError) return error;
  if (error instanceof DomainError) {
    const retryAfter = error.kind === "rate_limited" ? retryAfterOf(error.details) : undefined;
    return new HttpError(
      STATUS_OF_KIND[error.kind],
      error.code,
      error.message,
      error.details,
      retryAfter === undefined ? {} : { "retry-after": String(retryAfter) },
    );
  }
  return new HttpError(500, "internal_error", "Something went wrong on our side; it has been logged.");
};

export const errorResponse = (error: HttpError): APIGatewayProxyStructuredResultV2 =>
  jsonResponse(
    error.status,
    {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    },
    error.headers,
  );
