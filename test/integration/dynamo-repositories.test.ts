import { dynamoRepositories } from "../../functions/adapters/dynamodb/repositories.js";
import { describeRepositoryContracts } from "../contract/repositories.contract.js";
import { testTable, useTestTable } from "../support/table.js";

/**
 * The DynamoDB adapters keep the ports' contract, on DynamoDB Local: one table for this file, shared by
 * every test (the contract relies on fresh ids, never on an empty table). What is particular to
 * DynamoDB (item layout, forged keys in cursors) is in repositories.test.ts.
 */
useTestTable();

describeRepositoryContracts("DynamoDB", () => dynamoRepositories(testTable()));
