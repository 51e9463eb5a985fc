/**
 * Issue #13, S-R17/S-R19/S-R20 behind a front proxy: with Rampart as forward-auth behind a real
 * nginx, Caddy and HAProxy running the repo's example configs (examples/), a client cannot
 * escape a path- and method-scoped token through an app that honours `X-Original-URL`,
 * `X-Rewrite-URL` and the method-override headers (the framework upstream of issue #13 with
 * every habit at once), and cannot write the original-request headers Rampart reads
 * (X-Original-URI/-Method for nginx and HAProxy, X-Forwarded-Uri/-Method for Caddy, the client
 * address): those come from the proxy only. Envoy cannot be installed here; its documented
 * config is checked by envoy-config.test.ts, which parses it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OutgoingHttpHeaders } from "node:http";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { actionIr, grantIr, grantLeaf } from "../../src/testkit/builders.ts";
import { HOSTS, TOKEN_SECRET } from "../runtime/forward-auth-fixture.ts";
import { startFrameworkUpstream } from "../runtime/helpers/framework-upstream.ts";
import type { FrameworkHit, FrameworkUpstream } from "../runtime/helpers/framework-upstream.ts";
import { send } from "../runtime/helpers/http.ts";
import type { Reply } from "../runtime/helpers/http.ts";
import { startRampartForNginx } from "./nginx-rampart.ts";
import type { RampartForNginx } from "./nginx-rampart.ts";
import { exampleConfig, freePort, startNginx } from "./nginx-harness.ts";
import type { ExampleAddresses } from "./nginx-harness.ts";
import { startCaddy, startHaproxy } from "./front-proxy-harness.ts";

/** A token scoped to GET under /public: what the attacks below try to escape. */
const PUBLIC_GET = grantIr({
  name: "public-reader",
  resources: grantLeaf({
    projects: ["acme"],
    connect: actionIr({ path: { kind: "prefix", values: ["/public"] }, methods: ["GET"] }),
  }),
});

const REWRITES = ["X-Original-URL", "X-Rewrite-URL"];
const OVERRIDES = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

interface Proxy {
  readonly port: number;
  log(): Promise<string>;
  stop(): Promise<void>;
}

const PROXIES: Record<string, (a: ExampleAddresses) => Promise<Proxy>> = {
  nginx: async (a) => {
    const nginx = await startNginx(await exampleConfig(a), a.listenPort);
    return { port: nginx.port, log: () => nginx.errorLog(), stop: () => nginx.stop() };
  },
  caddy: async (a) => {
    const caddy = await startCaddy(a);
    return { port: caddy.port, log: () => Promise.resolve(caddy.log()), stop: () => caddy.stop() };
  },
  haproxy: async (a) => {
    const haproxy = await startHaproxy(a);
    return {
      port: haproxy.port,
      log: () => Promise.resolve(haproxy.log()),
      stop: () => haproxy.stop(),
    };
  },
};

