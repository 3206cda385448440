import { Annotations, CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { FilterCriteria, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { allOperations } from "../functions/api/operations.js";
import type { FunctionName } from "../functions/api/types.js";
import { MAIL_FROM_PATTERN } from "../functions/config/env.js";
import type { OperationDef } from "../functions/http/operation.js";
import { MAIL_FILTER_PATTERNS } from "../functions/mail/stream-filter.js";
import { OFFER_DELIVERY_FILTER_PATTERNS } from "../functions/offer-delivery/stream-filter.js";
import { PUSH_FILTER_PATTERNS } from "../functions/push/stream-filter.js";
import { CarnetFunction } from "./carnet-function.js";

export interface StatelessStackProps extends StackProps {
  readonly table: ITableV2;
  readonly adminKeySecret: ISecret;
  readonly passSecret: ISecret;
  readonly appleSecret: ISecret;
  readonly googleSecret: ISecret;
}

/** API Gateway's `$default` route goes to this function: 404, or 405 for a known path. */
export const UNMATCHED_ROUTE_FUNCTION: FunctionName = "not-found";

/** "not-found" → "NotFound": the construct id, which the CloudFormation logical ids derive from. */
const constructIdOf = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());

/** The `publicUrl` context value, checked here rather than by the functions at their first start. */
const publicUrlContext = (scope: Construct): string | undefined => {
  const value: unknown = scope.node.tryGetContext("publicUrl");
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string" || !URL.canParse(value)) {
    throw new Error(`The publicUrl context value must be an absolute URL, got ${JSON.stringify(value)}.`);
  }
  return value.replace(/\/+$/, "");
};

/** Apple identity and APNs endpoint from context values (cdk deploy -c applePassTypeId=pass.com.example…). */
const appleContext = (scope: Construct): Record<string, string> => {
  const values: Record<string, string> = {};
  const names = {
    applePassTypeId: "APPLE_PASS_TYPE_ID",
    appleTeamId: "APPLE_TEAM_ID",
    apnsUrl: "APNS_URL",
  } as const;
  for (const [context, variable] of Object.entries(names)) {
    const value: unknown = scope.node.tryGetContext(context);
    if (typeof value === "string" && value !== "") values[variable] = value;
  }
  return values;
};

/**
 * Google Wallet's issuer id from the `googleWalletIssuerId` context value (cdk deploy -c
 * googleWalletIssuerId=3388000000012345678): without it the functions run without Google Wallet.
 */
const googleIssuerContext = (scope: Construct): string | undefined => {
  const value: unknown = scope.node.tryGetContext("googleWalletIssuerId");
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string" || !/^\d{6,25}$/.test(value))
    throw new Error(
      `The googleWalletIssuerId context value must be the numeric issuer id, got ${JSON.stringify(value)}.`,
    );
  return value;
};

/** The sender when no `mailFrom` context value is given and `publicUrl` names no domain of its own. */
export const PLACEHOLDER_MAIL_FROM = "Carnet <cards@example.com>";

/**
 * Who emails come from (the mail function's MAIL_FROM): the `mailFrom` context value (cdk deploy -c
 * mailFrom="Café Lumière <cards@cafe-lumiere.fr>"), an address or domain verified in Amazon SES; else
 * `cards@` the domain of `publicUrl`; else a placeholder, with a warning (SES refuses to send from an
 * unverified address: the emails would wait in the outbox, then fail).
 */
const mailFromContext = (
  scope: Construct,
  publicUrl: string | undefined,
): { value: string; address: string } => {
  const given: unknown = scope.node.tryGetContext("mailFrom");
  let value: string;
  if (given !== undefined && given !== "") {
    if (typeof given !== "string" || !MAIL_FROM_PATTERN.test(given))
      throw new Error(
        `The mailFrom context value must be an address such as cards@example.com, or "Name <cards@example.com>", got ${JSON.stringify(given)}.`,
      );
    value = given;
  } else if (publicUrl) {
    value = `Carnet <cards@${new URL(publicUrl).hostname}>`;
  } else {
    value = PLACEHOLDER_MAIL_FROM;
    Annotations.of(scope).addWarningV2(
      "carnet:mailFrom",
      `No mailFrom context value: emails are sent from ${PLACEHOLDER_MAIL_FROM}, which Amazon SES will refuse. Deploy with -c mailFrom="Your Shop <cards@your-domain>" (an address or domain verified in SES).`,
    );
  }
  const groups = MAIL_FROM_PATTERN.exec(value)?.groups ?? {};
  return { value, address: groups.address ?? groups.bare ?? value };
};

