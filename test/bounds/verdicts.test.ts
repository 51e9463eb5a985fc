import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as v from "../../src/bounds/verdicts.ts";
import {
  handshakeRefusedDecision,
  handshakeUnknownSniVerdict,
  handshakeMtlsVerdict,
} from "../../src/bounds/handshake-verdicts.ts";
import type { Decision } from "../../src/ir/decision.ts";

const rule = { rule: "tunnel:web.x", origin: { file: "p.rampart", start: 1, end: 2 } };
const KEYS = [
  "outcome",
  "status",
  "reason",
  "policy",
  "stage",
  "rule",
  "origin",
  "message",
  "identity",
  "endpoint",
];
const shape = (d: Decision) => [d.outcome, d.status, d.reason, d.policy, d.stage];

describe("shared verdicts (S-D2, S-D3)", () => {
  const cases: [string, Decision, unknown[]][] = [
    ["no route", v.noRouteVerdict(), ["deny", 404, "no_route", null, "route"]],
    ["ip", v.ipDeniedVerdict(rule), ["deny", 403, "policy_denied", "ip", "edge"]],
    ["geo", v.geoDeniedVerdict(rule), ["deny", 403, "policy_denied", "geo", "edge"]],
    ["tls", v.tlsDeniedVerdict(rule, "1.3"), ["deny", 403, "policy_denied", "tls", "edge"]],
    [
      "challenge redirect",
      v.challengeRedirectVerdict(rule),
      ["challenge", 302, "challenge_required", "challenge", "challenge"],
    ],
    [
      "challenge rejected",
      v.challengeRejectedVerdict(rule, true),
      ["deny", 403, "policy_denied", "challenge", "challenge"],
    ],
    ["missing token", v.missingTokenVerdict(rule), ["deny", 401, "missing_token", null, "token"]],
    [
      "expired token",
      v.invalidTokenVerdict(rule, "expired"),
      ["deny", 401, "expired_token", null, "token"],
    ],
    [
      "bad signature",
      v.invalidTokenVerdict(rule, "bad_signature"),
      ["deny", 401, "invalid_token", null, "token"],
    ],
    [
      "insufficient scope",
      v.insufficientScopeVerdict(rule, "token"),
      ["deny", 403, "insufficient_scope", null, "token"],
    ],
    [
      "mtls scope",
      v.insufficientScopeVerdict(rule, "mtls"),
      ["deny", 403, "insufficient_scope", "mtls", "mtls"],
    ],
    ["mtls required", v.mtlsRequiredVerdict(rule), ["deny", 403, "policy_denied", "mtls", "mtls"]],
    [
      "login redirect",
      v.loginRedirectVerdict(rule),
      ["login", 302, "login_required", null, "session"],
    ],
    [
      "login required",
      v.loginRequiredVerdict(rule),
      ["deny", 401, "login_required", null, "session"],
    ],
    ["user mismatch", v.userMismatchVerdict(rule), ["deny", 403, "user_mismatch", null, "session"]],
    [
      "session endpoint",
      v.sessionEndpointVerdict(null),
      ["respond", 200, "ok", null, "well-known"],
    ],
    ["logout endpoint", v.logoutEndpointVerdict(null), ["respond", 204, "ok", null, "well-known"]],
    [
      "well-known method",
      v.wellKnownMethodVerdict("logout"),
      ["deny", 405, "not_allowed", null, "well-known"],
    ],
    [
      "logout origin",
      v.logoutForeignOriginVerdict(),
      ["deny", 403, "not_allowed", null, "well-known"],
    ],
    ["logout body", v.logoutContentTypeVerdict(), ["deny", 415, "not_allowed", null, "well-known"]],
    [
      "well-known unknown",
      v.wellKnownUnknownVerdict(),
      ["deny", 404, "no_route", null, "well-known"],
    ],
    [
      "refused handshake",
      handshakeRefusedDecision(handshakeMtlsVerdict(rule)),
      ["deny", 403, "policy_denied", "mtls", "edge"],
    ],
    [
      "unknown sni",
      handshakeRefusedDecision(handshakeUnknownSniVerdict()),
      ["deny", 404, "no_route", null, "edge"],
    ],
  ];

  for (const [name, decision, expected] of cases) {
    it(`S-D2: ${name} has the specified status, reason and stage, keys in one order`, () => {
      assert.deepEqual(shape(decision), expected);
      assert.deepEqual(Object.keys(decision), KEYS);
      assert.doesNotMatch(decision.message, /\.$/);
    });
  }

  it("messages depend on the rule only, so a compiler can build decisions once", () => {
    assert.deepEqual(v.ipDeniedVerdict(rule), v.ipDeniedVerdict({ ...rule }));
    assert.equal(v.ipDeniedVerdict(rule).origin, rule.origin);
  });
});
