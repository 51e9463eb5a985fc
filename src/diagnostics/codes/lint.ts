import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/**
 * Codes of the lint stage (semantic rules over the effective policy, `src/lint/rules/`) and
 * of `rampart diff` findings (8100s), which CI renders like diagnostics (SARIF, GitHub).
 */
export const lintCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  RP8001: {
    slug: "lint/tunnel-admits-nothing",
    summary: "a published tunnel's effective policy forwards no request at all",
  },
  RP8002: {
    slug: "lint/redundant-trusted-ip",
    summary:
      "a tunnel trusted-IP entry covers the whole project bound, so the tunnel list filters nothing",
  },
  RP8003: {
    slug: "lint/narrowed-by-project",
    summary: "a tunnel's trusted IP or country is removed or narrowed by the project bound",
  },
  RP8004: {
    slug: "lint/unreachable-grant-path",
    summary: "a grant's path pattern matches no normalized request path",
  },
  RP8005: {
    slug: "lint/grant-wider-than-tunnels",
    summary: "a grant's trusted-IP or country filter is wider than every tunnel it names",
  },
  RP8006: {
    slug: "lint/query-token-forbidden",
    summary: "a policy sends or expects a query token that S-H7 does not allow",
  },
  RP8030: {
    slug: "lint/runtime-cannot-serve",
    summary:
      "a published tunnel that `rampart serve` cannot serve with its policy (dtls, quic, ECH preferred or required)",
  },
  RP8040: {
    slug: "lint/token-owner-unchecked",
    summary: "token auth is on but the project names no members (S-T8)",
  },
  RP8070: {
    slug: "lint/shadowed-path-pattern",
    summary: "a grant's path prefix or glob is covered by another entry of the same list",
  },
  RP8101: {
    slug: "diff/newly-allowed",
    summary: "a change forwards requests that the old policy did not (access widens)",
  },
  RP8102: {
    slug: "diff/newly-denied",
    summary: "a change stops forwarding requests that the old policy forwarded",
  },
  RP8103: {
    slug: "diff/changed",
    summary: "a change answers requests differently without forwarding more or fewer",
  },
  RP8180: {
    slug: "diff/stopped-at-time-limit",
    summary:
      "the diff hit its time limit (`--max-time`): only part of the request space was compared",
  },
};
