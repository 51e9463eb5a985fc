/**
 * The allow answer's kept header heads (src/runtime/forward-auth/answer.ts): one per tunnel,
 * authentication method and subject, reused across sub-requests. Each answer must still name
 * its own caller, anonymous answers none, and past the bound of kept heads answers are built
 * per request and still right. A real node:http server on loopback writes the answers.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import type { AuthIdentity, Decision } from "../../src/ir/decision.ts";
import { MAX_ALLOW_HEADS, answerAllow } from "../../src/runtime/forward-auth/answer.ts";

let server: Server;
let base: string;

/** The query names the tunnel, the method and the subject of the allow to write. */
before(async () => {
  server = createServer((req, res) => {
    const q = new URL(req.url ?? "/", "http://answer.test").searchParams;
    const method = q.get("method") as AuthIdentity["method"] | null;
    const identity = method === null ? null : { method, subject: q.get("subject") };
    const decision: Decision = {
      outcome: "forward",
      status: 0,
      reason: "ok",
      policy: null,
      stage: "forward",
      rule: "tunnel:t",
      origin: null,
      message: "every layer passed",
      identity,
      endpoint: null,
    };
    answerAllow(res, "nginx", {
      decision,
      tunnel: q.get("tunnel") ?? "t",
      uri: "/x",
      headers: {},
      dropAuthorization: false,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

interface Asked {
  readonly tunnel: string;
  readonly method?: AuthIdentity["method"];
  readonly subject?: string;
}

/** The identity headers of the answer to `a` (keep-alive, like a proxy's pool). */
async function identityOf(a: Asked): Promise<Record<string, string | null>> {
  const q = new URLSearchParams({ tunnel: a.tunnel });
  if (a.method !== undefined) q.set("method", a.method);
  if (a.subject !== undefined) q.set("subject", a.subject);
  const r = await fetch(`${base}?${q.toString()}`);
  assert.equal(r.status, 200);
  await r.arrayBuffer();
  return {
    tunnel: r.headers.get("x-rampart-tunnel"),
    method: r.headers.get("x-rampart-auth-method"),
    subject: r.headers.get("x-rampart-subject"),
    uri: r.headers.get("x-rampart-forward-uri"),
    cache: r.headers.get("cache-control"),
  };
}

const expected = (a: Asked, subject = a.subject ?? null) => ({
  tunnel: a.tunnel,
  method: a.method ?? null,
  subject,
  uri: "/x",
  cache: "no-store",
});

describe("forward-auth allow answers from kept header heads", () => {
  it("each answer names its own tunnel, method and subject, asked in turn and again", async () => {
    const asked: Asked[] = [
      { tunnel: "app", method: "token", subject: "alice" },
      { tunnel: "app", method: "token", subject: "bob" },
      { tunnel: "app" },
      { tunnel: "app", method: "mtls", subject: "alice" },
      { tunnel: "api", method: "token", subject: "alice" },
      { tunnel: "api", method: "rstream-auth", subject: "bob" },
      { tunnel: "app", method: "token" },
    ];
    for (let round = 0; round < 3; round++)
      for (const a of asked) assert.deepEqual(await identityOf(a), expected(a));
  });

  it("a subject or label that is not visible ASCII is percent-encoded, kept or not", async () => {
    const a: Asked = { tunnel: "Zoë's", method: "token", subject: "Zoë ✓" };
    for (let round = 0; round < 2; round++) {
      const got = await identityOf(a);
      assert.equal(got["tunnel"], encodeURIComponent("Zoë's"));
      assert.equal(got["subject"], encodeURIComponent("Zoë ✓"));
    }
  });

  it("past the bound of kept heads, every answer is still its own caller's", async () => {
    const subjects = Array.from({ length: MAX_ALLOW_HEADS + 64 }, (_, i) => `user-${i}`);
    // Asked twice each: kept heads reused, and the ones past the bound built again.
    const asked = [...subjects, ...subjects];
    assert.deepEqual(await pipelinedSubjects("bounded", asked), asked);
  });
});

/**
 * The `x-rampart-subject` of each answer to token allows for `subjects` on `tunnel`, asked
 * pipelined on one keep-alive connection (thousands of requests in a few writes).
 */
async function pipelinedSubjects(tunnel: string, subjects: readonly string[]): Promise<string[]> {
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, "127.0.0.1");
  const got: string[] = [];
  let buffered = "";
  const done = new Promise<void>((resolve, reject) => {
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      // Allow answers carry no body: a blank line ends each one.
      for (let end = buffered.indexOf("\r\n\r\n"); end >= 0; end = buffered.indexOf("\r\n\r\n")) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        got.push(/^x-rampart-subject: (.*)$/im.exec(head)?.[1] ?? "(none)");
        if (got.length === subjects.length) resolve();
      }
    });
  });
  for (let i = 0; i < subjects.length; i += 512) {
    const requests = subjects.slice(i, i + 512).map((subject) => {
      const q = new URLSearchParams({ tunnel, method: "token", subject });
      return `GET /?${q.toString()} HTTP/1.1\r\nHost: answer.test\r\n\r\n`;
    });
    socket.write(requests.join(""));
  }
  try {
    await done;
  } finally {
    socket.destroy();
  }
  return got;
}
