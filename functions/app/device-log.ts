/**
 * Apple's PassKit log endpoint (`POST /passkit/v1/log`): any device, with no credentials, may send
 * up to 100 messages of up to 4 KiB each. What reaches the logs is bounded twice, so that sending
 * is never cheaper for a client than logging is for us:
 *
 * - per request: the first `linesPerRequest` messages, each cut to `maxChars` characters, and one
 *   line saying how many more the request held;
 * - per process: a token bucket of `linesPerMinute` lines (refilled continuously, a minute's worth
 *   at most), so that a flood of requests logs at most that many lines a minute, whatever it holds.
 *   What the bucket refuses is counted, and said in one line when logging resumes.
 *
 * The device still gets Apple's answer (200) either way: it has nothing to retry.
 */

/** Where a line goes: the process's logger (functions/wallet/handler.ts). */
export type DeviceLogSink = (line: string, fields: Record<string, unknown>) => void;

export interface DeviceLogLimits {
  /** Messages logged from one request; the rest are counted in one summary line. */
  linesPerRequest: number;
  /** Characters kept of one message. */
  maxChars: number;
  /** Lines (messages and summaries) logged per minute by one process, across all requests. */
  linesPerMinute: number;
}

export const DEVICE_LOG_LIMITS: DeviceLogLimits = { linesPerRequest: 10, maxChars: 500, linesPerMinute: 60 };

/** What became of one request's messages: `logged` of them were written, `dropped` were not. */
export interface DeviceLogOutcome {
  logged: number;
  dropped: number;
}

export interface DeviceLog {
  record(messages: readonly string[]): DeviceLogOutcome;
}

/** The first `max` characters, never ending in half of a surrogate pair. */
const cut = (text: string, max: number): string => {
  const head = text.slice(0, max);
  const last = head.charCodeAt(head.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? head.slice(0, -1) : head;
};

export const deviceLog = (
  write: DeviceLogSink,
  options: Partial<DeviceLogLimits> & { now?: () => number } = {},
): DeviceLog => {
  const { now = Date.now, ...given } = options;
  const limits = { ...DEVICE_LOG_LIMITS, ...given };
  let tokens = limits.linesPerMinute;
  let refilledAt = now();
  /** What the bucket refused since the last line it allowed. */
  let refused = { messages: 0, requests: 0, since: 0 };

  const refill = (at: number): void => {
    tokens = Math.min(
      limits.linesPerMinute,
      tokens + (Math.max(0, at - refilledAt) * limits.linesPerMinute) / 60_000,
    );
    refilledAt = at;
  };
  const take = (): boolean => {
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  return {
    record(messages) {
      const at = now();
      refill(at);
      if (refused.messages > 0 && take()) {
        write("PassKit device logs resumed", {
          droppedMessages: refused.messages,
          droppedRequests: refused.requests,
          droppedSince: new Date(refused.since).toISOString(),
        });
        refused = { messages: 0, requests: 0, since: 0 };
      }
      const shown = messages.slice(0, limits.linesPerRequest);
      const leftOut = messages.length - shown.length;
      let logged = 0;
      let limited = 0;
      for (const message of shown) {
        if (!take()) {
          limited++;
          continue;
        }
        write(
          "PassKit device log",
          message.length > limits.maxChars
            ? { deviceMessage: `${cut(message, limits.maxChars)}…`, length: message.length }
            : { deviceMessage: message },
        );
        logged++;
      }
      if (leftOut > 0) {
        if (take()) {
          write("PassKit device log: messages left out", {
            leftOut,
            received: messages.length,
            limit: limits.linesPerRequest,
          });
        } else {
          limited += leftOut;
        }
      }
      if (limited > 0) {
        if (refused.messages === 0) refused.since = at;
        refused.messages += limited;
        refused.requests += 1;
      }
      return { logged, dropped: messages.length - logged };
    },
  };
};
