/** Seeded policies and requests for the decision and compile benches. */
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import type { GrantIr, PolicyIr } from "../../src/ir/types.ts";
import {
  actionIr,
  countrySet,
  grantIr,
  grantLeaf,
  ipSet,
  policyIr,
  projectIr,
  requestFacts,
  tunnelIr,
  validToken,
} from "../../src/testkit/index.ts";
import { randomV4Cidrs, requestsHalfAllowed } from "./fixtures.ts";

function effective(ir: PolicyIr): EffectivePolicy {
  const outcome = computeEffective(ir);
  if (outcome.value === undefined)
    throw new Error(`bench policy rejected: ${JSON.stringify(outcome.diagnostics)}`);
  return outcome.value;
}

/** A project trusting `cidrs` and one open HTTP tunnel: the decision is the IP check. */
export function ipOnlyPolicy(cidrs: readonly string[]): EffectivePolicy {
  return effective(
    policyIr({ project: projectIr({ plan: "enterprise", trustedIps: ipSet(...cidrs) }) }),
  );
}

/** The API grant of the full-decision bench: GET/POST under /api or /static on `web`. */
export const apiGrant: GrantIr = grantIr({
  name: "api",
  permissions: ["tunnels.streams.create-delete"],
  resources: grantLeaf({
    projects: ["proj"],
    connect: actionIr({
      filter: { kind: "label", key: "env", match: { kind: "exact", value: "prod" } },
      path: { kind: "prefix", values: ["/api", "/static"] },
      methods: ["GET", "POST"],
    }),
  }),
});

/** Trusted IPs, GeoIP and token auth with a path-scoped grant: every layer does work. */
export function fullPolicy(cidrs: readonly string[]): EffectivePolicy {
  return effective(
    policyIr({
      project: projectIr({
        id: "proj",
        plan: "enterprise",
        trustedIps: ipSet(...cidrs),
        countries: countrySet("DE", "FR", "NL", "US"),
      }),
      tunnels: [tunnelIr({ id: "web", labels: { env: "prod" }, tokenAuth: true })],
      grants: [apiGrant],
    }),
  );
}

/** `count` requests to `web.example.com`, half from inside the CIDRs, half from outside. */
export function ipRequests(
  random: () => number,
  cidrs: readonly string[],
  count: number,
): RequestFacts[] {
  return requestsHalfAllowed(random, cidrs, count).map((clientIp) => requestFacts({ clientIp }));
}

/**
 * Requests for the full decision: half inside the CIDRs (those pass IP and go on through
 * country, token and path), half outside; 100 distinct token ids, so the grant cache hits.
 */
export function fullRequests(
  random: () => number,
  cidrs: readonly string[],
  count: number,
): RequestFacts[] {
  const paths = ["/api/v1/items", "/static/app.js", "/api/users/42?x=1", "/admin"];
  return requestsHalfAllowed(random, cidrs, count).map((clientIp, i) =>
    requestFacts({
      clientIp,
      country: i % 8 === 0 ? "JP" : "DE",
      method: i % 5 === 0 ? "POST" : "GET",
      path: paths[i % paths.length] ?? "/",
      token: validToken(apiGrant, { id: `jti-${i % 100}`, subject: `user-${i % 100}` }),
    }),
  );
}

/** A project of `count` tunnels, each with its own host, 3 trusted CIDRs, countries and token auth. */
export function manyTunnelsPolicy(random: () => number, count: number): EffectivePolicy {
  const tunnels = Array.from({ length: count }, (_, i) =>
    tunnelIr({
      id: `t${i}`,
      name: `tunnel-${i}`,
      hosts: [`t${i}.example.com`],
      trustedIps: ipSet(...randomV4Cidrs(random, 3)),
      countries: countrySet("DE", "FR"),
      tokenAuth: true,
    }),
  );
  return effective(
    policyIr({
      project: projectIr({ id: "proj", plan: "enterprise" }),
      tunnels,
      grants: [apiGrant],
    }),
  );
}
