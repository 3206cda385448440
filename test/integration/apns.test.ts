import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ApnsClient,
  type ApnsOptions,
  createApnsClient,
  type PushOutcome,
} from "../../functions/adapters/apple/apns.js";
import { generateDevCertificates } from "../../local/dev-certs.js";
import { type ApnsStandIn, startApnsStandIn } from "../support/apns-standin.js";

/** A well-formed (64 hex digits) push token. */
const token = (n: number) => n.toString(16).padStart(64, "0");

let certs: ReturnType<typeof generateDevCertificates>;
let apns: ApnsStandIn;
const clients: ApnsClient[] = [];

/** A client with the dev Pass Type ID certificate, fast back-off; closed after each test. */
const client = (overrides: Partial<ApnsOptions> = {}): ApnsClient => {
  const created = createApnsClient({
    url: apns.url,
    topic: certs.passTypeId,
    cert: certs.passCert,
    key: certs.passKey,
    chain: certs.wwdrCert,
    ca: certs.caCert,
    backoffMs: 2,
    timeoutMs: 2_000,
    ...overrides,
  });
  clients.push(created);
  return created;
};

const pushesTo = (t: string) => apns.pushes.filter((p) => p.token === t).length;

beforeAll(async () => {
  certs = generateDevCertificates();
  apns = await startApnsStandIn(certs);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  apns.reset();
});

afterAll(async () => {
  await apns?.close();
});

