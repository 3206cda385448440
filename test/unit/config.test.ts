import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../functions/config/env.js";

describe("configuration", () => {
  it("names every missing or malformed variable in one message", () => {
    // Act
    const run = () => parseConfig({ DYNAMODB_ENDPOINT: "not a url", CARNET_MAX_BODY_BYTES: "-1" });

    // Assess
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/DYNAMODB_ENDPOINT.*CARNET_MAX_BODY_BYTES|CARNET_MAX_BODY_BYTES.*DYNAMODB_ENDPOINT/);
    expect(run).toThrow(/CARNET_ADMIN_KEY/);
  });

  it("refuses an admin key too short to be safe", () => {
    // Act
    const run = () => parseConfig({ CARNET_ADMIN_KEY: "secret" });

    // Assess
    expect(run).toThrow(/at least 24 characters/);
  });

  it("takes the defaults of design.md when only the admin key is given", () => {
    // Act
    const config = parseConfig({ CARNET_ADMIN_KEY: "x".repeat(24) });

    // Assess
    expect(config).toMatchObject({ CARNET_TABLE_NAME: "carnet", CARNET_MAX_BODY_BYTES: 65536 });
    expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
  });

  it("accepts the admin key from Secrets Manager instead, as in AWS", () => {
    // Act
    const config = parseConfig({
      CARNET_ADMIN_KEY_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:1:secret:carnet",
    });

    // Assess
    expect(config.CARNET_ADMIN_KEY).toBeUndefined();
  });
});
