/**
 * fast-check arbitraries for policies, grants and requests, biased towards the places where
 * edge policies go wrong: addresses at range edges and in IPv4-mapped IPv6 form, countries that
 * GeoIP does not know, paths with `..`, `%2e`, `//` and `;`, and grant trees with nested
 * AND/OR. Values come from small pools so that random project and tunnel lists overlap often
 * enough for intersections to be interesting.
 */
import fc from "fast-check";
import type { EffectivePolicy } from "../bounds/effective.ts";
import { computeEffective } from "../bounds/intersect.ts";
import type {
  HandshakeFacts,
  RequestFacts,
  SessionFacts,
  TokenFacts,
  TokenOwner,
} from "../ir/facts.ts";
import type {
  ActionIr,
  CountrySet,
  FeatureMode,
  FilterIr,
  GrantIr,
  GrantNodeIr,
  IpSet,
  PathMatchIr,
  ProjectMembersIr,
  Permission,
  PolicyIr,
  PostQuantumIr,
  ProjectIr,
  StringMatchIr,
  TlsVersion,
  TunnelIr,
} from "../ir/types.ts";
import { STRING_FIELDS } from "../ir/filter-fields.ts";
import { countrySet, credentialIr, ipSet } from "./builders.ts";

/** Trusted-IP entries that nest and overlap in interesting ways. */
export const IP_ENTRY_POOL: readonly string[] = [
  "10.0.0.0/8",
  "10.1.0.0/16",
  "10.1.2.0/24",
  "10.1.2.3",
  "192.0.2.0/24",
  "192.0.2.128/25",
  "203.0.113.0/24",
  "0.0.0.0/0",
  "::ffff:10.0.0.0/104",
  "2001:db8::/32",
  "2001:db8:1::/48",
  "::1",
  "::/0",
];

/** Client addresses at the edges of the pool's ranges, in several spellings. */
export const CLIENT_IP_POOL: readonly string[] = [
  "10.0.0.0",
  "10.255.255.255",
  "11.0.0.0",
  "9.255.255.255",
  "10.1.2.3",
  "10.1.2.4",
  "10.1.255.255",
  "192.0.2.127",
  "192.0.2.128",
  "192.0.2.255",
  "203.0.113.7",
  "::ffff:10.0.0.1",
  "::ffff:192.0.2.200",
  "::ffff:11.0.0.1",
  "2001:db8::1",
  "2001:db8:1::ffff",
  "2001:db9::",
  "::1",
  "::",
  "not-an-ip",
  "010.1.2.3",
];

/** Country codes; `ZZ` stands for a code no list uses. */
export const COUNTRY_POOL: readonly string[] = ["DE", "FR", "NL", "US", "JP"];

/** Request paths, including traversal, encoding and separator tricks. */
export const PATH_POOL: readonly string[] = [
  "/",
  "/api",
  "/api/",
  "/api/users",
  "/api/v1/users.json",
  "/apix",
  "/api/../admin",
  "/api/%2e%2e/admin",
  "/api/%2E%2E/admin",
  "/api//users",
  "//api/users",
  "/api;x/users",
  "/api/..;/admin",
  "/api/%2fadmin",
  "/admin",
  "/a/./b",
  "/API/users",
  "/.well-known/rstream/session",
  "/.well-known/rstream/logout",
  "/.well-known/rstream/other",
  "/x/../.well-known/rstream/session",
];

const PERMISSIONS: readonly Permission[] = [
  "tunnels.resources.read-only",
  "tunnels.tunnels.create-delete",
  "tunnels.streams.create-delete",
];

/** A trusted-IP set of one to three pool entries, canonical. */
export function arbIpSet(): fc.Arbitrary<IpSet> {
  return fc
    .subarray([...IP_ENTRY_POOL], { minLength: 1, maxLength: 3 })
    .map((entries) => ipSet(...entries));
}

/** A country set of one to three pool codes. */
export function arbCountrySet(): fc.Arbitrary<CountrySet> {
  return fc
    .subarray([...COUNTRY_POOL], { minLength: 1, maxLength: 3 })
    .map((codes) => countrySet(...codes));
}

