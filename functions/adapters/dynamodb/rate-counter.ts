import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { RateCounter } from "../../domain/ports.js";
import { rateKey } from "../../shared/keys.js";
import type { DynamoTable } from "./client.js";

/**
 * Fixed-window counters (data-model.md, "Rate limits"): one item per scope and window, counted up by
 * one conditional UpdateItem — one write per counted use, no read — and deleted by TTL after the window.
 * A use beyond the limit fails the condition and writes nothing.
 */
export const dynamoRateCounter = (table: DynamoTable): RateCounter => ({
  async take(scope, limit, windowSeconds, now) {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const retryAfterSeconds = windowStart + windowSeconds - nowSeconds;
    try {
      await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: rateKey(scope, windowStart),
          UpdateExpression: "ADD uses :one SET expiresAt = if_not_exists(expiresAt, :expires)",
          ConditionExpression: "attribute_not_exists(uses) OR uses < :limit",
          ExpressionAttributeValues: {
            ":one": 1,
            ":limit": limit,
            ":expires": windowStart + 2 * windowSeconds,
          },
        }),
      );
      return {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { retryAfterSeconds };
      throw error;
    }
  },
});
