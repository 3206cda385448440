/**
 * Which changes of the table reach the push function: member items that may have a device to push to
 * (`Member.devices` above 0, or not counted yet) or a Google Wallet object to keep live
 * (`Member.googleObject` set), and programs (their Google Wallet class). Everything else — ledger
 * entries, purchase records, claims, members whose card is on no device and in no Google Wallet —
 * costs no invocation. The same rule twice, side by side: as the event source mapping's filter
 * patterns in AWS (infra/stateless-stack.ts; patterns are ORed), and as a predicate for the local
 * stream poller (local/start.ts).
 */
export const PUSH_FILTER_PATTERNS = [
  // A stream record carries a number as a string (`"devices": {"N": "2"}`), and numeric matching only
  // applies to JSON numbers: "anything but the string 0" is how "more than 0" reads here.
  { dynamodb: { NewImage: { entity: { S: ["member"] }, devices: { N: [{ "anything-but": ["0"] }] } } } },
  // `exists` looks at a single value, so it is asked of `devices.N`, not of the `devices` object.
  { dynamodb: { NewImage: { entity: { S: ["member"] }, devices: { N: [{ exists: false }] } } } },
  { dynamodb: { NewImage: { entity: { S: ["member"] }, googleObject: { N: [{ exists: true }] } } } },
  { dynamodb: { NewImage: { entity: { S: ["program"] } } } },
];

/** A stream record's new image, as DynamoDB Streams writes it (attribute values by type). */
interface StreamImage {
  dynamodb?: { NewImage?: Record<string, { S?: string; N?: string } | undefined> };
}

export const reachesPush = (record: StreamImage): boolean => {
  const image = record.dynamodb?.NewImage;
  if (image?.entity?.S === "program") return true;
  if (image?.entity?.S !== "member") return false;
  if (image.googleObject?.N !== undefined) return true;
  const devices = image.devices;
  return devices === undefined || Number(devices.N) > 0;
};
