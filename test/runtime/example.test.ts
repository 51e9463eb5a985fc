import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { GrantIr, PolicyTestIr } from "../../src/ir/types.ts";
import { startExample } from "../../src/runtime/example.ts";
import { send } from "./helpers/http.ts";
import {
  effectivePolicy,
  compiledPolicy,
  tunnel,
  withToken,
  withTrustedIps,
} from "./helpers/policy.ts";
import { capturingLogger } from "./helpers/runtime.ts";

const deploy: GrantIr = {
  name: "deploy",
  type: "app",
  parent: null,
  expiresAt: null,
  permissions: null,
  resources: null,
  spans: {},
};

const replayTest: PolicyTestIr = {
  name: "app: a deploy token is forwarded",
  request: {
    method: "POST",
    url: "https://app.example.test/v1/deploy",
    clientIp: "10.1.2.3",
    country: null,
    headers: {},
    token: { kind: "grant", grant: "deploy", in: "header" },
    challengeCookie: null,
    session: null,
    tls: null,
  },
  expect: { outcome: "forward", status: null, reason: null, policy: null },
};

describe("example mode (issue #5 item 7)", () => {
  it("serves the policy in front of an example upstream and prints commands that work", async () => {
    const app = withTrustedIps(
      withToken(tunnel({ id: "app", hosts: ["app.example.test"], upstream: "http://10.9.9.9:1" })),
      ["10.0.0.0/8"],
    );
    const policy = { ...effectivePolicy([app], { deploy }), tests: [replayTest] };
    const { logger } = capturingLogger();
    let printed = "";
    const started = await startExample({
      load: () => Promise.resolve({ value: [compiledPolicy(policy)], diagnostics: [] }),
      logger,
      httpPort: 0,
      httpsPort: 0,
      adminPort: 0,
      print: (text) => (printed += text),
    });
    assert.ok(started.value, JSON.stringify(started.diagnostics));
    const example = started.value;
    try {
      assert.equal(printed, example.instructions);
      assert.match(printed, /Try the policy's own test "app: a deploy token is forwarded"/);
      const token = /TOKEN='([^']+)'/.exec(printed)?.[1];
      assert.ok(token);
      const port = example.runtime.addresses.http?.port ?? 0;
      const headers = { "x-forwarded-for": "10.1.2.3" };
      const ok = await send({
        port,
        host: "app.example.test",
        method: "POST",
        path: "/v1/deploy",
        headers: { ...headers, authorization: `Bearer ${token}` },
      });
      assert.equal(ok.status, 200);
      assert.equal(
        (JSON.parse(ok.body) as { upstream: string }).upstream,
        "rampart example upstream",
      );
      const refused = await send({
        port,
        host: "app.example.test",
        method: "POST",
        path: "/v1/deploy",
        headers,
      });
      assert.equal(refused.status, 401);
      if (example.runtime.addresses.https !== null) {
        const tls = await send({
          port: example.runtime.addresses.https.port,
          host: "app.example.test",
          method: "POST",
          path: "/v1/deploy",
          headers: { ...headers, authorization: `Bearer ${token}` },
          tls: {},
        });
        assert.equal(tls.status, 200);
      }
    } finally {
      await example.close();
    }
  });
});
