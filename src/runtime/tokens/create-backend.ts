/**
 * Picks the token backend from options: a supplied backend (S-H2) wins; otherwise the JWT
 * backend over the configured keys; with no keys at all, no backend — every token is then
 * invalid, so a tunnel with token auth fails closed.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { TokenOptions } from "../options.ts";
import type { TokenBackend } from "./backend.ts";
import { JwtBackend } from "./jwt-backend.ts";
import { loadPinnedKeys } from "./keys.ts";

/** The backend for these options, or null when no key is configured. */
export function createTokenBackend(
  options: TokenOptions,
  diagnostics: Diagnostic[],
): TokenBackend | null {
  if (options.backend !== undefined) return options.backend;
  const keys = loadPinnedKeys(options, diagnostics);
  return keys.length === 0 ? null : new JwtBackend(keys, options);
}
