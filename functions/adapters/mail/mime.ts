import MailComposer from "nodemailer/lib/mail-composer";
import type { OutgoingEmail, SendOutcome } from "../../domain/ports.js";

/**
 * An outgoing email as the bytes that go over the wire (RFC 5322, multipart/alternative: the plain
 * text first, the HTML second), built by nodemailer's MailComposer. Both transports send these same
 * bytes — SMTP as the DATA of one transaction, SES as a raw message — so the Message-ID, the Date and
 * every header are ours, the same whichever way the email leaves.
 */
export const mimeMessage = async (message: OutgoingEmail): Promise<Buffer> =>
  new MailComposer({
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    date: message.date,
    ...(message.headers ? { headers: message.headers } : {}),
  })
    .compile()
    .build();

/**
 * The message's bytes, or the outcome of a message that cannot be built: `rejected`, since nothing
 * went anywhere and the same message would fail the same way. What both transports start with.
 */
export const builtMessage = async (
  message: OutgoingEmail,
): Promise<{ bytes: Buffer } | { refused: SendOutcome }> => {
  try {
    return { bytes: await mimeMessage(message) };
  } catch (error) {
    return {
      refused: { kind: "rejected", reason: `the message could not be built: ${(error as Error).message}` },
    };
  }
};
