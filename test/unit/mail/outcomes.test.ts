import { describe, expect, it } from "vitest";
import { sesFailureOutcome } from "../../../functions/adapters/mail/ses.js";
import { smtpFailureOutcome } from "../../../functions/adapters/mail/smtp.js";
import { emailComposer, mailbox } from "../../../functions/composition/mail.js";
import type { Member, MemberProfile } from "../../../functions/domain/loyalty/member.js";
import type { Program } from "../../../functions/domain/program.js";
import { MAIL_FILTER_PATTERNS, reachesMail } from "../../../functions/mail/stream-filter.js";
import { verifyCardLink } from "../../../functions/shared/pass-tokens.js";
import { aMember, aProfile, aProgram } from "../../contract/fixtures.js";
import { anEmail } from "../../contract/mail-outbox.contract.js";

/**
 * What a failed attempt means (at most once rests on it: only `retry` is ever sent again), which
 * stream records reach the mail function, and what compose makes of an outbox email.
 */

describe("an SMTP failure", () => {
  const cases: [string, Parameters<typeof smtpFailureOutcome>[0], boolean, string][] = [
    [
      "a refused connection",
      { code: "ESOCKET", message: "connect ECONNREFUSED 127.0.0.1:1025" },
      false,
      "retry",
    ],
    [
      "a name that does not resolve",
      { code: "EDNS", message: "getaddrinfo ENOTFOUND smtp.example" },
      false,
      "retry",
    ],
    [
      "no greeting in time",
      { code: "ETIMEDOUT", message: "Greeting never received", command: "CONN" },
      false,
      "retry",
    ],
    [
      "a connection closed before the message",
      { code: "ECONNECTION", message: "Connection closed" },
      false,
      "retry",
    ],
    ["a 421 at the greeting", { code: "EPROTOCOL", responseCode: 421, response: "421 busy" }, false, "retry"],
    ["a 450 for the recipient", { code: "EENVELOPE", responseCode: 450, command: "RCPT TO" }, false, "retry"],
    ["a 451 after the message", { code: "EMESSAGE", responseCode: 451, command: "DATA" }, true, "retry"],
    ["a 503 (the session's state)", { code: "EPROTOCOL", responseCode: 503 }, false, "retry"],
    [
      "login refused (535)",
      { code: "EAUTH", responseCode: 535, response: "535 bad credentials" },
      false,
      "retry",
    ],
    ["STARTTLS failed", { code: "ETLS", message: "certificate has expired" }, false, "retry"],
    [
      "a 550 for the recipient",
      { code: "EENVELOPE", responseCode: 550, command: "RCPT TO" },
      false,
      "rejected",
    ],
    ["a 554 after the message", { code: "EMESSAGE", responseCode: 554, command: "DATA" }, true, "rejected"],
    [
      "an address nodemailer cannot write",
      { code: "EENVELOPE", message: "Invalid recipient" },
      false,
      "rejected",
    ],
    [
      "a connection lost after the message",
      { code: "ECONNECTION", message: "Connection closed" },
      true,
      "unknown",
    ],
    ["no answer in time after the message", { code: "ETIMEDOUT", message: "Timeout" }, true, "unknown"],
  ];

  it.each(cases)("after %s is %s-classified", (_what, error, handedOver, kind) => {
    // Act
    const outcome = smtpFailureOutcome(error, handedOver);

    // Assess
    expect(outcome.kind).toBe(kind);
  });

  it("says what happened and at which step", () => {
    // Act
    const outcome = smtpFailureOutcome(
      { code: "EENVELOPE", responseCode: 550, command: "RCPT TO", response: "550 5.1.1 <x@y.z> unknown" },
      false,
    );

    // Assess
    expect(outcome).toEqual({ kind: "rejected", reason: "EENVELOPE at RCPT TO 550 5.1.1 <x@y.z> unknown" });
  });
});

