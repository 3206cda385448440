import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { DomainError } from "../../domain/errors.js";
import { startOfDay } from "../../domain/loyalty/calendar.js";
import { isLive } from "../../domain/offers/assign.js";
import { Offer } from "../../domain/offers/offer.js";
import type { OfferRepository } from "../../domain/ports.js";
import {
  OFFER_DUE_PARTITION,
  OFFER_PREFIX,
  offerKeys,
  offerOfDueKey,
  PROGRAM_PREFIX,
  STALLED_DELIVERY_MS,
} from "../../shared/keys.js";
import { claimItem, claimPut, claimThatRefused } from "./claims.js";
import type { DynamoTable } from "./client.js";
import { entityOf } from "./entity.js";

/**
 * Offers (data-model.md, `offer`): one item per offer in its program's partition (sort key
 * OFFER#<offerId>), written whole and conditioned on its version, with two sparse index entries that
 * follow its state:
 *
 * - GSI1 PROGRAM#<programId>#LIVEOFFERS / <validTo>#<offerId> while it is active (not ended), so
 *   the offers still running on a day are one Query (`GSI1SK >= today`), whatever the program's
 *   number of past offers;
 * - GSI2 `OFFERDUE` / `<dueAt>#<programId>#<offerId>` while its delivery is unfinished (scheduled,
 *   sending, withdrawing): when it is due to start, or to be handed over again should it stall
 *   (`deliveryDueAt`). The sweep finds every offer needing it in one Query, across programs.
 */

/**
 * When an offer's delivery needs the sweep: a scheduled one when its validFrom starts (the program's
 * time zone); a sending or withdrawing one STALLED_DELIVERY_MS after its last batch was written (each
 * batch writes the offer, so a delivery that moves is never due); a finished one never.
 */
export const deliveryDueAt = (offer: Offer, timeZone: string): string | undefined => {
  switch (offer.delivery.state) {
    case "scheduled":
      return startOfDay(offer.validFrom, timeZone).toISOString();
    case "sending":
    case "withdrawing":
      return new Date(Date.parse(offer.delivery.updatedAt) + STALLED_DELIVERY_MS).toISOString();
    case "sent":
    case "withdrawn":
      return undefined;
  }
};

/** The stored item of an offer: the offer, its key, and its index entries as its state has them. */
export const offerItem = (offer: Offer, timeZone: string) => {
  const dueAt = deliveryDueAt(offer, timeZone);
  return {
    ...offerKeys.offer(offer.programId, offer.offerId),
    ...(offer.status === "active" ? offerKeys.live(offer.programId, offer.validTo, offer.offerId) : {}),
    ...(dueAt !== undefined ? offerKeys.due(dueAt, offer.programId, offer.offerId) : {}),
    entity: "offer",
    ...offer,
  };
};

/** Where an offer sorts in its program's listing: newest first by `<createdAt>#<offerId>`. */
const listingKey = (offer: Pick<Offer, "createdAt" | "offerId">): string =>
  `${offer.createdAt}#${offer.offerId}`;
const LISTING_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[a-z]{3}_[0-9a-z]{16}$/;

/** The listing's cursor: base64url JSON of the last listed offer's listing key. */
const cursorOfListingKey = (after: string): string =>
  Buffer.from(JSON.stringify({ after }), "utf8").toString("base64url");

/** The listing key a cursor continues after; anything this listing did not issue is a 400 invalid_cursor. */
const listingKeyOfCursor = (cursor: string): string => {
  let decoded: unknown;
  try {
    decoded =
      cursor.length <= 1024 ? JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) : undefined;
  } catch {
    decoded = undefined;
  }
  const after = (decoded as { after?: unknown } | null | undefined)?.after;
  if (
    typeof decoded !== "object" ||
    decoded === null ||
    Object.keys(decoded).length !== 1 ||
    typeof after !== "string" ||
    !LISTING_KEY.test(after)
  ) {
    throw new DomainError("bad_request", "invalid_cursor", "The cursor is not one this listing returned.");
  }
  return after;
};

/** Due offers are read in pages of this many keys (GSI2 is keys only: a page is small). */
const DUE_PAGE = 100;

