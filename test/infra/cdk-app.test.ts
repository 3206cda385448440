import { readFileSync } from "node:fs";
import { App } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { describe, expect, it } from "vitest";
import { allOperations } from "../../functions/api/operations.js";
import { routeKeyOf } from "../../functions/http/operation.js";
import { buildCarnetApp, type CarnetStacks } from "../../infra/carnet-app.js";

/**
 * The CDK app synthesized as `cdk synth` does (same cdk.json context), but offline: no AWS account,
 * no Docker and no esbuild run ("aws:cdk:bundling-stacks": [] makes NodejsFunction skip bundling).
 */
const cdkJson = JSON.parse(readFileSync(new URL("../../cdk.json", import.meta.url), "utf8")) as {
  context?: Record<string, unknown>;
};

interface Synthesized {
  stacks: CarnetStacks;
  stateful: Template;
  stateless: Template;
}

const synthesize = (context: Record<string, unknown> = {}): Synthesized => {
  const app = new App({ context: { ...cdkJson.context, "aws:cdk:bundling-stacks": [], ...context } });
  const stacks = buildCarnetApp(app);
  return {
    stacks,
    stateful: Template.fromStack(stacks.stateful),
    stateless: Template.fromStack(stacks.stateless),
  };
};

// Synthesis takes about a second; the tests that only read the result share one.
let shared: Synthesized | undefined;
const synthesized = (): Synthesized => {
  shared ??= synthesize();
  return shared;
};

const distinctFunctionNames = [...new Set([...allOperations.map((op) => op.fn), "not-found"])].sort();

/** Logical id of each Carnet function of the stateless stack, by capability. */
const functionLogicalIds = ({ stacks }: Synthesized): Map<string, string> =>
  new Map(
    [...stacks.stateless.functions].map(([name, fn]) => [
      name,
      stacks.stateless.getLogicalId(fn.node.defaultChild as CfnFunction),
    ]),
  );

/** The logical id a `Fn::ImportValue` of the stateless stack resolves to in the stateful stack. */
const exportedResource = (stateful: Template, imported: any): unknown => {
  const exportName = imported?.["Fn::ImportValue"];
  if (typeof exportName !== "string") return undefined;
  const output = Object.values(stateful.toJSON().Outputs ?? {}).find(
    (o: any) => o.Export?.Name === exportName,
  ) as any;
  return output?.Value;
};

describe("stateful stack", () => {
  it("keeps the one table on demand, streamed, recoverable and protected from deletion", () => {
    // Prepare + Act
    const { stateful } = synthesized();

    // Assess
    stateful.resourceCountIs("AWS::DynamoDB::GlobalTable", 1);
    stateful.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: {
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" },
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      },
    });
  });

  it("gives the table the PK/SK keys, GSI1 (all attributes) and the sparse keys-only GSI2 of the data model", () => {
    // Prepare + Act
    const { stateful } = synthesized();

    // Assess
    stateful.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      KeySchema: [
        { AttributeName: "PK", KeyType: "HASH" },
        { AttributeName: "SK", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "GSI1",
          KeySchema: [
            { AttributeName: "GSI1PK", KeyType: "HASH" },
            { AttributeName: "GSI1SK", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
        {
          IndexName: "GSI2",
          KeySchema: [
            { AttributeName: "GSI2PK", KeyType: "HASH" },
            { AttributeName: "GSI2SK", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: "PK", AttributeType: "S" },
        { AttributeName: "SK", AttributeType: "S" },
        { AttributeName: "GSI1PK", AttributeType: "S" },
        { AttributeName: "GSI1SK", AttributeType: "S" },
        { AttributeName: "GSI2PK", AttributeType: "S" },
        { AttributeName: "GSI2SK", AttributeType: "S" },
      ]),
    });
  });

  it("generates the root admin key as a retained 40-character secret", () => {
    // Prepare + Act
    const { stateful } = synthesized();

    // Assess
    stateful.hasResource("AWS::SecretsManager::Secret", {
      DeletionPolicy: "Retain",
      Properties: { GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 40 } },
    });
  });

  it("keeps the pass secret, the Apple certificates and the Google service account, so links and installed passes survive", () => {
    // Prepare + Act
    const { stateful } = synthesized();

    // Assess: admin key, pass secret, Apple certificates, Google Wallet service account
    stateful.resourceCountIs("AWS::SecretsManager::Secret", 4);
    stateful.hasResource("AWS::SecretsManager::Secret", {
      DeletionPolicy: "Retain",
      Properties: { Description: Match.stringLikeRegexp("Google Wallet service account") },
    });
    stateful.hasResource("AWS::SecretsManager::Secret", {
      DeletionPolicy: "Retain",
      Properties: { GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 48 } },
    });
    stateful.hasResource("AWS::SecretsManager::Secret", {
      DeletionPolicy: "Retain",
      Properties: { Description: Match.stringLikeRegexp("Apple Wallet certificates") },
    });
  });
});