/** The header names an app request carried, lower case. */
function namesOf(hit: FrameworkHit | undefined): string[] {
  return (hit?.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
}

for (const [name, startProxy] of Object.entries(PROXIES)) {
  describe(`${name} in front of Rampart forward-auth: scopes hold through a framework app (S-R17, S-R19, S-R20)`, () => {
    let app: FrameworkUpstream;
    let rampart: RampartForNginx;
    let proxy: Proxy;
    let token: string;

    before(async () => {
      app = await startFrameworkUpstream("all");
      rampart = await startRampartForNginx(app.url);
      const listenPort = await freePort();
      proxy = await startProxy({
        forwardAuthPort: rampart.forwardAuthPort,
        servePort: rampart.servePort,
        appPort: Number(new URL(app.url).port),
        listenPort,
      });
      const minted = await mintToken({
        secret: TOKEN_SECRET,
        grant: PUBLIC_GET,
        subject: "user-1",
        lifetimeSeconds: 600,
        project: "acme",
      });
      token = minted.value ?? "";
      assert.ok(token !== "", JSON.stringify(minted.diagnostics));
    });
    after(async () => {
      await proxy?.stop();
      await rampart?.close();
      await app?.close();
    });

    const ask = (
      path: string,
      headers: OutgoingHttpHeaders = {},
      method = "GET",
      host: string = HOSTS.token,
    ): Promise<Reply> =>
      send({
        port: proxy.port,
        host,
        path,
        method,
        headers: { authorization: `Bearer ${token}`, ...headers },
      });
    /** The app requests made while `run` ran. */
    const hitsDuring = async (run: () => Promise<Reply>): Promise<[Reply, FrameworkHit[]]> => {
      const before = app.hits.length;
      const reply = await run();
      return [reply, app.hits.slice(before)];
    };

    it("the scoped token reaches its own route, and the app never sees the token", async () => {
      const [reply, hits] = await hitsDuring(() =>
        ask("/public/page", { "x-rampart-subject": "admin", "x-rampart-auth-method": "mtls" }),
      );
      assert.equal(reply.status, 200, await proxy.log());
      assert.equal(hits.length, 1);
      assert.equal(hits[0]?.route, "public");
      const raw = hits[0]?.rawHeaders ?? [];
      assert.ok(!raw.some((v) => v.includes(token)), "no edge token upstream");
      assert.ok(!namesOf(hits[0]).includes("authorization"), "the edge Authorization is dropped");
      // The identity headers are Rampart's, never the client's.
      const value = (n: string): string[] =>
        raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === n);
      assert.deepEqual(value("x-rampart-subject"), ["user-1"]);
      assert.deepEqual(value("x-rampart-auth-method"), ["token"]);
    });

    it("S-R20: X-Original-URL and X-Rewrite-URL from the client never reach the app", async () => {
      for (const header of REWRITES) {
        const [reply, hits] = await hitsDuring(() =>
          ask("/public/page", { [header]: "/admin/users" }),
        );
        assert.equal(reply.status, 200, header);
        assert.equal(hits[0]?.route, "public", `${header}: the app stayed on the decided path`);
        assert.ok(!namesOf(hits[0]).includes(header.toLowerCase()), `${header} was stripped`);
      }
    });

    it("S-R17: method-override headers from the client never reach the app", async () => {
      for (const header of OVERRIDES) {
        const [reply, hits] = await hitsDuring(() => ask("/public/page", { [header]: "DELETE" }));
        assert.equal(reply.status, 200, header);
        assert.equal(hits[0]?.effectiveMethod, "GET", `${header}: the app acted on GET`);
        assert.ok(!namesOf(hits[0]).includes(header.toLowerCase()), `${header} was stripped`);
      }
    });

    it("S-R19: the original-request headers Rampart reads come from the proxy, not the client", async () => {
      // Forged targets and methods: Rampart decides what the proxy saw (/admin, DELETE).
      const forged = {
        "x-original-uri": "/public/page",
        "x-original-method": "GET",
        "x-forwarded-uri": "/public/page",
        "x-forwarded-method": "GET",
      };
      for (const [path, method] of [
        ["/admin/users", "GET"],
        ["/public/page", "DELETE"],
      ] as const) {
        const [reply, hits] = await hitsDuring(() => ask(path, forged, method));
        assert.equal(reply.status, 403, `${method} ${path}`);
        assert.equal(hits.length, 0, `${method} ${path} never reached the app`);
      }
      // A forged client address does not open a trusted-IP tunnel (203.0.113.0/24 only).
      const [office, hits] = await hitsDuring(() =>
        ask(
          "/",
          {
            "x-real-ip": "203.0.113.9",
            "x-forwarded-for": "203.0.113.9",
            forwarded: "for=203.0.113.9",
          },
          "GET",
          HOSTS.office,
        ),
      );
      assert.equal(office.status, 403);
      assert.equal(hits.length, 0);
    });
  });
}
