/**
 * Attacks on the request target and the Host field, shared by every front door's corpus
 * (`attack-corpus-*.test.ts`): the same spelling must be refused, or forwarded as the same
 * canonical target, whether it arrives over HTTP/1.1, TLS, HTTP/2, a WebSocket handshake or
 * a forward-auth sub-request, since one function reads them all (S-R4, S-R19).
 */

/** A request target and what must come of it. */
export interface TargetCase {
  /** The SPEC rule the case shows. */
  readonly rule: string;
  /** The target as the client writes it (origin form). */
  readonly target: string;
  /** The canonical target the upstream receives; null when the request is refused with 400. */
  readonly forwarded: string | null;
}

const refused = (rule: string, target: string): TargetCase => ({ rule, target, forwarded: null });
const becomes = (rule: string, target: string, forwarded: string): TargetCase => ({
  rule,
  target,
  forwarded,
});

/** Origin-form targets, each refused (400) or forwarded canonical. */
export const TARGET_CASES: readonly TargetCase[] = [
  becomes("S-R2", "/%61%70%69/%7euser", "/api/~user"),
  becomes("S-R2", "/caf%C3%A9", "/caf%C3%A9"),
  refused("S-R2", "/a%2Fb"),
  refused("S-R2", "/a%2fb"),
  refused("S-R2", "/a%5Cb"),
  refused("S-R2", "/a%5cb"),
  refused("S-R2", "/a\\b"),
  refused("S-R2", "/a%00b"),
  refused("S-R2", "/a%0Ab"),
  refused("S-R2", "/a%0db"),
  refused("S-R2", "/a%7Fb"),
  refused("S-R2", "/a%zzb"),
  refused("S-R2", "/a%"),
  refused("S-R2", "/a%2"),
  // Overlong UTF-8 for `.` and `/` (the IIS/Tomcat `%c0%ae` family), a surrogate, past U+10FFFF.
  refused("S-R2", "/%c0%ae%c0%ae/etc"),
  refused("S-R2", "/a/%c0%af/b"),
  refused("S-R2", "/%e0%80%ae%e0%80%ae/etc"),
  refused("S-R2", "/%ed%a0%80"),
  refused("S-R2", "/%f4%90%80%80"),
  refused("S-R2", "/%C3%28"),
  // Decoded once only: an escaped `%` before an escape of `.`, `/`, `\` or NUL is refused.
  refused("S-R2", "/%252e%252e/etc"),
  refused("S-R2", "/%25%32%65%25%32%65/etc"),
  refused("S-R2", "/a%252Fb"),
  becomes("S-R3", "/a/%2e%2e/b", "/b"),
  becomes("S-R3", "/a/%2E%2e/b", "/b"),
  becomes("S-R3", "/a/.%2e/b", "/b"),
  becomes("S-R3", "//a///b//", "/a/b/"),
  becomes("S-R3", "/a/./b/.", "/a/b/"),
  becomes("S-R3", "/./", "/"),
  becomes("S-R3", "/a/b/..", "/a/"),
  becomes("S-R3", "/%2e", "/"),
  refused("S-R3", "//..//a"),
  refused("S-R3", "/.."),
  refused("S-R3", "/a/../.."),
  refused("S-R3", "/%2e%2e/etc"),
  refused("S-R3", "/a/..;/b"),
  refused("S-R3", "/a/..;x=1/b"),
  refused("S-R3", "/a/.;/b"),
  refused("S-R3", "/a/..%3b/b"),
  refused("S-R3", "/a/.%3B/b"),
  refused("S-R3", "/a/%2e%2e;/b"),
  becomes("S-R3", "/a;x=../b", "/a;x=../b"),
  refused("S-R1", "/a#frag"),
  refused("S-R1", "/a?x=1#frag"),
  becomes("S-R4", "/a/./b?x=1&y=/../z", "/a/b?x=1&y=/../z"),
  becomes("S-R4", "/p?a=1&rstream%2Etoken=t&b=2", "/p?a=1&b=2"),
  refused("S-R15", "/p?rstream.token=a&RSTREAM.TOKEN=b"),
];

/** A Host field value and what must come of it. */
export interface HostCase {
  readonly rule: string;
  readonly host: string;
  /** The SNI a TLS client sends with it (the tunnel the host names, when it names one). */
  readonly sni: string;
  /** 200: routed to the tunnel; 400: refused as malformed; 404: routed nowhere (421 over TLS). */
  readonly status: 200 | 400 | 404;
}

/** Host values against tunnels `web.test` and `*.wild.test`. */
export const HOST_CASES: readonly HostCase[] = [
  { rule: "S-R8", host: "WEB.Test", sni: "web.test", status: 200 },
  { rule: "S-R8", host: "web.test.", sni: "web.test", status: 200 },
  { rule: "S-R8", host: "web.test:8443", sni: "web.test", status: 200 },
  { rule: "S-R8", host: "Web.Test.:1", sni: "web.test", status: 200 },
  { rule: "S-R8", host: "a.wild.test", sni: "a.wild.test", status: 200 },
  // Only a numeric port is a port: the rest must not be routed by its prefix and handed to the
  // upstream as X-Forwarded-Host (an app building links from it would point elsewhere).
  { rule: "S-R8", host: "web.test:@evil.example", sni: "web.test", status: 400 },
  { rule: "S-R8", host: "web.test:80@evil.example", sni: "web.test", status: 400 },
  { rule: "S-R8", host: "web.test:80/evil", sni: "web.test", status: 400 },
  { rule: "S-R8", host: "web.test:", sni: "web.test", status: 400 },
  { rule: "S-R8", host: "web.test:99999", sni: "web.test", status: 400 },
  { rule: "S-R8", host: "web.test:+80", sni: "web.test", status: 400 },
  { rule: "S-R8", host: "web.test..", sni: "web.test", status: 400 },
  { rule: "S-R8", host: "web.test, other.test", sni: "web.test", status: 400 },
  { rule: "S-R8", host: "evil.example#.web.test", sni: "web.test", status: 400 },
  // A wildcard stands for one DNS label, not for any text without a dot.
  { rule: "S-R8", host: "evil%2eexample#x.wild.test", sni: "a.wild.test", status: 400 },
  { rule: "S-R8", host: "evil@x.wild.test", sni: "a.wild.test", status: 400 },
  { rule: "S-R8", host: "a_b.wild.test", sni: "a.wild.test", status: 400 },
  { rule: "S-R8", host: "*.wild.test", sni: "a.wild.test", status: 400 },
  { rule: "S-R8", host: "-a.wild.test", sni: "a.wild.test", status: 400 },
  { rule: "S-R8", host: "a.b.wild.test", sni: "a.wild.test", status: 404 },
  { rule: "S-R8", host: "wild.test", sni: "a.wild.test", status: 404 },
  { rule: "S-R8", host: "127.0.0.1", sni: "web.test", status: 404 },
  { rule: "S-R8", host: "[::1]:8080", sni: "web.test", status: 404 },
  { rule: "S-R8", host: "[::1]x", sni: "web.test", status: 400 },
  { rule: "S-R8", host: "[web.test]", sni: "web.test", status: 400 },
];
