import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:tls";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { readClientHello } from "../../src/runtime/tls/client-hello.ts";
import { groupsFor, negotiatedGroup } from "../../src/runtime/tls/groups.ts";
import {
  CHALLENGE_COOKIE,
  SESSION_COOKIE,
  readCookie,
  signCookie,
  stripEngineCookies,
  verifyCookie,
  setCookieHeader,
} from "../../src/runtime/cookies.ts";
import { upstreamRequestHeaders } from "../../src/runtime/forward/headers.ts";
import { decidedHeaders } from "../../src/runtime/http/request-headers.ts";
import { canonicalTarget } from "../../src/runtime/http/request-target.ts";
import { clientAddress, parseTrustedProxies } from "../../src/runtime/http/client-ip.ts";
import { HostIndex, certificateCovers, hostWithoutPort } from "../../src/runtime/host-index.ts";

/** Captures the ClientHello a real Node client sends. */
async function captureHello(servername: string, ecdhCurve?: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const server = createServer((socket) => {
      socket.once("data", (d: Buffer) => {
        resolve(d);
        socket.destroy();
        server.close();
      });
    });
    server.listen(0, "127.0.0.1", () => {
      const c = connect({
        port: (server.address() as AddressInfo).port,
        host: "127.0.0.1",
        servername,
        ...(ecdhCurve ? { ecdhCurve } : {}),
      });
      c.on("error", () => undefined);
    });
  });
}

describe("ClientHello reader", () => {
  it("reads SNI and key-share groups from a real client's hello, also split in pieces", async () => {
    const hello = await captureHello("Api.Example.test", "X25519MLKEM768:X25519");
    const read = readClientHello(hello);
    assert.equal(read.kind, "hello");
    if (read.kind !== "hello") return;
    assert.equal(read.hello.serverName, "api.example.test");
    assert.deepEqual(read.hello.keyShareGroups, [0x11ec]);
    assert.deepEqual(read.hello.supportedGroups, [0x11ec, 29]);
    assert.equal(
      negotiatedGroup(
        groupsFor("required", false),
        read.hello.keyShareGroups,
        read.hello.supportedGroups,
      ),
      "X25519MLKEM768",
    );
    assert.equal(readClientHello(hello.subarray(0, 100)).kind, "incomplete");
  });

  it("never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const read = readClientHello(Buffer.from(bytes));
        assert.ok(["incomplete", "invalid", "hello"].includes(read.kind));
      }),
      { numRuns: 500 },
    );
  });

  it("refuses plain HTTP on the TLS port", () => {
    assert.equal(readClientHello(Buffer.from("GET / HTTP/1.1\r\n\r\n")).kind, "invalid");
  });
});

describe("key-exchange groups (S-A6)", () => {
  it("preferred puts hybrids first with classical fallback; required is hybrid only; FIPS is P-256/P-384 only", () => {
    assert.deepEqual(groupsFor("preferred", false), [
      "X25519MLKEM768",
      "SecP256r1MLKEM768",
      "SecP384r1MLKEM1024",
      "X25519",
      "P-256",
      "P-384",
    ]);
    assert.deepEqual(groupsFor("required", false), [
      "X25519MLKEM768",
      "SecP256r1MLKEM768",
      "SecP384r1MLKEM1024",
    ]);
    assert.deepEqual(groupsFor("required", true), ["SecP256r1MLKEM768", "SecP384r1MLKEM1024"]);
    assert.deepEqual(groupsFor("preferred", true), [
      "SecP256r1MLKEM768",
      "SecP384r1MLKEM1024",
      "P-256",
      "P-384",
    ]);
    assert.equal(groupsFor("off", false), null);
  });
});

