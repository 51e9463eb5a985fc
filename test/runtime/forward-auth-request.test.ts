import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { dialectOf } from "../../src/runtime/forward-auth/dialect.ts";
import type { DialectTarget } from "../../src/runtime/forward-auth/dialect.ts";
import { readOriginalRequest } from "../../src/runtime/forward-auth/original-request.ts";
import { TrustedProxies, parseTrustedProxies } from "../../src/runtime/http/client-ip.ts";

const proxies = parseTrustedProxies(["10.0.0.0/8", "::1"], []);
assert.ok(proxies !== null);
const trusted = new TrustedProxies(proxies);
const nginx = dialectOf("/nginx") as DialectTarget;
const traefik = dialectOf("/traefik") as DialectTarget;

const read = (
  target: DialectTarget,
  headers: IncomingHttpHeaders,
  peer = "10.1.2.3",
  subMethod = "GET",
) => readOriginalRequest(target, subMethod, headers, peer, trusted);

describe("forward-auth: the dialect comes from the sub-request path", () => {
  it("names nginx, Traefik and Envoy (with the original target after /envoy)", () => {
    assert.deepEqual(dialectOf("/nginx"), { dialect: "nginx", envoyUri: null });
    assert.deepEqual(dialectOf("/traefik?x=1"), { dialect: "traefik", envoyUri: null });
    assert.deepEqual(dialectOf("/envoy/api/items?rstream.token=t"), {
      dialect: "envoy",
      envoyUri: "/api/items?rstream.token=t",
    });
    assert.equal(dialectOf("/envoy"), null);
    assert.equal(dialectOf("/nginx/extra"), null);
    assert.equal(dialectOf("/"), null);
  });
});

describe("forward-auth: reading the original request", () => {
  it("nginx: X-Original-Method/-URI, X-Forwarded-Host/-Proto, X-Real-IP, X-Forwarded-Tls-Version", () => {
    const got = read(nginx, {
      host: "rampart_forward_auth",
      "x-original-method": "post",
      "x-original-uri": "/api/items?rstream.token=abc&x=1",
      "x-forwarded-host": "App.Example.Test:8443",
      "x-forwarded-proto": "https",
      "x-real-ip": "::ffff:198.51.100.7",
      "x-forwarded-tls-version": "TLSv1.3",
    });
    assert.deepEqual(got, {
      dialect: "nginx",
      method: "POST",
      uri: "/api/items?rstream.token=abc&x=1",
      host: "app.example.test",
      port: 8443,
      secure: true,
      clientIp: "198.51.100.7",
      tlsVersion: "1.3",
    });
  });

  it("nginx: without X-Real-IP the client is the right-most X-Forwarded-For entry that is not a trusted proxy", () => {
    const got = read(nginx, {
      "x-original-method": "GET",
      "x-original-uri": "/",
      host: "open.example.test",
      "x-forwarded-for": "6.6.6.6, 198.51.100.9, 10.9.9.9",
    });
    assert.ok(!("reason" in got));
    assert.equal(got.clientIp, "198.51.100.9");
    assert.equal(got.host, "open.example.test", "Host is the fallback for X-Forwarded-Host");
    assert.equal(got.secure, false);
    assert.equal(got.tlsVersion, null, "no TLS version over plain HTTP");
  });

  it("reads the TLS version as nginx and HAProxy (TLSv1.3) and Caddy (tls1.3) write it", () => {
    for (const [value, version] of [
      ["TLSv1.3", "1.3"],
      ["tls1.3", "1.3"],
      ["TLSv1.2", "1.2"],
      ["tls1.2", "1.2"],
      ["SSLv3", null],
    ] as const) {
      const got = read(nginx, {
        "x-original-method": "GET",
        "x-original-uri": "/",
        host: "open.example.test",
        "x-forwarded-proto": "https",
        "x-forwarded-tls-version": value,
      });
      assert.ok(!("reason" in got));
      assert.equal(got.tlsVersion, version, value);
    }
  });

  it("Traefik: X-Forwarded-Method/-Uri/-Host/-Proto/-For, and X-Real-IP is not believed", () => {
    const got = read(traefik, {
      "x-forwarded-method": "DELETE",
      "x-forwarded-uri": "/api/x",
      "x-forwarded-host": "app.example.test",
      "x-forwarded-proto": "http",
      "x-forwarded-for": "198.51.100.1",
      "x-real-ip": "203.0.113.5",
    });
    assert.ok(!("reason" in got));
    assert.equal(got.method, "DELETE");
    assert.equal(got.clientIp, "198.51.100.1");
  });

  it("Envoy: the sub-request's own method and the path after /envoy", () => {
    const envoy = dialectOf("/envoy/api/v1?q=2") as DialectTarget;
    const got = read(
      envoy,
      { host: "app.example.test", "x-forwarded-for": "198.51.100.2" },
      "::1",
      "PATCH",
    );
    assert.ok(!("reason" in got));
    assert.deepEqual(
      [got.method, got.uri, got.host, got.clientIp],
      ["PATCH", "/api/v1?q=2", "app.example.test", "198.51.100.2"],
    );
  });

  it("refuses a peer that is not a trusted proxy, and every peer when none is configured", () => {
    const headers = { "x-original-method": "GET", "x-original-uri": "/", host: "a.test" };
    assert.deepEqual(read(nginx, headers, "192.0.2.1"), {
      status: 403,
      reason: "untrusted_proxy",
      detail: "peer 192.0.2.1 is not a trusted proxy",
    });
    const none = readOriginalRequest(nginx, "GET", headers, "10.1.2.3", null);
    assert.ok("reason" in none && none.reason === "untrusted_proxy");
  });

  it("a missing or malformed original-request header is a 400, never a guess", () => {
    const ok = { "x-original-method": "GET", "x-original-uri": "/x", host: "a.test" };
    const cases: [IncomingHttpHeaders, string][] = [
      [{ ...ok, "x-original-uri": undefined }, "x-original-uri"],
      [{ ...ok, "x-original-uri": "http://evil.test/" }, "x-original-uri"],
      [{ ...ok, "x-original-uri": "/a b" }, "x-original-uri"],
      [{ ...ok, "x-original-method": "GE T" }, "x-original-method"],
      [{ ...ok, host: undefined }, "x-forwarded-host or host"],
    ];
    for (const [headers, header] of cases) {
      assert.deepEqual(read(nginx, headers), {
        status: 400,
        reason: "bad_original_request",
        detail: `missing or malformed ${header}`,
      });
    }
    assert.ok(
      "reason" in
        read(traefik, { "x-forwarded-method": "GET", "x-forwarded-uri": "/", host: "a.test" }),
      "Traefik needs X-Forwarded-Host",
    );
  });
});