export const dynamoOfferRepository = (table: DynamoTable): OfferRepository => {
  /**
   * The live offers of a program on a day, recently read (read-cache.ts), keyed `<programId>|<day>`:
   * every card update of the program asks for them, so a warm container reads them once per
   * CARNET_CACHE_SECONDS. The days asked per program are remembered so that a change made through this
   * process forgets every one of them (there are one or two: a day changes at midnight).
   */
  const recentLive = table.cache("liveOffers", 1_000, async (programAndDay) => {
    const [programId = "", today = ""] = programAndDay.split("|");
    const offers: Offer[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      // GSI1 cannot be read strongly: an offer created by another process shows within moments.
      const page = await table.client.send(
        new QueryCommand({
          TableName: table.name,
          IndexName: "GSI1",
          KeyConditionExpression: "GSI1PK = :pk AND GSI1SK >= :today",
          ExpressionAttributeValues: { ":pk": offerKeys.livePartition(programId), ":today": today },
          ExclusiveStartKey: start,
        }),
      );
      offers.push(...(page.Items ?? []).map((item) => entityOf(Offer, item)));
      start = page.LastEvaluatedKey;
    } while (start);
    return { offers: offers.filter((offer) => isLive(offer, today)) };
  });
  const daysAsked = new Map<string, Set<string>>();
  const forgetLive = (programId: string): void => {
    for (const day of daysAsked.get(programId) ?? []) recentLive.forget(`${programId}|${day}`);
    daysAsked.delete(programId);
  };

  return {
    async create(offer, timeZone, claim, now = new Date()) {
      const put = {
        TableName: table.name,
        Item: offerItem(offer, timeZone),
        ConditionExpression: "attribute_not_exists(PK)",
      };
      try {
        if (!claim) {
          await table.client.send(new PutCommand(put));
          return undefined;
        }
        await table.client.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: put }, claimPut(table, claimItem(claim, now), now)],
          }),
        );
        return undefined;
      } catch (error) {
        const seen = claim && claimThatRefused(error, 1);
        if (seen) return seen;
        throw error;
      } finally {
        forgetLive(offer.programId);
      }
    },

    async get(programId, offerId) {
      const { Item } = await table.client.send(
        new GetCommand({
          TableName: table.name,
          Key: offerKeys.offer(programId, offerId),
          ConsistentRead: true,
        }),
      );
      return Item ? entityOf(Offer, Item) : undefined;
    },

    async list(programId, { limit, cursor }) {
      // Newest first, which the offer ids (random) cannot give by key order: the program's offers are
      // read whole (one strongly consistent Query of OFFER#… while they fit in 1 MB, several hundred
      // offers) and ordered here. The cursor names the last offer listed, by creation then id.
      const after = cursor === undefined ? undefined : listingKeyOfCursor(cursor);
      const all = (
        await table.queryAll({
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
          ExpressionAttributeValues: { ":pk": `${PROGRAM_PREFIX}${programId}`, ":prefix": OFFER_PREFIX },
        })
      )
        .map((item) => entityOf(Offer, item))
        .map((offer) => ({ offer, key: listingKey(offer) }))
        .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
      const rest = after === undefined ? all : all.filter((o) => o.key < after);
      const page = rest.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((o) => o.offer),
        ...(rest.length > limit && last ? { nextCursor: cursorOfListingKey(last.key) } : {}),
      };
    },

    async live(programId, today) {
      const asked = daysAsked.get(programId) ?? new Set<string>();
      asked.add(today);
      daysAsked.set(programId, asked);
      return (await recentLive.get(`${programId}|${today}`))?.offers ?? [];
    },

    async replace(offer, expectedVersion, timeZone) {
      try {
        // The whole item, so that its index entries follow its state (ended: off GSI1; finished: off GSI2).
        await table.client.send(
          new PutCommand({
            TableName: table.name,
            Item: offerItem(offer, timeZone),
            ConditionExpression: "attribute_exists(PK) AND version = :expected",
            ExpressionAttributeValues: { ":expected": expectedVersion },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      } finally {
        forgetLive(offer.programId);
      }
    },

    async due(now) {
      const due: { programId: string; offerId: string }[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await table.client.send(
          new QueryCommand({
            TableName: table.name,
            IndexName: "GSI2",
            KeyConditionExpression: "GSI2PK = :pk AND GSI2SK < :before",
            ExpressionAttributeValues: { ":pk": OFFER_DUE_PARTITION, ":before": offerKeys.dueBefore(now) },
            Limit: DUE_PAGE,
            ExclusiveStartKey: start,
          }),
        );
        due.push(...(page.Items ?? []).flatMap((item) => offerOfDueKey(String(item.GSI2SK)) ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return due;
    },
  };
};
