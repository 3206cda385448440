import { type App, type Environment, Tags } from "aws-cdk-lib";
import { StatefulStack } from "./stateful-stack.js";
import { StatelessStack } from "./stateless-stack.js";

export interface CarnetStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * Adds Carnet's two stacks to an app, without synthesizing it: infra/app.ts does that for the CLI,
 * and the infra test does it offline (no account, no bundling).
 */
export const buildCarnetApp = (app: App, env?: Environment): CarnetStacks => {
  const stateful = new StatefulStack(app, "Carnet-Stateful", {
    env,
    description: "Carnet: table and root admin key (retained)",
  });
  const stateless = new StatelessStack(app, "Carnet-Stateless", {
    env,
    description: "Carnet: HTTP API and functions",
    table: stateful.table,
    adminKeySecret: stateful.adminKeySecret,
    passSecret: stateful.passSecret,
    appleSecret: stateful.appleSecret,
    googleSecret: stateful.googleSecret,
  });
  Tags.of(app).add("project", "carnet");
  return { stateful, stateless };
};