/**
 * The HTTP API and its functions, rebuilt freely on top of the stateful stack. Routes and functions
 * are derived from the operations of the contract (functions/api/operations.ts): one function per
 * distinct `fn`, one route per operation, so the deployed API cannot drift from the local one.
 */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly functions: ReadonlyMap<FunctionName, NodejsFunction>;
  readonly sweep: NodejsFunction;
  readonly push: NodejsFunction;
  readonly mail: NodejsFunction;
  readonly offerDelivery: NodejsFunction;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);

    this.api = new HttpApi(this, "Api", {
      apiName: "carnet",
      description: "Carnet loyalty platform API",
    });

    // No cycle: the functions depend on the Api resource, which depends on nothing; the integrations,
    // routes and permissions depend on both. A custom domain name, given as the `publicUrl` context
    // value (cdk deploy -c publicUrl=https://loyalty.example.com), replaces the execute-api URL.
    const customUrl = publicUrlContext(this);
    const publicUrl = customUrl ?? this.api.apiEndpoint;
    const googleIssuer = googleIssuerContext(this);
    const shared = {
      table: props.table,
      adminKeySecret: props.adminKeySecret,
      passSecret: props.passSecret,
      appleSecret: props.appleSecret,
      ...(googleIssuer ? { google: { secret: props.googleSecret, issuerId: googleIssuer } } : {}),
      environment: { PUBLIC_URL: publicUrl, ...appleContext(this) },
    };

    const byFunction = new Map<FunctionName, OperationDef[]>([[UNMATCHED_ROUTE_FUNCTION, []]]);
    for (const op of allOperations) byFunction.set(op.fn, [...(byFunction.get(op.fn) ?? []), op]);

    const functions = new Map<FunctionName, NodejsFunction>();
    for (const [name, ops] of byFunction) {
      const { function: fn } = new CarnetFunction(this, constructIdOf(name), {
        ...shared,
        name,
        ...(name === "wallet" ? { copyIntoBundle: ["pass-templates"] } : {}),
      });
      functions.set(name, fn);

      // One integration and one invoke permission per function, shared by all of its routes. CDK
      // places both under the function's first route: their logical ids follow that route.
      const integration = new HttpLambdaIntegration(`${constructIdOf(name)}Integration`, fn, {
        scopePermissionToRoute: false,
      });
      if (name === UNMATCHED_ROUTE_FUNCTION) {
        new HttpRoute(this, "DefaultRoute", {
          httpApi: this.api,
          routeKey: HttpRouteKey.DEFAULT,
          integration,
        });
      }
      for (const op of ops) {
        this.api.addRoutes({ path: op.path, methods: [HttpMethod[op.method]], integration });
      }
    }
    this.functions = functions;

    // The due-work sweep (expired points and vouchers, tier review): every 15 minutes. Operations
    // apply the same lazily, so a late or skipped run delays only what the card shows meanwhile.
    const { function: sweep } = new CarnetFunction(this, "Sweep", {
      ...shared,
      name: "sweep",
      timeout: Duration.minutes(5),
    });
    this.sweep = sweep;
    new Rule(this, "SweepSchedule", {
      description: "Carnet: settle members whose points, vouchers or tier are due",
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [new LambdaFunction(sweep, { retryAttempts: 0 })],
    });

    // The push fan-out: member changes on the table's stream → APNs and Google Wallet objects, program
    // changes → Google Wallet classes. Only members that may have a device or a Google object, and
    // programs, reach it (functions/push/stream-filter.ts; the filter runs in the event source mapping,
    // so other writes cost no invocation). A batch works within a deadline taken from the
    // invocation's remaining time (batchDeadline in functions/app/push.ts: 50 s of this minute), so it
    // never times out; with ReportBatchItemFailures it resumes at the first record of the first member
    // it left unfinished, never whole; records that keep failing for a day go to a queue.
    const { function: push } = new CarnetFunction(this, "Push", {
      ...shared,
      name: "push",
      timeout: Duration.minutes(1),
    });
    this.push = push;
    const failedPushes = new Queue(this, "FailedPushes", { retentionPeriod: Duration.days(14) });
    push.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        retryAttempts: 20,
        maxRecordAge: Duration.hours(24),
        parallelizationFactor: 4,
        onFailure: new SqsDlq(failedPushes),
        filters: PUSH_FILTER_PATTERNS.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );

    // The mail function: `email` items that became `pending` on the table's stream (written with the
    // member at enrollment, or put back by the sweep for a retry) → Amazon SES (docs/email.md). Only
    // those reach it (functions/mail/stream-filter.ts). Each email is claimed before it is sent, so a
    // batch handed over again never sends twice; a batch reports as failed only the emails it could not
    // claim (an unexpected error), bisected on error so one bad record cannot hold the others; records
    // still failing after 10 attempts or 6 hours go to a queue (the emails themselves stay `pending`).
    // A batch claims nothing in its last minute (MAIL_DEADLINE_MARGIN_MS), so it never times out with
    // an email claimed and not settled.
    const mailFrom = mailFromContext(this, customUrl);
    const { function: mail } = new CarnetFunction(this, "Mail", {
      ...shared,
      name: "mail",
      timeout: Duration.minutes(2),
      environment: { ...shared.environment, MAIL_FROM: mailFrom.value },
    });
    this.mail = mail;
    // SES v2 SendEmail (raw content) is authorized as ses:SendEmail on the sender's identity (and, in
    // the sandbox, the recipients'): any identity of this account and region, but only From MAIL_FROM.
    mail.addToRolePolicy(
      new PolicyStatement({
        actions: ["ses:SendEmail", "ses:SendRawEmail"],
        resources: [`arn:${this.partition}:ses:${this.region}:${this.account}:identity/*`],
        conditions: { StringEquals: { "ses:FromAddress": mailFrom.address } },
      }),
    );
    const failedEmails = new Queue(this, "FailedEmailRecords", { retentionPeriod: Duration.days(14) });
    mail.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 10,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(6),
        parallelizationFactor: 2,
        onFailure: new SqsDlq(failedEmails),
        filters: MAIL_FILTER_PATTERNS.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );

    // The offer worker: offers whose delivery is under way (sending, or withdrawing once ended) on the
    // table's stream → one batch of members each (app/offers.ts, runBatch), whose write of the offer
    // is the next record: a delivery goes on a page at a time (an invocation runs the next pages itself
    // for up to 20 s rather than wait for their records, BATCHES_FOR_MS). Only those records
    // reach it (functions/offer-delivery/stream-filter.ts). A failed batch leaves its offer as it was and
    // reports its record, so the batch runs again from the same members; records failing for 6 hours go
    // to a queue, and the sweep hands a delivery stalled for 15 minutes over again (resumeDue), so a
    // delivery is never left half done. Batches of 10 records: each names one offer's next page.
    const { function: offerDelivery } = new CarnetFunction(this, "OfferDelivery", {
      ...shared,
      name: "offer-delivery",
      timeout: Duration.minutes(1),
    });
    this.offerDelivery = offerDelivery;
    const failedOfferBatches = new Queue(this, "FailedOfferBatches", { retentionPeriod: Duration.days(14) });
    offerDelivery.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 10,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(6),
        parallelizationFactor: 2,
        onFailure: new SqsDlq(failedOfferBatches),
        filters: OFFER_DELIVERY_FILTER_PATTERNS.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );

    new CfnOutput(this, "ApiUrl", { value: publicUrl, description: "Base URL of the Carnet API" });
  }
}