describe("APNs client for Wallet pass updates", () => {
  it("delivers an empty {} payload on the pass type id topic, authenticated by the Pass Type ID certificate", async () => {
    // Prepare
    const apnsClient = client();

    // Act
    const outcomes = await apnsClient.push([token(1)]);

    // Assess
    expect(outcomes).toEqual([{ token: token(1), outcome: "delivered", apnsId: expect.any(String) }]);
    const [push] = await apns.waitForPushes(1);
    expect(push).toMatchObject({
      token: token(1),
      topic: certs.passTypeId,
      pushType: "background",
      priority: "5",
      payload: "{}",
      clientSubject: `Pass Type ID: ${certs.passTypeId}`,
    });
  });

  it("reports 410 and 400 BadDeviceToken as unregistered, without retrying", async () => {
    // Prepare
    apns.script(token(1), [{ status: 410, reason: "Unregistered" }]);
    apns.script(token(2), [{ status: 400, reason: "BadDeviceToken" }]);

    // Act
    const outcomes = await client().push([token(1), token(2), "not-a-hex-token"]);

    // Assess
    expect(outcomes).toEqual<PushOutcome[]>([
      { token: token(1), outcome: "unregistered", status: 410, reason: "Unregistered" },
      { token: token(2), outcome: "unregistered", status: 400, reason: "BadDeviceToken" },
      { token: "not-a-hex-token", outcome: "unregistered", status: 400, reason: "BadDeviceToken" },
    ]);
    expect(apns.requests).toBe(3);
  });

  it("reports 403 as forbidden and does not retry it", async () => {
    // Prepare
    apns.script(token(1), [{ status: 403, reason: "BadCertificateEnvironment" }]);

    // Act
    const outcomes = await client().push([token(1)]);

    // Assess
    expect(outcomes).toEqual([
      { token: token(1), outcome: "forbidden", status: 403, reason: "BadCertificateEnvironment" },
    ]);
    expect(apns.requests).toBe(1);
    expect(apns.pushes).toEqual([]);
  });

  it("reports other 4xx (400 BadTopic, a missing topic) as rejected, not retried", async () => {
    // Prepare
    apns.script(token(1), [{ status: 400, reason: "BadTopic" }]);

    // Act
    const scripted = await client().push([token(1)]);
    const noTopic = await client({ topic: "" }).push([token(2)]);

    // Assess
    expect(scripted).toEqual([{ token: token(1), outcome: "rejected", status: 400, reason: "BadTopic" }]);
    expect(noTopic).toEqual([{ token: token(2), outcome: "rejected", status: 400, reason: "MissingTopic" }]);
    expect(apns.requests).toBe(2);
  });

  it("backs off after 429 TooManyRequests and then delivers", async () => {
    // Prepare
    apns.script(token(1), [{ status: 429, reason: "TooManyRequests" }]);

    // Act
    const outcomes = await client().push([token(1)]);

    // Assess
    expect(outcomes).toMatchObject([{ token: token(1), outcome: "delivered" }]);
    expect(apns.requests).toBe(2);
    expect(pushesTo(token(1))).toBe(1);
  });

  it("retries 500 and 503 with back-off and delivers on the third attempt", async () => {
    // Prepare
    apns.script(token(1), [
      { status: 500, reason: "InternalServerError" },
      { status: 503, reason: "ServiceUnavailable" },
    ]);

    // Act
    const outcomes = await client().push([token(1)]);

    // Assess
    expect(outcomes).toMatchObject([{ token: token(1), outcome: "delivered" }]);
    expect(apns.requests).toBe(3);
  });

  it("gives up with failed after maxAttempts when APNs keeps answering 500", async () => {
    // Prepare
    apns.script(
      token(1),
      Array.from({ length: 10 }, () => ({ status: 500, reason: "InternalServerError" })),
    );

    // Act
    const outcomes = await client({ maxAttempts: 3 }).push([token(1)]);

    // Assess
    expect(outcomes).toEqual([
      { token: token(1), outcome: "failed", status: 500, reason: "InternalServerError" },
    ]);
    expect(apns.requests).toBe(3);
  });

  it("retries only the failing token of a batch and never re-pushes the delivered ones", async () => {
    // Prepare
    const batch = [token(1), token(2), token(3), token(4)];
    apns.script(token(3), [
      { status: 503, reason: "ServiceUnavailable" },
      { status: 500, reason: "InternalServerError" },
    ]);

    // Act
    const outcomes = await client().push(batch);

    // Assess
    expect(outcomes.map((o) => [o.token, o.outcome])).toEqual(batch.map((t) => [t, "delivered"]));
    expect(batch.map(pushesTo)).toEqual([1, 1, 1, 1]);
    expect(apns.requests).toBe(6);
  });

  it("keeps at most `concurrency` streams in flight and delivers 300 tokens over one session", async () => {
    // Prepare
    const slow = await startApnsStandIn(certs, { latencyMs: 3 });
    const tokens = Array.from({ length: 300 }, (_, i) => token(i + 1));
    try {
      // Act
      const outcomes = await client({ url: slow.url, concurrency: 8 }).push(tokens);

      // Assess
      expect(outcomes.every((o) => o.outcome === "delivered")).toBe(true);
      expect(outcomes.map((o) => o.token)).toEqual(tokens);
      expect(new Set(slow.pushes.map((p) => p.token)).size).toBe(300);
      expect(slow.pushes).toHaveLength(300);
      expect(slow.maxInFlight).toBeLessThanOrEqual(8);
      expect(slow.maxInFlight).toBeGreaterThan(1);
      expect(slow.sessions).toBe(1);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await slow.close();
    }
  });

  it("times out a request that gets no reply and reports failed after maxAttempts", async () => {
    // Prepare
    const slow = await startApnsStandIn(certs, { latencyMs: 300 });
    try {
      // Act
      const outcomes = await client({ url: slow.url, timeoutMs: 50, maxAttempts: 2 }).push([token(1)]);

      // Assess
      expect(outcomes).toEqual([{ token: token(1), outcome: "failed", reason: "timeout after 50 ms" }]);
      expect(slow.requests).toBe(2);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await slow.close();
    }
  });

  it("gives up at the caller's deadline a push still unanswered, keeping the connection for the next push", async () => {
    // Prepare: APNs answers after 1.5 s; the request's own timeout is far longer
    const slow = await startApnsStandIn(certs, { latencyMs: 1_500 });
    try {
      const apnsClient = client({ url: slow.url, timeoutMs: 10_000 });
      const started = Date.now();

      // Act
      const givenUp = await apnsClient.push([token(1)], started + 200);
      const tookMs = Date.now() - started;
      const next = await apnsClient.push([token(2)], Date.now() + 5_000);

      // Assess
      expect(givenUp).toEqual([{ token: token(1), outcome: "failed", reason: "deadline" }]);
      expect(tookMs).toBeLessThan(1_000);
      expect(next).toEqual([{ token: token(2), outcome: "delivered", apnsId: expect.any(String) }]);
      expect(slow.sessions).toBe(1);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await slow.close();
    }
  });

  it("starts no back-off that would end after the deadline", async () => {
    // Prepare
    apns.script(token(1), [{ status: 503, reason: "ServiceUnavailable" }]);
    const started = Date.now();

    // Act
    const outcomes = await client({ backoffMs: 5_000 }).push([token(1)], started + 1_000);

    // Assess
    expect(outcomes).toEqual([{ token: token(1), outcome: "failed", status: 503, reason: "deadline" }]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(apns.requests).toBe(1);
  });

  it("is refused at the TLS handshake without a client certificate: failed, nothing recorded", async () => {
    // Prepare
    const anonymous = client({ cert: "", key: "", chain: undefined, maxAttempts: 2 });

    // Act
    const outcomes = await anonymous.push([token(1)]);

    // Assess
    expect(outcomes).toMatchObject([{ token: token(1), outcome: "failed" }]);
    expect(outcomes[0]).not.toHaveProperty("status");
    expect(apns.pushes).toEqual([]);
    expect(apns.requests).toBe(0);
  });

  it("is refused when the client certificate is not made for client authentication", async () => {
    // Prepare: the stand-in's server certificate is issued by the trusted dev CA, but for serverAuth only
    const wrongPurpose = client({
      cert: certs.serverCert,
      key: certs.serverKey,
      chain: undefined,
      maxAttempts: 1,
    });

    // Act
    const outcomes = await wrongPurpose.push([token(1)]);

    // Assess
    expect(outcomes).toMatchObject([{ token: token(1), outcome: "failed" }]);
    expect(apns.pushes).toEqual([]);
  });

  it("reuses one session across push() calls and reopens it after the server drops it", async () => {
    // Prepare
    const apnsClient = client();

    // Act
    await apnsClient.push([token(1)]);
    await apnsClient.push([token(2), token(3)]);
    const reused = apns.sessions;
    await apns.dropSessions("goaway");
    const afterGoaway = await apnsClient.push([token(4)]);
    await apns.dropSessions("destroy");
    const afterDestroy = await apnsClient.push([token(5)]);

    // Assess
    expect(reused).toBe(1);
    expect(afterGoaway).toMatchObject([{ outcome: "delivered" }]);
    expect(afterDestroy).toMatchObject([{ outcome: "delivered" }]);
    expect(apns.sessions).toBe(3);
    expect([1, 2, 3, 4, 5].map((n) => pushesTo(token(n)))).toEqual([1, 1, 1, 1, 1]);
  });
});
