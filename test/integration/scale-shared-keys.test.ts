import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import {
  challengeInPage,
  cookieHeaderFrom,
  solve,
  verifySubmission,
} from "../runtime/helpers/challenge.ts";
import { send } from "../runtime/helpers/http.ts";
import { startUpstream } from "../runtime/helpers/upstream.ts";
import type { TestUpstream } from "../runtime/helpers/upstream.ts";
import { HOSTS, TOKEN_SECRET, mintApiToken } from "../runtime/forward-auth-fixture.ts";
import { nextMessage } from "./ipc.ts";

const INSTANCE = join(import.meta.dirname, "scale-instance.ts");
const SHARED_KEY = "fleet-cookie-key-0123456789abcdef-0123456789";

interface Instance {
  readonly child: ChildProcess;
  readonly port: number;
  /** Asks the instance to issue a cookie (as its flows do once they succeed). */
  issue(kind: "session" | "challenge", host: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts one `rampart serve` process with the fleet's shared secrets. */
async function startInstance(cookieKey: string, upstream: string): Promise<Instance> {
  const child = fork(INSTANCE, [], {
    env: {
      ...process.env,
      RAMPART_COOKIE_KEY: cookieKey,
      RAMPART_TOKEN_SECRET: TOKEN_SECRET,
      RAMPART_TEST_UPSTREAM: upstream,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const { port } = await nextMessage<{ port: number }>(child, (m) => "port" in m);
  return {
    child,
    port,
    issue: async (kind, host) => {
      const answer = nextMessage<{ cookie: string }>(child, (m) => "cookie" in m);
      child.send({ cmd: `issue-${kind}`, host, userId: "u-42" });
      return (await answer).cookie;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ cmd: "exit" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

describe("scale-out: instances share signing keys, not state (issue #7 item 2)", () => {
  let upstream: TestUpstream;
  let a: Instance;
  let b: Instance;
  let stranger: Instance;

  before(async () => {
    upstream = await startUpstream();
    [a, b, stranger] = await Promise.all([
      startInstance(SHARED_KEY, upstream.url),
      startInstance(SHARED_KEY, upstream.url),
      startInstance("another-fleet-key-0123456789abcdef-01234567", upstream.url),
    ]);
    assert.notEqual(a.child.pid, b.child.pid);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop(), stranger?.stop()]);
    await upstream?.close();
  });

  it("S-D4 a session cookie issued by instance A is accepted by instance B (and by A)", async () => {
    const cookie = await a.issue("session", HOSTS.portal);
    for (const instance of [b, a]) {
      const session = await send({
        port: instance.port,
        host: HOSTS.portal,
        path: "/.well-known/rstream/session",
        headers: { cookie },
      });
      assert.equal(session.status, 200);
      const body = JSON.parse(session.body) as {
        auth: { authenticated: boolean; method?: string };
        user?: { userId: string };
      };
      assert.deepEqual(
        [body.auth.authenticated, body.auth.method, body.user?.userId],
        [true, "rstream-auth", "u-42"],
      );
      const page = await send({
        port: instance.port,
        host: HOSTS.portal,
        path: "/home",
        headers: { cookie },
      });
      assert.equal(page.status, 200, `instance on ${instance.port}`);
    }
  });

  it("S-C3 a challenge cookie issued by instance B passes instance A's challenge", async () => {
    const cookie = await b.issue("challenge", HOSTS.guarded);
    const without = await send({
      port: a.port,
      host: HOSTS.guarded,
      path: "/page",
      headers: { accept: "text/html" },
    });
    assert.equal(without.status, 302);
    const withCookie = await send({
      port: a.port,
      host: HOSTS.guarded,
      path: "/page",
      headers: { accept: "text/html", cookie },
    });
    assert.equal(withCookie.status, 200);
  });

  it("S-C2 a challenge served by instance A, solved and verified at instance B, earns a cookie A accepts", async () => {
    const page = await send({
      port: a.port,
      host: HOSTS.guarded,
      path: "/.well-known/rstream/challenge?return=%2Fpage",
      headers: { accept: "text/html" },
    });
    assert.equal(page.status, 200);
    const challenge = challengeInPage(page.body);
    const solution = await solve(challenge);
    const verified = await send({
      port: b.port,
      host: HOSTS.guarded,
      ...verifySubmission({ challenge, solution }),
    });
    assert.equal(verified.status, 303);
    const cookie = cookieHeaderFrom(verified);
    const retried = await send({
      port: a.port,
      host: HOSTS.guarded,
      path: "/page",
      headers: { accept: "text/html", cookie },
    });
    assert.equal(retried.status, 200);
  });

  it("S-D4 a cookie from an instance with another key is refused, and cookies stay bound to their host", async () => {
    const foreign = await stranger.issue("session", HOSTS.portal);
    const refused = await send({
      port: a.port,
      host: HOSTS.portal,
      path: "/.well-known/rstream/session",
      headers: { cookie: foreign },
    });
    assert.equal(refused.body, '{"auth":{"authenticated":false}}');
    const otherHost = await a.issue("challenge", HOSTS.open);
    const wrongHost = await send({
      port: b.port,
      host: HOSTS.guarded,
      path: "/page",
      headers: { accept: "text/html", cookie: otherHost },
    });
    assert.equal(wrongHost.status, 302);
  });

  it("S-H2 a token is self-validating: every instance accepts it with no shared state", async () => {
    const token = await mintApiToken("svc-7");
    for (const instance of [a, b]) {
      const r = await send({
        port: instance.port,
        host: HOSTS.token,
        path: "/api/x",
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(r.status, 200);
    }
  });
});
