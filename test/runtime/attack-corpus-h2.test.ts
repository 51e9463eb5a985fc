/**
 * The attack corpus on HTTP/2 over TLS (ALPN h2, SPEC §10): the shared target and Host cases as
 * `:path` and `:authority`, then what only HTTP/2 can carry — connection-specific fields,
 * upper-case names, repeated or misplaced pseudo-headers, `te` — written frame by frame
 * (helpers/h2-raw.ts), since Node's client refuses to send them. Each case says what the client
 * gets (the edge's status, or the stream reset that refused it) and what the HTTP/1.1 upstream
 * received: nothing, or exactly the canonical target and fields.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, constants } from "node:http2";
import type {
  ClientHttp2Session,
  OutgoingHttpHeaders,
  SecureClientSessionOptions,
} from "node:http2";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { HOST_CASES, TARGET_CASES } from "./helpers/attack-corpus.ts";
import { certificateAuthority, selfSigned, tempDir } from "./helpers/certs.ts";
import { PROTOCOL_ERROR, h2RawRequest } from "./helpers/h2-raw.ts";
import type { H2RawReply } from "./helpers/h2-raw.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { Echo, TestUpstream } from "./helpers/upstream.ts";

const CERT_HOSTS = ["web.test", "*.wild.test", "other.test", "v13.test", "mtls.test", "down.test"];
const MAX_HEADER_BYTES = 4096;

type Fields = readonly (readonly [string, string])[];

/** A GET's pseudo-headers, in the order a client writes them. */
const get = (path: string, authority = "web.test"): Fields => [
  [":method", "GET"],
  [":scheme", "https"],
  [":path", path],
  [":authority", authority],
];

/** Field lists RFC 9113 §8.2–8.3 calls malformed: the stream is reset, nothing is decided. */
const MALFORMED: readonly (readonly [string, Fields])[] = [
  ["connection", [...get("/x"), ["connection", "close"]]],
  ["keep-alive", [...get("/x"), ["keep-alive", "timeout=5"]]],
  ["proxy-connection", [...get("/x"), ["proxy-connection", "close"]]],
  ["transfer-encoding", [...get("/x"), ["transfer-encoding", "chunked"]]],
  ["upgrade: h2c (S-R16)", [...get("/x"), ["upgrade", "h2c"]]],
  ["upgrade: websocket (S-R16)", [...get("/x"), ["upgrade", "websocket"]]],
  ["te: gzip", [...get("/x"), ["te", "gzip"]]],
  ["te: trailers, gzip", [...get("/x"), ["te", "trailers, gzip"]]],
  ["an upper-case name", [...get("/x"), ["X-Forwarded-Host", "evil.example"]]],
  ["an upper-case Host", [...get("/x"), ["Host", "other.test"]]],
  ["two host fields (S-R1)", [...get("/x"), ["host", "web.test"], ["host", "other.test"]]],
  ["two :path", [...get("/x"), [":path", "/admin"]]],
  ["two :authority", [...get("/x"), [":authority", "other.test"]]],
  [
    "a pseudo-header after a field",
    [
      [":method", "GET"],
      [":scheme", "https"],
      [":authority", "web.test"],
      ["x-a", "1"],
      [":path", "/x"],
    ],
  ],
  [
    "no :path",
    [
      [":method", "GET"],
      [":scheme", "https"],
      [":authority", "web.test"],
    ],
  ],
  [
    "neither :authority nor host",
    [
      [":method", "GET"],
      [":scheme", "https"],
      [":path", "/x"],
    ],
  ],
  [":path without a leading slash (S-R1)", get("a/b")],
  [":path * with GET (S-R1)", get("*")],
  [":path in absolute form (S-R1)", get("https://web.test/x")],
  [":path empty", get("")],
  [":path with a space", get("/a b")],
  [":protocol without extended CONNECT", [...get("/x"), [":protocol", "websocket"]]],
  [":authority with userinfo", get("/x", "evil.example@web.test")],
  ["content-length on a request without body", [...get("/x"), ["content-length", "5"]]],
];

