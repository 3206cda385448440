/**
 * Which changes of the table reach the offer worker: `offer` items whose delivery is under way after
 * the write — "sending" (a new offer that runs today, a batch that moved the cursor, a scheduled offer
 * started or a stalled delivery handed over again by the sweep) or "withdrawing" (an offer the merchant
 * ended, and its next batches). Its last batch's write (sent, withdrawn), scheduled offers, TTL or
 * other deletions (REMOVE, no new image) and every other entity cost no invocation. The same rule
 * twice, side by side: as the event source mapping's filter patterns in AWS
 * (infra/stateless-stack.ts), and as a predicate for the local stream poller (local/carnet.ts,
 * test/support/offers.ts).
 */
export const OFFER_DELIVERY_FILTER_PATTERNS = [
  {
    eventName: ["INSERT", "MODIFY"],
    dynamodb: {
      NewImage: {
        entity: { S: ["offer"] },
        // A nested attribute is matched inside its map, as DynamoDB Streams writes it.
        delivery: { M: { state: { S: ["sending", "withdrawing"] } } },
      },
    },
  },
];

/** A stream record's event and new image, as DynamoDB Streams writes it (attribute values by type). */
interface StreamImage {
  eventName?: string;
  dynamodb?: {
    NewImage?: Record<string, { S?: string; M?: Record<string, { S?: string } | undefined> } | undefined>;
  };
}

export const reachesOfferDelivery = (record: StreamImage): boolean => {
  const image = record.dynamodb?.NewImage;
  const state = image?.delivery?.M?.state?.S;
  return (
    (record.eventName === "INSERT" || record.eventName === "MODIFY") &&
    image?.entity?.S === "offer" &&
    (state === "sending" || state === "withdrawing")
  );
};
