import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/**
 * Codes of the bounds stage (project bounds ∩ tunnel requests, grants). RP41xx: a tunnel
 * request incompatible with its project; RP42xx: grants and credentials.
 */
export const boundsCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  RP4101: {
    slug: "bounds/empty-ip-intersection",
    summary: "a tunnel's trusted IPs share no address with the project's trusted IPs",
  },
  RP4102: {
    slug: "bounds/empty-country-intersection",
    summary: "a tunnel's GeoIP countries share no country with the project's",
  },
  RP4103: {
    slug: "bounds/public-tunnel-forbidden",
    summary: "a public tunnel in a project whose public access is `forbidden`",
  },
  RP4104: {
    slug: "bounds/public-tunnel-without-auth",
    summary: "a public tunnel without authentication in a project that requires it",
  },
  RP4105: {
    slug: "bounds/dtls-cannot-satisfy",
    summary: "a DTLS tunnel under a setting that needs TLS 1.3 (DTLS is 1.2)",
  },
  RP4106: {
    slug: "bounds/plan-feature",
    summary: "a setting that the project's plan does not include",
  },
  RP4107: {
    slug: "bounds/duplicate-host",
    summary: "two published tunnels claim the same host",
  },
  RP4201: {
    slug: "bounds/grant-widens-parent",
    summary: "a derived grant asks for more than the grant it is derived from",
  },
  RP4202: {
    slug: "bounds/grant-parent-cycle",
    summary: "grants derive from each other in a cycle",
  },
  RP4203: {
    slug: "bounds/unknown-grant-parent",
    summary: "a grant derives from a grant that does not exist",
  },
  RP4204: {
    slug: "bounds/credential-unknown-grant",
    summary: "a client-certificate credential names a grant that does not exist",
  },
};
