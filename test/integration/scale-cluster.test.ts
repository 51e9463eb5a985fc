import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { CHALLENGE_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import { send } from "../runtime/helpers/http.ts";
import { startUpstream } from "../runtime/helpers/upstream.ts";
import type { TestUpstream } from "../runtime/helpers/upstream.ts";
import { HOSTS } from "../runtime/forward-auth-fixture.ts";
import { freePort } from "./nginx-harness.ts";
import { nextMessage } from "./ipc.ts";

const PRIMARY = join(import.meta.dirname, "scale-cluster-primary.ts");
const SHARED_KEY = "cluster-cookie-key-0123456789abcdef-01234567";
const TIMEOUT_MS = 15_000;

describe("scale-out on one host: node:cluster workers share the port and the keys (issue #7 item 2)", () => {
  let upstream: TestUpstream;
  let primary: ChildProcess;
  let port: number;
  let pids: number[];

  before(async () => {
    upstream = await startUpstream();
    port = await freePort();
    primary = fork(PRIMARY, [], {
      env: {
        ...process.env,
        RAMPART_CLUSTER_PORT: String(port),
        RAMPART_COOKIE_KEY: SHARED_KEY,
        RAMPART_TEST_UPSTREAM: upstream.url,
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    ({ pids } = await nextMessage<{ pids: number[] }>(primary, (m) => m["ready"] === true));
  });

  after(async () => {
    if (primary !== undefined && primary.exitCode === null) {
      const exited = new Promise<void>((resolve) => primary.once("exit", () => resolve()));
      primary.send({ cmd: "exit" });
      await exited;
    }
    await upstream?.close();
  });

  it("S-D4 a challenge cookie passes on every worker, whichever one takes the connection", async () => {
    const cookie = `${CHALLENGE_COOKIE}=${signCookie({ kind: "challenge", host: HOSTS.guarded, exp: Math.floor(Date.now() / 1000) + 600 }, SHARED_KEY)}`;
    const rounds = 20;
    for (let i = 0; i < rounds; i++) {
      // A fresh connection per request, so the cluster's round-robin spreads them.
      const r = await send({
        port,
        host: HOSTS.guarded,
        path: `/page/${i}`,
        headers: { accept: "text/html", cookie },
      });
      assert.equal(r.status, 200, `request ${i}`);
    }
    const counts = new Map<number, number>();
    const collected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the workers did not report their counts in time")),
        TIMEOUT_MS,
      );
      const onMessage = (m: { pid?: number; requests?: number }): void => {
        if (m.pid !== undefined && m.requests !== undefined) counts.set(m.pid, m.requests);
        if (counts.size < pids.length) return;
        clearTimeout(timer);
        primary.off("message", onMessage);
        resolve();
      };
      primary.on("message", onMessage);
    });
    primary.send({ cmd: "count" });
    await collected;
    const served = [...counts.values()];
    assert.equal(
      served.reduce((a, b) => a + b, 0),
      rounds,
    );
    assert.ok(
      served.every((n) => n > 0),
      `every worker answered some requests: ${JSON.stringify([...counts])}`,
    );
  });
});
