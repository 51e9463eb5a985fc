/**
 * Issue #18 item 3: the GeoIP database is live data. It is re-opened when its file changes
 * and on SIGHUP (`reopenGeoIp`, which the SIGHUP handler calls); a broken file keeps the
 * running database with an RP6070 diagnostic; the build date is a metric (S-A4 keeps working
 * throughout).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { embeddedCountryDatabasePath } from "../../src/runtime/geoip.ts";
import { tempDir } from "./helpers/certs.ts";
import { send } from "./helpers/http.ts";
import { compiledPolicy, effectivePolicy, tunnel, withCountries } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/geoip");
/** A GB address in both MaxMind test databases and the embedded one. */
const GB = "81.2.69.160";

function buildTime(metrics: string): number {
  const m = /rampart_geoip_database_build_timestamp_seconds (\d+)/.exec(metrics);
  return m === null ? 0 : Number(m[1]);
}

/** Replaces a file the way an updater does: write beside it, then rename over it. */
function replaceFile(from: string, to: string): void {
  copyFileSync(from, `${to}.new`);
  renameSync(`${to}.new`, to);
}

describe("GeoIP database re-open (issue #18 item 3)", () => {
  it("S-A4: re-opens on file change, keeps the running database when the new file is broken, and exports the build date", async () => {
    const dir = tempDir();
    const database = join(dir, "country.mmdb");
    copyFileSync(join(FIXTURES, "GeoLite2-Country-Test.mmdb"), database);
    const upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([
        withCountries(tunnel({ id: "uk", hosts: ["uk.test"], upstream: upstream.url }), ["GB"]),
      ]),
    );
    const { runtime, lines } = await startTestRuntime([policy], {
      admin: { host: "127.0.0.1", port: 0 },
      geoipDatabase: database,
      trustedProxies: ["127.0.0.1"],
      watchDebounceMs: 20,
    });
    const port = runtime.addresses.http?.port ?? 0;
    const adminPort = runtime.addresses.admin?.port ?? 0;
    const metrics = async (): Promise<string> =>
      (await send({ port: adminPort, host: "localhost", path: "/metrics" })).body;
    const fromGb = async (): Promise<number> =>
      (await send({ port, host: "uk.test", headers: { "x-forwarded-for": GB } })).status;
    try {
      const first = buildTime(await metrics());
      assert.equal(
        first,
        Date.UTC(2026, 1, 4, 22, 49, 29) / 1000,
        "the test database's build time",
      );
      assert.equal(await fromGb(), 200);

      // A newer database appears: re-opened without a restart or a signal.
      replaceFile(embeddedCountryDatabasePath(), database);
      let second = first;
      for (let i = 0; i < 100 && second === first; i++) {
        await sleep(20);
        second = buildTime(await metrics());
      }
      assert.ok(second > first, "the newer database's build time is exported");
      assert.ok(lines.some((l) => l["msg"] === "GeoIP database re-opened"));
      assert.equal(await fromGb(), 200);

      // A corrupt one: RP6070, the running database keeps answering.
      replaceFile(join(FIXTURES, "MaxMind-DB-test-broken-search-tree-24.mmdb"), database);
      let failed: Record<string, unknown> | undefined;
      for (let i = 0; i < 100 && failed === undefined; i++) {
        await sleep(20);
        failed = lines.find((l) => l["code"] === "RP6070");
      }
      assert.ok(failed !== undefined, "the failed re-open is logged with its code");
      assert.match(String(failed["msg"]), /previous database keeps serving/);
      assert.equal(buildTime(await metrics()), second);
      assert.match(await metrics(), /rampart_geoip_reloads_total\{result="failed"\} [1-9]/);
      assert.equal(await fromGb(), 200, "countries are still known");

      // One that does not even open.
      replaceFile(join(FIXTURES, "GeoIP2-City-Test-Invalid-Node-Count.mmdb"), database);
      const invalid = runtime.reopenGeoIp();
      assert.match(invalid.diagnostics[0]?.message ?? "", /could not be re-opened/);
      assert.equal(await fromGb(), 200);

      // SIGHUP's re-open of the same broken file says so and changes nothing.
      const reopened = runtime.reopenGeoIp();
      assert.equal(reopened.value, undefined);
      assert.deepEqual(
        reopened.diagnostics.map((d) => [d.code, d.severity]),
        [["RP6070", "warning"]],
      );
      // Fixed again: SIGHUP picks it up.
      copyFileSync(join(FIXTURES, "GeoIP2-Country-Test.mmdb"), database);
      assert.equal(runtime.reopenGeoIp().value?.getTime(), first * 1000);
    } finally {
      await runtime.close();
      await upstream.close();
    }
  });

  it("re-opens the database on SIGHUP together with the policy", async () => {
    const dir = tempDir();
    const database = join(dir, "country.mmdb");
    copyFileSync(join(FIXTURES, "GeoLite2-Country-Test.mmdb"), database);
    const policy = compiledPolicy(effectivePolicy([tunnel({ id: "web", hosts: ["web.test"] })]));
    const { runtime, lines } = await startTestRuntime([policy], {
      geoipDatabase: database,
      handleSignals: true,
      watchGeoIp: false,
    });
    try {
      process.kill(process.pid, "SIGHUP");
      for (let i = 0; i < 100 && runtime.generation < 2; i++) await sleep(10);
      assert.equal(runtime.generation, 2);
      assert.ok(lines.some((l) => l["msg"] === "GeoIP database re-opened"));
    } finally {
      await runtime.close();
    }
  });
});
