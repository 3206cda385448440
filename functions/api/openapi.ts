import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { ErrorBody } from "../http/errors.js";
import type { OperationDef } from "../http/operation.js";
import { allOperations } from "./operations.js";

const COMMON_ERRORS: Record<number, string> = {
  400: "Malformed request: a path or query that does not read one way only (malformed_request: an invalid percent-escape, a NUL byte, an encoded '/', '\\' or '%' in a path segment), bad JSON (malformed_json), unknown fields (unknown_field) or query parameters",
  401: "Missing, invalid, rotated or deleted key (missing_credentials, invalid_credentials), or the key of a disabled store or partner (key_disabled)",
  403: "The key may not do this (forbidden)",
  404: "No such route or resource, or one the key cannot reach",
  409: "Conflict with the stored state",
  413: "Body larger than 64 KiB (payload_too_large)",
  415: "Body not sent as application/json (unsupported_media_type)",
  422: "Body of the right shape but invalid values (validation_failed)",
  429: "Too many requests for a limit (store_rate_limited, too_many_registrations): retry after the Retry-After header's seconds",
};

const idempotencyHeader = (mode: "required" | "optional") =>
  z.object({
    "Idempotency-Key": (mode === "required" ? z.string() : z.string().optional()).meta({
      description:
        "The client's name for this request (e.g. a UUID), 1 to 255 printable ASCII characters. The same key with the same body returns the first answer and changes nothing more; with another body it is a 409 idempotency_key_reused. Keys are per caller (store, partner or program) and bound to the first request sent with them, whatever the operation: a purchase's key for as long as the purchase, any other key for 7 days.",
      example: "3f1c2b9e-5d7a-4e61-9a3b-1c2d3e4f5a6b",
    }),
  });

const errorStatuses = (op: OperationDef): number[] => {
  const statuses = [
    400, // malformed_request: any request whose path or query does not read one way only
    404,
    ...(op.idempotency === "required" ? [400] : []),
    ...(op.errors ?? []),
    ...(op.auth === "none" ? [] : op.auth === "applePass" ? [401] : [401, 403]),
    ...(op.query ? [400] : []),
    ...(op.body ? [400, 413, 415, 422] : []),
  ];
  return [...new Set(statuses)].sort();
};

/** The OpenAPI 3.1 document, generated from the operations and their zod schemas. */
export const buildOpenApiDocument = (serverUrl?: string): Record<string, unknown> => {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description:
      "Merchant API: the root admin key (CARNET_ADMIN_KEY) or a program's merchant key (mk.…). Store API: the store's key (sk.…). Partner API: the partner's key (pk.…).",
  });
  const applePass = registry.registerComponent("securitySchemes", "applePass", {
    type: "apiKey",
    in: "header",
    name: "Authorization",
    description:
      "Apple's PassKit web service: `ApplePass <authenticationToken>`, the token written into the pass.",
  });
  for (const op of allOperations as readonly OperationDef[]) {
    const scheme = op.auth === "applePass" ? applePass.name : bearer.name;
    registry.registerPath({
      method: op.method.toLowerCase() as "get",
      path: op.path,
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      ...(op.auth === "none" ? {} : { security: [{ [scheme]: [] }] }),
      request: {
        ...(op.params ? { params: op.params } : {}),
        ...(op.query ? { query: op.query } : {}),
        ...(op.idempotency ? { headers: idempotencyHeader(op.idempotency) } : {}),
        ...(op.body
          ? {
              body: {
                required: true,
                content: {
                  "application/json": { schema: op.body },
                  // The same operation as an HTML form post: its fields, as a browser sends them.
                  ...(op.form
                    ? {
                        "application/x-www-form-urlencoded": {
                          schema: z.object(
                            Object.fromEntries(
                              Object.entries(op.form.fields).map(([name, description]) => [
                                name,
                                z.string().optional().meta({ description }),
                              ]),
                            ),
                          ),
                        },
                      }
                    : {}),
                },
              },
            }
          : {}),
      },
      responses: {
        [op.success.status]:
          op.success.status === 204
            ? { description: op.success.description }
            : {
                description: op.success.description,
                content: { [op.success.contentType ?? "application/json"]: { schema: op.success.schema } },
              },
        ...Object.fromEntries(
          Object.entries(op.otherResponses ?? {}).map(([status, description]) => [status, { description }]),
        ),
        ...Object.fromEntries(
          errorStatuses(op).map((status) => [
            status,
            {
              description: COMMON_ERRORS[status] ?? "Error",
              content: { "application/json": { schema: ErrorBody } },
            },
          ]),
        ),
      },
    });
  }
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Carnet API",
      version: "0.1.0",
      description:
        'Open-source loyalty platform for Apple Wallet and Google Wallet passes. Every error is `{"error":{"code","message"}}`.',
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
  }) as unknown as Record<string, unknown>;
};
