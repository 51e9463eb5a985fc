import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { equalIr } from "../../src/ir/equal.ts";
import { lowerGrantClaims } from "../../src/ir/grant-from-claims.ts";
import { lowerOk, baseDocument } from "./lower-helpers.ts";

const resources = {
  tunnels: {
    projects: ["shop"],
    scopes: {
      tunnels: {
        connect: {
          filters: { labels: { env: "prod" } },
          params: { path: { glob: ["/api/**"] }, methods: ["get"] },
        },
        list: true,
      },
    },
  },
};

describe("lowerGrantClaims", () => {
  it("S-T3: lowers claims exactly as a policy-file grant with the same shapes", () => {
    const fromClaims = lowerGrantClaims(
      { permissions: ["tunnels.streams.create-delete"], resources },
      "g",
    );
    assert.ok("grant" in fromClaims);
    const fromFile = lowerOk(
      baseDocument({
        grants: [{ name: "g", permissions: ["tunnels.streams.create-delete"], resources }],
      }),
    );
    assert.ok(equalIr(fromClaims.grant, { ...fromFile.grants[0], spans: {} }));
  });

  it("S-T2: absent or null permissions mean everything the owner has; absent resources mean every tunnel", () => {
    const result = lowerGrantClaims({ permissions: null });
    assert.ok("grant" in result);
    assert.equal(result.grant.permissions, null);
    assert.equal(result.grant.resources, null);
    assert.equal(result.grant.name, "token");
  });

  it("S-T5: an unsafe regex makes the token invalid, with a reason", () => {
    const result = lowerGrantClaims({
      resources: {
        tunnels: { scopes: { tunnels: { connect: { params: { path: { regex: "(a|a)*$" } } } } } },
      },
    });
    assert.ok("error" in result);
    assert.match(result.error, /^regex `\(a\|a\)\*\$` is not allowed: /);
  });

  it("S-T5: an invalid glob, path or country is refused too", () => {
    const connect = (params: object) => ({
      resources: { tunnels: { scopes: { tunnels: { connect: params } } } },
    });
    assert.ok("error" in lowerGrantClaims(connect({ params: { path: { glob: ["/a**"] } } })));
    assert.ok(
      "error" in lowerGrantClaims(connect({ params: { path: { prefix: ["/api/../admin"] } } })),
    );
    assert.ok("error" in lowerGrantClaims(connect({ filters: { geo_ip: ["UK"] } })));
  });

  it("refuses malformed claims instead of throwing", () => {
    for (const claims of [
      { permissions: "all" },
      { permissions: [1] },
      { resources: "x" },
      { resources: { tunnels: null } },
    ]) {
      const result = lowerGrantClaims(claims);
      assert.ok("error" in result, JSON.stringify(claims));
    }
  });
});
