import { describe, expect, it } from "vitest";
import { type DeviceLogLimits, deviceLog } from "../../functions/app/device-log.js";

/** PassKit device logs: bounded per request and, across requests, per process. */

interface Line {
  line: string;
  fields: Record<string, unknown>;
}

/** A device log writing to a list, on a clock the test moves. */
const logWith = (limits: Partial<DeviceLogLimits> = {}) => {
  const lines: Line[] = [];
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const log = deviceLog((line, fields) => lines.push({ line, fields }), { ...limits, now: () => clock });
  return {
    log,
    lines,
    advance: (ms: number) => {
      clock += ms;
    },
    take: () => lines.splice(0),
  };
};

const messages = (count: number, length = 20) =>
  Array.from({ length: count }, (_, i) => `${i}:`.padEnd(length, "x"));

describe("PassKit device logs", () => {
  it("logs each message of a small request as it came", () => {
    // Prepare
    const { log, lines } = logWith();

    // Act
    const outcome = log.record(["Could not download pass", "Web service error"]);

    // Assess
    expect(outcome).toEqual({ logged: 2, dropped: 0 });
    expect(lines).toEqual([
      { line: "PassKit device log", fields: { deviceMessage: "Could not download pass" } },
      { line: "PassKit device log", fields: { deviceMessage: "Web service error" } },
    ]);
  });

  it("turns a 60 KB request of 100 messages into 10 lines of at most 500 characters and one summary", () => {
    // Prepare
    const { log, lines } = logWith();

    // Act
    const outcome = log.record(messages(100, 600));

    // Assess
    expect(outcome).toEqual({ logged: 10, dropped: 90 });
    expect(lines).toHaveLength(11);
    for (const { line, fields } of lines.slice(0, 10)) {
      expect(line).toBe("PassKit device log");
      expect(String(fields.deviceMessage).length).toBeLessThanOrEqual(501);
      expect(fields.length).toBe(600);
    }
    expect(lines[10]).toEqual({
      line: "PassKit device log: messages left out",
      fields: { leftOut: 90, received: 100, limit: 10 },
    });
  });

  it("never cuts a message in the middle of a character", () => {
    // Prepare
    const { log, lines } = logWith({ maxChars: 5 });

    // Act: the fifth UTF-16 unit is the first half of an emoji
    log.record(["abcd😀efg"]);

    // Assess
    expect(lines[0]?.fields.deviceMessage).toBe("abcd…");
  });

  it("logs at most the bucket's lines a minute across a flood of requests, and counts the rest", () => {
    // Prepare
    const { log, lines } = logWith({ linesPerMinute: 60 });

    // Act: 1,000 requests of 10 messages within one second
    let dropped = 0;
    for (let i = 0; i < 1000; i++) dropped += log.record(messages(10)).dropped;

    // Assess
    expect(lines).toHaveLength(60);
    expect(dropped).toBe(10_000 - 60);
  });

  it("says how much it dropped when it logs again", () => {
    // Prepare: a bucket emptied by 3 requests, then 2 more refused
    const { log, take, advance } = logWith({ linesPerMinute: 3 });
    log.record(messages(3));
    log.record(messages(2));
    log.record(messages(4));
    take();

    // Act: a minute later
    advance(60_000);
    const outcome = log.record(["back again"]);

    // Assess
    expect(outcome).toEqual({ logged: 1, dropped: 0 });
    expect(take()).toEqual([
      {
        line: "PassKit device logs resumed",
        fields: { droppedMessages: 6, droppedRequests: 2, droppedSince: "2026-01-01T00:00:00.000Z" },
      },
      { line: "PassKit device log", fields: { deviceMessage: "back again" } },
    ]);
  });

  it("refills continuously: a line a second at 60 lines a minute", () => {
    // Prepare
    const { log, take, advance } = logWith({ linesPerMinute: 60 });
    for (let i = 0; i < 6; i++) log.record(messages(10));
    take();

    // Act
    advance(500);
    const early = log.record(["too early"]);
    advance(500);
    const onTime = log.record(["on time"]);

    // Assess: the one line a second is spent saying what was dropped; the message itself waits
    expect(early.logged).toBe(0);
    expect(onTime.logged).toBe(0);
    expect(take()).toEqual([
      {
        line: "PassKit device logs resumed",
        fields: expect.objectContaining({ droppedMessages: 1, droppedRequests: 1 }),
      },
    ]);
  });

  it("counts a summary it could not log among what it dropped", () => {
    // Prepare: room for 10 messages and not their summary
    const { log, take, advance } = logWith({ linesPerMinute: 10 });

    // Act
    log.record(messages(15));
    advance(60_000);
    log.record([]);

    // Assess
    expect(take()).toEqual([
      ...Array.from({ length: 10 }, () => ({ line: "PassKit device log", fields: expect.anything() })),
      {
        line: "PassKit device logs resumed",
        fields: expect.objectContaining({ droppedMessages: 5, droppedRequests: 1 }),
      },
    ]);
  });
});