describe("stateless stack", () => {
  it("runs the due-work sweep every 15 minutes, with 5 minutes to finish and the table", () => {
    // Prepare + Act
    const synth = synthesized();
    const sweepId = synth.stacks.stateless.getLogicalId(
      synth.stacks.stateless.sweep.node.defaultChild as CfnFunction,
    );
    const resources = synth.stateless.toJSON().Resources;

    // Assess
    expect(resources[sweepId].Properties).toMatchObject({ Runtime: "nodejs22.x", Timeout: 300 });
    expect(resources[sweepId].Properties.Environment.Variables.CARNET_TABLE_NAME).toBeDefined();
    synth.stateless.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(15 minutes)",
      State: "ENABLED",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [sweepId, "Arn"] } })],
    });
    expect(synth.stacks.stateless.sweep.node.path).toContain("Sweep");
  });

  it("feeds member and program changes from the table's stream to the push function, resuming failed batches", () => {
    // Prepare + Act
    const synth = synthesized();
    const pushId = synth.stacks.stateless.getLogicalId(
      synth.stacks.stateless.push.node.defaultChild as CfnFunction,
    );

    // Assess
    synth.stateless.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: pushId },
      StartingPosition: "LATEST",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              dynamodb: {
                NewImage: { entity: { S: ["member"] }, devices: { N: [{ "anything-but": ["0"] }] } },
              },
            }),
          },
          {
            Pattern: JSON.stringify({
              dynamodb: { NewImage: { entity: { S: ["member"] }, devices: { N: [{ exists: false }] } } },
            }),
          },
          {
            Pattern: JSON.stringify({
              dynamodb: { NewImage: { entity: { S: ["member"] }, googleObject: { N: [{ exists: true }] } } },
            }),
          },
          { Pattern: JSON.stringify({ dynamodb: { NewImage: { entity: { S: ["program"] } } } }) },
        ],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it("feeds the emails that became pending from the table's stream to the mail function, bisecting and resuming failed batches", () => {
    // Prepare + Act
    const synth = synthesized();
    const mailId = synth.stacks.stateless.getLogicalId(
      synth.stacks.stateless.mail.node.defaultChild as CfnFunction,
    );
    const resources = synth.stateless.toJSON().Resources;

    // Assess
    synth.stateless.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: mailId },
      StartingPosition: "LATEST",
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ["INSERT", "MODIFY"],
              dynamodb: { NewImage: { entity: { S: ["email"] }, status: { S: ["pending"] } } },
            }),
          },
        ],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    expect(resources[mailId].Properties).toMatchObject({ Runtime: "nodejs22.x", Timeout: 120 });
    expect(synth.stacks.stateless.mail.node.path).toContain("Mail");
  });

  it("feeds the offers being sent or withdrawn from the table's stream to the offer worker, resuming failed batches", () => {
    // Prepare + Act
    const synth = synthesized();
    const workerId = synth.stacks.stateless.getLogicalId(
      synth.stacks.stateless.offerDelivery.node.defaultChild as CfnFunction,
    );
    const resources = synth.stateless.toJSON().Resources;

    // Assess
    synth.stateless.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: workerId },
      StartingPosition: "LATEST",
      BatchSize: 10,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ["INSERT", "MODIFY"],
              dynamodb: {
                NewImage: {
                  entity: { S: ["offer"] },
                  delivery: { M: { state: { S: ["sending", "withdrawing"] } } },
                },
              },
            }),
          },
        ],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    expect(resources[workerId].Properties).toMatchObject({ Runtime: "nodejs22.x", Timeout: 60 });
    expect(resources[workerId].Properties.Environment.Variables.CARNET_TABLE_NAME).toBeDefined();
    expect(synth.stacks.stateless.offerDelivery.node.path).toContain("OfferDelivery");
  });

  it("lets the mail function alone send through Amazon SES, and only from MAIL_FROM's address", () => {
    // Prepare + Act
    const synth = synthesize({ mailFrom: '"Café Lumière" <cards@cafe-lumiere.fr>' });
    const resources = synth.stateless.toJSON().Resources;
    const policies = Object.values(synth.stateless.findResources("AWS::IAM::Policy"));
    const roleOf = (fn: any) =>
      resources[synth.stacks.stateless.getLogicalId(fn.node.defaultChild)].Properties.Role["Fn::GetAtt"][0];
    const statementsOf = (roleRef: string) =>
      policies
        .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleRef))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const sends = (s: any) => [s.Action].flat().some((a: string) => a.startsWith("ses:"));

    // Assess
    const mailRole = roleOf(synth.stacks.stateless.mail);
    const ses = statementsOf(mailRole).filter(sends);
    expect(ses).toEqual([
      {
        Effect: "Allow",
        Action: ["ses:SendEmail", "ses:SendRawEmail"],
        Resource: {
          "Fn::Join": [
            "",
            [
              "arn:",
              { Ref: "AWS::Partition" },
              ":ses:",
              { Ref: "AWS::Region" },
              ":",
              { Ref: "AWS::AccountId" },
              ":identity/*",
            ],
          ],
        },
        Condition: { StringEquals: { "ses:FromAddress": "cards@cafe-lumiere.fr" } },
      },
    ]);
    const others = [
      ...synth.stacks.stateless.functions.values(),
      synth.stacks.stateless.sweep,
      synth.stacks.stateless.push,
      synth.stacks.stateless.offerDelivery,
    ];
    for (const fn of others) expect(statementsOf(roleOf(fn)).filter(sends), fn.node.path).toEqual([]);
    const variables =
      resources[
        synth.stacks.stateless.getLogicalId(synth.stacks.stateless.mail.node.defaultChild as CfnFunction)
      ].Properties.Environment.Variables;
    expect(variables.MAIL_FROM).toBe('"Café Lumière" <cards@cafe-lumiere.fr>');
    expect(variables.SMTP_URL).toBeUndefined();
  });

  it("sends from the mailFrom context value, else from the custom domain, else from a placeholder it warns about", () => {
    // Prepare
    const mailFromOf = (synth: Synthesized) =>
      synth.stateless.toJSON().Resources[
        synth.stacks.stateless.getLogicalId(synth.stacks.stateless.mail.node.defaultChild as CfnFunction)
      ].Properties.Environment.Variables.MAIL_FROM;

    // Act
    const placeholder = synthesized();
    const domain = synthesize({ publicUrl: "https://loyalty.example.org" });

    // Assess
    expect(mailFromOf(placeholder)).toBe("Carnet <cards@example.com>");
    Annotations.fromStack(placeholder.stacks.stateless).hasWarning(
      "/Carnet-Stateless",
      Match.stringLikeRegexp("No mailFrom context value"),
    );
    expect(mailFromOf(domain)).toBe("Carnet <cards@loyalty.example.org>");
    expect(
      Annotations.fromStack(domain.stacks.stateless).findWarning("*", Match.stringLikeRegexp("mailFrom")),
    ).toEqual([]);
    expect(() => synthesize({ mailFrom: "not an address" })).toThrow(
      /mailFrom context value must be an address/,
    );
  });

  it("has one function per capability of the contract, plus the one for unmatched routes, the sweep, the push fan-out, mail and the offer worker", () => {
    // Prepare + Act
    const synth = synthesized();

    // Assess: CDK helper functions (custom resources, log retention) would not match this filter.
    const functions = synth.stateless.findResources("AWS::Lambda::Function", {
      Properties: { Handler: "index.handler", Runtime: "nodejs22.x" },
    });
    expect(Object.keys(functions)).toHaveLength(distinctFunctionNames.length + 4);
    expect([...functionLogicalIds(synth).keys()].sort()).toEqual(distinctFunctionNames);
  });

  it("runs every function on Node.js 22, arm64, traced, with the table and admin key secret of the stateful stack", () => {
    // Prepare + Act
    const synth = synthesized();
    const resources = synth.stateless.toJSON().Resources;
    const tableId = synth.stacks.stateful.getLogicalId(synth.stacks.stateful.table.node.defaultChild as any);
    const secretId = synth.stacks.stateful.getLogicalId(
      synth.stacks.stateful.adminKeySecret.node.defaultChild as any,
    );

    // Assess
    for (const [name, id] of functionLogicalIds(synth)) {
      const props = resources[id].Properties;
      expect(props, name).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        MemorySize: 1024,
        Timeout: 10,
        TracingConfig: { Mode: "Active" },
        Environment: {
          Variables: {
            POWERTOOLS_SERVICE_NAME: "carnet",
            POWERTOOLS_LOG_LEVEL: "INFO",
            NODE_OPTIONS: "--enable-source-maps",
          },
        },
      });
      const env = props.Environment.Variables;
      expect(exportedResource(synth.stateful, env.CARNET_TABLE_NAME), name).toEqual({ Ref: tableId });
      expect(exportedResource(synth.stateful, env.CARNET_ADMIN_KEY_SECRET_ARN), name).toEqual({
        Ref: secretId,
      });
    }
  });

  it("keeps every function's logs one month", () => {
    // Prepare + Act
    const synth = synthesized();
    const resources = synth.stateless.toJSON().Resources;

    // Assess
    for (const [name, id] of functionLogicalIds(synth)) {
      const logGroupId = resources[id].Properties.LoggingConfig?.LogGroup?.Ref;
      expect(resources[logGroupId]?.Type, name).toBe("AWS::Logs::LogGroup");
      expect(resources[logGroupId].Properties.RetentionInDays, name).toBe(30);
    }
  });

  it("lets every function read and write the table and read the admin key secret", () => {
    // Prepare + Act
    const synth = synthesized();
    const resources = synth.stateless.toJSON().Resources;
    const policies = Object.values(synth.stateless.findResources("AWS::IAM::Policy"));

    // Assess
    for (const [name, id] of functionLogicalIds(synth)) {
      const roleRef = resources[id].Properties.Role["Fn::GetAtt"][0];
      const actions = policies
        .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleRef))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .flatMap((s: any) => [s.Action].flat());
      expect(actions, name).toEqual(
        expect.arrayContaining([
          "dynamodb:GetItem",
          "dynamodb:Query",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:BatchWriteItem",
          "secretsmanager:GetSecretValue",
        ]),
      );
    }
  });

  it("serves the contract through an HTTP API whose Lambda integrations use payload format 2.0", () => {
    // Prepare + Act
    const { stateless } = synthesized();

    // Assess
    stateless.resourceCountIs("AWS::ApiGatewayV2::Api", 1);
    stateless.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "HTTP" });
    const integrations = Object.values(stateless.findResources("AWS::ApiGatewayV2::Integration"));
    expect(integrations.length).toBeGreaterThan(0);
    for (const integration of integrations) {
      expect(integration.Properties).toMatchObject({
        IntegrationType: "AWS_PROXY",
        PayloadFormatVersion: "2.0",
      });
    }
    stateless.hasOutput("ApiUrl", { Value: { "Fn::GetAtt": [Match.anyValue(), "ApiEndpoint"] } });
  });

  it("gives every operation of the contract its API Gateway route, to the function named by its fn", () => {
    // Prepare + Act
    const synth = synthesized();
    const resources = synth.stateless.toJSON().Resources;
    const ids = functionLogicalIds(synth);
    const routes = Object.values(synth.stateless.findResources("AWS::ApiGatewayV2::Route"));
    const functionBehind = (route: any): unknown => {
      const integrationId = route.Properties.Target["Fn::Join"][1][1].Ref;
      return resources[integrationId].Properties.IntegrationUri["Fn::GetAtt"][0];
    };

    // Assess
    expect(routes).toHaveLength(allOperations.length + 1);
    for (const op of allOperations) {
      const matching = routes.filter((r) => r.Properties.RouteKey === routeKeyOf(op));
      expect(matching, op.operationId).toHaveLength(1);
      expect(functionBehind(matching[0]), op.operationId).toBe(ids.get(op.fn));
    }
  });

  it("sends requests no operation matches to the not-found function through the $default route", () => {
    // Prepare + Act
    const synth = synthesized();
    const resources = synth.stateless.toJSON().Resources;
    const defaults = Object.values(
      synth.stateless.findResources("AWS::ApiGatewayV2::Route", { Properties: { RouteKey: "$default" } }),
    );

    // Assess
    expect(defaults).toHaveLength(1);
    const integrationId = defaults[0]?.Properties.Target["Fn::Join"][1][1].Ref;
    expect(resources[integrationId].Properties.IntegrationUri["Fn::GetAtt"][0]).toBe(
      functionLogicalIds(synth).get("not-found"),
    );
  });

  it("gives the functions the API's own URL as PUBLIC_URL without a dependency cycle", () => {
    // Prepare + Act
    const synth = synthesized();
    const resources = synth.stateless.toJSON().Resources;
    const apiId = synth.stacks.stateless.getLogicalId(synth.stacks.stateless.api.node.defaultChild as any);

    // Assess
    for (const [name, id] of functionLogicalIds(synth)) {
      expect(resources[id].Properties.Environment.Variables.PUBLIC_URL, name).toEqual({
        "Fn::GetAtt": [apiId, "ApiEndpoint"],
      });
    }
    // Template refuses a template whose resources depend on each other in a cycle (undeployable).
    expect(() => Template.fromJSON(synth.stateless.toJSON())).not.toThrow();
  });

  it("turns Google Wallet on with the googleWalletIssuerId context value, reading the key from its secret", () => {
    // Prepare + Act
    const off = synthesized();
    const on = synthesize({ googleWalletIssuerId: "3388000000012345678" });

    // Assess: without the issuer id no function is given Google's variables (they run without it)
    const offResources = off.stateless.toJSON().Resources;
    const onResources = on.stateless.toJSON().Resources;
    for (const [name, id] of functionLogicalIds(off)) {
      expect(offResources[id].Properties.Environment.Variables.GOOGLE_WALLET_ISSUER_ID, name).toBeUndefined();
    }
    for (const [name, id] of functionLogicalIds(on)) {
      const variables = onResources[id].Properties.Environment.Variables;
      expect(variables.GOOGLE_WALLET_ISSUER_ID, name).toBe("3388000000012345678");
      expect(exportedResource(on.stateful, variables.GOOGLE_WALLET_SA_SECRET_ARN), name).toEqual({
        Ref: on.stacks.stateful.getLogicalId(on.stacks.stateful.googleSecret.node.defaultChild as any),
      });
    }
    expect(() => synthesize({ googleWalletIssuerId: "not-digits" })).toThrow(/googleWalletIssuerId/);
  });

  it("uses the publicUrl context value (a custom domain, without trailing slash) as PUBLIC_URL and API URL output", () => {
    // Prepare
    const publicUrl = "https://loyalty.example.com";

    // Act
    const synth = synthesize({ publicUrl: `${publicUrl}/` });

    // Assess
    const resources = synth.stateless.toJSON().Resources;
    for (const [name, id] of functionLogicalIds(synth)) {
      expect(resources[id].Properties.Environment.Variables.PUBLIC_URL, name).toBe(publicUrl);
    }
    synth.stateless.hasOutput("ApiUrl", { Value: publicUrl });
  });
});
