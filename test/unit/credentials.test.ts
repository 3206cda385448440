import { describe, expect, it } from "vitest";
import { hashKey } from "../../functions/shared/api-keys.js";
import {
  acceptedKey,
  KEY_USE_RECORDED_EVERY_MS,
  MAX_KEY_GRACE_SECONDS,
  rotatedKey,
  useToRecord,
} from "../../functions/shared/key-lifecycle.js";

const NOW = new Date("2031-01-01T12:00:00.000Z");
const later = (ms: number) => new Date(NOW.getTime() + ms);

describe("a key's lifecycle", () => {
  it("accepts the current key and nothing else before any rotation", () => {
    // Prepare
    const key = { hash: hashKey("one") };

    // Act
    const answers = [acceptedKey(key, "one", NOW), acceptedKey(key, "two", NOW), acceptedKey(key, "", NOW)];

    // Assess
    expect(answers).toEqual(["current", undefined, undefined]);
  });

  it("refuses the replaced key at once after a rotation without grace", () => {
    // Act
    const key = rotatedKey({ hash: hashKey("one"), lastUsedAt: NOW.toISOString() }, hashKey("two"), 0, NOW);

    // Assess
    expect(key).toEqual({ hash: hashKey("two") });
    expect([acceptedKey(key, "one", NOW), acceptedKey(key, "two", NOW)]).toEqual([undefined, "current"]);
  });

  it("accepts the replaced key until its grace period ends, and not a second later", () => {
    // Prepare
    const key = rotatedKey(
      { hash: hashKey("one"), lastUsedAt: "2030-12-31T00:00:00.000Z" },
      hashKey("two"),
      60,
      NOW,
    );

    // Act
    const during = acceptedKey(key, "one", later(59_999));
    const after = acceptedKey(key, "one", later(60_000));

    // Assess
    expect(key.previousValidUntil).toBe(later(60_000).toISOString());
    expect(key.previousLastUsedAt).toBe("2030-12-31T00:00:00.000Z");
    expect([during, after]).toEqual(["previous", undefined]);
  });

  it("keeps at most two keys: a second rotation drops the key still in grace from the first", () => {
    // Prepare
    const once = rotatedKey({ hash: hashKey("one") }, hashKey("two"), MAX_KEY_GRACE_SECONDS, NOW);

    // Act
    const twice = rotatedKey(once, hashKey("three"), MAX_KEY_GRACE_SECONDS, NOW);

    // Assess
    expect(["one", "two", "three"].map((k) => acceptedKey(twice, k, NOW))).toEqual([
      undefined,
      "previous",
      "current",
    ]);
  });

  it("records a key's use at most once per interval, each key on its own", () => {
    // Prepare
    const key = { hash: hashKey("two"), lastUsedAt: NOW.toISOString() };

    // Act
    const soon = useToRecord(key, "current", later(KEY_USE_RECORDED_EVERY_MS - 1));
    const due = useToRecord(key, "current", later(KEY_USE_RECORDED_EVERY_MS));
    const previousNeverRecorded = useToRecord(key, "previous", NOW);

    // Assess
    expect([soon, due, previousNeverRecorded]).toEqual([false, true, true]);
  });
});
