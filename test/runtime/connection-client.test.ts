/**
 * Issue #20: the client of a keep-alive connection (its address, the X-Forwarded-For sent
 * upstream, its GeoIP country) is worked out once per connection and reused. What is
 * remembered must never outlive what it came from: a policy reload, a re-opened GeoIP
 * database or another X-Forwarded-For value is seen by the very next request on the same
 * connection (S-A3, S-A4, S-R7).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, renameSync } from "node:fs";
import { once } from "node:events";
import type { Socket } from "node:net";
import { join } from "node:path";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import { embeddedCountryDatabasePath } from "../../src/runtime/geoip.ts";
import { tempDir } from "./helpers/certs.ts";
import { compiledPolicy, effectivePolicy, tunnel, withCountries } from "./helpers/policy.ts";
import { openRaw } from "./helpers/raw.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/geoip");
/** BT in MaxMind's test databases, US in the embedded one: a re-open changes its country. */
const BT_THEN_US = "67.43.156.1";
/** GB in every database the test uses. */
const GB = "81.2.69.160";

/** Reads one response (status and `content-length` body) from a keep-alive connection. */
function nextStatus(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error("no response within 5 s")), 5_000);
    const done = (error: Error | null, status = 0): void => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", onClose);
      if (error === null) resolve(status);
      else reject(error);
    };
    const onClose = (): void => done(new Error("the connection closed"));
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString("latin1");
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      done(null, Number(head.slice(9, 12)));
    };
    socket.on("data", onData);
    socket.once("close", onClose);
  });
}

describe("the client remembered per connection (issue #20)", () => {
  it("S-A4, S-R7: a reload, a GeoIP re-open and a new X-Forwarded-For are seen by the next request on the same connection", async () => {
    const dir = tempDir();
    const database = join(dir, "country.mmdb");
    copyFileSync(join(FIXTURES, "GeoIP2-Country-Test.mmdb"), database);
    const upstream = await startUpstream();
    const open = tunnel({ id: "geo", hosts: ["geo.test"], upstream: upstream.url });
    let current: CompiledPolicy = compiledPolicy(effectivePolicy([open]));
    const { runtime } = await startTestRuntime(
      () => Promise.resolve({ value: [current], diagnostics: [] }),
      { geoipDatabase: database, trustedProxies: ["127.0.0.1"], watchGeoIp: false },
    );
    const socket = openRaw({ port: runtime.addresses.http?.port ?? 0 });
    let connections = 0;
    socket.on("connect", () => connections++);
    await once(socket, "connect");
    const from = async (client: string): Promise<number> => {
      socket.write(`GET /x HTTP/1.1\r\nHost: geo.test\r\nX-Forwarded-For: ${client}\r\n\r\n`);
      return nextStatus(socket);
    };
    try {
      // No country rule: the country is not looked up, the chain is forwarded.
      assert.equal(await from(BT_THEN_US), 200);
      assert.equal(upstream.seen.at(-1)?.headers["x-forwarded-for"], `${BT_THEN_US}, 127.0.0.1`);

      // A reload that allows BT only: the next request is decided by its country.
      current = compiledPolicy(effectivePolicy([withCountries(open, ["BT"])]));
      assert.equal((await runtime.reload()).diagnostics.length, 0);
      assert.equal(await from(BT_THEN_US), 200);
      assert.equal(await from(GB), 403, "another X-Forwarded-For, another client");
      assert.equal(await from(BT_THEN_US), 200);
      assert.equal(upstream.seen.at(-1)?.headers["x-forwarded-for"], `${BT_THEN_US}, 127.0.0.1`);

      // The database is replaced and re-opened: the same address is now in the US.
      copyFileSync(embeddedCountryDatabasePath(), `${database}.new`);
      renameSync(`${database}.new`, database);
      assert.equal(runtime.reopenGeoIp().diagnostics.length, 0);
      assert.equal(await from(BT_THEN_US), 403);

      // A reload back to the open tunnel: allowed again, on the same connection throughout.
      current = compiledPolicy(effectivePolicy([open]));
      await runtime.reload();
      assert.equal(await from(BT_THEN_US), 200);
      assert.equal(connections, 1, "every request went over one keep-alive connection");
    } finally {
      socket.destroy();
      await runtime.close();
      await upstream.close();
    }
  });
});
