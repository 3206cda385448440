import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { sesMailer } from "../../functions/adapters/mail/ses.js";
import { smtpMailer } from "../../functions/adapters/mail/smtp.js";
import type { OutgoingEmail } from "../../functions/domain/ports.js";

/**
 * The two mailers against servers that misbehave on purpose, over real sockets: what each failure
 * becomes (SendOutcome) decides whether an email is ever sent again, so it is checked with the real
 * nodemailer and the real AWS SDK, not with their errors made up. An SMTP server written here for it
 * (a few commands of RFC 5321), and an HTTP stand-in for SES's SendEmail.
 */

const message = (): OutgoingEmail => ({
  from: '"Café Lumière via Carnet" <cards@example.com>',
  to: "camille@example.com",
  subject: "Votre carte Café Lumière",
  text: "Bonjour Camille,\n\nhttps://loyalty.example.com/c/token\n",
  html: '<p>Bonjour Camille,</p><p><a href="https://loyalty.example.com/c/token">Ouvrir</a></p>',
  messageId: "<eml_0000000000000001@example.com>",
  date: new Date("2031-05-06T07:08:09.000Z"),
  headers: { "Content-Language": "fr" },
});

const servers: { close(): void }[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

type AfterData = "250" | "451" | "554" | "drop" | "silence";

/** An SMTP server that answers as told: at the greeting, to RCPT TO, and after the message. */
const fakeSmtp = async (
  behaviour: {
    greeting?: string | "drop";
    rcpt?: string;
    data?: "drop";
    afterData?: AfterData;
    /** Offers AUTH PLAIN, accepting these credentials only. */
    auth?: { user: string; pass: string };
  } = {},
) => {
  const received: string[] = [];
  const logins: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    if (behaviour.greeting === "drop") return socket.destroy();
    socket.write(`${behaviour.greeting ?? "220 fake.example ESMTP"}\r\n`);
    let buffer = "";
    let data: string | undefined;
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (data !== undefined) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          received.push(data + buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          data = undefined;
          const after = behaviour.afterData ?? "250";
          if (after === "drop") return socket.destroy();
          if (after === "silence") return;
          socket.write(
            after === "250"
              ? "250 2.0.0 Ok: queued as 4F1B2C\r\n"
              : after === "451"
                ? "451 4.3.0 Try again later\r\n"
                : "554 5.7.1 Message refused\r\n",
          );
          continue;
        }
        const at = buffer.indexOf("\r\n");
        if (at < 0) return;
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO")
          socket.write(
            `250-fake.example\r\n${behaviour.auth ? "250-AUTH PLAIN\r\n" : ""}250 SIZE 10485760\r\n`,
          );
        else if (verb === "AUTH") {
          const [, user, pass] = Buffer.from(line.split(" ")[2] ?? "", "base64")
            .toString("utf8")
            .split("\0");
          logins.push(`${user}:${pass}`);
          const ok = user === behaviour.auth?.user && pass === behaviour.auth?.pass;
          socket.write(
            ok
              ? "235 2.7.0 Authentication successful\r\n"
              : "535 5.7.8 Authentication credentials invalid\r\n",
          );
        } else if (verb === "MAIL") socket.write("250 2.1.0 Ok\r\n");
        else if (verb === "RCPT") socket.write(`${behaviour.rcpt ?? "250 2.1.5 Ok"}\r\n`);
        else if (verb === "DATA") {
          if (behaviour.data === "drop") return socket.destroy();
          data = "";
          socket.write("354 End data with <CR><LF>.<CR><LF>\r\n");
        } else if (verb === "QUIT") {
          socket.end("221 2.0.0 Bye\r\n");
        } else socket.write("250 Ok\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  servers.push({
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  });
  return { url: `smtp://127.0.0.1:${port}`, port, received, logins };
};

