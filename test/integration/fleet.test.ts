/**
 * A fleet (issue #17, S-M1, S-M2): three `rampart serve` processes behind nginx round robin,
 * one redis-server, signed bundles pulled from `rampart bundle serve` — all started here, on
 * loopback. Cross-instance checks address the instances directly; load goes through nginx and
 * every answer is counted.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { SESSION_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { RESYNC_MS } from "../../src/runtime/state-store/redis-store.ts";
import { send } from "../runtime/helpers/http.ts";
import type { Reply } from "../runtime/helpers/http.ts";
import { startUpstream } from "../runtime/helpers/upstream.ts";
import type { TestUpstream } from "../runtime/helpers/upstream.ts";
import { challengeInPage, solve, verifySubmission } from "../runtime/helpers/challenge.ts";
import { API_GRANT, HOSTS } from "../runtime/forward-auth-fixture.ts";
import {
  FLEET_COOKIE_KEY,
  FLEET_TOKEN_SECRET,
  POLL_SECONDS,
  startFleet,
  waitFor,
} from "./fleet-harness.ts";
import type { Fleet } from "./fleet-harness.ts";

const BIN = join(import.meta.dirname, "../../src/cli/bin.js");
const NEW_HOST = "new.example.test";
/** Revocations and logouts must reach every instance within this (pub/sub; the re-read bounds it). */
const STALENESS_BOUND_MS = RESYNC_MS;

async function apiToken(subject: string): Promise<string> {
  const minted = await mintToken({
    secret: FLEET_TOKEN_SECRET,
    grant: API_GRANT,
    subject,
    lifetimeSeconds: 600,
  });
  assert.ok(minted.value, JSON.stringify(minted.diagnostics));
  return minted.value;
}

function sessionCookie(userId: string): string {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const user = { userId, name: null, email: null, image: null, groups: [] };
  const value = signCookie(
    { kind: "session", host: HOSTS.portal, exp, sid: randomUUID(), user },
    FLEET_COOKIE_KEY,
  );
  return `${SESSION_COOKIE}=${value}`;
}

const tokenGet = (port: number, token: string): Promise<Reply> =>
  send({
    port,
    host: HOSTS.token,
    path: "/api/items",
    headers: { authorization: `Bearer ${token}` },
  });
const portalGet = (port: number, cookie: string): Promise<Reply> =>
  send({ port, host: HOSTS.portal, path: "/home", headers: { cookie } });
const officeGet = (port: number): Promise<Reply> =>
  send({ port, host: HOSTS.office, path: "/desk", headers: { "x-forwarded-for": "203.0.113.7" } });

/** Runs the CLI to completion; resolves with its exit code and output. */
function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

/** Counted answers of one kind of request. */
interface Tally {
  ok: number;
  refused: Map<number, number>;
  errors: number;
}

/** Closed-loop load through nginx: `workers` loops per kind until stopped. */
function startLoad(port: number, kinds: Record<string, () => Promise<Reply>>, workers = 2) {
  const tallies = new Map<string, Tally>();
  let running = true;
  const loops = Object.entries(kinds).flatMap(([kind, request]) => {
    const tally: Tally = { ok: 0, refused: new Map(), errors: 0 };
    tallies.set(kind, tally);
    return Array.from({ length: workers }, async () => {
      while (running) {
        try {
          const r = await request();
          if (r.status === 200) tally.ok++;
          else tally.refused.set(r.status, (tally.refused.get(r.status) ?? 0) + 1);
        } catch {
          tally.errors++;
        }
      }
    });
  });
  return {
    tallies,
    async stop(): Promise<Map<string, Tally>> {
      running = false;
      await Promise.all(loops);
      return tallies;
    },
  };
}

function failures(t: Tally | undefined): number {
  assert.ok(t !== undefined);
  return t.errors + [...t.refused.values()].reduce((a, b) => a + b, 0);
}