describe("cookies (S-D4)", () => {
  const key = "k".repeat(40);
  const exp = Math.floor(Date.now() / 1000) + 60;

  it("verifies its own signature, host, kind and expiry, and nothing else", () => {
    const value = signCookie({ kind: "challenge", host: "a.test", exp }, key);
    assert.equal(verifyCookie(value, "challenge", "a.test", key).status, "valid");
    assert.equal(verifyCookie(value, "challenge", "b.test", key).status, "invalid", "host-bound");
    assert.equal(verifyCookie(value, "session", "a.test", key).status, "invalid", "kind-bound");
    assert.equal(
      verifyCookie(value, "challenge", "a.test", "x".repeat(40)).status,
      "invalid",
      "other key",
    );
    assert.equal(
      verifyCookie(value, "challenge", "a.test", key, exp + 1).status,
      "invalid",
      "expired",
    );
    const [v, payload, mac] = value.split(".");
    const forged = `${v}.${Buffer.from(JSON.stringify({ kind: "challenge", host: "a.test", exp: exp + 9999 })).toString("base64url")}.${mac}`;
    assert.equal(verifyCookie(forged, "challenge", "a.test", key).status, "invalid");
    assert.ok(payload);
  });

  it("sets host-only, HttpOnly, SameSite=Lax cookies, Secure over TLS", () => {
    assert.equal(
      setCookieHeader(SESSION_COOKIE, "v", 60, true),
      `${SESSION_COOKIE}=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure`,
    );
  });

  it("S-O3: strips exactly the engine cookies from Cookie", () => {
    assert.equal(
      stripEngineCookies(`a=1; ${SESSION_COOKIE}=x; ${CHALLENGE_COOKIE}=y; b=2`),
      "a=1; b=2",
    );
    assert.equal(stripEngineCookies(`${SESSION_COOKIE}=x`), null);
    // The login cookie over TLS, under its `__Host-` name (S-R10).
    assert.equal(stripEngineCookies(`a=1; __Host-rampart_login=x`), "a=1");
    assert.equal(stripEngineCookies(`my_${SESSION_COOKIE}=keep`), `my_${SESSION_COOKIE}=keep`);
    assert.equal(readCookie(`a=1; ${SESSION_COOKIE}=x`, SESSION_COOKIE), "x");
  });
});

describe("request rewriting", () => {
  it("S-O3: removes rstream.token from the query and keeps the rest", () => {
    const query = (target: string): unknown => {
      const t = canonicalTarget(target, "GET");
      return "status" in t ? t.status : t.query;
    };
    assert.equal(query("/p?rstream.token=t"), "");
    assert.equal(query("/p?a=1&rstream.token=t&b=2"), "a=1&b=2");
    assert.equal(query("/p?a=1"), "a=1");
  });

  it("drops Authorization only when it carried the edge token and the tunnel does not forward it", () => {
    const raw = decidedHeaders(["Authorization", "Bearer t", "Accept", "*/*"]);
    assert.ok(!("status" in raw));
    const ctx = {
      forwardedFor: "1.2.3.4",
      proto: "https" as const,
      host: "a.test",
      upstreamHost: "up:80",
      upgrade: false,
    };
    assert.deepEqual(upstreamRequestHeaders(raw, { ...ctx, dropAuthorization: true }).slice(0, 2), [
      "Accept",
      "*/*",
    ]);
    assert.deepEqual(
      upstreamRequestHeaders(raw, { ...ctx, dropAuthorization: false }).slice(0, 2),
      ["Authorization", "Bearer t"],
    );
  });

  it("takes the client address from X-Forwarded-For only behind a trusted proxy", () => {
    const trusted = parseTrustedProxies(["10.0.0.0/8"], []);
    assert.equal(clientAddress("203.0.113.9", "1.1.1.1", trusted), "203.0.113.9");
    assert.equal(clientAddress("10.0.0.2", "1.1.1.1, 10.0.0.7", trusted), "1.1.1.1");
    assert.equal(clientAddress("10.0.0.2", undefined, trusted), "10.0.0.2");
    assert.equal(clientAddress("10.0.0.2", "1.1.1.1", null), "10.0.0.2");
  });

  it("routes exact hosts before one-label wildcards; certificates cover hosts the same way", () => {
    const index = new HostIndex<string>();
    index.add("*.example.test", "wild");
    index.add("api.example.test", "api");
    assert.equal(index.get("api.example.test"), "api");
    assert.equal(index.get("web.example.test"), "wild");
    assert.equal(index.get("a.b.example.test"), undefined);
    assert.equal(certificateCovers("*.example.test", "web.example.test"), true);
    assert.equal(certificateCovers("*.example.test", "*.example.test"), true);
    assert.equal(certificateCovers("*.example.test", "example.test"), false);
    assert.equal(hostWithoutPort("Web.Example.test:8443"), "web.example.test");
    assert.equal(hostWithoutPort("[::1]:80"), "[::1]");
  });

  it("S-R8: a Host that is not host[:port] names no host, and a wildcard stands for one DNS label", () => {
    assert.equal(hostWithoutPort("web.example.test"), "web.example.test");
    assert.equal(hostWithoutPort("WEB.example.test.:65535"), "web.example.test");
    for (const malformed of [
      "web.example.test:@evil.example",
      "web.example.test:80/x",
      "web.example.test:",
      "web.example.test:65536",
      "web.example.test..",
      "*.example.test",
      "a b.example.test",
      "[::1",
      "[::1]:x",
      "[evil]",
      "",
    ])
      assert.equal(hostWithoutPort(malformed), null, malformed);
    const index = new HostIndex<string>();
    index.add("*.example.test", "wild");
    for (const name of ["evil#x.example.test", "a_b.example.test", "-a.example.test"])
      assert.equal(index.get(name), undefined, name);
  });
});
