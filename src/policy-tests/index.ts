/** Running the tests written in a policy file (`rampart test`). */
export { interpreterEngine, runPolicyTests } from "./run.ts";
export type { PolicyTestEngine, TestResult } from "./run.ts";
export { handshakeFactsOf, requestFactsOf, splitUrl } from "./facts.ts";
export type { UrlParts } from "./facts.ts";
