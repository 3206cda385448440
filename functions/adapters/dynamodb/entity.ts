import { META_ATTRIBUTES } from "./table.js";

/** A stored item back to the entity: storage attributes removed, the rest parsed by the schema. */
export const entityOf = <T>(
  schema: { parse(data: unknown): T },
  item: Record<string, unknown>,
  extra: readonly string[] = [],
): T => {
  const data: Record<string, unknown> = { ...item };
  for (const name of [...META_ATTRIBUTES, ...extra]) delete data[name];
  return schema.parse(data);
};
