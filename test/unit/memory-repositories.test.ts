import { describeRepositoryContracts } from "../contract/repositories.contract.js";
import { memoryRepositories } from "../support/memory-repositories.js";

/** The in-memory repositories (test/support/memory-repositories.ts) keep the ports' contract: fresh for each test. */
describeRepositoryContracts("memory", memoryRepositories);