describe("an Amazon SES failure", () => {
  const FROM = "cards@example.com";
  const answered = (name: string, status: number, message = "") => ({
    name,
    message,
    $metadata: { httpStatusCode: status },
  });
  const cases: [string, Parameters<typeof sesFailureOutcome>[0], string][] = [
    ["throttling", answered("TooManyRequestsException", 429), "retry"],
    ["the daily quota", answered("LimitExceededException", 400), "retry"],
    ["sending paused on the account", answered("SendingPausedException", 400), "retry"],
    ["a server error", answered("InternalServiceErrorException", 500), "retry"],
    ["a 503", answered("ServiceUnavailable", 503), "retry"],
    [
      "an unverified recipient (sandbox)",
      answered("MessageRejected", 400, "Email address is not verified: camille@example.com"),
      "rejected",
    ],
    [
      "our own sender not verified",
      answered("MessageRejected", 400, "Email address is not verified: Cards@Example.com"),
      "retry",
    ],
    ["a bad request", answered("BadRequestException", 400, "Invalid address"), "rejected"],
    [
      "a refused connection",
      { name: "Error", code: "ECONNREFUSED", message: "connect ECONNREFUSED" },
      "retry",
    ],
    ["a DNS failure", { name: "Error", code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND" }, "retry"],
    [
      "no connection in time",
      { name: "TimeoutError", message: "the request socket did not establish a connection with the server" },
      "retry",
    ],
    ["no credentials", { name: "CredentialsProviderError", message: "Could not load credentials" }, "retry"],
    [
      "no answer in time",
      { name: "TimeoutError", code: "ETIMEDOUT", message: "a request has exceeded the configured 20000 ms" },
      "unknown",
    ],
    [
      "a reset connection",
      { name: "TimeoutError", code: "ECONNRESET", message: "socket hang up" },
      "unknown",
    ],
  ];

  it.each(cases)("after %s is %s-classified", (_what, error, kind) => {
    // Act
    const outcome = sesFailureOutcome(error, FROM);

    // Assess
    expect(outcome.kind).toBe(kind);
  });
});

/** A stream record of an `email` item, as DynamoDB Streams hands it over. */
const emailRecord = (eventName: "INSERT" | "MODIFY" | "REMOVE", status: string, entity = "email") => {
  const image = {
    PK: { S: "MEMBER#mbr_0000000000000001" },
    SK: { S: "SEND#2031-05-06T07:08:09.123Z#eml_0000000000000001" },
    entity: { S: entity },
    status: { S: status },
    emailId: { S: "eml_0000000000000001" },
  };
  return {
    eventName,
    dynamodb: eventName === "REMOVE" ? { OldImage: image } : { NewImage: image },
  };
};

/**
 * Event source filter matching for the only rule shape MAIL_FILTER_PATTERNS uses: a list of strings
 * a leaf must equal one of (patterns ORed, rules ANDed; test/unit/wallet/push-filter.test.ts has the
 * fuller evaluator and its checks against AWS's documented examples).
 */
const leaf = (event: unknown, path: string[]): unknown =>
  path.reduce<unknown>(
    (at, key) => (at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined),
    event,
  );
const rules = (pattern: object, path: string[] = []): [string[], unknown[]][] =>
  Object.entries(pattern).flatMap(([key, inner]) =>
    Array.isArray(inner)
      ? [[[...path, key], inner] as [string[], unknown[]]]
      : rules(inner as object, [...path, key]),
  );
const throughPatterns = (event: object) =>
  MAIL_FILTER_PATTERNS.some((pattern) =>
    rules(pattern).every(([path, values]) => {
      if (!values.every((v) => typeof v === "string"))
        throw new Error("only string rules are evaluated here");
      return (values as unknown[]).includes(leaf(event, path));
    }),
  );

describe("which stream records reach the mail function", () => {
  const cases: [string, ReturnType<typeof emailRecord>, boolean][] = [
    ["a new pending email", emailRecord("INSERT", "pending"), true],
    ["an email put back to pending for a retry", emailRecord("MODIFY", "pending"), true],
    ["an email just claimed", emailRecord("MODIFY", "sending"), false],
    ["an email sent", emailRecord("MODIFY", "sent"), false],
    ["an email waiting for its retry", emailRecord("MODIFY", "retry"), false],
    ["an email failed", emailRecord("MODIFY", "failed"), false],
    ["an email deleted (TTL)", emailRecord("REMOVE", "pending"), false],
    ["another entity with a pending status", emailRecord("INSERT", "pending", "offer"), false],
  ];

  it.each(cases)("decides the same in AWS and locally for %s", (_what, record, reaches) => {
    // Act
    const decided = { patterns: throughPatterns(record), predicate: reachesMail(record) };

    // Assess
    expect(decided).toEqual({ patterns: reaches, predicate: reaches });
  });
});

describe("composing an outbox email", () => {
  const SECRET = Buffer.from("test-pass-secret-0123456789abcdef-0123456789");
  const NOW = new Date("2031-05-06T07:10:00.000Z");

  const setUp = (program: Program, card?: { member: Member; profile?: MemberProfile }, google = true) =>
    emailComposer({
      members: { card: async (memberId) => (card?.member.memberId === memberId ? card : undefined) },
      programs: { recent: async (programId) => (programId === program.programId ? program : undefined) },
      passSecret: async () => SECRET,
      publicUrl: "https://loyalty.example.com",
      googleWallet: google,
      settings: { fromAddress: "cards@example.com", fromName: "Carnet", messageIdDomain: "example.com" },
      now: () => NOW,
    });

  const cafe = (): Program => ({
    ...aProgram(),
    name: "Café Lumière Rewards",
    organizationName: 'Café "Lumière"',
    locale: "de-DE",
    contact: { email: "bonjour@cafe-lumiere.fr" },
  });

  it("renders it in the email's language, from the shop via Carnet, with a fresh card link of the member's card", async () => {
    // Prepare
    const program = cafe();
    const member = aMember(program.programId, { passAuthGeneration: 2 });
    const compose = setUp(program, { member, profile: aProfile(member) });
    const email = anEmail({ memberId: member.memberId, programId: program.programId, locale: "fr-FR" });

    // Act
    const message = await compose(email);

    // Assess
    expect(message).toMatchObject({
      from: '"Café \\"Lumière\\" via Carnet" <cards@example.com>',
      to: email.to,
      subject: "Votre carte Café Lumière Rewards",
      messageId: `<${email.emailId}@example.com>`,
      date: NOW,
      headers: { "Content-Language": "fr", "Reply-To": "bonjour@cafe-lumiere.fr" },
    });
    const token = message?.text.match(/https:\/\/loyalty\.example\.com\/c\/([^\s/]+)\n/)?.[1] ?? "";
    const link = verifyCardLink(SECRET, token, NOW);
    expect(link).toMatchObject({
      ok: true,
      link: { programId: program.programId, memberId: member.memberId, generation: 2 },
    });
    expect(message?.html).toContain(`https://loyalty.example.com/c/${token}/google`);
    expect(message?.text).toContain("Bonjour Camille,");
  });

  it("falls back on the program's language, and leaves Google out when the deployment has none", async () => {
    // Prepare
    const program = cafe();
    const member = aMember(program.programId);
    const compose = setUp(program, { member }, false);

    // Act
    const message = await compose(
      anEmail({ memberId: member.memberId, programId: program.programId, locale: "ja-JP" }),
    );

    // Assess
    expect(message?.headers?.["Content-Language"]).toBe("de");
    expect(message?.subject).toBe("Ihre Karte für Café Lumière Rewards");
    expect(message?.text.split("\n")[0]).toBe("Guten Tag,");
    expect(message?.html).not.toContain("/google");
  });

  it("keeps the Message-ID the email was given", async () => {
    // Prepare
    const program = cafe();
    const member = aMember(program.programId);
    const compose = setUp(program, { member });

    // Act
    const message = await compose(
      anEmail({ memberId: member.memberId, programId: program.programId, messageId: "<given@example.org>" }),
    );

    // Assess
    expect(message?.messageId).toBe("<given@example.org>");
  });

  it("has nothing to send for a member that is gone, erased, or in another program, or a program that is gone", async () => {
    // Prepare
    const program = cafe();
    const member = aMember(program.programId);
    const erased = aMember(program.programId, { status: "erased" });
    const elsewhere = aMember("prg_0000000000000009");

    // Act
    const messages = await Promise.all([
      setUp(program)(anEmail({ memberId: member.memberId, programId: program.programId })),
      setUp(program, { member: erased })(
        anEmail({ memberId: erased.memberId, programId: program.programId }),
      ),
      setUp(program, { member: elsewhere })(
        anEmail({ memberId: elsewhere.memberId, programId: program.programId }),
      ),
      setUp(program, { member })(anEmail({ memberId: member.memberId, programId: "prg_0000000000000009" })),
    ]);

    // Assess
    expect(messages).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("writes a sender's name as one quoted, escaped line", () => {
    // Act + Assess
    expect(mailbox('Tom & "Jerry"\\\r\nParis', "a@b.co")).toBe('"Tom & \\"Jerry\\"\\\\ Paris" <a@b.co>');
  });
});
