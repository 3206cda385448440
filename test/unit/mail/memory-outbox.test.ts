import { mailOutboxContract } from "../../contract/mail-outbox.contract.js";
import { memoryMailOutbox } from "../../support/memory-mail-outbox.js";

// The in-memory outbox the delivery tests run on behaves as the DynamoDB one (test/integration/mail-outbox.test.ts).
mailOutboxContract("in memory", memoryMailOutbox);
