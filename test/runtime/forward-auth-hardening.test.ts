/**
 * S-R19: the forward-auth endpoint reads the original request with the same function as
 * `serve` (canonicalRequest), so the path it decides is the one the proxy is told to forward,
 * and its answers are only 2xx, 401 or 403.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OutgoingHttpHeaders } from "node:http";
import { send } from "./helpers/http.ts";
import type { Reply } from "./helpers/http.ts";
import { HOSTS, mintApiToken, startForwardAuthServer } from "./forward-auth-fixture.ts";
import type { ForwardAuthServer } from "./forward-auth-fixture.ts";

describe("forward-auth hardening (S-R19, issue #13)", () => {
  let server: ForwardAuthServer;
  let token: string;
  before(async () => {
    server = await startForwardAuthServer();
    token = await mintApiToken();
  });
  after(() => server.close());

  const nginx = (uri: string, headers: OutgoingHttpHeaders = {}): Promise<Reply> =>
    send({
      port: server.port,
      host: "rampart_forward_auth",
      path: "/nginx",
      headers: {
        "x-original-method": "GET",
        "x-original-uri": uri,
        "x-forwarded-host": HOSTS.token,
        "x-real-ip": "198.51.100.20",
        ...headers,
      },
    });
  const traefik = (uri: string, headers: OutgoingHttpHeaders = {}): Promise<Reply> =>
    send({
      port: server.port,
      host: "rampart:9000",
      path: "/traefik",
      headers: {
        "x-forwarded-method": "GET",
        "x-forwarded-uri": uri,
        "x-forwarded-host": HOSTS.token,
        "x-forwarded-proto": "http",
        "x-forwarded-for": "198.51.100.20",
        ...headers,
      },
    });
  const bearer = (): OutgoingHttpHeaders => ({ authorization: `Bearer ${token}` });

  it("S-R19 S-R4: nginx is told to forward the canonical target the decision saw", async () => {
    const ok = await nginx("/api/./x//y?a=1&rstream%2Etoken=z", bearer());
    assert.equal(ok.status, 200);
    assert.equal(ok.headers["x-rampart-forward-uri"], "/api/x/y?a=1");
    const escaped = await nginx("/api/../admin", bearer());
    assert.equal(escaped.status, 403, "decided on /admin, outside the /api grant");
    assert.equal(escaped.headers["x-rampart-reason"], "insufficient_scope");
  });

  it("S-R19 S-R2 S-R15: a malformed original target is refused (403 with the real status)", async () => {
    for (const uri of ["/api/%2F", "/api/..;/x", "/api?rstream.token=a&rstream.token=b"]) {
      const r = await nginx(uri, bearer());
      assert.equal(r.status, 403, uri);
      assert.equal(r.headers["x-rampart-status"], "400", uri);
    }
  });

  it("S-R19: Traefik cannot rewrite the target, so a non-canonical one is refused, never allowed", async () => {
    const r = await traefik("/api/./x", bearer());
    assert.equal(r.status, 403);
    assert.equal(r.headers["x-rampart-status"], "400");
    assert.deepEqual(JSON.parse(r.body), { error: { reason: "non_canonical_target" } });
    assert.equal((await traefik("/api/x", bearer())).status, 200);
  });

  for (const proto of ["http", "https"] as const) {
    it(`S-R13 (${proto}): a preflight or cross-origin read of an engine endpoint is never answered 2xx nor given CORS credentials`, async () => {
      const evil = { origin: "https://evil.example", "x-forwarded-proto": proto };
      for (const path of [
        "/.well-known/rstream/session",
        "/.well-known/rstream/logout",
        "/x/../.well-known/rstream/session",
      ]) {
        const preflight = {
          ...evil,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization",
        };
        for (const reply of [
          await nginx(path, { ...preflight, "x-original-method": "OPTIONS" }),
          await traefik(path, { ...preflight, "x-forwarded-method": "OPTIONS" }),
          await nginx(path, { ...evil, ...bearer() }),
          await traefik(path, { ...evil, ...bearer() }),
        ]) {
          assert.equal(reply.status, 403, `${path}: not forwarded by the proxy`);
          const granted = Object.keys(reply.headers).filter((h) => h.startsWith("access-control-"));
          assert.deepEqual(granted, [], path);
        }
      }
    });
  }

  it("S-R19 S-R16: an h2c upgrade is refused, never answered 2xx", async () => {
    const h2c = await traefik("/api/x", { ...bearer(), upgrade: "h2c" });
    assert.equal(h2c.status, 403);
    assert.equal(h2c.headers["x-rampart-status"], "400");
  });
});
