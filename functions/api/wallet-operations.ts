import { z } from "zod";
import { MAX_DEVICES_PER_PASS, MAX_NEW_REGISTRATIONS_PER_HOUR } from "../domain/registrations.js";
import {
  CardLinkQuery,
  DeviceParams,
  Empty,
  LogBody,
  PassParams,
  Pkpass,
  RegistrationBody,
  RegistrationParams,
  SerialNumbers,
  Token,
  UpdatedSince,
} from "./schemas.js";
import { operation } from "./types.js";

/**
 * Apple Wallet, customer side: the pass behind the emailed card link, and Apple's PassKit web service
 * (base = the pass's webServiceURL, `<PUBLIC_URL>/passkit`), as Apple's "Wallet Passes" web service
 * reference specifies it: `ApplePass <token>` authorization and bare 201/200/204/304/401 answers.
 */

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
    query: CardLinkQuery,
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
    query: CardLinkQuery,
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
    description: `A pass is registered on at most ${MAX_DEVICES_PER_PASS} devices: a new device beyond evicts the pass's oldest registrations. At most ${MAX_NEW_REGISTRATIONS_PER_HOUR} new devices per pass per clock hour; beyond, 429 too_many_registrations with Retry-After (seconds). A device already registered is never limited.`,
    success: { status: 201, description: "Registered", schema: Empty },
    otherResponses: {
      200: "Already registered (the push token is refreshed)",
      429: "Too many new devices for this pass this hour (too_many_registrations); Retry-After gives the seconds to wait",
    },
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
    query: UpdatedSince,
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
    description:
      "Always 200, as Apple expects. What is logged is bounded: the first 10 messages of a request, each cut to 500 characters, and one line counting the rest; and at most 60 lines a minute per server process, what is dropped beyond that being counted in one line when logging resumes.",
    auth: "none",
    body: LogBody,
    success: { status: 200, description: "Logged", schema: Empty },
  }),
} as const;
