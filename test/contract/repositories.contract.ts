import { describeCommitContract } from "./commit.contract.js";
import type { MakeRepositories } from "./fixtures.js";
import { describeKeyHolderContract } from "./key-holders.contract.js";
import { describeMemberRepositoryContract } from "./members.contract.js";
import { describeProgramRepositoryContract } from "./programs.contract.js";
import { describeRegistrationRepositoryContract } from "./registrations.contract.js";
import { describePartnerRepositoryContract, describeStoreRepositoryContract } from "./stores.contract.js";

export type { MakeRepositories, Repositories } from "./fixtures.js";

/**
 * Every repository port's contract (functions/domain/ports.ts), written once and run against each
 * implementation: DynamoDB (test/integration/dynamo-repositories.test.ts) and memory
 * (test/unit/memory-repositories.test.ts), so that use cases tested over memory behave as over DynamoDB.
 */
export const describeRepositoryContracts = (name: string, make: MakeRepositories): void => {
  describeProgramRepositoryContract(name, make);
  describeStoreRepositoryContract(name, make);
  describePartnerRepositoryContract(name, make);
  describeKeyHolderContract(name, make);
  describeMemberRepositoryContract(name, make);
  describeCommitContract(name, make);
  describeRegistrationRepositoryContract(name, make);
};
