/**
 * One `rampart serve` instance as a child process, for the scale-out tests: the forward-auth
 * fixture policy, the shared cookie key and token secret from the environment (as every
 * instance of a fleet gets them), loopback listeners on free ports. It reports its ports over
 * IPC and, on request, issues a session or challenge cookie with the key it was configured with
 * (what its login and challenge flows do once they succeed), so a test can hand that cookie to another instance.
 */
import { pino } from "pino";
import { CHALLENGE_COOKIE, SESSION_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import { startRuntime } from "../../src/runtime/server.ts";
import { forwardAuthPolicy } from "../runtime/forward-auth-fixture.ts";

const cookieKey = process.env["RAMPART_COOKIE_KEY"] ?? "";
const tokenSecret = process.env["RAMPART_TOKEN_SECRET"] ?? "";
const upstream = process.env["RAMPART_TEST_UPSTREAM"] ?? null;

const started = await startRuntime({
  load: () => Promise.resolve({ value: [forwardAuthPolicy(upstream)], diagnostics: [] }),
  http: { host: "127.0.0.1", port: 0 },
  cookieKey,
  tokens: { secret: tokenSecret },
  // Sessions are honoured only with an rstream Auth backend (S-H4). Its discovery document is
  // read on the first login, which these tests never start, so no IdP needs to run.
  rstreamAuth: { issuer: "https://idp.example.test/", clientId: "rampart-fleet" },
  logger: pino({ level: "warn" }),
});
if (started.value === undefined) {
  process.send?.({ error: started.diagnostics.map((d) => d.message).join("; ") });
  process.exit(1);
}
const runtime = started.value;

process.on("message", (m: { cmd: string; host?: string; userId?: string }) => {
  const host = m.host ?? "";
  const exp = Math.floor(Date.now() / 1000) + 600;
  if (m.cmd === "issue-session") {
    const user = { userId: m.userId ?? "", name: null, email: null, image: null, groups: [] };
    process.send?.({
      cookie: `${SESSION_COOKIE}=${signCookie({ kind: "session", host, exp, sid: "scale-session", user }, cookieKey)}`,
    });
  }
  if (m.cmd === "issue-challenge") {
    process.send?.({
      cookie: `${CHALLENGE_COOKIE}=${signCookie({ kind: "challenge", host, exp }, cookieKey)}`,
    });
  }
  if (m.cmd === "exit") void runtime.close().then(() => process.exit(0));
});
process.send?.({ pid: process.pid, port: runtime.addresses.http?.port });
