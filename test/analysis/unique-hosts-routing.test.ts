/**
 * Lint's routing shortcut (issue #19): when lowering found no host in two tunnels, an exact
 * host of a published HTTP-family tunnel is taken as routed to that tunnel without the
 * router's index (`PolicyReachability`, `unique-hosts.ts`). Held here against the index itself
 * on policies of several tunnels: wildcards covering another tunnel's exact host, private and
 * non-HTTP neighbours, hosts written in upper case. (A private or plain TCP tunnel writes no
 * host: lowering refuses one, RP3305 and RP3306.)
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { TunnelDoc } from "../../src/syntax/model.ts";
import { lowerToIr } from "../../src/ir/lower.ts";
import { computeEffective } from "../../src/bounds/intersect.ts";
import { hostsAreUnique } from "../../src/ir/unique-hosts.ts";
import { isRouted, RouteIndex } from "../../src/analysis/space/routing.ts";
import { baseDocument, policyAst } from "../ir/lower-helpers.ts";

const host = fc
  .tuple(fc.constantFrom("a", "v.w", "*.w", "api", "*.api", "x.api"), fc.boolean())
  .map(([name, upper]) => (upper ? `${name}.example.test`.toUpperCase() : `${name}.example.test`));

/** A tunnel as written: hosts only where lowering accepts them (published, not plain TCP). */
const tunnel = fc
  .record({
    hostname: fc.array(host, { minLength: 1, maxLength: 3 }),
    protocol: fc.constantFrom("http", "http", "tcp", "tls"),
    publish: fc.boolean(),
  })
  .map(({ hostname, protocol, publish }) =>
    publish && protocol !== "tcp" ? { hostname, protocol, publish } : { protocol, publish },
  );

describe("routing a policy whose hosts are each in one tunnel (S-H1, issue #19)", () => {
  it("the first exact host of a published HTTP tunnel routes to it, as the router's index says", () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.array(tunnel, { minLength: 1, maxLength: 5 }), (written) => {
        const tunnels = written.map((t, i) => ({ id: `t${i}`, ...t }) as TunnelDoc);
        const ir = lowerToIr(policyAst(baseDocument({ tunnels }))).value;
        if (ir === undefined) return;
        const policy = computeEffective(ir).value;
        if (policy === undefined || !hostsAreUnique(policy.tunnels)) return;
        const index = new RouteIndex(policy);
        for (const t of policy.tunnels) {
          if (!isRouted(t)) continue;
          const exact = t.hosts.find((h) => !h.startsWith("*."));
          if (exact === undefined) continue;
          assert.equal(index.route(exact), t, `${exact} routes to ${t.id}`);
          checked++;
        }
      }),
      { numRuns: 500 },
    );
    assert.ok(checked > 100, `${checked} hosts checked`);
  });
});
