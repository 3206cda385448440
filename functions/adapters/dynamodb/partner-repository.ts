import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { Partner } from "../../domain/partner.js";
import type { PartnerRecord, PartnerRepository } from "../../domain/ports.js";
import { dynamo, tableName } from "./client.js";
import { createWithKey, readKeyRecord } from "./keyed-child.js";
import { entityOf } from "./program-repository.js";
import { memberKeys } from "./table.js";

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

  async get(programId, partnerId) {
    const { Item } = await dynamo().send(
      new GetCommand({
        TableName: tableName(),
        Key: memberKeys.partner(programId, partnerId),
        ConsistentRead: true,
      }),
    );
    return Item ? entityOf(Partner, Item) : undefined;
  },

  async keyRecord(partnerId) {
    const record = await readKeyRecord(memberKeys.partnerKey(partnerId));
    return record && { partnerId, ...record };
  },
});
