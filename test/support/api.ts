import { afterAll, beforeAll } from "vitest";
import { resetConfigForTests } from "../../functions/config/env.js";
import { type LocalServer, startLocalServer } from "../../local/server.js";
import { TEST_ADMIN_KEY, useTestTable } from "./table.js";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  /** A raw body sent as is (for malformed input). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * Carnet as a client sees it: the local API Gateway stand-in on a free port, with the real handlers,
 * on a fresh table in DynamoDB Local. `call` speaks HTTP like any client would.
 */
export const useApi = () => {
  const table = useTestTable();
  let server: LocalServer | undefined;
  beforeAll(async () => {
    server = await startLocalServer({ port: 0, trustForwardedFor: true });
    process.env.PUBLIC_URL = server.url; // what passes and card links point at, as `npm start` sets it
    resetConfigForTests();
  });
  afterAll(async () => {
    await server?.close();
  });

  const call = async <T = any>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<ApiResponse<T>> => {
    if (!server) throw new Error("the server is not started yet");
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? TEST_ADMIN_KEY : options.key;
    if (key !== null) headers.authorization ??= `Bearer ${key}`;
    let body: string | Buffer | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };

  return { call, table, url: () => server?.url ?? "" };
};
