/**
 * Carnet's monthly AWS bill, from what each operation was measured to cost (bench/costs.ts writes
 * those figures to bench/results/costs.json) and a merchant's workload. Pure: no I/O, no clock.
 *
 * Every price says its unit, its region, when it was checked and against which page. The region is
 * us-east-1: the stored pricing pages could confirm us-east-1 figures only (eu-west-1, which would fit a
 * French merchant, is usually a little dearer for DynamoDB and Lambda; check the AWS Pricing Calculator).
 */

export interface Price {
  /** US dollars per `per` units. */
  usd: number;
  per: number;
  unit: string;
  /** The price as a bill shows it, e.g. "per 1M WRU". */
  label: string;
  region: string;
  /** When the figure was checked, and against what. */
  checked: string;
  source: string;
  /** Units given free every month, for every account (the "always free" tier), if any. */
  freePerMonth?: number;
}

const CHECKED = "2026-12-02";
const REGION = "us-east-1";

export const PRICES = {
  dynamoWrite: {
    usd: 0.625,
    per: 1_000_000,
    unit: "write request unit (on-demand)",
    label: "per 1M WRU",
    region: REGION,
    checked: CHECKED,
    source:
      "stored copy of airbyte.com 'Amazon DynamoDB Pricing: On-Demand & Provisioned Plans' (2025-07-21): after the 50 % cut of November 2024; same figure in jusdb.com 'DynamoDB Cost Optimization' (2025-08-19)",
  },
  dynamoRead: {
    usd: 0.125,
    per: 1_000_000,
    unit: "read request unit (on-demand)",
    label: "per 1M RRU",
    region: REGION,
    checked: CHECKED,
    source: "same pages as the write request unit (2025-07-21, 2025-08-19)",
  },
  dynamoStorage: {
    usd: 0.25,
    per: 1,
    unit: "GB-month of table and index storage (Standard class)",
    label: "per GB-month",
    region: REGION,
    checked: CHECKED,
    source: "stored copy of aws.amazon.com/dynamodb/pricing, 'Pricing at a glance' (first 25 GB free)",
    freePerMonth: 25,
  },
  dynamoPitr: {
    usd: 0.2,
    per: 1,
    unit: "GB-month of table size under point-in-time recovery",
    label: "per GB-month",
    region: REGION,
    checked: CHECKED,
    source: "stored copy of finops.com.py 'DynamoDB backups' (continuous backups $0.20 per GB-month)",
  },
  dynamoStreamsForLambda: {
    usd: 0,
    per: 1,
    unit: "stream read request made by a Lambda trigger",
    label: "(free)",
    region: REGION,
    checked: CHECKED,
    source:
      "stored copy of the DynamoDB Developer Guide, 'Evaluate your DynamoDB streams usage': GetRecords calls by Lambda triggers are free",
  },
  lambdaRequests: {
    usd: 0.2,
    per: 1_000_000,
    unit: "Lambda invocation",
    label: "per 1M requests",
    region: REGION,
    checked: CHECKED,
    source:
      "stored copy of cloudchipr.com 'AWS Lambda Pricing Breakdown: Ultimate Guide 2024' (1M free a month)",
    freePerMonth: 1_000_000,
  },
  lambdaArmCompute: {
    usd: 0.0000133334,
    per: 1,
    unit: "GB-second, arm64 (first 7.5 billion a month)",
    label: "per GB-second",
    region: REGION,
    checked: CHECKED,
    source:
      "stored copy of cloudchipr.com 'AWS Lambda Pricing Breakdown: Ultimate Guide 2024' (400,000 GB-s free a month); INIT phase billed since 2025-08-01 (aws.amazon.com/blogs/compute, 'AWS Lambda standardizes billing for INIT Phase')",
    freePerMonth: 400_000,
  },
  apiGatewayHttp: {
    usd: 1.0,
    per: 1_000_000,
    unit: "HTTP API request (first 300 million; metered in 512 KB increments)",
    label: "per 1M requests",
    region: REGION,
    checked: CHECKED,
    source:
      "stored copies of aws.amazon.com/api-gateway/pricing and awsforengineers.com 'AWS API Gateway Pricing Explained' (2025-05-19); the 1M free calls last 12 months only",
  },
  secret: {
    usd: 0.4,
    per: 1,
    unit: "secret-month",
    label: "per secret-month",
    region: REGION,
    checked: CHECKED,
    source: "stored copy of hivebook.wiki 'AWS Secrets Manager' ($0.40 per secret per month)",
  },
  secretCalls: {
    usd: 0.05,
    per: 10_000,
    unit: "Secrets Manager API call",
    label: "per 10,000 calls",
    region: REGION,
    checked: CHECKED,
    source: "same page ($0.05 per 10,000 API calls)",
  },
  logsIngestion: {
    usd: 0.5,
    per: 1,
    unit: "GB of CloudWatch Logs ingested (Standard class)",
    label: "per GB",
    region: REGION,
    checked: CHECKED,
    source:
      "stored copy of c3x.dev 'CloudWatch Logs cost optimization' (us-east-1, June 2026); 5 GB free a month per hykell.com 'Amazon CloudWatch Logs pricing'",
    freePerMonth: 5,
  },
  logsStorage: {
    usd: 0.03,
    per: 1,
    unit: "GB-month of CloudWatch Logs stored",
    label: "per GB-month",
    region: REGION,
    checked: CHECKED,
    source: "same page (us-east-1, June 2026)",
  },
  xrayTraces: {
    usd: 5.0,
    per: 1_000_000,
    unit: "X-Ray trace recorded",
    label: "per 1M traces",
    region: REGION,
    checked: CHECKED,
    source: "stored copy of aws.amazon.com/xray/pricing (first 100,000 traces recorded a month free)",
    freePerMonth: 100_000,
  },
  sesEmails: {
    usd: 0.1,
    per: 1_000,
    unit: "email sent with SES (outbound, no attachment)",
    label: "per 1,000 emails",
    region: REGION,
    checked: CHECKED,
    source:
      "stored copy of acecloudinterviews.com 'SES' ('starting at $0.10 per thousand emails'); no free tier taken off (the stored pages confirm none for email sent from Lambda)",
  },
  dataTransferOut: {
    usd: 0.09,
    per: 1,
    unit: "GB transferred out to the internet (first 10 TB)",
    label: "per GB",
    region: REGION,
    checked: CHECKED,
    source:
      "stored copy of awsnegotiations.com 'Internet Egress Free Tier Guide' (May 2026): 100 GB a month free across services",
    freePerMonth: 100,
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;

/** The operations bench/costs.ts measures. */
export const OPERATION_NAMES = [
  "createProgram",
  "createStore",
  "enroll",
  "signUp",
  "signUpAgain",
  "cardLinkRequest",
  "mailDelivery",
  "purchase",
  "purchaseReplay",
  "purchaseNoTiers",
  "refund",
  "redeem",
  "accrue",
  "memberGet",
  "cardPage",
  "passDownload",
  "registerDevice",
  "updatedSerials",
  "latestPass",
  "pushNoDevice",
  "pushOneDevice",
  "googleSaveLinkFirst",
  "googleSavedMark",
  "googleSaveLink",
  "googleLiveUpdate",
  "sweep",
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

/** One call of an operation: DynamoDB requests and capacity, and time in the function. */
export interface CallFigures {
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Wall time of the call in process, milliseconds (the warm figure is a p50). */
  ms: number;
}

/** What bench/costs.ts measured for one operation. */
export interface OperationCost {
  /** Steady state: a warm process, caches filled. */
  warm: CallFigures;
  /** The first call of a fresh process (a new Lambda container). */
  cold: CallFigures;
  /** Whether API Gateway carries it (the push fan-out, the mail function and the sweep are not HTTP). */
  http: boolean;
  /**
   * Requests the warm call sends to Google Wallet's REST API (the local stand-in counted them; the
   * OAuth token, fetched once an hour per container, is not among them), and their bodies' bytes.
   */
  google: { requests: number; bodyBytes: number };
  /** Bytes of the response body sent to the client. */
  responseBytes: number;
  /** Items the call adds to the table, by entity. */
  itemsCreated: Record<string, number>;
  /**
   * The warm call's reads of the card code's member id (`CARD#…`): the bench's members name their card
   * code for the first time in the process; a container that has seen the code does not read it again.
   */
  cardCodeRead: { requests: number; readUnits: number };
}

/** Stored items of one entity, as scanned from the table at the end of the run. */
export interface EntityStorage {
  items: number;
  /** Average item size by DynamoDB's rules, without the 100-byte per-item overhead. */
  avgBytes: number;
  /** Average bytes of its global secondary index entries (0 when it has none). */
  avgIndexBytes: number;
  /** Average number of index entries per item. */
  indexEntriesPerItem: number;
}

export interface Measured {
  operations: Record<OperationName, OperationCost>;
  entities: Record<string, EntityStorage>;
}

export interface Workload {
  stores: number;
  members: number;
  purchasesPerDay: number;
  /** Refunds, till retries (replays) and redemptions, as a share of purchases. */
  refundShare: number;
  replayShare: number;
  redemptionShare: number;
  /** New members a day, by staff (merchant API) and through the public join form together. */
  enrollmentsPerDay: number;
  /** Share of the new members who sign up themselves (join form, QR poster, the merchant's site). */
  signUpShare: number;
  /** Sign-ups of an address already a member (its card link sent again), as a share of sign-ups. */
  signUpAgainShare: number;
  /** "Email me my card link again" requests per member and year (a new phone, the email lost). */
  cardLinkRequestsPerMemberYear: number;
  partnerAccrualsPerDay: number;
  /** Staff and back-office reads of a member (GET). */
  memberLookupsPerDay: number;
  /** Card page views and pass downloads from the emailed link, per new member. */
  cardPageViewsPerEnrollment: number;
  passDownloadsPerEnrollment: number;
  /** Share of members with the pass in Apple Wallet, and devices each (the device fetches a pass per push). */
  walletShare: number;
  devicesPerWalletMember: number;
  /**
   * Share of members with the card in Google Wallet (none of them with an Apple device): each change of
   * their card is one live update (a PATCH), and their new members open the save link where iPhone
   * users download the pass.
   */
  googleMembersShare: number;
  /** Save links opened again per Google Wallet member and year, the object existing (a new phone…). */
  googleSavesAgainPerMemberYear: number;
  /** Google's answer to one REST request, added to the measured time (the stand-in answers locally). */
  googleApiRoundTripMs: number;
  /**
   * Writes of the program item a day by its merchant key's last use (at most one per quarter hour): the
   * stream filter passes every program item (for its Google Wallet class), so each is an invocation of
   * the push function that reads and sends nothing.
   */
  programKeyWritesPerDay: number;
  /** With tiers, every purchase reads the tier window's spend days (one Query). */
  programHasTiers: boolean;
  sweepsPerDay: number;
  /** Months of ledger, purchase records and spend days already stored. */
  monthsOfHistory: number;
  /** Days a store-API idempotency record lives (its TTL). */
  idempotencyDays: number;
  /**
   * Share of purchases that open a new spend day for their member (the bench's members buy several
   * times in one day, so it measures an update of an existing spend day; real members rarely do).
   */
  newSpendDayShare: number;
  /** Share of invocations that start a new container (INIT billed since August 2025). */
  coldStartShare: number;
  /**
   * Share of warm requests whose in-process cache entries expired (CARNET_CACHE_SECONDS: programs, store
   * and partner keys, pass stores) and are read again.
   */
  cacheRefreshShare: number;
  /**
   * Share of calls naming a member by card code (purchases, redemptions, accruals) whose code is new to
   * the container, so read from the table; the others find it in memory, kept for the container's life.
   */
  newCardCodeShare: number;
  /** An APNs round trip on a kept-alive HTTP/2 connection, added to a push with devices. */
  apnsRoundTripMs: number;
  lambdaMemoryMb: number;
  /**
   * Lambda's START, END and REPORT lines per invocation, and one line the functions log at INFO: a push
   * batch's "push batch" or "google batch", a sign-up's "sign-up", a card-link request's, a mail batch's
   * "mail batch" and "mail: sent", the sweep's "sweep done".
   */
  logBytesPerInvocation: number;
  logBytesPerLine: number;
  logRetentionMonths: number;
  secrets: number;
  secretReadsPerColdStart: number;
  /** The Google service account's secret, read on a container's first Google request. */
  googleSecretReadsPerColdStart: number;
  /**
   * Card-link emails an enrollment writes (with the member, in its transaction; staff may leave it out
   * with `sendEmail: false`). Sign-ups again and card-link requests write one each besides.
   */
  emailsPerEnrollment: number;
  /** Days an `email` item is kept (TTL, EMAIL_RETENTION_DAYS): it holds an address. */
  emailRetentionDays: number;
  /** Share of invocations X-Ray records (Tracing.ACTIVE; the default rule keeps 1 a second + 5 %). */
  tracedShare: number;
  /** HTTP headers of a response, or of a request to Google, added to each body for data transfer. */
  responseHeaderBytes: number;
}

export const DAYS_PER_MONTH = 365 / 12;

/**
 * A merchant with 50 stores and 100,000 members making 10,000 purchases a day (the brief); the other
 * figures are assumptions, stated in docs/costs.md.
 */
export const DEFAULT_WORKLOAD: Workload = {
  stores: 50,
  members: 100_000,
  purchasesPerDay: 10_000,
  refundShare: 0.01,
  replayShare: 0.005,
  redemptionShare: 0.05,
  enrollmentsPerDay: 100,
  // Most customers join from the QR poster at the till or the merchant's site; staff enroll the rest.
  signUpShare: 0.8,
  // Someone who forgot they joined, or scans the poster again to find the card.
  signUpAgainShare: 0.05,
  // One member in twenty asks for the card link again once a year.
  cardLinkRequestsPerMemberYear: 0.05,
  partnerAccrualsPerDay: 100,
  memberLookupsPerDay: 1_000,
  cardPageViewsPerEnrollment: 2,
  passDownloadsPerEnrollment: 1,
  walletShare: 0.5,
  devicesPerWalletMember: 1,
  // The design: half of the customers carry an Android phone (with the 50 % in Apple Wallet, every
  // member carries the card in a wallet: an upper bound).
  googleMembersShare: 0.5,
  googleSavesAgainPerMemberYear: 1,
  // Not measured (the stand-in answers locally): a REST call from us-east-1 to googleapis.com.
  googleApiRoundTripMs: 150,
  // One per quarter hour over twelve opening hours.
  programKeyWritesPerDay: 48,
  programHasTiers: true,
  sweepsPerDay: 96,
  monthsOfHistory: 12,
  idempotencyDays: 7,
  newSpendDayShare: 0.9,
  coldStartShare: 0.02,
  cacheRefreshShare: 0.15,
  newCardCodeShare: 0.9,
  apnsRoundTripMs: 30,
  lambdaMemoryMb: 1024,
  logBytesPerInvocation: 450,
  logBytesPerLine: 300,
  logRetentionMonths: 1,
  // Admin key, pass secret, Apple certificates, Google service account (created in every deployment).
  secrets: 4,
  secretReadsPerColdStart: 2,
  googleSecretReadsPerColdStart: 1,
  emailsPerEnrollment: 1,
  emailRetentionDays: 90,
  tracedShare: 1,
  responseHeaderBytes: 300,
};

/** Calls of each operation in a month. */
export const monthlyCalls = (w: Workload): Record<OperationName, number> => {
  const day = (n: number) => n * DAYS_PER_MONTH;
  const purchases = day(w.purchasesPerDay);
  const refunds = purchases * w.refundShare;
  const redemptions = purchases * w.redemptionShare;
  const accruals = day(w.partnerAccrualsPerDay);
  const enrollments = day(w.enrollmentsPerDay);
  const signUps = enrollments * w.signUpShare;
  const signUpsAgain = signUps * w.signUpAgainShare;
  const cardLinkRequests = (w.members * w.cardLinkRequestsPerMemberYear) / 12;
  // Every card-link email is an `email` item written `pending`, and its INSERT is one invocation of the
  // mail function (no batching window: at this rate a batch holds one email). Its own writes (the claim,
  // `sent`) do not pass the mail function's stream filter. A card reissue's email (staff, rare) is left
  // out.
  const emails = enrollments * w.emailsPerEnrollment + signUpsAgain + cardLinkRequests;
  // Every write that changes what a card shows is one stream record (at this rate the 1-second batching
  // window rarely holds two). The stream filter passes only members whose pass is on a device
  // (Member.devices > 0) or in Google Wallet (Member.googleObject set), so only their changes invoke the
  // push function; new members have neither yet.
  const cardChanges = purchases + refunds + redemptions + accruals;
  const deviceFetches = cardChanges * w.walletShare * w.devicesPerWalletMember;
  const registrations = enrollments * w.walletShare * w.devicesPerWalletMember;
  // A new member opens the emailed link's wallet button as often as the pass is downloaded: a Google
  // Wallet member opens the save link instead of downloading the pass; the first time the object is
  // inserted and the member marked, afterwards the object exists. Members also open it again now and
  // then (a new phone, the card page's button tapped again).
  const googleNewMembers = enrollments * w.googleMembersShare;
  const firstSaves = googleNewMembers * Math.min(1, w.passDownloadsPerEnrollment);
  const savesAgain =
    googleNewMembers * Math.max(0, w.passDownloadsPerEnrollment - 1) +
    (w.members * w.googleMembersShare * w.googleSavesAgainPerMemberYear) / 12;
  return {
    createProgram: 0,
    createStore: 0,
    enroll: enrollments - signUps,
    signUp: signUps,
    signUpAgain: signUpsAgain,
    cardLinkRequest: cardLinkRequests,
    mailDelivery: emails,
    purchase: w.programHasTiers ? purchases : 0,
    purchaseNoTiers: w.programHasTiers ? 0 : purchases,
    purchaseReplay: purchases * w.replayShare,
    refund: refunds,
    redeem: redemptions,
    accrue: accruals,
    memberGet: day(w.memberLookupsPerDay),
    cardPage: enrollments * w.cardPageViewsPerEnrollment,
    passDownload: enrollments * w.passDownloadsPerEnrollment * (1 - w.googleMembersShare),
    registerDevice: registrations,
    updatedSerials: deviceFetches,
    latestPass: deviceFetches,
    pushOneDevice: cardChanges * w.walletShare,
    // A member without device is never invoked for. The registration's own member write (devices + 1)
    // passes the filter but changes no card: an invocation that pushes and reads nothing, like this one;
    // so does a program item written for its merchant key's last use.
    pushNoDevice: registrations + day(w.programKeyWritesPerDay),
    googleSaveLinkFirst: firstSaves,
    googleSaveLink: savesAgain,
    // The first save marks the member (googleObject): that write passes the filter and is read once.
    googleSavedMark: firstSaves,
    googleLiveUpdate: cardChanges * w.googleMembersShare,
    sweep: day(w.sweepsPerDay),
  };
};

export interface BillLine {
  service: string;
  item: string;
  quantity: number;
  price: Price;
  usd: number;
  /** What the always-free tier takes off this line. */
  freeUsd: number;
}

export interface Bill {
  region: string;
  lines: BillLine[];
  totalUsd: number;
  /** The total once the always-free tiers are taken off (an account running nothing else). */
  totalAfterFreeTiersUsd: number;
  perStoreUsd: number;
  perMemberUsd: number;
  perThousandPurchasesUsd: number;
  volumes: {
    calls: Record<OperationName, number>;
    httpRequests: number;
    invocations: number;
    coldStarts: number;
    readUnits: number;
    writeUnits: number;
    gbSeconds: number;
    tableGb: number;
    indexGb: number;
    historyGbPerMonth: number;
    logGb: number;
    transferGb: number;
  };
}

const GB = 2 ** 30;

const cost = (price: Price, quantity: number) => (quantity / price.per) * price.usd;

const line = (service: string, item: string, quantity: number, price: Price): BillLine => {
  const usd = cost(price, quantity);
  const freeUsd = price.freePerMonth === undefined ? 0 : Math.min(usd, cost(price, price.freePerMonth));
  return { service, item, quantity, price, usd, freeUsd };
};

/**
 * Read units of a call in steady state: warm (a card code new to the container), less the card-code
 * reads of calls whose code the container has seen, plus the reads an expired cache entry costs again.
 */
const readUnitsPerCall = (op: OperationCost, w: Workload) =>
  op.warm.readUnits -
  (1 - w.newCardCodeShare) * op.cardCodeRead.readUnits +
  w.cacheRefreshShare * Math.max(0, op.cold.readUnits - op.warm.readUnits);

/** Time a call waits for Google's API in AWS, beyond the local stand-in's answer already measured. */
const googleWaitMs = (op: OperationCost, w: Workload) => op.google.requests * w.googleApiRoundTripMs;

/** Bytes one stored item of an entity costs: its size and DynamoDB's 100-byte overhead, per table/index. */
const entityBytes = (entities: Record<string, EntityStorage>, entity: string) => {
  const e = entities[entity];
  if (!e) return { table: 0, index: 0 };
  return { table: e.avgBytes + 100, index: e.avgIndexBytes + 100 * e.indexEntriesPerItem };
};

const sumCreated = (
  created: Record<string, number>,
  entities: Record<string, EntityStorage>,
  keep: (entity: string) => boolean,
) => {
  let table = 0;
  let index = 0;
  for (const [entity, count] of Object.entries(created)) {
    if (!keep(entity)) continue;
    const bytes = entityBytes(entities, entity);
    table += count * bytes.table;
    index += count * bytes.index;
  }
  return { table, index };
};

/** Items that live minutes or days (rate-limit windows, deleted by TTL): not stored for good. */
const TRANSIENT = new Set(["rateCounter"]);
/**
 * Outbox emails: kept `emailRetentionDays` (TTL), so the table holds that many days of them. Their
 * GSI2 entry (MAILRETRY) lives only until the claim, seconds later: not counted.
 */
const EMAIL = "email";

/**
 * Table and index bytes: the members (the items an enrollment creates, at their measured sizes), their
 * device registrations, the Google Wallet members' object state (what a first save creates), the
 * history written by `monthsOfHistory` months of operations, the idempotency records alive under their
 * TTL and the outbox emails of the last `emailRetentionDays`.
 */
const storage = (m: Measured, w: Workload, calls: Record<OperationName, number>) => {
  const memberEntities = new Set(
    Object.keys(m.operations.enroll.itemsCreated).filter((e) => e !== EMAIL && !TRANSIENT.has(e)),
  );
  const registrationEntities = new Set(Object.keys(m.operations.registerDevice.itemsCreated));
  const googleEntities = new Set(
    Object.keys(m.operations.googleSaveLinkFirst.itemsCreated).filter((e) => !TRANSIENT.has(e)),
  );
  const perMember = sumCreated(m.operations.enroll.itemsCreated, m.entities, (e) => memberEntities.has(e));
  const perDevice = sumCreated(m.operations.registerDevice.itemsCreated, m.entities, () => true);
  const perGoogleMember = sumCreated(m.operations.googleSaveLinkFirst.itemsCreated, m.entities, (e) =>
    googleEntities.has(e),
  );
  const devices = w.members * w.walletShare * w.devicesPerWalletMember;
  const googleMembers = w.members * w.googleMembersShare;
  let historyTable = 0;
  let historyIndex = 0;
  let idempotency = 0;
  for (const name of OPERATION_NAMES) {
    const created = { ...m.operations[name].itemsCreated };
    if (name === "purchase" || name === "purchaseNoTiers") {
      created.spendDay = Math.max(created.spendDay ?? 0, w.newSpendDayShare);
    }
    const history = sumCreated(
      created,
      m.entities,
      (e) =>
        !memberEntities.has(e) &&
        !registrationEntities.has(e) &&
        !googleEntities.has(e) &&
        !TRANSIENT.has(e) &&
        e !== EMAIL &&
        e !== "idempotency",
    );
    historyTable += calls[name] * history.table;
    historyIndex += calls[name] * history.index;
    idempotency += calls[name] * sumCreated(created, m.entities, (e) => e === "idempotency").table;
  }
  const idempotencyAlive = idempotency * (w.idempotencyDays / DAYS_PER_MONTH);
  const emailsAlive =
    calls.mailDelivery *
    (w.emailRetentionDays / DAYS_PER_MONTH) *
    sumCreated({ [EMAIL]: 1 }, m.entities, () => true).table;
  const tableBytes =
    w.members * perMember.table +
    devices * perDevice.table +
    googleMembers * perGoogleMember.table +
    w.monthsOfHistory * historyTable +
    idempotencyAlive +
    emailsAlive;
  const indexBytes =
    w.members * perMember.index +
    devices * perDevice.index +
    googleMembers * perGoogleMember.index +
    w.monthsOfHistory * historyIndex;
  return { tableGb: tableBytes / GB, indexGb: indexBytes / GB, historyGbPerMonth: historyTable / GB };
};

/** The monthly bill of `w` at the measured costs, line by line. */
export const monthlyBill = (m: Measured, w: Workload = DEFAULT_WORKLOAD): Bill => {
  const calls = monthlyCalls(w);
  const ops = OPERATION_NAMES.map((name) => ({ name, op: m.operations[name], n: calls[name] }));
  const memoryGb = w.lambdaMemoryMb / 1024;

  let httpRequests = 0;
  let invocations = 0;
  let readUnits = 0;
  let writeUnits = 0;
  let gbSeconds = 0;
  let coldStarts = 0;
  let transferBytes = 0;
  let googleColdStarts = 0;
  for (const { name, op, n } of ops) {
    invocations += n;
    if (op.http) {
      httpRequests += n;
      transferBytes += n * (op.responseBytes + w.responseHeaderBytes);
    }
    // What is sent to Google leaves AWS for the internet too.
    transferBytes += n * (op.google.bodyBytes + op.google.requests * w.responseHeaderBytes);
    readUnits += n * readUnitsPerCall(op, w);
    writeUnits += n * op.warm.writeUnits;
    // Lambda bills each invocation rounded up to the millisecond; a cold start adds its INIT time.
    // Waiting for APNs or Google is billed: their round trips are added to the measured time. The mail
    // function's wait for SES is stood in for by its SMTP exchange with MailDev, in the measured time.
    const extra = (name === "pushOneDevice" ? w.apnsRoundTripMs : 0) + googleWaitMs(op, w);
    const cold = n * w.coldStartShare;
    coldStarts += cold;
    if (op.google.requests > 0) googleColdStarts += cold;
    gbSeconds += (n * Math.ceil(op.warm.ms + extra) * memoryGb) / 1000;
    gbSeconds += (cold * Math.max(0, op.cold.ms - op.warm.ms) * memoryGb) / 1000;
  }
  const pushInvocations =
    calls.pushOneDevice + calls.pushNoDevice + calls.googleSavedMark + calls.googleLiveUpdate;
  // A push batch logs "push batch" when a card changed (for a Google member too, with nothing to push)
  // and "google batch" when a member with a Google object is in it; a sign-up or a card-link request
  // logs its outcome; a mail batch logs "mail: sent" and "mail batch"; a sweep, "sweep done".
  const logLines =
    calls.pushOneDevice +
    calls.googleSavedMark +
    2 * calls.googleLiveUpdate +
    calls.signUp +
    calls.signUpAgain +
    calls.cardLinkRequest +
    2 * calls.mailDelivery +
    calls.sweep;
  const logGb = (invocations * w.logBytesPerInvocation + logLines * w.logBytesPerLine) / GB;
  const { tableGb, indexGb, historyGbPerMonth } = storage(m, w, calls);
  const transferGb = transferBytes / GB;
  const emails = calls.mailDelivery;

  const lines: BillLine[] = [
    line("DynamoDB", "write request units", writeUnits, PRICES.dynamoWrite),
    line("DynamoDB", "read request units", readUnits, PRICES.dynamoRead),
    line("DynamoDB", "storage, table + indexes (GB-month)", tableGb + indexGb, PRICES.dynamoStorage),
    line("DynamoDB", "point-in-time recovery (GB-month)", tableGb, PRICES.dynamoPitr),
    line(
      "DynamoDB",
      "stream reads by the push and mail functions",
      pushInvocations + calls.mailDelivery,
      PRICES.dynamoStreamsForLambda,
    ),
    line("Lambda", "invocations", invocations, PRICES.lambdaRequests),
    line("Lambda", `compute, arm64 ${w.lambdaMemoryMb} MB (GB-s)`, gbSeconds, PRICES.lambdaArmCompute),
    line("API Gateway", "HTTP API requests", httpRequests, PRICES.apiGatewayHttp),
    line("Secrets Manager", "secrets", w.secrets, PRICES.secret),
    line(
      "Secrets Manager",
      "API calls (once per cold start)",
      coldStarts * w.secretReadsPerColdStart + googleColdStarts * w.googleSecretReadsPerColdStart,
      PRICES.secretCalls,
    ),
    line("CloudWatch Logs", "ingestion (GB)", logGb, PRICES.logsIngestion),
    line("CloudWatch Logs", "storage (GB-month)", logGb * w.logRetentionMonths, PRICES.logsStorage),
    line("X-Ray", "traces recorded (Tracing.ACTIVE)", invocations * w.tracedShare, PRICES.xrayTraces),
    line("SES", "card-link emails", emails, PRICES.sesEmails),
    line("Data transfer", "responses to the internet (GB)", transferGb, PRICES.dataTransferOut),
  ];
  const totalUsd = lines.reduce((sum, l) => sum + l.usd, 0);
  const freeUsd = lines.reduce((sum, l) => sum + l.freeUsd, 0);
  return {
    region: REGION,
    lines,
    totalUsd,
    totalAfterFreeTiersUsd: totalUsd - freeUsd,
    perStoreUsd: totalUsd / w.stores,
    perMemberUsd: totalUsd / w.members,
    perThousandPurchasesUsd: (totalUsd / (w.purchasesPerDay * DAYS_PER_MONTH)) * 1000,
    volumes: {
      calls,
      httpRequests,
      invocations,
      coldStarts,
      readUnits,
      writeUnits,
      gbSeconds,
      tableGb,
      indexGb,
      historyGbPerMonth,
      logGb,
      transferGb,
    },
  };
};

/**
 * What 1,000 calls of an operation cost in steady state: DynamoDB, Lambda (with Google's round trips,
 * not APNs') and API Gateway (an email's SES price, $0.10 per 1,000, apart).
 */
export const perThousandCalls = (op: OperationCost, w: Workload = DEFAULT_WORKLOAD) => {
  const dynamodb =
    cost(PRICES.dynamoRead, 1000 * readUnitsPerCall(op, w)) +
    cost(PRICES.dynamoWrite, 1000 * op.warm.writeUnits);
  const ms = Math.ceil(op.warm.ms + googleWaitMs(op, w));
  const lambda =
    cost(PRICES.lambdaRequests, 1000) +
    cost(PRICES.lambdaArmCompute, (1000 * ms * w.lambdaMemoryMb) / 1024 / 1000);
  const apiGateway = op.http ? cost(PRICES.apiGatewayHttp, 1000) : 0;
  return { dynamodb, lambda, apiGateway, total: dynamodb + lambda + apiGateway };
};
