import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/**
 * Codes of the semantic stage (lowering to IR). RP30xx: values (addresses, countries, hosts,
 * paths, regexes, dates); RP31xx: duplicates; RP32xx: unknown references; RP33xx: plan and
 * protocol combinations (SPEC S-A2..S-A7, S-D5); RP34xx: policy tests.
 */
export const semanticCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  RP3001: {
    slug: "ir/invalid-ip-entry",
    summary: "a trusted-IP entry is not an IP address or CIDR",
  },
  RP3002: { slug: "ir/cidr-host-bits", summary: "a CIDR has bits set below its prefix length" },
  RP3003: {
    slug: "ir/redundant-ip-entry",
    summary: "a trusted-IP entry repeats or is contained in another entry of the same list",
  },
  RP3004: { slug: "ir/unknown-country", summary: "a country is not an ISO 3166-1 alpha-2 code" },
  RP3005: { slug: "ir/invalid-host", summary: "a tunnel host is not a valid DNS name" },
  RP3006: {
    slug: "ir/invalid-path",
    summary: "a path in a grant is not a plain, unambiguous path",
  },
  RP3007: { slug: "ir/invalid-glob", summary: "a path glob in a grant is malformed" },
  RP3008: { slug: "ir/unsafe-regex", summary: "a regex is outside the safe, linear-time subset" },
  RP3009: { slug: "ir/invalid-expiry", summary: "`expires_at` is not an RFC 3339 date-time" },
  RP3010: {
    slug: "ir/invalid-fingerprint",
    summary: "a certificate fingerprint is not a SHA-256 digest in hex",
  },
  RP3011: {
    slug: "ir/credential-without-identity",
    summary: "a credential names neither a subject CN nor a fingerprint",
  },
  RP3012: {
    slug: "ir/grant-leaf-workspaces-and-projects",
    summary: "a grant leaf names both workspaces and projects",
  },
  RP3070: {
    slug: "ir/invalid-upstream",
    summary: "an HTTP tunnel's upstream is not an absolute http:// or https:// URL",
  },
  RP3071: {
    slug: "ir/unknown-method",
    summary: "a grant's method is not an HTTP method the runtime accepts",
  },
  RP3072: {
    slug: "ir/lower-case-method",
    summary: "a grant's method is written in lower case (methods are case-sensitive)",
  },
  RP3073: { slug: "ir/duplicate-method", summary: "a grant's method list names a method twice" },
  RP3101: { slug: "ir/duplicate-tunnel-id", summary: "two tunnels have the same id" },
  RP3102: { slug: "ir/duplicate-tunnel-name", summary: "two tunnels have the same name" },
  RP3103: { slug: "ir/duplicate-host", summary: "a host is claimed more than once" },
  RP3104: { slug: "ir/duplicate-grant-name", summary: "two grants have the same name" },
  RP3105: { slug: "ir/duplicate-credential-name", summary: "two credentials have the same name" },
  RP3106: { slug: "ir/duplicate-test-name", summary: "two policy tests have the same name" },
  RP3201: {
    slug: "ir/unknown-parent-grant",
    summary: "a grant derives from a grant that does not exist",
  },
  RP3202: { slug: "ir/parent-grant-cycle", summary: "grants derive from each other in a cycle" },
  RP3203: {
    slug: "ir/unknown-credential-grant",
    summary: "a credential maps to a grant that does not exist",
  },
  RP3204: {
    slug: "ir/unknown-filter-tunnel",
    summary: "a grant filter names a tunnel that does not exist",
  },
  RP3205: {
    slug: "ir/unknown-test-grant",
    summary: "a policy test uses a grant that does not exist",
  },
  RP3206: {
    slug: "ir/unknown-test-credential",
    summary: "a policy test presents a credential that does not exist",
  },
  RP3301: {
    slug: "ir/plan-feature",
    summary: "a setting that the project's plan does not include",
  },
  RP3302: {
    slug: "ir/required-on-dtls",
    summary: "post-quantum or ECH `required` applies to a DTLS tunnel, which cannot satisfy it",
  },
  RP3303: {
    slug: "ir/passthrough-tls-option",
    summary: "a TLS option on a passthrough tunnel, where the engine does not terminate TLS",
  },
  RP3304: {
    slug: "ir/http-only-option",
    summary: "an HTTP-only option on a tunnel that is not HTTP",
  },
  RP3305: { slug: "ir/tcp-option", summary: "hostnames or edge authentication on a TCP tunnel" },
  RP3306: {
    slug: "ir/private-tunnel-exposure",
    summary: "a public-exposure option on a private (unpublished) tunnel",
  },
  RP3401: {
    slug: "ir/invalid-test-url",
    summary: "a policy test URL is not an absolute http(s) URL",
  },
  RP3402: {
    slug: "ir/test-unknown-host",
    summary: "a policy test URL's host is not a tunnel host",
  },
  RP3403: {
    slug: "ir/invalid-test-client-ip",
    summary: "a policy test client IP is not an IP address",
  },
};
