/**
 * `npm start`'s entry. What must hold before any module of the functions is loaded is set here, and
 * then Carnet starts (local/carnet.ts): the functions' logger reads its level when it is made, at
 * import, so the level (warnings and errors only, unless POWERTOOLS_LOG_LEVEL says otherwise) cannot
 * be set later; and the AWS SDK's notice that its releases after January 2027 need Node 22 is turned
 * off (Node 20 is this runtime on purpose, Lambda runs 22: README, "Run it locally").
 */
process.env.POWERTOOLS_LOG_LEVEL ||= "WARN";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= "true";
await import("./carnet.js");
