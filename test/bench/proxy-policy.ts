/** The policy every proxy bench uses, so the socket and in-process figures compare. */
import type { EffectiveTunnel } from "../../src/bounds/effective.ts";
import type { GrantIr } from "../../src/ir/types.ts";
import { tunnel, withCountries, withToken, withTrustedIps } from "../runtime/helpers/policy.ts";
import { actionIr, grantIr, grantLeaf } from "../../src/testkit/builders.ts";

/** A token grant scoped to `GET /api…` on project `acme`. */
export const benchGrant: GrantIr = grantIr({
  name: "bench",
  resources: grantLeaf({
    projects: ["acme"],
    connect: actionIr({ path: { kind: "prefix", values: ["/api"] }, methods: ["GET"] }),
  }),
});

/**
 * The bench tunnel. Full: trusted IPs, GeoIP (the client comes through a trusted proxy's
 * X-Forwarded-For) and token auth with the path-scoped grant. Open: none of it.
 */
export function benchTunnel(upstream: string, full: boolean): EffectiveTunnel {
  const base = tunnel({ id: "api", hosts: ["api.bench.test"], upstream });
  return full ? withToken(withCountries(withTrustedIps(base, ["81.2.69.0/24"]), ["GB"])) : base;
}
