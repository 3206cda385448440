/**
 * The domain's error vocabulary. Domain code throws these; the HTTP layer maps each kind to one status
 * in one place (functions/http/errors.ts). Nothing here knows about HTTP.
 */
export type DomainErrorKind =
  | "bad_request" // the request itself is malformed (e.g. a cursor this API never issued)
  | "validation" // the request is well-formed but breaks a rule
  | "not_found" // the thing does not exist, or is not visible to the caller
  | "conflict" // the thing exists already, or changed under the caller
  | "unauthenticated" // no or wrong credentials
  | "forbidden" // credentials are fine but do not reach this resource
  | "rate_limited" // more requests than a limit allows: try again after `details.retryAfterSeconds`
  | "unavailable"; // the deployment lacks something (e.g. Apple certificates): not the client's fault

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (what: string, id: string): DomainError =>
  new DomainError("not_found", `${what}_not_found`, `No ${what} with id '${id}'.`);

export const conflict = (code: string, message: string): DomainError =>
  new DomainError("conflict", code, message);

/** A well-formed request that a rule refuses (422). */
export const refused = (code: string, message: string, details?: unknown): DomainError =>
  new DomainError("validation", code, message, details);

/** More requests than a limit allows (429); `retryAfterSeconds` becomes the Retry-After header. */
export const rateLimited = (code: string, message: string, retryAfterSeconds: number): DomainError =>
  new DomainError("rate_limited", code, message, { retryAfterSeconds });