/** A port nothing listens on. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};

const send = (url: string) =>
  smtpMailer({ url, connectionTimeoutMs: 1_000, greetingTimeoutMs: 1_000, socketTimeoutMs: 1_000 }).send(
    message(),
  );

describe("sending through SMTP", () => {
  it("hands over one message with our Message-ID, Date, Content-Language, a text and an HTML part", async () => {
    // Prepare
    const smtp = await fakeSmtp();

    // Act
    const outcome = await send(smtp.url);

    // Assess
    expect(outcome).toEqual({ kind: "sent", providerMessageId: "250 2.0.0 Ok: queued as 4F1B2C" });
    expect(smtp.received).toHaveLength(1);
    const raw = smtp.received[0] ?? "";
    expect(raw).toContain("Message-ID: <eml_0000000000000001@example.com>");
    expect(raw).toContain("Date: Tue, 06 May 2031 07:08:09 +0000");
    expect(raw).toContain("Content-Language: fr");
    expect(raw).toMatch(/^From: =\?UTF-8\?Q\?Caf=C3=A9_Lumi=C3=A8re_via_Carnet\?= <cards@example\.com>$/m);
    expect(raw).toMatch(
      /Content-Type: text\/plain; charset=utf-8[\s\S]*Content-Type: text\/html; charset=utf-8/,
    );
  });

  it("logs in with the URL's user and password, and takes a refused login for a retry (our settings, not the email)", async () => {
    // Prepare
    const smtp = await fakeSmtp({ auth: { user: "carnet@example.com", pass: "p@ss:wörd" } });
    const url = (user: string, pass: string) =>
      `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${smtp.port}`;

    // Act
    const accepted = await send(url("carnet@example.com", "p@ss:wörd"));
    const refused = await send(url("carnet@example.com", "wrong"));

    // Assess
    expect(accepted.kind).toBe("sent");
    expect(refused).toMatchObject({ kind: "retry", reason: expect.stringMatching(/^EAUTH .*535/) });
    expect(smtp.logins).toEqual(["carnet@example.com:p@ss:wörd", "carnet@example.com:wrong"]);
    expect(smtp.received).toHaveLength(1);
  });

  it.each([
    ["nothing listens", "retry", "closed", undefined],
    ["the server hangs up before greeting", "retry", { greeting: "drop" }, undefined],
    ["the server is busy (421)", "retry", { greeting: "421 4.3.2 Too busy" }, undefined],
    ["the connection drops at DATA, before the message", "retry", { data: "drop" }, undefined],
    ["the mailbox is full for now (452)", "retry", { rcpt: "452 4.2.2 Mailbox full" }, undefined],
    ["the message is deferred after DATA (451)", "retry", { afterData: "451" }, 1],
    ["the address does not exist (550)", "rejected", { rcpt: "550 5.1.1 No such user" }, undefined],
    ["the message is refused after DATA (554)", "rejected", { afterData: "554" }, 1],
    ["the connection drops after the whole message", "unknown", { afterData: "drop" }, 1],
    ["no answer comes after the whole message", "unknown", { afterData: "silence" }, 1],
  ] as const)("when %s, the outcome is %s", async (_what, kind, behaviour, delivered) => {
    // Prepare
    const smtp = behaviour === "closed" ? undefined : await fakeSmtp(behaviour);
    const url = smtp?.url ?? `smtp://127.0.0.1:${await closedPort()}`;

    // Act
    const outcome = await send(url);

    // Assess
    expect(outcome.kind, JSON.stringify(outcome)).toBe(kind);
    expect(smtp?.received.length ?? 0).toBe(delivered ?? 0);
  });
});

/** An HTTP stand-in for SES v2's SendEmail (POST /v2/email/outbound-emails), answering as told. */
const sesStandIn = async (answer: "ok" | "rejected" | "sender" | "throttled" | "500" | "drop" | "hang") => {
  const requests: { path: string; body: any }[] = [];
  const server = createHttpServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    requests.push({ path: request.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
    const error = (status: number, type: string, text: string) => {
      response.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type });
      response.end(JSON.stringify({ message: text }));
    };
    if (answer === "ok") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ MessageId: "0102018f-ses-id" }));
    } else if (answer === "rejected")
      error(400, "MessageRejected", "Email address is not verified: camille@example.com");
    else if (answer === "sender")
      error(400, "MessageRejected", "Email address is not verified: cards@example.com");
    else if (answer === "throttled") error(429, "TooManyRequestsException", "Maximum sending rate exceeded.");
    else if (answer === "500") error(500, "InternalServiceErrorException", "Internal error");
    else if (answer === "drop") request.socket.destroy();
    // "hang": no answer at all
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({ close: () => server.close() && server.closeAllConnections() });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests };
};

const sesSend = (endpoint: string) =>
  sesMailer({
    region: "eu-west-1",
    fromAddress: "cards@example.com",
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 1_000,
    client: { endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } },
  }).send(message());

describe("sending through Amazon SES", () => {
  it("sends the same raw message, from MAIL_FROM's address to the one recipient, and keeps SES's id", async () => {
    // Prepare
    const ses = await sesStandIn("ok");

    // Act
    const outcome = await sesSend(ses.url);

    // Assess
    expect(outcome).toEqual({ kind: "sent", providerMessageId: "0102018f-ses-id" });
    expect(ses.requests).toHaveLength(1);
    const { path, body } = ses.requests[0] ?? { path: "", body: {} };
    expect(path).toBe("/v2/email/outbound-emails");
    expect(body).toMatchObject({
      FromEmailAddress: "cards@example.com",
      Destination: { ToAddresses: ["camille@example.com"] },
    });
    const raw = Buffer.from(body.Content.Raw.Data, "base64").toString("utf8");
    expect(raw).toContain("Message-ID: <eml_0000000000000001@example.com>");
    expect(raw).toContain("Content-Language: fr");
    expect(raw).toContain("Content-Type: multipart/alternative;");
  });

  it.each([
    ["SES throttles", "retry", "throttled"],
    ["SES fails (500)", "retry", "500"],
    ["our own sender is not verified", "retry", "sender"],
    ["the recipient is refused (sandbox)", "rejected", "rejected"],
    ["the connection drops before the answer", "unknown", "drop"],
    ["no answer comes", "unknown", "hang"],
  ] as const)("when %s, the outcome is %s, after one attempt only", async (_what, kind, answer) => {
    // Prepare
    const ses = await sesStandIn(answer);

    // Act
    const outcome = await sesSend(ses.url);

    // Assess
    expect(outcome.kind, JSON.stringify(outcome)).toBe(kind);
    expect(ses.requests).toHaveLength(1);
  });

  it("retries when SES cannot be reached at all", async () => {
    // Act
    const outcome = await sesSend(`http://127.0.0.1:${await closedPort()}`);

    // Assess
    expect(outcome.kind, JSON.stringify(outcome)).toBe("retry");
  });
});
