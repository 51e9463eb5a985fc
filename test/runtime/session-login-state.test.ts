import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LOGIN_COOKIE } from "../../src/runtime/cookies.ts";
import {
  clearLoginCookieHeader,
  loginCookieHeader,
  readLoginState,
} from "../../src/runtime/session/login-state.ts";

const KEY = "login-key-".repeat(4);
const state = { state: "s1", nonce: "n1", codeVerifier: "v".repeat(43), returnTo: "/back" };

function pairOf(header: string): string {
  return header.split("; ")[0] as string;
}

describe("S-H4, S-D4: the login cookie (state, nonce, PKCE between redirect and callback)", () => {
  it("is signed, host-bound, short-lived, HttpOnly, SameSite=Lax and scoped to the engine's paths", () => {
    const header = loginCookieHeader(state, "app.example", 600, true, KEY);
    const attrs = header.split("; ");
    assert.ok(attrs[0]?.startsWith(`${LOGIN_COOKIE}=v1.`));
    assert.deepEqual(attrs.slice(1), [
      "Path=/.well-known/rstream/",
      "Max-Age=600",
      "HttpOnly",
      "SameSite=Lax",
      "Secure",
    ]);
    assert.ok(!loginCookieHeader(state, "app.example", 600, false, KEY).includes("Secure"));
    assert.deepEqual(readLoginState(pairOf(header), "app.example", KEY), state);
  });

  it("is refused for another host, with another key, after expiry, or when tampered with", () => {
    const header = loginCookieHeader(state, "app.example", 600, true, KEY);
    assert.equal(readLoginState(pairOf(header), "other.example", KEY), null);
    assert.equal(readLoginState(pairOf(header), "app.example", "other-key-".repeat(4)), null);
    const old = loginCookieHeader(
      state,
      "app.example",
      60,
      true,
      KEY,
      Math.floor(Date.now() / 1000) - 120,
    );
    assert.equal(readLoginState(pairOf(old), "app.example", KEY), null);
    const [name, value] = pairOf(header).split("=") as [string, string];
    const parts = value.split(".");
    const forged = Buffer.from(
      JSON.stringify({
        kind: "login",
        host: "app.example",
        exp: 9e9,
        data: { ...state, returnTo: "//evil" },
      }),
    ).toString("base64url");
    assert.equal(
      readLoginState(`${name}=${parts[0]}.${forged}.${parts[2]}`, "app.example", KEY),
      null,
    );
  });

  it("S-R10: a login cookie tossed in front of the browser's own never locks the user out", () => {
    const own = pairOf(loginCookieHeader(state, "app.example", 600, true, KEY));
    // Started by the tosser on this very host: valid, but for another state.
    const theirs = pairOf(
      loginCookieHeader({ ...state, state: "s-tosser" }, "app.example", 600, true, KEY),
    );
    const sibling = pairOf(loginCookieHeader(state, "evil.example", 600, true, KEY));
    for (const tossed of [theirs, sibling, `${LOGIN_COOKIE}=garbage`]) {
      assert.deepEqual(readLoginState(`${tossed}; ${own}`, "app.example", KEY, "s1"), state);
    }
    // Without a matching state, the first valid one (the callback then fails on its state).
    assert.equal(readLoginState(`${theirs}; ${own}`, "app.example", KEY, "s9")?.state, "s-tosser");
    assert.equal(readLoginState(`${sibling}; ${own}`, "app.example", KEY)?.state, "s1");
  });

  it("is not a session or challenge cookie, and one of those is not a login", () => {
    assert.equal(readLoginState(undefined, "app.example", KEY), null);
    assert.equal(readLoginState("rampart_session=v1.x.y; other=1", "app.example", KEY), null);
  });

  it("is cleared on the same path it was set on", () => {
    assert.equal(
      clearLoginCookieHeader(true),
      `${LOGIN_COOKIE}=; Path=/.well-known/rstream/; Max-Age=0; HttpOnly; SameSite=Lax; Secure`,
    );
  });
});
