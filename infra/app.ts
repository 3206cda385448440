import { App } from "aws-cdk-lib";
import { buildCarnetApp } from "./carnet-app.js";

/** The CDK app (cdk.json runs it with tsx): `npx cdk synth`, `npx cdk deploy --all`. */
const app = new App();
buildCarnetApp(app, {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});
app.synth();
