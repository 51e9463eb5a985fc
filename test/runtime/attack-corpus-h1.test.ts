/**
 * The attack corpus on HTTP/1.1, in clear and over TLS (SPEC §10): raw bytes against a running
 * `serve`, and what the echo upstream then received — nothing, or exactly the canonical target
 * and fields. The target and Host cases are shared with the other front doors
 * (helpers/attack-corpus.ts); the rest are HTTP/1.1's own: framing (request smuggling),
 * absolute form, field spellings, and SNI against Host.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { HOST_CASES, TARGET_CASES } from "./helpers/attack-corpus.ts";
import { certificateAuthority, selfSigned, tempDir } from "./helpers/certs.ts";
import { compiledPolicy, effectivePolicy, tunnel, withTrustedIps } from "./helpers/policy.ts";
import { connect as tlsConnect } from "node:tls";
import { head, parseReply, rawRequest } from "./helpers/raw.ts";
import type { RawReply, RawTarget } from "./helpers/raw.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { Echo, TestUpstream } from "./helpers/upstream.ts";

const S_D2 = /^\{"error":\{"reason":"[a-z_]+"(,"policy":"[a-z]+")?\}\}$/;
const CERT_HOSTS = ["web.test", "*.wild.test", "other.test", "v13.test", "mtls.test"];

type Fields = readonly (readonly [string, string])[];

/**
 * Request heads the strict parser must refuse (S-R18): the classic desync spellings. Each is
 * followed by a second request the smuggler hopes the edge or the upstream reads separately.
 */
const SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: web.test\r\n\r\n";
const FRAMING_CASES: readonly (readonly [string, string])[] = [
  ["CL.TE", "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
  ["TE.CL", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"],
  ["TE xchunked", "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"],
  ["TE chunked, gzip", "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"],
  ["TE identity + CL", "Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"],
  ["TE twice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
  ["TE with a space before the colon", "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"],
  ["TE folded", "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n"],
  ["two Content-Lengths", "Content-Length: 5\r\nContent-Length: 0\r\n\r\n"],
  ["two equal Content-Lengths", "Content-Length: 0\r\nContent-Length: 0\r\n\r\n"],
  ["a Content-Length list", "Content-Length: 0, 5\r\n\r\n"],
  ["a signed Content-Length", "Content-Length: +0\r\n\r\n"],
  ["a chunk size with a space", "Transfer-Encoding: chunked\r\n\r\n0 \r\n\r\n"],
  ["bare LF chunk lines", "Transfer-Encoding: chunked\r\n\r\n0\n\n"],
  ["obs-fold", "X-A: a\r\n b\r\n\r\n"],
  ["a space in a field name", "X A: a\r\n\r\n"],
  ["a NUL in a value", "X-A: a\0b\r\n\r\n"],
  ["a bare CR in a value", "X-A: a\rb\r\n\r\n"],
];

describe("attack corpus: HTTP/1.1 in clear and over TLS (SPEC §10)", () => {
  let echo: TestUpstream;
  let runtime: RuntimeHandle;
  const ports = { http: 0, https: 0 };

  before(async () => {
    echo = await startUpstream();
    const dir = tempDir();
    const cert = selfSigned(dir, "server", CERT_HOSTS);
    const ca = certificateAuthority(dir, "clients");
    const open = (id: string, host: string) => tunnel({ id, hosts: [host], upstream: echo.url });
    const policy = effectivePolicy([
      open("web", "web.test"),
      open("wild", "*.wild.test"),
      open("other", "other.test"),
      {
        ...open("v13", "v13.test"),
        tls: { ...open("v13", "v13.test").tls, storedMin: "1.3", runtimeMin: "1.3" },
      },
      {
        ...open("mtls", "mtls.test"),
        auth: { ...open("mtls", "mtls.test").auth, mtls: { ca: ca.cert } },
      },
    ]);
    ({ runtime } = await startTestRuntime([compiledPolicy(policy)], {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [{ hosts: CERT_HOSTS, certFile: cert.cert, keyFile: cert.key }],
    }));
    ports.http = runtime.addresses.http?.port ?? 0;
    ports.https = runtime.addresses.https?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await echo.close();
  });

  /** What the upstream received while `run` ran: nothing, or the one request forwarded. */
  const forwarded = async (run: () => Promise<RawReply>): Promise<[RawReply, Echo[]]> => {
    const before = echo.seen.length;
    const reply = await run();
    return [reply, echo.seen.slice(before)];
  };
  const refusedWith = (reply: RawReply, status: number, label: string): void => {
    assert.equal(reply.status, status, `${label}: ${reply.raw.slice(0, 200)}`);
    assert.match(reply.body, S_D2, label);
  };

  for (const scheme of ["http", "https"] as const) {
    const at = (sni: string): RawTarget =>
      scheme === "http" ? { port: ports.http } : { port: ports.https, servername: sni };
    const ask = (line: string, fields: Fields, sni = "web.test"): Promise<RawReply> =>
      rawRequest(at(sni), head(line, [...fields, ["Connection", "close"]]));

    describe(`over ${scheme}`, () => {
      it("S-R2 S-R3 S-R4: each target is refused with 400 or forwarded as its canonical form", async () => {
        for (const c of TARGET_CASES) {
          const label = `${c.rule} ${c.target}`;
          const [reply, seen] = await forwarded(() =>
            ask(`GET ${c.target} HTTP/1.1`, [["Host", "web.test"]]),
          );
          if (c.forwarded === null) {
            refusedWith(reply, 400, label);
            assert.deepEqual(seen, [], `${label}: nothing forwarded`);
          } else {
            assert.equal(reply.status, 200, label);
            assert.deepEqual(
              seen.map((s) => s.url),
              [c.forwarded],
              label,
            );
          }
        }
      });

      it("S-R8: a Host is routed only when it is a host and a numeric port, lower-cased, one trailing dot off", async () => {
        for (const c of HOST_CASES) {
          const label = `${c.rule} Host: ${c.host}`;
          const [reply, seen] = await forwarded(() =>
            ask("GET /h HTTP/1.1", [["Host", c.host]], c.sni),
          );
          if (c.status === 200) {
            assert.equal(reply.status, 200, label);
            assert.equal(seen.length, 1, label);
            assert.equal(seen[0]?.headers["x-forwarded-host"], c.host, label);
            continue;
          }
          // Over TLS, a Host that is no tunnel's while SNI names one is misdirected (S-R8, S-R9).
          const status = c.status === 404 && scheme === "https" ? 421 : c.status;
          refusedWith(reply, status, label);
          assert.deepEqual(seen, [], `${label}: nothing forwarded`);
        }
      });

      it("S-R1: absolute form is forwarded in origin form only when its authority is the Host", async () => {
        const cases: readonly (readonly [string, string, string | null])[] = [
          ["http://web.test/a/./b?x=1", "web.test", "/a/b?x=1"],
          ["HTTP://WEB.TEST/x", "web.test", "/x"],
          ["http://web.test?x=1", "web.test", "/?x=1"],
          ["http://web.test:8080/x", "web.test:8080", "/x"],
          ["http://other.test/x", "web.test", null],
          ["http://web.test:80/x", "web.test", null],
          ["http://web.test/x", "web.test.", null],
          ["http://evil.example@web.test/x", "web.test", null],
          ["http://web.test@evil.example/x", "web.test", null],
          ["http://web.test#@evil.example/x", "web.test", null],
          ["ftp://web.test/x", "web.test", null],
          ["web.test/x", "web.test", null],
          ["http:/web.test/x", "web.test", null],
          ["*", "web.test", null],
        ];
        for (const [target, host, want] of cases) {
          const label = `GET ${target} with Host ${host}`;
          const [reply, seen] = await forwarded(() =>
            ask(`GET ${target} HTTP/1.1`, [["Host", host]]),
          );
          if (want === null) {
            refusedWith(reply, 400, label);
            assert.deepEqual(seen, [], label);
          } else {
            assert.equal(reply.status, 200, label);
            assert.deepEqual(
              seen.map((s) => s.url),
              [want],
              label,
            );
          }
        }
      });

      it("S-R18: every request-smuggling framing is refused once, the connection closed, nothing forwarded", async () => {
        // Heads that reached the upstream, even of a request whose body never ended.
        const arrived: string[] = [];
        const onArrival = (req: IncomingMessage): void => void arrived.push(req.url ?? "");
        echo.server.on("request", onArrival);
        try {
          for (const method of ["POST", "GET"])
            for (const [name, rest] of FRAMING_CASES) {
              const label = `${method} ${name}`;
              const bytes = `${method} /framed HTTP/1.1\r\nHost: web.test\r\n${rest}${SMUGGLED}`;
              const [reply, seen] = await forwarded(() => rawRequest(at("web.test"), bytes));
              refusedWith(reply, 400, label);
              assert.equal(reply.raw.match(/HTTP\/1\.1 \d{3}/g)?.length, 1, `${label}: one answer`);
              assert.deepEqual(seen, [], `${label}: neither request forwarded`);
              assert.deepEqual(arrived, [], `${label}: no head reached the upstream`);
            }
        } finally {
          echo.server.off("request", onArrival);
        }
        // The control: well-framed, the second request on the connection is read as a request
        // of its own, decided and forwarded on its own.
        const [reply, seen] = await forwarded(() =>
          rawRequest(
            at("web.test"),
            "POST /framed HTTP/1.1\r\nHost: web.test\r\nContent-Length: 2\r\n\r\nok" +
              "GET /next HTTP/1.1\r\nHost: web.test\r\nConnection: close\r\n\r\n",
          ),
        );
        assert.equal(reply.status, 200);
        assert.deepEqual(
          seen.map((s) => [s.method, s.url, s.body]),
          [
            ["POST", "/framed", "ok"],
            ["GET", "/next", ""],
          ],
        );
      });

      it("S-R17 S-R20: stripped fields in any spelling never reach the upstream, and Connection removes none of the engine's", async () => {
        const [reply, seen] = await forwarded(() =>
          ask("GET /p HTTP/1.1", [
            ["Host", "web.test"],
            ["X-ORIGINAL-URL", "/admin"],
            ["x-rewrite-url", "/admin"],
            ["X-Http-Method-Override", "DELETE"],
            ["x-http-method", "DELETE"],
            ["X-METHOD-OVERRIDE", "DELETE"],
            ["X-Forwarded-For", "10.0.0.1"],
            ["x-forwarded-HOST", "evil.example"],
            ["X-Forwarded-Proto", "https"],
            ["X-Forwarded-Uri", "/admin"],
            ["FORWARDED", "for=10.0.0.1;host=evil.example"],
            ["X-Real-Ip", "10.0.0.1"],
            ["X-Rampart-Subject", "admin"],
            ["X-Envoy-Original-Path", "/admin"],
            ["Connection", "keep-alive, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto"],
          ]),
        );
        assert.equal(reply.status, 200);
        assert.equal(seen.length, 1);
        const h = seen[0]?.headers ?? {};
        for (const name of [
          "x-original-url",
          "x-rewrite-url",
          "x-http-method-override",
          "x-http-method",
          "x-method-override",
          "x-forwarded-uri",
          "forwarded",
          "x-real-ip",
          "x-rampart-subject",
          "x-envoy-original-path",
        ])
          assert.equal(h[name], undefined, name);
        // The engine's own, from the connection (the peer is not a trusted proxy, S-R7).
        assert.equal(h["x-forwarded-for"], "127.0.0.1");
        assert.equal(h["x-forwarded-host"], "web.test");
        assert.equal(h["x-forwarded-proto"], scheme);
        assert.equal(seen[0]?.method, "GET");
        // `Connection` naming Host takes the Host away before policy: nothing to route by.
        const [noHost, none] = await forwarded(() =>
          ask("GET /p HTTP/1.1", [
            ["Host", "web.test"],
            ["Connection", "Host"],
          ]),
        );
        refusedWith(noHost, 400, "Connection: Host");
        assert.deepEqual(none, []);
      });

      if (scheme === "https") {
        it("S-R9: a session resumed from a sibling's ticket never reaches a tunnel that needs mTLS", async () => {
          // Every tunnel's terminator seals tickets with the same key: a ticket from web.test
          // (no client certificate) offered with the SNI of mtls.test must not stand in for one.
          for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
            const first = await visit(ports.https, "web.test", null, version);
            assert.equal(first.status, 200, version);
            assert.ok(first.session !== null, `${version}: a ticket to resume with`);
            const again = await visit(ports.https, "web.test", first.session, version);
            assert.deepEqual([again.reused, again.status], [true, 200], `${version}: it resumes`);
            const [cross, seen] = await forwarded(async () => {
              const v = await visit(ports.https, "mtls.test", first.session, version);
              return { status: v.status, headers: {}, body: "", raw: "" };
            });
            assert.equal(cross.status, null, `${version}: no answer on mtls.test`);
            assert.deepEqual(seen, [], `${version}: nothing forwarded`);
          }
        });

        it("S-R9: a Host naming another tunnel than SNI is 421, including a tunnel whose handshake the connection did not meet", async () => {
          const cases: readonly (readonly [string, string])[] = [
            ["web.test", "other.test"],
            // mTLS: this connection presented no certificate (web.test asks for none).
            ["web.test", "mtls.test"],
            ["a.wild.test", "mtls.test"],
            // TLS 1.3 minimum: the connection to web.test negotiated TLS 1.2.
            ["web.test", "v13.test"],
            ["a.wild.test", "b.wild.test"],
            ["other.test", "web.test"],
          ];
          for (const [sni, host] of cases) {
            const label = `SNI ${sni}, Host ${host}`;
            const [reply, seen] = await forwarded(() =>
              rawRequest(
                { port: ports.https, servername: sni },
                head("GET / HTTP/1.1", [
                  ["Host", host],
                  ["Connection", "close"],
                ]),
              ),
            );
            refusedWith(reply, 421, label);
            assert.deepEqual(seen, [], label);
          }
        });
      }
    });
  }
});

describe("attack corpus: X-Forwarded-For behind a trusted proxy (S-R6, S-R7)", () => {
  let echo: TestUpstream;
  let runtime: RuntimeHandle;
  let port: number;

  before(async () => {
    echo = await startUpstream();
    // The internal network may enter; the proxy on 127.0.0.1 says who the client is.
    const policy = effectivePolicy([
      withTrustedIps(tunnel({ id: "office", hosts: ["office.test"], upstream: echo.url }), [
        "127.0.0.0/8",
      ]),
    ]);
    ({ runtime } = await startTestRuntime([compiledPolicy(policy)], {
      http: { host: "::", port: 0 },
      trustedProxies: ["127.0.0.1"],
    }));
    port = runtime.addresses.http?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await echo.close();
  });

  /** The status for one request from the proxy (IPv4 loopback, seen as `::ffff:127.0.0.1`). */
  const via = async (lines: readonly string[], host = "127.0.0.1"): Promise<number | null> => {
    const fields: [string, string][] = [["Host", "office.test"]];
    for (const line of lines) fields.push(["X-Forwarded-For", line]);
    fields.push(["Connection", "close"]);
    const reply = await rawRequest({ port, host }, head("GET / HTTP/1.1", fields));
    return reply.status;
  };

  it("S-R6: the IPv4-mapped peer is the trusted proxy; an IPv6 peer is not", async () => {
    assert.equal(await via([]), 200, "the proxy itself, on the internal network");
    assert.equal(await via(["127.0.0.5"]), 200);
    // From ::1 the header is the client's own: not believed, and ::1 is not 127.0.0.0/8.
    assert.equal(await via(["127.0.0.5"], "::1"), 403);
  });

  it("S-R7: right to left over every field line, fail closed on a malformed hop", async () => {
    const cases: readonly (readonly [readonly string[], number, string])[] = [
      [["6.6.6.6"], 403, "an outside client"],
      [["6.6.6.6, 127.0.0.5"], 200, "the right-most untrusted hop is the client"],
      [["127.0.0.5, 6.6.6.6"], 403, "a client cannot prepend an inside address"],
      [["6.6.6.6", "127.0.0.5"], 200, "two field lines read as one list"],
      [["127.0.0.5", "6.6.6.6"], 403, "the last field line is the nearest hop"],
      [[" 127.0.0.5 , 127.0.0.1"], 200, "spaces and trusted hops skipped"],
      [["::ffff:127.0.0.5"], 200, "IPv4-mapped is IPv4"],
      [["::127.0.0.5"], 403, "IPv4-compatible is IPv6"],
      [["127.0.0.5%eth0"], 200, "a zone id is stripped"],
      [["6.6.6.6, garbage"], 403, "a malformed hop is an address no rule admits"],
      [["127.0.0.5:443"], 403, "a port makes a hop malformed"],
      [["0127.0.0.5"], 403, "leading zeros make a hop malformed"],
      [["6.6.6.6, "], 403, "an empty hop is malformed, not the proxy"],
      [["6.6.6.6,,127.0.0.1"], 403, "an empty hop between hops too"],
      [["6.6.6.6", ""], 403, "an empty field line"],
    ];
    for (const [lines, status, label] of cases)
      assert.equal(await via(lines), status, `${label}: ${JSON.stringify(lines)}`);
  });
});

/** One GET on a fresh TLS connection to `sni` (Host the same), offering `session` to resume. */
function visit(
  port: number,
  sni: string,
  session: Buffer | null,
  maxVersion: "TLSv1.2" | "TLSv1.3",
): Promise<{ status: number | null; reused: boolean; session: Buffer | null }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: "127.0.0.1",
      port,
      servername: sni,
      rejectUnauthorized: false,
      maxVersion,
      ...(session === null ? {} : { session }),
    });
    let data = "";
    let reused = false;
    let ticket: Buffer | null = null;
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on("session", (s: Buffer) => (ticket = s));
    socket.on("secureConnect", () => {
      reused = socket.isSessionReused();
      socket.write(`GET / HTTP/1.1\r\nHost: ${sni}\r\nConnection: close\r\n\r\n`);
    });
    socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ status: parseReply(data).status, reused, session: ticket });
    });
  });
}
