import { expect } from "vitest";
import { allItems } from "./table.js";

const byKey = (items: Record<string, unknown>[]) =>
  [...items].sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));

/**
 * Runs a request that must be rejected, and proves it: the status, the error body's shape
 * `{"error":{"code","message","details?"}}` with a useful message, and not one item of the table
 * changed (a full scan before and after).
 */
export const expectRejectedWithoutWrite = async (
  table: { endpoint: string; tableName: string },
  run: () => Promise<{ status: number; body: any }>,
  status: number,
  code: string,
): Promise<void> => {
  const before = byKey(await allItems(table.endpoint, table.tableName));
  const response = await run();
  const after = byKey(await allItems(table.endpoint, table.tableName));
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toEqual({
    error: {
      code,
      message: expect.any(String),
      ...(response.body?.error?.details ? { details: expect.anything() } : {}),
    },
  });
  expect(response.body.error.message.length).toBeGreaterThan(10);
  expect(after).toEqual(before);
};
