import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { EffectiveTunnel } from "../../src/bounds/effective.ts";
import { grantAllows } from "../../src/interpret/grant-allows.ts";
import type { FilterIr, GrantNodeIr } from "../../src/ir/types.ts";
import {
  actionIr,
  countrySet,
  grantIr,
  grantLeaf,
  ipSet,
  policyIr,
  tunnelIr,
} from "../../src/testkit/builders.ts";
import { effectiveOf } from "./helpers.ts";

const tunnel: EffectiveTunnel = (() => {
  const t = effectiveOf(
    policyIr({
      tunnels: [
        tunnelIr({
          id: "api",
          name: "orders",
          labels: { env: "prod" },
          tokenAuth: true,
          trustedIps: ipSet("10.1.0.0/16"),
          countries: countrySet("DE"),
        }),
      ],
    }),
  ).tunnels[0];
  if (t === undefined) throw new Error("no tunnel");
  return t;
})();

const connect = (
  filter: FilterIr | null,
  scope: Partial<Parameters<typeof grantLeaf>[0]> = {},
): GrantNodeIr => grantLeaf({ connect: actionIr({ filter }), ...scope });
const allows = (resources: GrantNodeIr, path = "/", method = "GET") =>
  grantAllows(grantIr({ resources }), "connect", tunnel, "proj", "ws", path, method);

describe("grant trees (S-T3)", () => {
  it("S-T3: absent resources allow every tunnel of the owner", () => {
    assert.equal(grantAllows(grantIr({}), "connect", tunnel, "proj", "ws", "/", "GET"), true);
  });

  it("S-T3: an absent action is not granted by a leaf", () => {
    assert.equal(allows(grantLeaf({ list: actionIr() })), false);
  });

  it("S-T3: project and workspace scopes", () => {
    assert.equal(allows(connect(null, { projects: ["proj"] })), true);
    assert.equal(allows(connect(null, { projects: ["other"] })), false);
    assert.equal(allows(connect(null, { workspaces: ["ws"] })), true);
    assert.equal(allows(connect(null, { workspaces: ["other"] })), false);
  });

  it("S-T3: AND needs every child, OR any child", () => {
    const yes = connect(null);
    const no = connect(null, { projects: ["other"] });
    assert.equal(allows({ kind: "and", children: [yes, no] }), false);
    assert.equal(allows({ kind: "or", children: [no, yes] }), true);
    assert.equal(
      allows({ kind: "or", children: [{ kind: "and", children: [yes, yes] }, no] }),
      true,
    );
  });
});

describe("filters (S-T4, S-T5)", () => {
  it("S-T4: string fields: exact, oneof, regex searched", () => {
    assert.equal(
      allows(connect({ kind: "string", field: "name", match: { kind: "exact", value: "orders" } })),
      true,
    );
    assert.equal(
      allows(
        connect({ kind: "string", field: "id", match: { kind: "oneof", values: ["x", "api"] } }),
      ),
      true,
    );
    assert.equal(
      allows(connect({ kind: "string", field: "name", match: { kind: "regex", source: "rde" } })),
      true,
    );
    assert.equal(
      allows(connect({ kind: "string", field: "name", match: { kind: "regex", source: "^rde" } })),
      false,
    );
    assert.equal(
      allows(
        connect({
          kind: "string",
          field: "hostname",
          match: { kind: "exact", value: "api.example.com" },
        }),
      ),
      true,
    );
  });

  it("S-T4: labels per key, booleans, and nested AND/OR", () => {
    const label = (value: string): FilterIr => ({
      kind: "label",
      key: "env",
      match: { kind: "exact", value },
    });
    assert.equal(allows(connect(label("prod"))), true);
    assert.equal(
      allows(connect({ kind: "label", key: "team", match: { kind: "exact", value: "x" } })),
      false,
    );
    assert.equal(allows(connect({ kind: "boolean", field: "token_auth", value: true })), true);
    assert.equal(
      allows(
        connect({
          kind: "or",
          children: [
            label("dev"),
            {
              kind: "and",
              children: [label("prod"), { kind: "boolean", field: "publish", value: true }],
            },
          ],
        }),
      ),
      true,
    );
  });

  it("S-T4: trusted_ips and geo_ip filters hold when the tunnel's sets are inside them", () => {
    assert.equal(allows(connect({ kind: "ips", within: ipSet("10.0.0.0/8") })), true);
    assert.equal(allows(connect({ kind: "ips", within: ipSet("10.1.2.0/24") })), false);
    assert.equal(allows(connect({ kind: "countries", within: countrySet("DE", "FR") })), true);
    assert.equal(allows(connect({ kind: "countries", within: countrySet("FR") })), false);
  });

  it("S-T5: connect paths and methods (methods are a Rampart extension)", () => {
    const leaf = grantLeaf({
      connect: actionIr({ path: { kind: "regex", source: "^/api" }, methods: ["GET"] }),
    });
    assert.equal(allows(leaf, "/api/x", "GET"), true);
    assert.equal(allows(leaf, "/api/x", "get"), true);
    assert.equal(allows(leaf, "/api/x", "DELETE"), false);
    assert.equal(allows(leaf, "/v1/api", "GET"), false);
    assert.equal(allows(leaf, "/x/../api", "GET"), true, "matched on the normalized path");
  });
});