describe("attack corpus: HTTP/2 over TLS (SPEC §10)", () => {
  let echo: TestUpstream;
  let runtime: RuntimeHandle;
  let port: number;

  before(async () => {
    echo = await startUpstream();
    const dir = tempDir();
    const cert = selfSigned(dir, "server", CERT_HOSTS);
    const ca = certificateAuthority(dir, "clients");
    const open = (id: string, host: string, upstream = echo.url) =>
      tunnel({ id, hosts: [host], upstream });
    const policy = effectivePolicy([
      open("web", "web.test"),
      open("wild", "*.wild.test"),
      open("other", "other.test"),
      // Nothing listens on port 9 of loopback (discard): the upstream is unreachable.
      open("down", "down.test", "http://127.0.0.1:9"),
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
      maxHeaderBytes: MAX_HEADER_BYTES,
    }));
    port = runtime.addresses.https?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await echo.close();
  });

  /** What the upstream received while `run` ran. */
  const forwarded = async <T>(run: () => Promise<T>): Promise<[T, Echo[]]> => {
    const before = echo.seen.length;
    const reply = await run();
    return [reply, echo.seen.slice(before)];
  };
  const raw = (fields: Fields, sni = "web.test"): Promise<H2RawReply> =>
    h2RawRequest(port, sni, fields);
  /** Refused before any decision: the edge's `status`, or nghttp2's reset of a malformed stream. */
  const refusedOrReset = (reply: H2RawReply, status: number, label: string): void => {
    assert.ok(
      reply.status === status || (reply.status === null && reply.refusedWith === PROTOCOL_ERROR),
      `${label}: ${JSON.stringify(reply)}`,
    );
  };

  it("control: a plain request is forwarded, its frames read as sent", async () => {
    const [reply, seen] = await forwarded(() => raw(get("/x?y=1")));
    assert.deepEqual(reply, { status: 200, refusedWith: null });
    assert.deepEqual(
      seen.map((s) => [s.method, s.url, s.headers["x-forwarded-host"]]),
      [["GET", "/x?y=1", "web.test"]],
    );
  });

  it("S-R2 S-R3 S-R4: each :path is refused with 400 or forwarded as its canonical form", async () => {
    for (const c of TARGET_CASES) {
      const label = `${c.rule} :path ${c.target}`;
      const [reply, seen] = await forwarded(() => raw(get(c.target)));
      if (c.forwarded === null) {
        assert.equal(reply.status, 400, label);
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

  it("S-R8 S-R9: each :authority is routed as a Host is, and one naming another tunnel than SNI is 421", async () => {
    for (const c of HOST_CASES) {
      const label = `${c.rule} :authority ${c.host}`;
      const [reply, seen] = await forwarded(() => raw(get("/h", c.host), c.sni));
      if (c.status === 200) {
        assert.equal(reply.status, 200, label);
        assert.equal(seen[0]?.headers["x-forwarded-host"], c.host, label);
      } else refusedOrReset(reply, c.status === 404 ? 421 : 400, label);
      if (c.status !== 200) assert.deepEqual(seen, [], `${label}: nothing forwarded`);
    }
  });

  it("RFC 9113 §8.2–8.3: connection-specific fields, upper-case names, repeated or misplaced pseudo-headers reset the stream", async () => {
    for (const [label, fields] of MALFORMED) {
      const [reply, seen] = await forwarded(() => raw(fields));
      refusedOrReset(reply, 400, label);
      assert.deepEqual(seen, [], `${label}: nothing forwarded`);
    }
  });

  it("S-R1: :authority and a host field that disagree are 400; a host field alone is the authority", async () => {
    const [mismatch, none] = await forwarded(() => raw([...get("/x"), ["host", "other.test"]]));
    assert.equal(mismatch.status, 400);
    assert.deepEqual(none, []);
    const hostOnly: Fields = [
      [":method", "GET"],
      [":scheme", "https"],
      [":path", "/x"],
      ["host", "web.test"],
    ];
    const [ok, seen] = await forwarded(() => raw(hostOnly));
    assert.equal(ok.status, 200);
    assert.equal(seen[0]?.headers["x-forwarded-host"], "web.test");
    const [bad, nothing] = await forwarded(() => raw([...get("/x"), [":scheme", "http"]]));
    refusedOrReset(bad, 400, "a second :scheme");
    assert.deepEqual(nothing, []);
  });

  it("S-R18: a DATA frame longer than content-length (H2.CL) never reaches the upstream as a request of its own", async () => {
    const smuggled = "GET /smuggled HTTP/1.1\r\nHost: web.test\r\n\r\n";
    for (const length of ["0", "4"]) {
      const label = `content-length: ${length}`;
      const post: Fields = [
        [":method", "POST"],
        [":scheme", "https"],
        [":path", "/cl"],
        [":authority", "web.test"],
        ["content-length", length],
      ];
      const arrived: string[] = [];
      const onArrival = (req: { url?: string }): void => void arrived.push(req.url ?? "");
      echo.server.on("request", onArrival);
      try {
        const [reply, seen] = await forwarded(() => h2RawRequest(port, "web.test", post, smuggled));
        // nghttp2 resets the stream on the mismatch; the upstream may have the head already.
        assert.ok(
          reply.status === null || reply.status === 200,
          `${label}: ${JSON.stringify(reply)}`,
        );
        assert.ok(
          arrived.every((url) => url === "/cl"),
          `${label}: ${JSON.stringify(arrived)}`,
        );
        assert.ok(
          seen.every((s) => s.url === "/cl" && s.body.length <= Number(length)),
          `${label}: ${JSON.stringify(seen)}`,
        );
      } finally {
        echo.server.off("request", onArrival);
      }
    }
  });

  it("S-R20: te: trailers is admitted and, hop-by-hop, never forwarded", async () => {
    const [reply, seen] = await forwarded(() => raw([...get("/t"), ["te", "trailers"]]));
    assert.equal(reply.status, 200);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.headers["te"], undefined);
  });

  it("S-R20: a field name or value HTTP/1.1 could not carry never reaches the upstream (no CRLF injection into the downgrade)", async () => {
    const cases: readonly (readonly [string, string])[] = [
      ["x a", "1"],
      ["x:a", "1"],
      ["x-a\r\nx-rampart-subject", "admin"],
      ["x-a", "1\r\nx-rampart-subject: admin"],
      ["x-a", "1\r\nContent-Length: 0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: web.test"],
      ["x-a", "1\0"],
    ];
    for (const [name, value] of cases) {
      const label = JSON.stringify([name, value]);
      const [reply, seen] = await forwarded(() => raw([...get("/f"), [name, value]]));
      // nghttp2 drops a field it cannot accept (RFC 9113 would reset the stream): either way
      // the upstream gets the request without it, and nothing the value would inject.
      if (reply.status === null) refusedOrReset(reply, 400, label);
      else {
        assert.equal(reply.status, 200, label);
        assert.deepEqual(
          seen.map((s) => s.url),
          ["/f"],
          label,
        );
        const names = Object.keys(seen[0]?.headers ?? {});
        assert.deepEqual(
          names.filter((n) => n.startsWith("x-") && !n.startsWith("x-forwarded-")),
          [],
          label,
        );
      }
      assert.ok(!seen.some((s) => s.url === "/smuggled"), label);
    }
  });

  it("S-R17 S-R20: rewrite, override, identity and forwarding fields are stripped; the engine's are its own", async () => {
    const [reply, seen] = await forwarded(() =>
      raw([
        ...get("/p"),
        ["x-original-url", "/admin"],
        ["x-rewrite-url", "/admin"],
        ["x-http-method-override", "DELETE"],
        ["x-http-method", "DELETE"],
        ["x-method-override", "DELETE"],
        ["x-forwarded-for", "10.0.0.1"],
        ["x-forwarded-host", "evil.example"],
        ["x-forwarded-proto", "http"],
        ["forwarded", "for=10.0.0.1"],
        ["x-real-ip", "10.0.0.1"],
        ["x-rampart-subject", "admin"],
      ]),
    );
    assert.equal(reply.status, 200);
    const h = seen[0]?.headers ?? {};
    for (const name of [
      "x-original-url",
      "x-rewrite-url",
      "x-http-method-override",
      "x-http-method",
      "x-method-override",
      "forwarded",
      "x-real-ip",
      "x-rampart-subject",
    ])
      assert.equal(h[name], undefined, name);
    assert.equal(h["x-forwarded-for"], "127.0.0.1");
    assert.equal(h["x-forwarded-host"], "web.test");
    assert.equal(h["x-forwarded-proto"], "https");
    assert.equal(seen[0]?.method, "GET");
  });

  it("S-R18: too many fields, or a header list or :path over the limit, is 431", async () => {
    const many: (readonly [string, string])[] = [...get("/m")];
    for (let i = 0; i < 101; i++) many.push([`x-f${i}`, "1"]);
    const big: Fields = [...get("/b"), ["x-big", "a".repeat(MAX_HEADER_BYTES)]];
    for (const [label, fields, status] of [
      ["101 fields", many, 431],
      ["a header list over maxHeaderBytes", big, 431],
      // Over HTTP/2 the target is a field of the list: the list's limit (here under the 8192 of
      // a target, S-R18's 414) refuses it first.
      ["a :path over the header list limit", get(`/${"a".repeat(MAX_HEADER_BYTES)}`), 431],
    ] as const) {
      const [reply, seen] = await forwarded(() => raw(fields));
      // nghttp2 may refuse a list over its SETTINGS_MAX_HEADER_LIST_SIZE itself.
      if (reply.status === null) assert.notEqual(reply.refusedWith, null, label);
      else assert.equal(reply.status, status, label);
      assert.deepEqual(seen, [], label);
    }
  });

  it("S-R9: a stream naming a tunnel whose handshake this connection did not meet is 421", async () => {
    const cases: readonly (readonly [string, string, SecureClientSessionOptions])[] = [
      ["web.test", "mtls.test", {}],
      ["a.wild.test", "mtls.test", {}],
      ["web.test", "v13.test", { maxVersion: "TLSv1.2" }],
      ["web.test", "other.test", {}],
    ];
    for (const [sni, authority, options] of cases) {
      const label = `SNI ${sni}, :authority ${authority}`;
      const session = connect(`https://127.0.0.1:${port}`, {
        servername: sni,
        rejectUnauthorized: false,
        ...options,
      });
      try {
        const [reply, seen] = await forwarded(() =>
          request(session, { ":path": "/", ":authority": authority }),
        );
        assert.equal(reply.status, 421, label);
        assert.equal(reply.body, '{"error":{"reason":"misdirected_request"}}', label);
        assert.deepEqual(seen, [], label);
      } finally {
        session.close();
      }
    }
  });

  it("a body with Content-Length that never arrives whole (upstream down, or the client cancels) leaves the edge serving", async () => {
    // Both used to throw out of an event listener (a read-only `socket` on the HTTP/2
    // request) and end the process.
    const down = connect(`https://127.0.0.1:${port}`, {
      servername: "down.test",
      rejectUnauthorized: false,
    });
    try {
      const reply = await request(
        down,
        { ":method": "POST", ":path": "/up", ":authority": "down.test", "content-length": "10" },
        "ab",
      );
      assert.equal(reply.status, 502);
      assert.equal(reply.body, '{"error":{"reason":"unreachable"}}');
    } finally {
      down.close();
    }
    const session = connect(`https://127.0.0.1:${port}`, {
      servername: "web.test",
      rejectUnauthorized: false,
    });
    try {
      const stream = session.request(
        {
          ":method": "POST",
          ":path": "/cancelled",
          ":authority": "web.test",
          "content-length": "10",
        },
        { endStream: false },
      );
      stream.on("error", () => undefined);
      // Cancel once the request is being forwarded, its body still owed.
      const arrived = once(echo.server, "request");
      stream.write("ab");
      await arrived;
      await new Promise<void>((resolve) => stream.close(constants.NGHTTP2_CANCEL, resolve));
      const next = await request(session, { ":path": "/after", ":authority": "web.test" });
      assert.equal(next.status, 200, "the edge still answers");
    } finally {
      session.close();
    }
  });
});

/** One request on `session`; resolves with the status and body. */
function request(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers, { endStream: body === undefined });
    let status = 0;
    let data = "";
    req.on("response", (h) => (status = Number(h[":status"])));
    req.on("data", (d: Buffer) => (data += d.toString()));
    req.on("close", () => resolve({ status, body: data }));
    req.on("error", reject);
    if (body !== undefined) req.write(body);
  });
}
