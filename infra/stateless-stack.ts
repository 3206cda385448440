import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { allOperations } from "../functions/api/operations.js";
import type { FunctionName, OperationDef } from "../functions/http/operation.js";
import { CarnetFunction } from "./carnet-function.js";

export interface StatelessStackProps extends StackProps {
  readonly table: ITableV2;
  readonly adminKeySecret: ISecret;
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

/**
 * The HTTP API and its functions, rebuilt freely on top of the stateful stack. Routes and functions
 * are derived from the operations of the contract (functions/api/operations.ts): one function per
 * distinct `fn`, one route per operation, so the deployed API cannot drift from the local one.
 */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly functions: ReadonlyMap<FunctionName, NodejsFunction>;
  readonly sweep: NodejsFunction;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);

    this.api = new HttpApi(this, "Api", {
      apiName: "carnet",
      description: "Carnet loyalty platform API",
    });

    // No cycle: the functions depend on the Api resource, which depends on nothing; the integrations,
    // routes and permissions depend on both. A custom domain name, given as the `publicUrl` context
    // value (cdk deploy -c publicUrl=https://loyalty.example.com), replaces the execute-api URL.
    const publicUrl = publicUrlContext(this) ?? this.api.apiEndpoint;

    const byFunction = new Map<FunctionName, OperationDef[]>([[UNMATCHED_ROUTE_FUNCTION, []]]);
    for (const op of allOperations) byFunction.set(op.fn, [...(byFunction.get(op.fn) ?? []), op]);

    const functions = new Map<FunctionName, NodejsFunction>();
    for (const [name, ops] of byFunction) {
      const { function: fn } = new CarnetFunction(this, constructIdOf(name), {
        name,
        table: props.table,
        adminKeySecret: props.adminKeySecret,
        environment: { PUBLIC_URL: publicUrl },
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
      name: "sweep",
      table: props.table,
      adminKeySecret: props.adminKeySecret,
      environment: { PUBLIC_URL: publicUrl },
      timeout: Duration.minutes(5),
    });
    this.sweep = sweep;
    new Rule(this, "SweepSchedule", {
      description: "Carnet: settle members whose points, vouchers or tier are due",
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [new LambdaFunction(sweep, { retryAttempts: 0 })],
    });

    new CfnOutput(this, "ApiUrl", { value: publicUrl, description: "Base URL of the Carnet API" });
  }
}
