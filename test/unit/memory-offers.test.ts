import { offerRepositoryContract } from "../contract/offers.contract.js";
import { memoryRepositories } from "../support/memory-repositories.js";

// The in-memory offers and member listing the offer use cases run on behave as DynamoDB's
// (test/integration/offer-repository.test.ts).
offerRepositoryContract("in memory", memoryRepositories);
