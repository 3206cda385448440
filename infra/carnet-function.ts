import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { FunctionName } from "../functions/api/types.js";

/** The repository root, holding package.json and package-lock.json. */
export const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));

/**
 * Functions that no HTTP route reaches: the scheduled due-work sweep, and the stream's push fan-out,
 * mail and offer delivery.
 */
export type BackgroundFunctionName = "sweep" | "push" | "mail" | "offer-delivery";

/** functions/<name>/handler.ts, as an absolute path (cdk may run from any directory). */
export const handlerEntry = (name: FunctionName | BackgroundFunctionName): string =>
  fileURLToPath(new URL(`../functions/${name}/handler.ts`, import.meta.url));

/**
 * The bundles are ESM; a CommonJS dependency calling `require` for a Node built-in needs one in scope.
 * Passed to esbuild as one argument, so it must stay free of double quotes and backslashes.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export interface CarnetFunctionProps {
  /** The capability: the folder functions/<name>/ whose handler.ts exports `handler`. */
  readonly name: FunctionName | BackgroundFunctionName;
  /** Default 10 seconds (an API request); background work may take longer. */
  readonly timeout?: Duration;
  readonly table: ITableV2;
  readonly adminKeySecret: ISecret;
  /** The secret behind card links and pass tokens (CARNET_PASS_SECRET locally). */
  readonly passSecret?: ISecret;
  /** The Apple Pass Type ID certificate, key and WWDR certificate, as JSON (APPLE_PASS_SECRET_ARN). */
  readonly appleSecret?: ISecret;
  /**
   * The Google Wallet service account's JSON key (GOOGLE_WALLET_SA_SECRET_ARN), with the issuer id it
   * belongs to: Google Wallet is on only when both are given.
   */
  readonly google?: { secret: ISecret; issuerId: string };
  /** Folders of the repository copied next to the bundle (e.g. pass-templates for the pass models). */
  readonly copyIntoBundle?: string[];
  /** Variables besides the shared ones, which they cannot override (design.md, "Configuration"). */
  readonly environment?: Record<string, string>;
}

/**
 * One Carnet Lambda function with the defaults every function shares: Node.js 22 on Graviton, an ESM
 * bundle holding every dependency (the AWS SDK included: the code relies on a recent lib-dynamodb, not
 * on the one the runtime happens to ship), X-Ray tracing, logs kept a month, the table name and the
 * admin key secret in the environment, and the grants to use both.
 */
export class CarnetFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: CarnetFunctionProps) {
    super(scope, id);

    // Stateless: the logs go with the stack (their content expires after a month anyway).
    this.logGroup = new LogGroup(this, "Logs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.function = new NodejsFunction(this, "Function", {
      description: `Carnet ${props.name}`,
      entry: handlerEntry(props.name),
      handler: "handler",
      projectRoot: repoRoot,
      depsLockFilePath: resolve(repoRoot, "package-lock.json"),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        CARNET_TABLE_NAME: props.table.tableName,
        CARNET_ADMIN_KEY_SECRET_ARN: props.adminKeySecret.secretArn,
        ...(props.passSecret ? { CARNET_PASS_SECRET_ARN: props.passSecret.secretArn } : {}),
        ...(props.appleSecret ? { APPLE_PASS_SECRET_ARN: props.appleSecret.secretArn } : {}),
        ...(props.google
          ? {
              GOOGLE_WALLET_ISSUER_ID: props.google.issuerId,
              GOOGLE_WALLET_SA_SECRET_ARN: props.google.secret.secretArn,
            }
          : {}),
        POWERTOOLS_SERVICE_NAME: "carnet",
        POWERTOOLS_LOG_LEVEL: "INFO",
        NODE_OPTIONS: "--enable-source-maps",
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ["module", "main"],
        target: "node22",
        minify: true,
        sourceMap: true,
        // Stack traces need file names and lines, not a copy of the sources inside the bundle.
        sourcesContent: false,
        banner: ESM_REQUIRE_BANNER,
        externalModules: [],
        ...(props.copyIntoBundle && props.copyIntoBundle.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  (props.copyIntoBundle ?? []).map(
                    (folder) => `cp -R "${inputDir}/${folder}" "${outputDir}/${folder}"`,
                  ),
              },
            }
          : {}),
      },
    });

    props.table.grantReadWriteData(this.function);
    props.adminKeySecret.grantRead(this.function);
    props.passSecret?.grantRead(this.function);
    props.appleSecret?.grantRead(this.function);
    props.google?.secret.grantRead(this.function);
  }
}
