/**
 * Which changes of the table reach the mail function: `email` items that are `pending` after the
 * write — new (enrollment, MailOutbox.add: INSERT) or put back for a retry by the sweep (MODIFY). Its
 * own claims (`sending`), results (`sent`, `retry`, `failed`), TTL deletions (REMOVE, no new image) and
 * every other entity cost no invocation. The same rule twice, side by side: as the event source
 * mapping's filter patterns in AWS (infra/stateless-stack.ts), and as a predicate for the local stream
 * poller (local/start.ts, test/support/mail.ts).
 */
export const MAIL_FILTER_PATTERNS = [
  {
    eventName: ["INSERT", "MODIFY"],
    dynamodb: { NewImage: { entity: { S: ["email"] }, status: { S: ["pending"] } } },
  },
];

/** A stream record's event and new image, as DynamoDB Streams writes it (attribute values by type). */
interface StreamImage {
  eventName?: string;
  dynamodb?: { NewImage?: Record<string, { S?: string } | undefined> };
}

export const reachesMail = (record: StreamImage): boolean => {
  const image = record.dynamodb?.NewImage;
  return (
    (record.eventName === "INSERT" || record.eventName === "MODIFY") &&
    image?.entity?.S === "email" &&
    image.status?.S === "pending"
  );
};
