import { CfnOutput, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import {
  AttributeType,
  Billing,
  type ITableV2,
  ProjectionType,
  StreamViewType,
  TableV2,
} from "aws-cdk-lib/aws-dynamodb";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { TABLE_KEYS } from "../functions/adapters/dynamodb/table.js";

const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

/**
 * What must outlive any deployment: the one table and the root admin key. Everything here is retained
 * when the stack is deleted; the stateless stack can be destroyed and rebuilt freely on top of it.
 */
export class StatefulStack extends Stack {
  readonly table: ITableV2;
  readonly adminKeySecret: ISecret;
  readonly passSecret: ISecret;
  readonly appleSecret: ISecret;
  readonly googleSecret: ISecret;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // The key schema comes from the definition the local runtime and the tests use too.
    const table = new TableV2(this, "Table", {
      partitionKey: stringKey(TABLE_KEYS.partitionKey),
      sortKey: stringKey(TABLE_KEYS.sortKey),
      globalSecondaryIndexes: TABLE_KEYS.globalIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: ProjectionType[index.projection],
      })),
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      billing: Billing.onDemand(),
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table = table;

    // The root admin bearer key (CARNET_ADMIN_KEY locally). Functions read it once per cold start.
    this.adminKeySecret = new Secret(this, "AdminKey", {
      description: "Carnet root admin key: the bearer key that creates programs (CARNET_ADMIN_KEY)",
      generateSecretString: { excludePunctuation: true, passwordLength: 40 },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Card links and pass authentication tokens derive from it: replacing it revokes every link and
    // every installed pass's updates, so it is kept.
    this.passSecret = new Secret(this, "PassSecret", {
      description: "Carnet pass secret: signs card links and derives Apple pass tokens (CARNET_PASS_SECRET)",
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Filled by the operator with the real Pass Type ID certificate (infra/README.md); until then the
    // pass endpoints answer 503 apple_wallet_unavailable with the reason.
    this.appleSecret = new Secret(this, "AppleCertificates", {
      description:
        'Carnet Apple Wallet certificates as JSON: {"passCert","passKey","wwdrCert","passKeyPassphrase"?} (PEM text)',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Filled by the operator with the Google Wallet service account's JSON key (infra/README.md); the
    // functions use it only when deployed with the `googleWalletIssuerId` context value.
    this.googleSecret = new Secret(this, "GoogleWalletServiceAccount", {
      description:
        "Carnet Google Wallet service account key: the JSON key file of a service account of the Wallet issuer",
      removalPolicy: RemovalPolicy.RETAIN,
    });

    new CfnOutput(this, "TableName", { value: table.tableName });
    new CfnOutput(this, "AppleCertificatesSecretArn", {
      value: this.appleSecret.secretArn,
      description:
        "aws secretsmanager put-secret-value --secret-string file://apple-certificates.json --secret-id <this>",
    });
    new CfnOutput(this, "GoogleWalletSecretArn", {
      value: this.googleSecret.secretArn,
      description:
        "aws secretsmanager put-secret-value --secret-string file://service-account.json --secret-id <this>",
    });
    new CfnOutput(this, "AdminKeySecretArn", {
      value: this.adminKeySecret.secretArn,
      description:
        "aws secretsmanager get-secret-value --query SecretString --output text --secret-id <this>",
    });
  }
}
