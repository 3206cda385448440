import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { encodeCursor } from "../../functions/adapters/dynamodb/cursor.js";
import { dynamoRepositories } from "../../functions/adapters/dynamodb/repositories.js";
import { newId } from "../../functions/shared/ids.js";
import { keys, memberKeys, memberListingPartition, offerKeys } from "../../functions/shared/keys.js";
import { anEnrollment, expectInvalidCursor } from "../contract/fixtures.js";
import { anOffer, offerRepositoryContract } from "../contract/offers.contract.js";
import { testTable, useTestTable } from "../support/table.js";

/**
 * The DynamoDB offers and member listing keep the contract (test/contract/offers.contract.ts), on
 * DynamoDB Local; below it, what is particular to DynamoDB: the offer item's index entries as its state
 * moves, and forged keys in the member listing's cursor.
 */
const table = useTestTable();
const repos = () => dynamoRepositories(testTable());

offerRepositoryContract("DynamoDB", repos);

const itemAt = async (key: { PK: string; SK: string }) =>
  (
    await testTable().client.send(
      new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
    )
  ).Item;

describe("offer items on DynamoDB Local", () => {
  it("lives in its program's partition, listed live while active and due while its delivery is unfinished", async () => {
    // Prepare
    const { offers } = repos();
    const offer = anOffer(newId("prg"), {
      validFrom: "2031-05-09",
      delivery: { ...anOffer("p").delivery, state: "scheduled" },
    });
    const key = offerKeys.offer(offer.programId, offer.offerId);

    // Act
    await offers.create(offer, "Europe/Paris");
    const scheduled = await itemAt(key);
    const sending = { ...offer, version: 2, delivery: { ...offer.delivery, state: "sending" as const } };
    await offers.replace(sending, 1, "Europe/Paris");
    const sendingItem = await itemAt(key);
    const sent = { ...sending, version: 3, delivery: { ...sending.delivery, state: "sent" as const } };
    await offers.replace(sent, 2, "Europe/Paris");
    const sentItem = await itemAt(key);
    const ended = {
      ...sent,
      version: 4,
      status: "ended" as const,
      delivery: { ...sent.delivery, state: "withdrawn" as const },
    };
    await offers.replace(ended, 3, "Europe/Paris");
    const endedItem = await itemAt(key);

    // Assess
    expect(key).toEqual({ PK: keys.program(offer.programId).PK, SK: `OFFER#${offer.offerId}` });
    expect(scheduled).toMatchObject({
      entity: "offer",
      GSI1PK: `PROGRAM#${offer.programId}#LIVEOFFERS`,
      GSI1SK: `2031-05-11#${offer.offerId}`,
      GSI2PK: "OFFERDUE",
      // 9 May starts at 22:00 UTC the day before in Paris (summer time).
      GSI2SK: `2031-05-08T22:00:00.000Z#${offer.programId}#${offer.offerId}`,
    });
    expect(sendingItem).toMatchObject({
      GSI2SK: `2031-05-05T08:15:00.000Z#${offer.programId}#${offer.offerId}`,
      delivery: { state: "sending" },
    });
    expect(sentItem).toMatchObject({ GSI1PK: `PROGRAM#${offer.programId}#LIVEOFFERS` });
    expect(sentItem?.GSI2PK).toBeUndefined();
    expect(endedItem?.GSI1PK).toBeUndefined();
    expect(endedItem?.GSI2PK).toBeUndefined();
  });
});

describe("the member listing on DynamoDB Local", () => {
  it("refuses cursors that name another program's listing or keys outside it", async () => {
    // Prepare
    const { members } = repos();
    const programId = newId("prg");
    await members.enroll(anEnrollment(programId));
    const memberId = newId("mbr");
    const listing = memberListingPartition(programId);
    const forged = {
      otherProgram: encodeCursor({
        ...memberKeys.profile(memberId),
        ...memberKeys.profileListing(newId("prg"), new Date().toISOString(), memberId),
      }),
      notAProfile: encodeCursor({ ...memberKeys.member(memberId), GSI1PK: listing, GSI1SK: "2030#m" }),
      baseTableKey: encodeCursor(memberKeys.profile(memberId)),
    };

    // Act + Assess
    for (const cursor of Object.values(forged))
      await expectInvalidCursor(members.listPage(programId, { limit: 5, cursor }));
  });
});