/** A client address: mostly range edges, sometimes any IPv4 or IPv6 address. */
export function arbClientIp(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("10.1.2.3", "::ffff:10.1.2.3", "192.0.2.200") },
    { weight: 4, arbitrary: fc.constantFrom(...CLIENT_IP_POOL) },
    { weight: 1, arbitrary: fc.ipV4() },
    { weight: 1, arbitrary: fc.ipV6() },
  );
}

/** A country as GeoIP reports it; `null` (unknown address) and an unlisted code included. */
export function arbCountry(): fc.Arbitrary<string | null> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...COUNTRY_POOL) },
    { weight: 1, arbitrary: fc.constant("ZZ") },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

/** A raw request path: the pool, or segments glued with tricky separators. */
export function arbPath(): fc.Arbitrary<string> {
  const segment = fc.constantFrom(
    "api",
    "admin",
    "..",
    ".",
    "%2e%2e",
    "",
    "v1",
    "users;x",
    "%2F",
    "x.json",
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PATH_POOL) },
    {
      weight: 1,
      arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`),
    },
  );
}

/** `arb` in `percent`% of cases, else `null`: most settings are absent in real policies. */
export function sometimes<T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | null> {
  return fc.oneof(
    { weight: 100 - percent, arbitrary: fc.constant(null) },
    { weight: percent, arbitrary: arb },
  );
}

const arbMode = (): fc.Arbitrary<FeatureMode> => fc.constantFrom("off", "preferred", "required");
const arbTls = (): fc.Arbitrary<TlsVersion> => fc.constantFrom("1.2", "1.3");
const arbPostQuantum = (): fc.Arbitrary<PostQuantumIr> =>
  fc.record({ mode: arbMode(), fips: fc.boolean() });

/** The edge properties a project bounds and a tunnel requests; each often absent. */
export function arbEdgeProperties(): fc.Arbitrary<
  Pick<ProjectIr, "trustedIps" | "countries" | "tlsMin" | "postQuantum" | "ech">
> {
  return fc.record({
    trustedIps: sometimes(arbIpSet(), 30),
    countries: sometimes(arbCountrySet(), 30),
    tlsMin: sometimes(arbTls(), 30),
    postQuantum: sometimes(arbPostQuantum(), 20),
    ech: sometimes(arbMode(), 20),
  });
}

/** A project's members (S-T8): users by id or e-mail, clients. */
export function arbMembers(): fc.Arbitrary<ProjectMembersIr> {
  return fc.record({
    users: fc.subarray(["u1", "alice@example.com"]),
    clients: fc.subarray(["c1"]),
  });
}

/** A token's owner: a user (by id or e-mail, any case) or a client; sometimes none. */
export function arbOwner(): fc.Arbitrary<TokenOwner | null> {
  return fc.option(
    fc.constantFrom<TokenOwner>(
      { kind: "user", id: "u1" },
      { kind: "user", id: "u2" },
      { kind: "user", id: "Alice@Example.com" },
      { kind: "client", id: "c1" },
      { kind: "client", id: "u1" },
    ),
    { freq: 5 },
  );
}

/** A project; mostly plans and access policies under which tunnels can be valid. */
export function arbProjectIr(): fc.Arbitrary<ProjectIr> {
  return fc
    .record({
      plan: fc.constantFrom("basic", "pro", "pro", "enterprise", "enterprise", "enterprise"),
      publicAccess: fc.constantFrom(
        "allowed",
        "allowed",
        "allowed",
        "auth-required",
        "auth-required",
        "forbidden",
      ),
      edge: arbEdgeProperties(),
      members: sometimes(arbMembers(), 40),
    })
    .map(({ plan, publicAccess, edge, members }) => ({
      id: "proj",
      name: null,
      workspace: "ws",
      plan,
      publicAccess,
      members,
      ...edge,
      spans: {},
    }));
}

/** A tunnel on `web.example.com` (and a wildcard), mostly public HTTP. */
export function arbTunnelIr(): fc.Arbitrary<TunnelIr> {
  return fc
    .record({
      protocol: fc.oneof(
        { weight: 20, arbitrary: fc.constant("http" as const) },
        {
          weight: 6,
          arbitrary: fc.constantFrom("quic", "tls", "tls-passthrough", "dtls", "tcp" as const),
        },
      ),
      publish: fc.oneof(
        { weight: 9, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      tokenAuth: fc.option(fc.boolean()),
      rstreamAuth: fc.option(fc.boolean()),
      mtls: sometimes(fc.constant({ ca: "ca.pem" }), 15),
      challenge: sometimes(fc.boolean(), 30),
      sessionAllow: sometimes(
        fc.record({
          emails: fc.subarray(["ann@corp.example", "bob@other.example"]),
          domains: fc.subarray(["corp.example"]),
          groups: fc.subarray(["eng", "ops"]),
        }),
        30,
      ),
      label: fc.constantFrom("prod", "dev"),
      edge: arbEdgeProperties(),
    })
    .map((t) => ({
      id: "web",
      name: "web",
      labels: { env: t.label },
      protocol: t.protocol,
      hosts: ["web.example.com", "*.apps.example.com"],
      publish: t.publish,
      upstream: "http://127.0.0.1:8080",
      tokenAuth: t.tokenAuth,
      rstreamAuth: t.rstreamAuth,
      mtls: t.mtls,
      challenge: t.challenge,
      forwardAuthorization: null,
      sessionAllow: t.sessionAllow,
      ...t.edge,
      spans: {},
    }));
}

function arbStringMatch(
  values: readonly string[],
  regexes: readonly string[],
): fc.Arbitrary<StringMatchIr> {
  return fc.oneof(
    fc.constantFrom(...values).map((value): StringMatchIr => ({ kind: "exact", value })),
    fc
      .subarray([...values], { minLength: 1 })
      .map((v): StringMatchIr => ({ kind: "oneof", values: v })),
    fc.constantFrom(...regexes).map((source): StringMatchIr => ({ kind: "regex", source })),
  );
}

/** A tunnel filter tree with nested AND/OR. */
export function arbFilter(): fc.Arbitrary<FilterIr> {
  const leaf: fc.Arbitrary<FilterIr> = fc.oneof(
    arbStringMatch(["web", "api"], ["^w", "eb$"]).map((match): FilterIr => ({
      kind: "string",
      field: "name",
      match,
    })),
    arbStringMatch(["http", "tls", "quic"], ["^ht"]).map((match): FilterIr => ({
      kind: "string",
      field: "protocol",
      match,
    })),
    // Every string field the IR has (those a tunnel decides from its protocol, its project or
    // not at all among them), so that each one is compiled, written to a bundle and loaded back.
    fc
      .record({
        field: fc.constantFrom(...STRING_FIELDS),
        match: arbStringMatch(["bytestream", "online", "1.2", "terminated"], ["^b"]),
      })
      .map(({ field, match }): FilterIr => ({ kind: "string", field, match })),
    arbStringMatch(["prod", "dev"], ["^pr"]).map((match): FilterIr => ({
      kind: "label",
      key: "env",
      match,
    })),
    fc
      .record({
        field: fc.constantFrom(
          "publish",
          "token_auth",
          "rstream_auth",
          "challenge_mode",
          "mtls_auth" as const,
        ),
        value: fc.boolean(),
      })
      .map(({ field, value }): FilterIr => ({ kind: "boolean", field, value })),
    arbIpSet().map((within): FilterIr => ({ kind: "ips", within })),
    arbCountrySet().map((within): FilterIr => ({ kind: "countries", within })),
  );
  return fc.letrec<{ node: FilterIr }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      // Empty lists too: the platform's filters allow them (an empty `or` selects nothing).
      fc
        .array(tie("node"), { minLength: 0, maxLength: 3 })
        .map((children): FilterIr => ({ kind: "and", children })),
      fc
        .array(tie("node"), { minLength: 0, maxLength: 3 })
        .map((children): FilterIr => ({ kind: "or", children })),
    ),
  })).node;
}

/** A path restriction: exact and prefix values, safe regexes, globs (normalized policy values). */
export function arbPathMatch(): fc.Arbitrary<PathMatchIr> {
  const paths = ["/api", "/api/users", "/admin", "/", "/api/v1/users.json"];
  return fc.oneof(
    fc.constantFrom(...paths).map((value): PathMatchIr => ({ kind: "exact", value })),
    fc.subarray(paths, { minLength: 1 }).map((values): PathMatchIr => ({ kind: "oneof", values })),
    fc
      .subarray(["/api", "/api/", "/admin", "/"], { minLength: 1 })
      .map((values): PathMatchIr => ({ kind: "prefix", values })),
    fc
      .constantFrom("^/api/", "^/api$", "admin", "\\.json$")
      .map((source): PathMatchIr => ({ kind: "regex", source })),
    fc
      .subarray(["/api/*", "/api/**", "/**/*.json"], { minLength: 1 })
      .map((patterns): PathMatchIr => ({ kind: "glob", patterns })),
  );
}

/** One action: often unrestricted, sometimes filtered, path-scoped and method-scoped. */
export function arbAction(): fc.Arbitrary<ActionIr> {
  return fc.record({
    filter: fc.option(arbFilter(), { freq: 2 }),
    path: fc.option(arbPathMatch(), { freq: 2 }),
    methods: fc.option(fc.subarray(["GET", "HEAD", "POST", "DELETE"], { minLength: 1 }), {
      freq: 2,
    }),
    select: fc.constant(null),
  });
}

/** A resource tree with nested AND/OR over leaves. */
export function arbGrantNode(): fc.Arbitrary<GrantNodeIr> {
  const leaf: fc.Arbitrary<GrantNodeIr> = fc
    .record({
      workspaces: fc.option(fc.subarray(["ws", "other"], { minLength: 1 }), { freq: 4 }),
      projects: fc.option(fc.subarray(["proj", "other"], { minLength: 1 }), { freq: 3 }),
      create: fc.option(arbAction(), { freq: 3 }),
      connect: fc.option(arbAction(), { freq: 5 }),
      list: fc.option(arbAction(), { freq: 3 }),
    })
    .map((parts): GrantNodeIr => ({ kind: "leaf", ...parts }));
  return fc.letrec<{ node: GrantNodeIr }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc
        .array(tie("node"), { minLength: 1, maxLength: 3 })
        .map((children): GrantNodeIr => ({ kind: "and", children })),
      fc
        .array(tie("node"), { minLength: 1, maxLength: 3 })
        .map((children): GrantNodeIr => ({ kind: "or", children })),
    ),
  })).node;
}

/** A root grant named `name`. */
export function arbGrant(name = "g"): fc.Arbitrary<GrantIr> {
  return fc
    .record({
      permissions: sometimes(fc.subarray([...PERMISSIONS]), 50),
      resources: sometimes(arbGrantNode(), 70),
      expiresAt: sometimes(fc.integer({ min: 1, max: 2_000_000_000 }), 40),
      type: fc.option(fc.constantFrom("pat", "app", "auth" as const)),
    })
    .map((g) => ({ name, parent: null, spans: {}, ...g }));
}

/** A policy with one tunnel, two grants and a credential for the first. */
export function arbPolicyIr(): fc.Arbitrary<PolicyIr> {
  return fc
    .record({ project: arbProjectIr(), tunnel: arbTunnelIr(), a: arbGrant("a"), b: arbGrant("b") })
    .map(({ project, tunnel, a, b }) => ({
      source: "arbitrary.rampart",
      project,
      tunnels: [tunnel],
      grants: [a, b],
      credentials: [credentialIr({ name: "svc", grant: "a" })],
      tests: [],
    }));
}

/** A policy that passes the bounds stage, as its effective policy. */
export function arbEffectivePolicy(): fc.Arbitrary<EffectivePolicy> {
  return arbPolicyIr()
    .map((ir) => computeEffective(ir).value)
    .filter((p): p is EffectivePolicy => p !== undefined);
}

/** Token facts: none, one of the failure statuses, or valid with a given or arbitrary grant. */
export function arbTokenFacts(grants: readonly GrantIr[] = []): fc.Arbitrary<TokenFacts | null> {
  const valid = (
    grant: GrantIr,
    source: "header" | "query",
    owner: TokenOwner | null,
    memberOf: readonly string[] | null,
  ): TokenFacts => ({
    source,
    status: "valid",
    id: grant.name,
    type: grant.type,
    lifetimeSeconds: 60,
    grant,
    subject: `subject:${grant.name}`,
    owner,
    memberOf,
  });
  const grantArb =
    grants.length > 0 ? fc.oneof(fc.constantFrom(...grants), arbGrant("x")) : arbGrant("x");
  return fc.oneof(
    fc.constant(null),
    fc
      .record({
        status: fc.constantFrom("malformed", "bad_signature", "expired", "not_yet_valid" as const),
        source: fc.constantFrom("header", "query" as const),
      })
      .map(({ status, source }): TokenFacts => ({
        source,
        status,
        id: null,
        type: null,
        lifetimeSeconds: null,
        grant: null,
        subject: null,
      })),
    fc
      .record({
        grant: grantArb,
        source: fc.constantFrom("header", "query" as const),
        owner: arbOwner(),
        // S-T8: the backend's answer, when it gives one.
        memberOf: fc.option(fc.constantFrom(["proj"], ["other"], ["other", "proj"], []), {
          freq: 2,
        }),
      })
      .map(({ grant, source, owner, memberOf }) => valid(grant, source, owner, memberOf)),
  );
}

/** A signed-in session, or none. */
export function arbSession(): fc.Arbitrary<SessionFacts | null> {
  return sometimes(
    fc.record({
      userId: fc.constantFrom("u1", "u2"),
      name: fc.constant(null),
      email: fc.constantFrom("ann@corp.example", "bob@other.example", null),
      image: fc.constant(null),
      groups: fc.subarray(["eng", "ops"]),
    }),
    40,
  );
}

/** Request facts aimed at a policy: its hosts (or an unknown one), its grants and credentials. */
export function arbRequestFacts(policy?: EffectivePolicy): fc.Arbitrary<RequestFacts> {
  const grants = policy === undefined ? [] : Object.values(policy.grants);
  return fc.record({
    host: fc.oneof(
      { weight: 8, arbitrary: fc.constant("web.example.com") },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          "x.apps.example.com",
          "a.b.apps.example.com",
          "unknown.example.com",
        ),
      },
    ),
    method: fc.constantFrom("GET", "GET", "GET", "HEAD", "POST", "DELETE", "OPTIONS"),
    path: arbPath(),
    clientIp: arbClientIp(),
    country: arbCountry(),
    secure: fc.boolean(),
    acceptsHtml: fc.boolean(),
    upgrade: fc.constantFrom(false, false, false, true),
    port: fc.constantFrom(null, null, null, 8443),
    origin: fc.constantFrom(
      null,
      null,
      "https://web.example.com",
      "https://web.example.com:8443",
      "https://evil.example",
      "null",
    ),
    referer: fc.constantFrom(null, "https://web.example.com/page", "https://evil.example/"),
    contentType: fc.constantFrom(null, "application/json", "text/plain"),
    methodOverride: fc.constantFrom(false, false, false, true),
    token: arbTokenFacts(grants),
    challengeCookie: fc.constantFrom(null, "valid", "valid", "invalid" as const),
    session: arbSession(),
    clientCredential: fc.constantFrom(null, "svc", "unknown"),
    tlsVersion: sometimes(arbTls(), 30),
  });
}

/** Handshake facts aimed at the arbitrary policies' hosts. */
export function arbHandshakeFacts(): fc.Arbitrary<HandshakeFacts> {
  return fc.record({
    sni: fc.constantFrom("web.example.com", "x.apps.example.com", "unknown.example.com"),
    version: arbTls(),
    group: fc.constantFrom(
      "x25519",
      "X25519MLKEM768",
      "SecP256r1MLKEM768",
      "SecP384r1MLKEM1024",
      "prime256v1",
      "secp384r1",
      null,
    ),
    ech: fc.boolean(),
    clientCertVerified: fc.boolean(),
    clientCredential: fc.constantFrom(null, "svc"),
  });
}
