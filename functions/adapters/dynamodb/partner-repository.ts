import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { Partner } from "../../domain/partner.js";
import type { PartnerRecord, PartnerRepository } from "../../domain/ports.js";
import { memberKeys } from "../../shared/keys.js";
import type { DynamoTable } from "./client.js";
import { entityOf } from "./entity.js";
import { createWithKey, readKeyRecord } from "./keyed-child.js";

export const dynamoPartnerRepository = (table: DynamoTable): PartnerRepository => {
  /** Recently read (read-cache.ts): partner key records and partners (their earning rate). */
  const recentKeyRecords = table.cache("partnerKeys", 10_000, (partnerId) =>
    readKeyRecord(table, memberKeys.partnerKey(partnerId)),
  );
  const recentPartners = table.cache("partners", 10_000, async (programAndPartner) => {
    const [programId = "", partnerId = ""] = programAndPartner.split("|");
    const { Item } = await table.client.send(
      new GetCommand({
        TableName: table.name,
        Key: memberKeys.partner(programId, partnerId),
        ConsistentRead: true,
      }),
    );
    return Item ? entityOf(Partner, Item) : undefined;
  });

  return {
    create: (partner: PartnerRecord, apiKeyHash: string) =>
      createWithKey(
        table,
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
  };
};
