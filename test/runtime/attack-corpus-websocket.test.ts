/**
 * The attack corpus on WebSocket handshakes (SPEC §10, S-R16), in clear and over TLS: an upgrade
 * request is read by the same function as any other (the shared target and Host cases), only a
 * `websocket` upgrade is forwarded, the engine's fields survive `Connection`, and a handshake
 * the upstream does not accept never turns the connection into a tunnel for the bytes after it.
 * What the upstream saw is recorded from its `upgrade` and `request` events: nothing, or the
 * canonical target and fields.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { HOST_CASES, TARGET_CASES } from "./helpers/attack-corpus.ts";
import { selfSigned, tempDir } from "./helpers/certs.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { send } from "./helpers/http.ts";
import { head, openRaw, parseReply } from "./helpers/raw.ts";
import type { RawReply, RawTarget } from "./helpers/raw.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const CERT_HOSTS = ["web.test", "*.wild.test"];
const S_D2 = /^\{"error":\{"reason":"[a-z_]+"(,"policy":"[a-z]+")?\}\}$/;

type Fields = readonly (readonly [string, string])[];

/** A WebSocket handshake's fields for `host` (RFC 6455 §4.1). */
const handshakeFields = (host: string): Fields => [
  ["Host", host],
  ["Connection", "Upgrade"],
  ["Upgrade", "websocket"],
  ["Sec-WebSocket-Version", "13"],
  ["Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="],
];

/**
 * Sends `bytes` and resolves with the answer's head (and body, for a refusal) once it arrived:
 * a 101 leaves the connection open, so this does not wait for the close.
 */
function exchange(target: RawTarget, bytes: string, after = ""): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = openRaw(target);
    let data = "";
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseReply(data));
    };
    const timer = setTimeout(done, 5_000);
    socket.on(target.servername === undefined ? "connect" : "secureConnect", () => {
      socket.write(bytes);
      // Bytes a smuggler sends behind the handshake, before any answer.
      if (after.length > 0) socket.write(after);
    });
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString("latin1");
      const reply = parseReply(data);
      const length = Number(reply.headers["content-length"] ?? -1);
      if (reply.status === 101 || (length >= 0 && reply.body.length >= length)) done();
    });
    socket.on("close", done);
    socket.on("error", done);
  });
}

