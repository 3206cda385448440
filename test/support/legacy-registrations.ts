import { BatchWriteItemCommand, type DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { memberKeys, registrationKeys } from "../../functions/shared/keys.js";

export interface LegacyPass {
  memberId: string;
  programId: string;
  passTypeId: string;
  /** The device library id and push token of registration `i`. */
  devices: { id: string; pushToken: string }[];
  /** When registration 0 was made; each next one a second later. */
  from: Date;
}

/**
 * A pass registered on many devices as a Carnet before the device cap wrote it, straight to the
 * table: both items of each registration (on the member's and on the device's partition), 25 per
 * BatchWriteItem, and no device count on the member (such members kept none).
 */
export const writeLegacyRegistrations = async (
  raw: DynamoDBClient,
  tableName: string,
  pass: LegacyPass,
): Promise<void> => {
  const { memberId, passTypeId } = pass;
  const items = pass.devices.flatMap(({ id, pushToken }, i) => {
    const registeredAt = new Date(pass.from.getTime() + i * 1000).toISOString();
    const fields = {
      deviceLibraryIdentifier: id,
      passTypeId,
      memberId,
      programId: pass.programId,
      pushToken,
      registeredAt,
      updatedAt: registeredAt,
    };
    return [
      { ...registrationKeys.onMember(memberId, passTypeId, id), entity: "appleRegistration", ...fields },
      { ...registrationKeys.onDevice(id, passTypeId, memberId), entity: "deviceRegistration", ...fields },
    ];
  });
  for (let from = 0; from < items.length; from += 25) {
    await raw.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [tableName]: items.slice(from, from + 25).map((Item) => ({ PutRequest: { Item: marshall(Item) } })),
        },
      }),
    );
  }
  await raw.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: marshall(memberKeys.member(memberId)),
      UpdateExpression: "REMOVE devices",
    }),
  );
};
