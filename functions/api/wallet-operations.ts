import { z } from "zod";
import { PUSH_TOKEN_PATTERN } from "../app/wallet.js";
import { operation } from "../http/operation.js";

/**
 * Apple Wallet, customer side: the pass behind the emailed card link, and Apple's PassKit web service
 * (base = the pass's webServiceURL, `<PUBLIC_URL>/passkit`), as Apple's "Wallet Passes" web service
 * reference specifies it: `ApplePass <token>` authorization and bare 201/200/204/304/401 answers.
 */

/** Path values are taken as they come (Apple's identifiers are opaque); the service judges them. */
const Opaque = z.string().min(1).max(2048);
/** Any length: a link too long to be ours still gets the friendly "not valid" page, not a JSON 404. */
const Token = z.strictObject({
  token: z.string().min(1).meta({ description: "The signed card link token from the customer's email" }),
});
const DeviceParams = z.strictObject({
  deviceLibraryIdentifier: Opaque.meta({ example: "6b1c6a1b8d2e4f3a" }),
  passTypeIdentifier: Opaque.meta({ example: "pass.com.example.loyalty" }),
});
const RegistrationParams = DeviceParams.extend({
  serialNumber: Opaque.meta({ example: "mbr_1z8c5g2k9x0m3q7w" }),
});
const PassParams = z.strictObject({ passTypeIdentifier: Opaque, serialNumber: Opaque });

const Pkpass = z.string().meta({ format: "binary", description: "A signed storeCard .pkpass archive" });

/** Apple's body: the device's push token (an opaque string). Extra fields Apple may add are ignored. */
export const RegistrationBody = z
  .object({ pushToken: z.string().regex(PUSH_TOKEN_PATTERN, "1 to 512 printable ASCII characters") })
  .meta({ id: "DeviceRegistration" });

export const LogBody = z.object({ logs: z.array(z.string().max(4096)).max(100) }).meta({ id: "PassKitLogs" });

export const SerialNumbers = z
  .object({
    serialNumbers: z.array(z.string()),
    lastUpdated: z.string().meta({ description: "Pass this back as passesUpdatedSince next time" }),
  })
  .meta({ id: "SerialNumbers" });

const Empty = z.object({}).meta({ description: "No body" });

export const walletOperations = {
  cardPage: operation({
    operationId: "cardPage",
    fn: "wallet",
    method: "GET",
    path: "/c/{token}",
    tag: "Apple Wallet",
    summary: "The customer's card page (the emailed link), with Add to Apple Wallet",
    auth: "none",
    params: Token,
    success: { status: 200, description: "An HTML page", schema: z.string(), contentType: "text/html" },
    otherResponses: { 410: "The link expired, or the card no longer exists (HTML page)" },
  }),
  downloadPass: operation({
    operationId: "downloadPass",
    fn: "wallet",
    method: "GET",
    path: "/c/{token}/pass.pkpass",
    tag: "Apple Wallet",
    summary: "Download the member's Apple Wallet pass (the emailed link)",
    description:
      "A signed, expiring card link gives the member's current pass. A tampered, malformed or expired link, or an erased member, gets a friendly HTML page (404 or 410), never a pass. Supports If-Modified-Since (304).",
    auth: "none",
    params: Token,
    success: {
      status: 200,
      description: "The pass",
      schema: Pkpass,
      contentType: "application/vnd.apple.pkpass",
    },
    otherResponses: {
      304: "Not modified since If-Modified-Since",
      410: "The link expired, or the card no longer exists (HTML page)",
    },
  }),
  registerDevice: operation({
    operationId: "registerDevice",
    fn: "wallet",
    method: "POST",
    path: "/passkit/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}",
    tag: "Apple PassKit web service",
    summary: "Register a device to receive push notifications for a pass",
    auth: "applePass",
    params: RegistrationParams,
    body: RegistrationBody,
    success: { status: 201, description: "Registered", schema: Empty },
    otherResponses: { 200: "Already registered (the push token is refreshed)" },
  }),
  unregisterDevice: operation({
    operationId: "unregisterDevice",
    fn: "wallet",
    method: "DELETE",
    path: "/passkit/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}",
    tag: "Apple PassKit web service",
    summary: "Unregister a device from a pass",
    auth: "applePass",
    params: RegistrationParams,
    success: { status: 200, description: "Unregistered (or was not registered)", schema: Empty },
  }),
  listUpdatedPasses: operation({
    operationId: "listUpdatedPasses",
    fn: "wallet",
    method: "GET",
    path: "/passkit/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}",
    tag: "Apple PassKit web service",
    summary: "The serial numbers of the device's passes updated since a tag",
    auth: "none",
    params: DeviceParams,
    query: z.strictObject({
      passesUpdatedSince: z
        .string()
        .regex(/^\d{1,12}$/, "the lastUpdated tag of an earlier answer")
        .optional(),
    }),
    success: { status: 200, description: "Passes updated since the tag", schema: SerialNumbers },
    otherResponses: { 204: "No pass on this device was updated since the tag" },
  }),
  getLatestPass: operation({
    operationId: "getLatestPass",
    fn: "wallet",
    method: "GET",
    path: "/passkit/v1/passes/{passTypeIdentifier}/{serialNumber}",
    tag: "Apple PassKit web service",
    summary: "The latest version of a pass",
    auth: "applePass",
    params: PassParams,
    success: {
      status: 200,
      description: "The pass",
      schema: Pkpass,
      contentType: "application/vnd.apple.pkpass",
    },
    otherResponses: { 304: "Not modified since If-Modified-Since" },
  }),
  logMessages: operation({
    operationId: "logMessages",
    fn: "wallet",
    method: "POST",
    path: "/passkit/v1/log",
    tag: "Apple PassKit web service",
    summary: "Log messages from devices about the web service",
    auth: "none",
    body: LogBody,
    success: { status: 200, description: "Logged", schema: Empty },
  }),
} as const;
