import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LOGIN_COOKIE, SECURE_LOGIN_COOKIE } from "../../src/runtime/cookies.ts";
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
  it("is signed, host-bound, short-lived, HttpOnly and SameSite=Lax; `__Host-` over TLS", () => {
    const header = loginCookieHeader(state, "app.example", 600, true, KEY);
    const attrs = header.split("; ");
    assert.ok(attrs[0]?.startsWith(`${SECURE_LOGIN_COOKIE}=v1.`));
    // A browser keeps a `__Host-` cookie only with `Secure`, `Path=/` and no `Domain`.
    assert.deepEqual(attrs.slice(1), [
      "Path=/",
      "Max-Age=600",
      "HttpOnly",
      "SameSite=Lax",
      "Secure",
    ]);
    assert.deepEqual(readLoginState(pairOf(header), "app.example", KEY, true), state);
  });

  it("over plain HTTP is scoped to the engine's paths, without Secure or the prefix", () => {
    const header = loginCookieHeader(state, "app.example", 600, false, KEY);
    const attrs = header.split("; ");
    assert.ok(attrs[0]?.startsWith(`${LOGIN_COOKIE}=v1.`));
    assert.deepEqual(attrs.slice(1), [
      "Path=/.well-known/rstream/",
      "Max-Age=600",
      "HttpOnly",
      "SameSite=Lax",
    ]);
    assert.deepEqual(readLoginState(pairOf(header), "app.example", KEY, false), state);
    // Each name is read only on its own scheme.
    assert.equal(readLoginState(pairOf(header), "app.example", KEY, true), null);
    const secure = loginCookieHeader(state, "app.example", 600, true, KEY);
    assert.equal(readLoginState(pairOf(secure), "app.example", KEY, false), null);
  });

  it("is refused for another host, with another key, after expiry, or when tampered with", () => {
    const header = loginCookieHeader(state, "app.example", 600, true, KEY);
    assert.equal(readLoginState(pairOf(header), "other.example", KEY, true), null);
    assert.equal(readLoginState(pairOf(header), "app.example", "other-key-".repeat(4), true), null);
    const old = loginCookieHeader(
      state,
      "app.example",
      60,
      true,
      KEY,
      Math.floor(Date.now() / 1000) - 120,
    );
    assert.equal(readLoginState(pairOf(old), "app.example", KEY, true), null);
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
      readLoginState(`${name}=${parts[0]}.${forged}.${parts[2]}`, "app.example", KEY, true),
      null,
    );
  });

  it("S-R10: a login cookie tossed in front of the browser's own never locks the user out", () => {
    for (const secure of [true, false]) {
      const name = secure ? SECURE_LOGIN_COOKIE : LOGIN_COOKIE;
      const own = pairOf(loginCookieHeader(state, "app.example", 600, secure, KEY));
      // Started by the tosser on this very host: valid, but for another state.
      const theirs = pairOf(
        loginCookieHeader({ ...state, state: "s-tosser" }, "app.example", 600, secure, KEY),
      );
      const sibling = pairOf(loginCookieHeader(state, "evil.example", 600, secure, KEY));
      for (const tossed of [theirs, sibling, `${name}=garbage`]) {
        const read = readLoginState(`${tossed}; ${own}`, "app.example", KEY, secure, "s1");
        assert.deepEqual(read, state);
      }
      // Without a matching state, the first valid one (the callback then fails on its state).
      const first = readLoginState(`${theirs}; ${own}`, "app.example", KEY, secure, "s9");
      assert.equal(first?.state, "s-tosser");
      assert.equal(readLoginState(`${sibling}; ${own}`, "app.example", KEY, secure)?.state, "s1");
    }
  });

  it("S-R10: over TLS a login cookie without the `__Host-` prefix, which a sibling host can set, is never read", () => {
    // The tosser started a login here over TLS and tossed its cookie under the name a sibling
    // can set, then sends the browser to that login's callback (login CSRF).
    const theirs = loginCookieHeader(
      { ...state, state: "s-tosser" },
      "app.example",
      600,
      true,
      KEY,
    );
    const tossed = `${LOGIN_COOKIE}=${pairOf(theirs).slice(SECURE_LOGIN_COOKIE.length + 1)}`;
    assert.equal(readLoginState(tossed, "app.example", KEY, true, "s-tosser"), null);
    const own = pairOf(loginCookieHeader(state, "app.example", 600, true, KEY));
    const read = readLoginState(`${tossed}; ${own}`, "app.example", KEY, true, "s-tosser");
    assert.equal(read?.state, "s1");
  });

  it("is not a session or challenge cookie, and one of those is not a login", () => {
    assert.equal(readLoginState(undefined, "app.example", KEY, true), null);
    assert.equal(readLoginState("rampart_session=v1.x.y; other=1", "app.example", KEY, true), null);
  });

  it("is cleared under the name and on the path it was set with", () => {
    assert.equal(
      clearLoginCookieHeader(true),
      `${SECURE_LOGIN_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure`,
    );
    assert.equal(
      clearLoginCookieHeader(false),
      `${LOGIN_COOKIE}=; Path=/.well-known/rstream/; Max-Age=0; HttpOnly; SameSite=Lax`,
    );
  });
});
