/**
 * Who Rampart is, for what it writes about itself: `rampart --version`, SARIF's
 * `tool.driver` (`version`, `informationUri`, each rule's `helpUri`). The version is kept equal
 * to package.json's by test/package/manifest.test.ts; the home page is package.json's
 * `homepage` (the same test), the one place to change when the project moves.
 */
import type { DiagnosticCode } from "./codes.ts";

export const TOOL_NAME = "rampart";
export const TOOL_VERSION = "0.1.0";
export const TOOL_HOMEPAGE = "https://github.com/rampart-policy/rampart";

/** The page that documents a diagnostic code: its row in docs/codes.md (anchors `#rp1001`). */
export function codeHelpUri(code: DiagnosticCode): string {
  return `${TOOL_HOMEPAGE}/blob/main/docs/codes.md#${code.toLowerCase()}`;
}
