import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { Partner } from "../../domain/partner.js";
import type { PartnerRecord, PartnerRepository } from "../../domain/ports.js";
import { dynamo, tableName } from "./client.js";
import { createWithKey, readKeyRecord } from "./keyed-child.js";
import { entityOf } from "./program-repository.js";
import { readCache } from "./read-cache.js";
import { memberKeys } from "./table.js";

/** Recently read (read-cache.ts): partner key records and partners (their earning rate). */
const recentKeyRecords = readCache(10_000, (partnerId) => readKeyRecord(memberKeys.partnerKey(partnerId)));
const recentPartners = readCache(10_000, async (programAndPartner) => {
  const [programId = "", partnerId = ""] = programAndPartner.split("|");
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: memberKeys.partner(programId, partnerId),
      ConsistentRead: true,
    }),
  );
  return Item ? entityOf(Partner, Item) : undefined;
});

export const dynamoPartnerRepository = (): PartnerRepository => ({
  create: (partner: PartnerRecord, apiKeyHash: string) =>
    createWithKey(
      partner.programId,
      { ...memberKeys.partner(partner.programId, partner.partnerId), entity: "partner", ...partner },
      {
        ...memberKeys.partnerKey(partner.partnerId),
        entity: "partnerKey",
        partnerId: partner.partnerId,
        programId: partner.programId,
        apiKeyHash,
      },
    ),

  get: (programId, partnerId) => recentPartners.get(`${programId}|${partnerId}`),

  async keyRecord(partnerId) {
    const record = await recentKeyRecords.get(partnerId);
    return record && { partnerId, ...record };
  },
});
