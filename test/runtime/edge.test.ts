import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { send } from "./helpers/http.ts";
import {
  effectivePolicy,
  compiledPolicy,
  tunnel,
  withCountries,
  withTrustedIps,
} from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";

const GEO = join(import.meta.dirname, "../../fixtures/geoip");

describe("edge access through the runtime (S-A3, S-A4)", () => {
  it("S-A4: GeoIP allow-list with the client address from a trusted proxy's X-Forwarded-For", async () => {
    const upstream = await startUpstream();
    const policy = effectivePolicy([
      withCountries(tunnel({ id: "uk", hosts: ["uk.test"], upstream: upstream.url }), ["GB"]),
    ]);
    const { runtime, lines } = await startTestRuntime([compiledPolicy(policy)], {
      geoipDatabase: join(GEO, "GeoIP2-Country-Test.mmdb"),
      trustedProxies: ["127.0.0.1"],
    });
    const port = runtime.addresses.http?.port ?? 0;
    try {
      const gb = await send({
        port,
        host: "uk.test",
        headers: { "x-forwarded-for": "89.160.20.112, 81.2.69.160" },
      });
      assert.equal(gb.status, 200, "the right-most untrusted hop is the client");
      const echo = JSON.parse(gb.body) as { headers: Record<string, string> };
      assert.equal(echo.headers["x-forwarded-for"], "89.160.20.112, 81.2.69.160, 127.0.0.1");
      const se = await send({
        port,
        host: "uk.test",
        headers: { "x-forwarded-for": "89.160.20.112" },
      });
      assert.equal(se.status, 403);
      assert.equal(se.body, '{"error":{"reason":"policy_denied","policy":"geo"}}');
      const unknown = await send({
        port,
        host: "uk.test",
        headers: { "x-forwarded-for": "10.1.2.3" },
      });
      assert.equal(unknown.status, 403, "S-A4: unknown country never matches an allow-list");
      const line = lines.find(
        (l) => l["msg"] === "request denied" && l["clientIp"] === "89.160.20.112",
      );
      assert.equal(line?.["policy"], "geo");
      assert.equal(line?.["country"], "SE");
    } finally {
      await runtime.close();
      await upstream.close();
    }
  });

  it("S-A4: a database that fails on lookup denies (unknown country) and logs, never crashes", async () => {
    const policy = effectivePolicy([
      withCountries(tunnel({ id: "uk", hosts: ["uk.test"] }), ["GB"]),
    ]);
    const { runtime, lines } = await startTestRuntime([compiledPolicy(policy)], {
      geoipDatabase: join(GEO, "GeoIP2-City-Test-Invalid-Node-Count.mmdb"),
      trustedProxies: ["127.0.0.1"],
    });
    try {
      const reply = await send({
        port: runtime.addresses.http?.port ?? 0,
        host: "uk.test",
        headers: { "x-forwarded-for": "81.2.69.160" },
      });
      assert.equal(reply.status, 403);
      assert.ok(lines.some((l) => String(l["msg"]).startsWith("GeoIP lookup hit corrupt data")));
    } finally {
      await runtime.close();
    }
  });

  it("S-A3: IPv4-mapped IPv6 peers are matched as IPv4", async () => {
    const upstream = await startUpstream();
    const policy = effectivePolicy([
      withTrustedIps(tunnel({ id: "lo", hosts: ["lo.test"], upstream: upstream.url }), [
        "127.0.0.0/8",
      ]),
    ]);
    const { runtime } = await startTestRuntime([compiledPolicy(policy)], {
      http: { host: "::", port: 0 },
    });
    try {
      const reply = await send({ port: runtime.addresses.http?.port ?? 0, host: "lo.test" });
      assert.equal(reply.status, 200);
    } finally {
      await runtime.close();
      await upstream.close();
    }
  });
});
