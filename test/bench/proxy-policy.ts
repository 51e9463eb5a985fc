/** The policy every proxy bench uses, so the socket and in-process figures compare. */
import type { EffectiveTunnel } from "../../src/bounds/effective.ts";
import type { GrantIr } from "../../src/ir/types.ts";
import { tunnel, withCountries, withToken, withTrustedIps } from "../runtime/helpers/policy.ts";

/** A token grant scoped to `GET /api…` on project `acme`. */
export const benchGrant: GrantIr = {
  name: "bench",
  type: null,
  parent: null,
  expiresAt: null,
  permissions: null,
  resources: {
    kind: "leaf",
    workspaces: null,
    projects: ["acme"],
    create: null,
    list: null,
    connect: {
      filter: null,
      path: { kind: "prefix", values: ["/api"] },
      methods: ["GET"],
      select: null,
    },
  },
  spans: {},
};

/**
 * The bench tunnel. Full: trusted IPs, GeoIP (the client comes through a trusted proxy's
 * X-Forwarded-For) and token auth with the path-scoped grant. Open: none of it.
 */
export function benchTunnel(upstream: string, full: boolean): EffectiveTunnel {
  const base = tunnel({ id: "api", hosts: ["api.bench.test"], upstream });
  return full ? withToken(withCountries(withTrustedIps(base, ["81.2.69.0/24"]), ["GB"])) : base;
}
