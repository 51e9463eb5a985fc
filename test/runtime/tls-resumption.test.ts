/**
 * TLS session resumption as a runtime option (issue #20 item 2): a real TLS client takes a
 * session ticket from one instance and resumes on another instance sharing the ticket-key
 * secret (TLS 1.3 and 1.2); an instance with another secret, or with tickets off, makes it do
 * a full handshake; the derived key changes with the rotation period.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:tls";
import type { ConnectionOptions } from "node:tls";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import type { RuntimeOptions } from "../../src/runtime/options.ts";
import { resolveOptions } from "../../src/runtime/options.ts";
import { SessionTickets, ticketKeyFor } from "../../src/runtime/tls/session-tickets.ts";
import { createServer as createTlsServer } from "node:tls";
import { selfSigned, tempDir } from "./helpers/certs.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const HOST = "resume.test";
const FLEET_KEY = "fleet-ticket-key-0123456789abcdef0123456789";
const OTHER_KEY = "other-ticket-key-0123456789abcdef0123456789";

/** What one connection saw: whether it resumed, and the ticket it was handed (if any). */
interface Visit {
  readonly reused: boolean;
  readonly session: Buffer | null;
}

/** One HTTP/1.1 request over a fresh TLS connection, offering `session` when given. */
function visit(port: number, session: Buffer | null, options: ConnectionOptions = {}) {
  return new Promise<Visit>((resolve, reject) => {
    let ticket: Buffer | null = null;
    const socket = connect({
      host: "127.0.0.1",
      port,
      servername: HOST,
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"],
      ...(session === null ? {} : { session }),
      ...options,
    });
    socket.on("session", (s: Buffer) => (ticket = s));
    socket.once("secureConnect", () =>
      socket.write(`GET / HTTP/1.1\r\nhost: ${HOST}\r\nconnection: close\r\n\r\n`),
    );
    let data = "";
    socket.on("data", (d: Buffer) => (data += d.toString()));
    socket.on("end", () => {
      if (!data.startsWith("HTTP/1.1 200")) reject(new Error(`unexpected reply ${data}`));
      else resolve({ reused: socket.isSessionReused(), session: ticket });
    });
    socket.on("error", reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error("timeout")));
  });
}

describe("TLS session resumption (issue #20)", () => {
  let upstream: TestUpstream;
  const runtimes: RuntimeHandle[] = [];
  const ports: Record<"a" | "b" | "other" | "off", number> = { a: 0, b: 0, other: 0, off: 0 };

  before(async () => {
    const cert = selfSigned(tempDir(), "resume", [HOST]);
    upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([tunnel({ id: "resume", hosts: [HOST], upstream: upstream.url })]),
    );
    const start = async (tlsSessions: RuntimeOptions["tlsSessions"]): Promise<number> => {
      const { runtime } = await startTestRuntime([policy], {
        https: { host: "127.0.0.1", port: 0 },
        certificates: [{ hosts: [HOST], certFile: cert.cert, keyFile: cert.key }],
        tlsSessions,
      });
      runtimes.push(runtime);
      return runtime.addresses.https?.port ?? 0;
    };
    ports.a = await start({ ticketKey: FLEET_KEY });
    ports.b = await start({ ticketKey: FLEET_KEY });
    ports.other = await start({ ticketKey: OTHER_KEY });
    ports.off = await start({ tickets: false });
  });

  after(async () => {
    await Promise.all(runtimes.map((r) => r.close()));
    await upstream.close();
  });

  for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
    const pin: ConnectionOptions = { minVersion: version, maxVersion: version };

    it(`${version}: a ticket from one instance resumes on another sharing the key`, async () => {
      const first = await visit(ports.a, null, pin);
      assert.equal(first.reused, false);
      assert.ok(first.session !== null, "instance A issued a ticket");
      const onB = await visit(ports.b, first.session, pin);
      assert.equal(onB.reused, true, "instance B resumed A's session");
      const onA = await visit(ports.a, first.session, pin);
      assert.equal(onA.reused, true, "A resumes its own session too");
    });

    it(`${version}: an instance with another key makes a full handshake`, async () => {
      const first = await visit(ports.a, null, pin);
      assert.ok(first.session !== null);
      const onOther = await visit(ports.other, first.session, pin);
      assert.equal(onOther.reused, false);
    });

    it(`${version}: with tickets off nothing resumes`, async () => {
      const first = await visit(ports.off, null, pin);
      assert.equal(first.reused, false);
      // The client may still hold a session object; offering it must not resume.
      const again = await visit(ports.off, first.session ?? null, pin);
      assert.equal(again.reused, false);
      const fromA = await visit(ports.a, null, pin);
      const offered = await visit(ports.off, fromA.session, pin);
      assert.equal(offered.reused, false);
    });
  }

  it("derives one key per rotation period from the secret, the same on every instance", () => {
    const period = 1234;
    assert.deepEqual(ticketKeyFor(FLEET_KEY, period), ticketKeyFor(FLEET_KEY, period));
    assert.equal(ticketKeyFor(FLEET_KEY, period).length, 48);
    assert.notDeepEqual(ticketKeyFor(FLEET_KEY, period), ticketKeyFor(FLEET_KEY, period + 1));
    assert.notDeepEqual(ticketKeyFor(FLEET_KEY, period), ticketKeyFor(OTHER_KEY, period));
  });

  it("rotates the key of live terminators on the period boundary", async () => {
    // A 200 ms period (the option's minimum is 60 s; the class takes any) on the real clock.
    const periodSeconds = 0.2;
    const period = (): number => Math.floor(Date.now() / (periodSeconds * 1000));
    const tickets = new SessionTickets({
      tickets: true,
      rotationSeconds: periodSeconds,
      ticketKey: FLEET_KEY,
    });
    const server = createTlsServer({ ...tickets.contextOptions() });
    tickets.track(server);
    try {
      const first = period();
      const initial = server.getTicketKeys();
      // The boundary may pass between construction and this read.
      assert.ok(
        initial.equals(ticketKeyFor(FLEET_KEY, first)) ||
          initial.equals(ticketKeyFor(FLEET_KEY, first - 1)),
      );
      // Bounded wait (a loaded machine may run the timer late): a later period's key arrives.
      let rotated = false;
      for (let i = 0; i < 100 && !rotated; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const now = period();
        rotated = now > first && server.getTicketKeys().equals(ticketKeyFor(FLEET_KEY, now));
      }
      assert.ok(rotated, "the terminator's key follows the period");
    } finally {
      tickets.close();
    }
  });

  it("refuses a short ticket secret and an out-of-range rotation with RP6001", () => {
    const base = {
      load: () => Promise.resolve({ value: [], diagnostics: [] }),
      cookieKey: FLEET_KEY,
    };
    for (const tlsSessions of [{ ticketKey: "short" }, { rotationSeconds: 5 }]) {
      const resolved = resolveOptions({ ...base, http: { port: 0 }, tlsSessions });
      assert.equal(resolved.value, undefined);
      assert.ok(resolved.diagnostics.some((d) => d.code === "RP6001"));
    }
  });
});
