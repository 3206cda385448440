import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { Partner } from "../../domain/partner.js";
import type { PartnerRepository } from "../../domain/ports.js";
import { memberKeys, PARTNER_PREFIX, PROGRAM_PREFIX } from "../../shared/keys.js";
import type { DynamoTable } from "./client.js";
import { prefixPage } from "./cursor.js";
import { entityOf } from "./entity.js";
import { keyHolderRepository } from "./keyed-child.js";

const readPartner = async (table: DynamoTable, programId: string, partnerId: string) => {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.name,
      Key: memberKeys.partner(programId, partnerId),
      ConsistentRead: true,
    }),
  );
  return Item ? entityOf(Partner, Item) : undefined;
};

export const dynamoPartnerRepository = (table: DynamoTable): PartnerRepository => {
  /** Recently read (read-cache.ts): partners (their earning rate), for accruals. */
  const recentPartners = table.cache("partners", 10_000, async (programAndPartner) => {
    const [programId = "", partnerId = ""] = programAndPartner.split("|");
    return readPartner(table, programId, partnerId);
  });
  const holders = keyHolderRepository(table, {
    entity: "partner",
    idOf: (partner: Partner) => partner.partnerId,
    itemKey: memberKeys.partner,
    keyRecordKey: memberKeys.partnerKey,
    recordExtras: () => ({}),
    recordOf: (partnerId, common) => ({ partnerId, ...common }),
  });

  return {
    ...holders,
    async replace(partner) {
      const replaced = await holders.replace(partner);
      recentPartners.forget(`${partner.programId}|${partner.partnerId}`);
      return replaced;
    },
    get: (programId, partnerId) => recentPartners.get(`${programId}|${partnerId}`),
    read: (programId, partnerId) => readPartner(table, programId, partnerId),
    list: (programId, page) =>
      prefixPage(
        table,
        { partition: `${PROGRAM_PREFIX}${programId}`, prefix: PARTNER_PREFIX },
        page,
        (item) => entityOf(Partner, item),
      ),
  };
};