describe("attack corpus: WebSocket handshakes in clear and over TLS (S-R16)", () => {
  let echo: TestUpstream;
  let runtime: RuntimeHandle;
  const ports = { http: 0, https: 0, admin: 0 };
  /** Upgrade requests and ordinary requests the upstream received, as url and headers. */
  const upgrades: { url: string; headers: IncomingHttpHeaders }[] = [];
  const requests: string[] = [];

  before(async () => {
    echo = await startUpstream();
    echo.server.on("upgrade", (req: IncomingMessage) =>
      upgrades.push({ url: req.url ?? "", headers: req.headers }),
    );
    echo.server.on("request", (req: IncomingMessage) => requests.push(req.url ?? ""));
    const cert = selfSigned(tempDir(), "server", CERT_HOSTS);
    const policy = effectivePolicy([
      tunnel({ id: "web", hosts: ["web.test"], upstream: echo.url }),
      tunnel({ id: "wild", hosts: ["*.wild.test"], upstream: echo.url }),
    ]);
    ({ runtime } = await startTestRuntime([compiledPolicy(policy)], {
      https: { host: "127.0.0.1", port: 0 },
      admin: { host: "127.0.0.1", port: 0 },
      certificates: [{ hosts: CERT_HOSTS, certFile: cert.cert, keyFile: cert.key }],
    }));
    ports.http = runtime.addresses.http?.port ?? 0;
    ports.https = runtime.addresses.https?.port ?? 0;
    ports.admin = runtime.addresses.admin?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await echo.close();
  });

  /** The connections `serve` holds open, once they are down to `want` (or after 2 s). */
  const openConnections = async (want: number): Promise<number> => {
    let open = -1;
    for (let i = 0; i < 100 && open !== want; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const text = (await send({ port: ports.admin, host: "admin", path: "/metrics" })).body;
      open = Number(/^rampart_open_connections (\d+)$/m.exec(text)?.[1] ?? -1);
    }
    return open;
  };

  /** What reached the upstream while `run` ran. */
  const observed = async (
    run: () => Promise<RawReply>,
  ): Promise<[RawReply, { url: string; headers: IncomingHttpHeaders }[], string[]]> => {
    const u = upgrades.length;
    const r = requests.length;
    const reply = await run();
    return [reply, upgrades.slice(u), requests.slice(r)];
  };
  const refusedWith = (reply: RawReply, status: number, label: string): void => {
    assert.equal(reply.status, status, `${label}: ${reply.raw.slice(0, 200)}`);
    assert.match(reply.body, S_D2, label);
  };

  for (const scheme of ["http", "https"] as const) {
    const at = (sni: string): RawTarget =>
      scheme === "http" ? { port: ports.http } : { port: ports.https, servername: sni };
    const upgrade = (target: string, fields: Fields, sni = "web.test", after = "") =>
      exchange(at(sni), head(`GET ${target} HTTP/1.1`, fields), after);

    describe(`over ${scheme}`, () => {
      it("S-R2 S-R3 S-R4 S-R16: a handshake's target is refused with 400 or forwarded in its canonical form", async () => {
        for (const c of TARGET_CASES) {
          const label = `${c.rule} GET ${c.target} (upgrade)`;
          const [reply, seen] = await observed(() =>
            upgrade(c.target, handshakeFields("web.test")),
          );
          if (c.forwarded === null) {
            refusedWith(reply, 400, label);
            assert.deepEqual(seen, [], `${label}: no handshake forwarded`);
          } else {
            assert.equal(reply.status, 101, label);
            assert.deepEqual(
              seen.map((s) => s.url),
              [c.forwarded],
              label,
            );
          }
        }
      });

      it("S-R8 S-R16: a handshake's Host is read as any Host is", async () => {
        for (const c of HOST_CASES) {
          const label = `${c.rule} Host ${c.host} (upgrade)`;
          const fields: Fields = [["Host", c.host], ...handshakeFields(c.host).slice(1)];
          const [reply, seen] = await observed(() => upgrade("/ws", fields, c.sni));
          if (c.status === 200) {
            assert.equal(reply.status, 101, label);
            assert.equal(seen[0]?.headers["x-forwarded-host"], c.host, label);
          } else {
            refusedWith(reply, c.status === 404 && scheme === "https" ? 421 : c.status, label);
            assert.deepEqual(seen, [], `${label}: no handshake forwarded`);
          }
        }
      });

      it("S-R16: only `websocket` is an upgrade the edge forwards, never rewritten", async () => {
        const cases: readonly (readonly [string, Fields, 101 | 400])[] = [
          [
            "Upgrade: WebSocket (case)",
            [
              ...handshakeFields("web.test").slice(0, 2),
              ["Upgrade", "WebSocket"],
              ...handshakeFields("web.test").slice(3),
            ],
            101,
          ],
          [
            "Connection: keep-alive, Upgrade",
            [
              ["Host", "web.test"],
              ["Connection", "keep-alive, Upgrade"],
              ...handshakeFields("web.test").slice(2),
            ],
            101,
          ],
          [
            "Upgrade: h2c",
            [
              ["Host", "web.test"],
              ["Connection", "Upgrade, HTTP2-Settings"],
              ["Upgrade", "h2c"],
              ["HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"],
            ],
            400,
          ],
          [
            "Upgrade: websocket, h2c",
            [
              ["Host", "web.test"],
              ["Connection", "Upgrade"],
              ["Upgrade", "websocket, h2c"],
            ],
            400,
          ],
          ["two Upgrade fields", [...handshakeFields("web.test"), ["Upgrade", "h2c"]], 400],
          [
            "Upgrade: websocket/13",
            [
              ["Host", "web.test"],
              ["Connection", "Upgrade"],
              ["Upgrade", "websocket/13"],
            ],
            400,
          ],
          [
            "Upgrade: TLS/1.2",
            [
              ["Host", "web.test"],
              ["Connection", "Upgrade"],
              ["Upgrade", "TLS/1.2"],
            ],
            400,
          ],
          [
            "Upgrade: h2c without Connection",
            [
              ["Host", "web.test"],
              ["Upgrade", "h2c"],
            ],
            400,
          ],
        ];
        for (const [label, fields, status] of cases) {
          const [reply, seen, plain] = await observed(() => upgrade("/ws", fields));
          if (status === 101) {
            assert.equal(reply.status, 101, label);
            assert.equal(seen[0]?.headers.upgrade, "websocket", `${label}: forwarded as websocket`);
          } else {
            refusedWith(reply, 400, label);
            assert.deepEqual([seen, plain], [[], []], `${label}: nothing forwarded`);
          }
        }
        // `Upgrade: websocket` without `Connection: upgrade` is no handshake: an ordinary request,
        // forwarded without the hop-by-hop Upgrade.
        const [reply, seen, plain] = await observed(() =>
          exchange(
            at("web.test"),
            head("GET /plain HTTP/1.1", [
              ["Host", "web.test"],
              ["Upgrade", "websocket"],
              ["Connection", "close"],
            ]),
          ),
        );
        assert.equal(reply.status, 200);
        assert.deepEqual(seen, []);
        assert.deepEqual(plain, ["/plain"]);
        assert.equal(echo.seen.at(-1)?.headers.upgrade, undefined);
      });

      it("S-R17 S-R20: a handshake's stripped fields never reach the upstream; Connection removes none of the engine's", async () => {
        const [reply, seen] = await observed(() =>
          upgrade("/ws", [
            ["Host", "web.test"],
            ["Connection", "Upgrade, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto"],
            ...handshakeFields("web.test").slice(2),
            ["X-Original-URL", "/admin"],
            ["X-Rewrite-URL", "/admin"],
            ["X-HTTP-Method-Override", "DELETE"],
            ["X-Forwarded-For", "10.0.0.1"],
            ["X-Forwarded-Host", "evil.example"],
            ["Forwarded", "for=10.0.0.1"],
            ["X-Real-IP", "10.0.0.1"],
            ["X-Rampart-Subject", "admin"],
          ]),
        );
        assert.equal(reply.status, 101);
        const h = seen[0]?.headers ?? {};
        for (const name of [
          "x-original-url",
          "x-rewrite-url",
          "x-http-method-override",
          "forwarded",
          "x-real-ip",
          "x-rampart-subject",
        ])
          assert.equal(h[name], undefined, name);
        assert.equal(h["x-forwarded-for"], "127.0.0.1");
        assert.equal(h["x-forwarded-host"], "web.test");
        assert.equal(h["x-forwarded-proto"], scheme);
        assert.equal(h["sec-websocket-key"], "dGhlIHNhbXBsZSBub25jZQ==");
      });

      it("S-R16 S-R4: a handshake the upstream refuses is relayed and closed; the bytes behind it never reach the upstream", async () => {
        // The upstream's WebSocket server refuses version 99 (400): no 101, so no tunnel.
        const fields: Fields = [
          ...handshakeFields("web.test").slice(0, 3),
          ["Sec-WebSocket-Version", "99"],
          ["Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="],
        ];
        const smuggled = "GET /admin HTTP/1.1\r\nHost: web.test\r\n\r\n";
        const [reply, seen, plain] = await observed(() =>
          upgrade("/ws", fields, "web.test", smuggled),
        );
        assert.ok(reply.status !== null && reply.status >= 400, `${reply.status}`);
        assert.equal(reply.raw.match(/HTTP\/1\.1 \d{3}/g)?.length, 1, "one answer, then the close");
        assert.deepEqual(
          seen.map((s) => s.url),
          ["/ws"],
        );
        assert.deepEqual(plain, [], "the bytes behind the handshake reached nothing");
      });

      it("a refused handshake with bytes behind it leaves no connection open", async () => {
        // Over TLS these stayed open until shutdown, one per handshake, against the connection
        // cap: the client's close is only seen by reading, and no one read these sockets.
        const behind = "GET /admin HTTP/1.1\r\nHost: web.test\r\n\r\n";
        const refusedBy: readonly (readonly [string, string, Fields, number])[] = [
          [
            "the edge: no such host",
            "/ws",
            handshakeFields("nowhere.test"),
            scheme === "http" ? 404 : 421,
          ],
          ["the edge: a bad target", "/a%2Fb", handshakeFields("web.test"), 400],
          [
            "the upstream",
            "/ws",
            [
              ...handshakeFields("web.test").slice(0, 3),
              ["Sec-WebSocket-Version", "99"],
              ["Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="],
            ],
            // ws refuses a version it does not speak with 400.
            400,
          ],
        ];
        for (const [label, target, fields, status] of refusedBy)
          for (let i = 0; i < 3; i++) {
            const reply = await upgrade(target, fields, "web.test", behind);
            assert.equal(reply.status, status, label);
          }
        assert.equal(await openConnections(0), 0, "every refused connection is closed");
      });
    });
  }
});