describe(
  "a fleet: three instances behind nginx, shared state in Redis, signed bundles (issue #17)",
  { timeout: 150_000 },
  () => {
    let upstream: TestUpstream;
    let fleet: Fleet;
    let ports: number[];
    let loggedOut: string;

    before(async () => {
      upstream = await startUpstream();
      fleet = await startFleet(3, upstream.url);
      ports = fleet.instances.map((i) => i.port);
    });

    after(async () => {
      await fleet?.stop();
      await upstream?.close();
    });

    it("S-M2 logout on one instance: the copied cookie is refused on the others", async () => {
      loggedOut = sessionCookie("ada");
      for (const port of ports) assert.equal((await portalGet(port, loggedOut)).status, 200);
      const logout = await send({
        port: ports[0] as number,
        host: HOSTS.portal,
        path: "/.well-known/rstream/logout",
        method: "POST",
        headers: { cookie: loggedOut },
      });
      assert.equal(logout.status, 204);
      assert.match(String(logout.headers["set-cookie"]), /rampart_session=;/);
      await waitFor(async () => {
        const replies = await Promise.all(ports.map((port) => portalGet(port, loggedOut)));
        return replies.every((r) => r.status !== 200);
      }, STALENESS_BOUND_MS);
      // Another user's session is untouched.
      const other = sessionCookie("grace");
      for (const port of ports) assert.equal((await portalGet(port, other)).status, 200);
    });

    it("S-M2, S-R10 logout behind a tossed cookie still revokes the session on every instance", async () => {
      const real = sessionCookie("lin");
      const tossed = `${SESSION_COOKIE}=tossed-by-a-sibling-host`;
      for (const port of ports) assert.equal((await portalGet(port, real)).status, 200);
      const logout = await send({
        port: ports[1] as number,
        host: HOSTS.portal,
        path: "/.well-known/rstream/logout",
        method: "POST",
        headers: { cookie: `${tossed}; ${real}` },
      });
      assert.equal(logout.status, 204);
      await waitFor(async () => {
        const replies = await Promise.all(ports.map((port) => portalGet(port, real)));
        return replies.every((r) => r.status !== 200);
      }, STALENESS_BOUND_MS);
    });

    it("S-M1 a challenge proof redeemed on one instance is refused on another", async () => {
      const [first, second] = ports as [number, number];
      const page = await send({
        port: first,
        host: HOSTS.guarded,
        path: "/.well-known/rstream/challenge?return=/",
        headers: { accept: "text/html" },
      });
      assert.equal(page.status, 200);
      const challenge = challengeInPage(page.body);
      const submission = verifySubmission({ challenge, solution: await solve(challenge) });
      const redeemed = await send({ port: first, host: HOSTS.guarded, ...submission });
      assert.equal(redeemed.status, 303);
      const replayed = await send({ port: second, host: HOSTS.guarded, ...submission });
      assert.equal(replayed.status, 403);
      assert.match(replayed.body, /already used/);
    });

    it("S-M1 a revoked token (by jti, by credential) is refused on every instance within the bound", async () => {
      const token = await apiToken("svc-1");
      const sibling = await apiToken("svc-2");
      const cut = await apiToken("svc-3");
      for (const port of ports) {
        for (const t of [token, sibling, cut]) assert.equal((await tokenGet(port, t)).status, 200);
      }
      const jti = decodeJwt(token).jti as string;
      const url = fleet.redis.url;
      const byJti = await cli(["token", "revoke", "--jti", jti, "--state", url]);
      assert.equal(byJti.code, 0, byJti.output);
      const byCredential = await cli(["token", "revoke", "--credential", "svc-3", "--state", url]);
      assert.equal(byCredential.code, 0, byCredential.output);
      await waitFor(async () => {
        const replies = await Promise.all(
          ports.flatMap((port) => [tokenGet(port, token), tokenGet(port, cut)]),
        );
        return replies.every((r) => r.status === 401);
      }, STALENESS_BOUND_MS);
      for (const port of ports) assert.equal((await tokenGet(port, sibling)).status, 200);
    });

    it("S-M1 Redis stopped mid-load: tokens and IPs keep flowing, sessions fail closed, all recover", async () => {
      const token = await apiToken("svc-load");
      const cookie = sessionCookie("load-user");
      const nginx = fleet.nginx.port;
      const load = startLoad(nginx, {
        token: () => tokenGet(nginx, token),
        ip: () => officeGet(nginx),
      });
      const session = () => portalGet(nginx, cookie);
      await waitFor(async () => (await session()).status === 200);
      await fleet.redis.stop();
      // Every instance notices (its connections drop) and refuses session-dependent requests.
      await waitFor(async () => {
        const replies = await Promise.all(ports.map((port) => portalGet(port, cookie)));
        return replies.every((r) => r.status === 503);
      });
      const refused = await portalGet(ports[0] as number, cookie);
      assert.equal(refused.status, 503);
      assert.match(refused.body, /state_unavailable/);
      assert.equal(refused.headers["retry-after"], "2");
      await new Promise((resolve) => setTimeout(resolve, 500));
      await fleet.redis.start();
      await waitFor(async () => {
        const replies = await Promise.all(ports.map((port) => portalGet(port, cookie)));
        return replies.every((r) => r.status === 200);
      });
      const tallies = await load.stop();
      assert.equal(failures(tallies.get("token")), 0, JSON.stringify([...tallies]));
      assert.equal(failures(tallies.get("ip")), 0, JSON.stringify([...tallies]));
      assert.ok((tallies.get("token")?.ok ?? 0) > 0 && (tallies.get("ip")?.ok ?? 0) > 0);
      // The logged-out session stays refused: the local views keep it though Redis restarted empty.
      for (const port of ports) assert.notEqual((await portalGet(port, loggedOut)).status, 200);
      for (const instance of fleet.instances) {
        const metrics = await send({ port: instance.adminPort, host: "admin", path: "/metrics" });
        assert.match(metrics.body, /rampart_state_store_up 1/);
        assert.match(metrics.body, /rampart_state_store_disconnects_total [1-9]/);
        assert.match(instance.output(), /shared store unavailable/);
      }
    });

    it("a new signed bundle converges on all three under load, with zero failed requests", async () => {
      const token = await apiToken("svc-swap");
      const nginx = fleet.nginx.port;
      const load = startLoad(nginx, {
        token: () => tokenGet(nginx, token),
        ip: () => officeGet(nginx),
      });
      for (const port of ports) assert.equal((await send({ port, host: NEW_HOST })).status, 404);
      await fleet.publish([NEW_HOST]);
      await waitFor(async () => {
        const replies = await Promise.all(ports.map((port) => send({ port, host: NEW_HOST })));
        return replies.every((r) => r.status === 200);
      });
      const tallies = await load.stop();
      assert.equal(failures(tallies.get("token")) + failures(tallies.get("ip")), 0);
    });

    it("a tampered bundle and an older one are refused; the running bundle keeps serving", async () => {
      const token = await apiToken("svc-tamper");
      const nginx = fleet.nginx.port;
      const load = startLoad(nginx, {
        token: () => tokenGet(nginx, token),
        ip: () => officeGet(nginx),
      });
      const signed = JSON.parse(fleet.lastSigned) as { payload: string };
      // The payload of the running bundle with its new host renamed, under the old signature.
      const payload = Buffer.from(signed.payload, "base64url")
        .toString()
        .replaceAll(NEW_HOST, "evil.example.test");
      await fleet.publishRaw(
        JSON.stringify({ ...signed, payload: Buffer.from(payload).toString("base64url") }),
      );
      await waitFor(async () =>
        fleet.instances.every((i) => /bundle refused: bad signature/.test(i.output())),
      );
      // A validly signed bundle older than the running one (a rollback) is refused too.
      await fleet.publish([], Date.now() - 3_600_000);
      await waitFor(async () =>
        fleet.instances.every((i) => /older than the running one/.test(i.output())),
      );
      await new Promise((resolve) => setTimeout(resolve, POLL_SECONDS * 3000));
      for (const port of ports) {
        assert.equal((await send({ port, host: NEW_HOST })).status, 200);
        assert.equal((await send({ port, host: "evil.example.test" })).status, 404);
      }
      const tallies = await load.stop();
      assert.equal(failures(tallies.get("token")) + failures(tallies.get("ip")), 0);
    });
  },
);
