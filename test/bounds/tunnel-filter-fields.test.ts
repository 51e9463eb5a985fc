/**
 * The platform tunnel fields a token's filter may name beyond what policy files filter on
 * (S-T4): `project_id`, `workspace_id` and `tls_mode` are decided from the tunnel's project,
 * workspace and protocol; any other field of the platform's tunnel object is `undeclared`,
 * matches no tunnel, and the refusal walk names it at its own pointer. The interpreter and the
 * compiled matcher agree on each.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { filterFailures } from "../../src/bounds/grant-refusal.ts";
import { filterMatches } from "../../src/bounds/tunnel-filter.ts";
import { compileTunnelFilter } from "../../src/compile/matchers/tunnel-filter.ts";
import type { EffectiveTunnel } from "../../src/bounds/effective.ts";
import type { FilterIr, StringField } from "../../src/ir/types.ts";
import { tunnel } from "../runtime/helpers/policy.ts";

const exact = (field: StringField, value: string): FilterIr => ({
  kind: "string",
  field,
  match: { kind: "exact", value },
});

/** Both engines' verdict, held equal. */
function selects(filter: FilterIr, t: EffectiveTunnel): boolean {
  const interpreted = filterMatches(filter, t);
  assert.equal(compileTunnelFilter(filter)(t), interpreted, "the compiled matcher agrees");
  return interpreted;
}

const web = tunnel({ id: "web", hosts: ["web.test"] });
const relay = tunnel({ id: "relay", hosts: ["relay.test"], protocol: "tls" });
const passthrough = tunnel({ id: "pass", hosts: ["pass.test"], protocol: "tls-passthrough" });
const noWorkspace = tunnel({ id: "solo", hosts: ["solo.test"], workspace: null });

describe("token filter fields decided from the tunnel (S-T4)", () => {
  it("S-T4: project_id and workspace_id are the tunnel's project and workspace", () => {
    assert.equal(selects(exact("project_id", "acme"), web), true);
    assert.equal(selects(exact("project_id", "other"), web), false);
    assert.equal(selects(exact("workspace_id", "ws-1"), web), true);
    assert.equal(selects(exact("workspace_id", "ws-2"), web), false);
    assert.equal(selects(exact("workspace_id", "ws-1"), noWorkspace), false);
  });

  it("S-T4: tls_mode is terminated for a tls tunnel, passthrough for tls-passthrough, none else", () => {
    assert.equal(selects(exact("tls_mode", "terminated"), relay), true);
    assert.equal(selects(exact("tls_mode", "passthrough"), relay), false);
    assert.equal(selects(exact("tls_mode", "passthrough"), passthrough), true);
    assert.equal(selects(exact("tls_mode", "terminated"), passthrough), false);
    assert.equal(selects(exact("tls_mode", "terminated"), web), false);
  });

  it("S-T4: an undeclared field selects no tunnel, alone or beside a field that matches", () => {
    const port: FilterIr = { kind: "undeclared", field: "port", value: 443 };
    const beside: FilterIr = { kind: "and", children: [exact("project_id", "acme"), port] };
    for (const t of [web, relay, passthrough]) {
      assert.equal(selects(port, t), false);
      assert.equal(selects(beside, t), false);
    }
    const [failure, ...rest] = filterFailures(beside, web, "/filters", null);
    assert.equal(rest.length, 0);
    assert.equal(failure?.pointer, "/filters/port");
    assert.match(failure?.message ?? "", /no tunnel here declares `port`/);
  });
});
