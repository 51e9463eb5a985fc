/**
 * The runtime's public surface (`rampart/runtime`): start a proxy over compiled decisions,
 * the example mode, token minting, and the backend seam for credential stores.
 */
export { startRuntime } from "./server.ts";
export type { RuntimeHandle, RuntimeInternals } from "./server.ts";
export { RuntimeOptionsSchema, resolveOptions } from "./options.ts";
export type { RuntimeOptions, ResolvedOptions } from "./options.ts";
export { startExample } from "./example.ts";
export type { ExampleHandle, ExampleOptions } from "./example.ts";
export { mintToken } from "./tokens/mint.ts";
export type { MintRequest } from "./tokens/mint.ts";
export type { TokenBackend } from "./tokens/backend.ts";
export { failedToken } from "./tokens/backend.ts";
export { signCookie, verifyCookie, CHALLENGE_COOKIE, SESSION_COOKIE } from "./cookies.ts";
export type { CookiePayload } from "./cookies.ts";
export { generateSelfSignedCertificate } from "./tls/self-signed.ts";
export { embeddedCountryDatabasePath } from "./geoip.ts";
