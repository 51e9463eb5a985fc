import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkWatchQueryToken } from "../../src/bounds/watch-query.ts";
import { actionIr, grantIr, grantLeaf } from "../../src/testkit/builders.ts";

const listOnly = grantIr({
  permissions: ["tunnels.resources.read-only"],
  resources: grantLeaf({ list: actionIr() }),
});

describe("watch endpoint query tokens (S-H7, S-T7)", () => {
  it("S-T7: accepts a short-lived auth or app token with read-only list grants", () => {
    assert.deepEqual(checkWatchQueryToken("auth", 60, listOnly, []), { ok: true });
    assert.deepEqual(checkWatchQueryToken("app", 3600, listOnly, []), { ok: true });
  });

  it("S-T7: refuses personal access tokens and untyped tokens", () => {
    assert.equal(checkWatchQueryToken("pat", 60, listOnly, []).ok, false);
    assert.equal(checkWatchQueryToken(null, 60, listOnly, []).ok, false);
  });

  it("S-T7: refuses a lifetime above 3600 s or unknown", () => {
    assert.equal(checkWatchQueryToken("auth", 3601, listOnly, []).ok, false);
    assert.equal(checkWatchQueryToken("auth", null, listOnly, []).ok, false);
  });

  it("S-T7: permissions must be exactly read-only discovery", () => {
    assert.equal(
      checkWatchQueryToken("auth", 60, { ...listOnly, permissions: null }, []).ok,
      false,
    );
    assert.equal(
      checkWatchQueryToken(
        "auth",
        60,
        {
          ...listOnly,
          permissions: ["tunnels.resources.read-only", "tunnels.streams.create-delete"],
        },
        [],
      ).ok,
      false,
    );
  });

  it("S-T7: a token that also carries another surface's permission is refused", () => {
    const verdict = checkWatchQueryToken("auth", 60, listOnly, ["account.plan.read-only"]);
    assert.deepEqual(verdict, {
      ok: false,
      reason:
        "the permissions must be exactly `tunnels.resources.read-only`; this token also carries `account.plan.read-only`",
    });
  });

  it("S-T7: every branch must grant list and nothing else", () => {
    const withConnect = {
      ...listOnly,
      resources: {
        kind: "or" as const,
        children: [
          grantLeaf({ list: actionIr() }),
          grantLeaf({ list: actionIr(), connect: actionIr() }),
        ],
      },
    };
    assert.deepEqual(checkWatchQueryToken("auth", 60, withConnect, []), {
      ok: false,
      reason: "a branch grants `connect`; every branch must grant `list` and nothing else",
    });
    const missingList = {
      ...listOnly,
      resources: {
        kind: "and" as const,
        children: [grantLeaf({ list: actionIr() }), grantLeaf({})],
      },
    };
    assert.equal(checkWatchQueryToken("auth", 60, missingList, []).ok, false);
    assert.equal(checkWatchQueryToken("auth", 60, { ...listOnly, resources: null }, []).ok, false);
  });
});
