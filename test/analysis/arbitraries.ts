/**
 * Random policy pairs and requests for the analysis properties. Values come from small
 * overlapping pools (nested CIDRs, a few countries, path patterns that cut each other), so
 * random pairs disagree in interesting places; the second policy of a pair mixes fields of two
 * random policies, so pairs range from near-identical to unrelated.
 */
import fc from "fast-check";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { RequestFacts, TokenFacts } from "../../src/ir/facts.ts";
import type {
  ActionIr,
  FilterIr,
  GrantIr,
  GrantNodeIr,
  PathMatchIr,
  PolicyIr,
  ProjectIr,
  TunnelIr,
} from "../../src/ir/types.ts";
import {
  countrySet,
  credentialIr,
  grantIr,
  ipSet,
  policyIr,
  projectIr,
  tunnelIr,
} from "../../src/testkit/builders.ts";

const CIDRS = [
  "10.0.0.0/8",
  "10.1.0.0/16",
  "10.1.2.0/24",
  "10.2.0.0/16",
  "192.0.2.0/24",
  "2001:db8::/32",
  "2001:db8:1::/48",
];
const ADDRESSES = [
  "10.0.0.1",
  "10.1.0.5",
  "10.1.2.3",
  "10.1.2.255",
  "10.2.3.4",
  "10.255.255.255",
  "11.0.0.0",
  "192.0.2.7",
  "198.51.100.1",
  "2001:db8::1",
  "2001:db8:1::1",
  "2001:db9::1",
  "::ffff:10.1.2.3",
  "9.255.255.255",
];
const COUNTRIES = ["DE", "FR", "US", "GB"];
const PATH_MATCHES: PathMatchIr[] = [
  { kind: "prefix", values: ["/api"] },
  { kind: "prefix", values: ["/api/v1", "/admin"] },
  { kind: "glob", patterns: ["/api/*/items"] },
  { kind: "glob", patterns: ["/files/**"] },
  { kind: "glob", patterns: ["/a/*.json"] },
  { kind: "exact", value: "/health" },
  { kind: "oneof", values: ["/a", "/b"] },
  { kind: "regex", source: "^/api/v[0-9]+" },
  { kind: "regex", source: "admin" },
];
const PATHS = [
  "/",
  "/api",
  "/api/",
  "/api/v1",
  "/api/v1/items",
  "/api/v2/items",
  "/apix",
  "/admin",
  "/admin/x",
  "/files",
  "/files/a/b",
  "/a/x.json",
  "/a/.json",
  "/health",
  "/a",
  "/b",
  "/api/../admin",
  "//api",
  "/x/admin",
  "/.well-known/rstream/session",
  "/.well-known/rstream/logout",
  "/.well-known/rstream/other",
  "/.well-known/rstream",
  "/.well-known/rstream/../../api",
  "/%2F",
  "/.well-known/rstream/%2F",
  "/api/%7Ev1",
  "/API",
];
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"];
const GRANT_NAMES = ["ci", "ops"];
const TUNNEL_IDS = ["api", "web"];

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.option(arb, { nil: null, freq: 2 });
/** Mostly absent: for features whose exploration is costly, so most pairs stay cheap. */
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.option(arb, { nil: null, freq: 6 });
const someOf = <T>(pool: readonly T[]): fc.Arbitrary<T[]> =>
  fc.subarray([...pool], { minLength: 1 });

const arbIpSet = someOf(CIDRS).map((c) => ipSet(...c));
const arbCountries = someOf(COUNTRIES).map((c) => countrySet(...c));
const arbTls = maybe(fc.constantFrom("1.2" as const, "1.3" as const));

const arbFilter: fc.Arbitrary<FilterIr | null> = maybe(
  fc.oneof(
    fc.constantFrom(...TUNNEL_IDS).map((id): FilterIr => ({
      kind: "string",
      field: "id",
      match: { kind: "exact", value: id },
    })),
    fc.boolean().map((value): FilterIr => ({ kind: "boolean", field: "challenge_mode", value })),
    arbIpSet.map((within): FilterIr => ({ kind: "ips", within })),
  ),
);

const arbAction: fc.Arbitrary<ActionIr> = fc.record({
  filter: arbFilter,
  path: maybe(fc.constantFrom(...PATH_MATCHES)),
  methods: maybe(someOf(["GET", "POST", "DELETE"])),
  select: fc.constant(null),
});

const arbLeaf: fc.Arbitrary<GrantNodeIr> = fc.record({
  kind: fc.constant("leaf" as const),
  workspaces: fc.constant(null),
  projects: maybe(fc.constantFrom(["proj"], ["other"])),
  create: fc.constant(null),
  connect: maybe(arbAction),
  list: fc.constant(null),
});

const arbNode: fc.Arbitrary<GrantNodeIr> = fc.oneof(
  { arbitrary: arbLeaf, weight: 4 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom("and" as const, "or" as const), arbLeaf, arbLeaf)
      .map(([kind, a, b]): GrantNodeIr => ({ kind, children: [a, b] })),
    weight: 1,
  },
);

const arbGrant = (name: string): fc.Arbitrary<GrantIr> =>
  fc
    .record({
      type: maybe(fc.constantFrom("pat" as const, "app" as const, "auth" as const)),
      permissions: maybe(
        fc.constantFrom(
          ["tunnels.streams.create-delete" as const],
          ["tunnels.resources.read-only" as const],
        ),
      ),
      resources: maybe(arbNode),
    })
    .map((g) => grantIr({ name, ...g }));

const arbTunnel = (id: string, wildcard: boolean): fc.Arbitrary<TunnelIr> =>
  fc
    .record({
      tokenAuth: maybe(fc.boolean()),
      rstreamAuth: maybe(fc.boolean()),
      challenge: maybe(fc.boolean()),
      trustedIps: maybe(arbIpSet),
      countries: maybe(arbCountries),
      tlsMin: arbTls,
      mtls: rarely(fc.constant({ ca: "ca.pem" })),
      sessionAllow: rarely(
        fc.record({
          emails: fc.subarray(["a@x.test"]),
          domains: fc.subarray(["corp.test"]),
          groups: fc.subarray(["eng", "ops"]),
        }),
      ),
    })
    .map((t) =>
      tunnelIr({ id, hosts: wildcard ? ["*.example.com"] : [`${id}.example.com`], ...t }),
    );

const arbProject: fc.Arbitrary<ProjectIr> = fc
  .record({
    publicAccess: fc.constantFrom("allowed" as const, "auth-required" as const),
    trustedIps: maybe(arbIpSet),
    countries: maybe(arbCountries),
    tlsMin: arbTls,
  })
  .map((p) => projectIr(p));

const arbPolicy: fc.Arbitrary<PolicyIr> = fc
  .record({
    project: arbProject,
    tunnels: fc
      .tuple(arbTunnel("api", false), arbTunnel("web", true), fc.constantFrom(1, 1, 1, 2))
      .map(([a, w, n]) => [a, w].slice(0, n)),
    grants: fc
      .tuple(arbGrant("ci"), arbGrant("ops"), fc.constantFrom(0, 1, 1, 2))
      .map(([a, b, n]) => [a, b].slice(0, n)),
    withCredential: fc.constantFrom(false, false, false, true),
  })
  .map(({ withCredential, ...p }) =>
    policyIr({
      ...p,
      credentials:
        withCredential && p.grants.length > 0 ? [credentialIr({ name: "cert", grant: "ci" })] : [],
    }),
  );

function mix<T extends object>(a: T, b: T, mask: readonly boolean[]): T {
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  Object.keys(a).forEach((k, i) => {
    if (mask[i % mask.length] === true) out[k] = (b as Record<string, unknown>)[k];
  });
  return out as T;
}

/** Mixes two policies field by field: project fields, each tunnel's fields, each grant. */
function mixPolicies(a: PolicyIr, b: PolicyIr, mask: readonly boolean[]): PolicyIr {
  const tunnels = a.tunnels.map((t, i) => {
    const other = b.tunnels[i];
    return other === undefined ? t : mix(t, other, mask.slice(i * 3));
  });
  const grants =
    mask[0] === mask[1]
      ? b.grants
      : a.grants.map((g, i) => (mask[i + 4] === true ? (b.grants[i] ?? g) : g));
  return {
    ...a,
    project: mix(a.project, b.project, mask.slice(7)),
    tunnels,
    grants,
    credentials: mask[2] === true ? b.credentials : a.credentials,
  };
}

function effective(ir: PolicyIr): EffectivePolicy | null {
  return computeEffective(ir).value ?? null;
}

/**
 * One edit of the kind a pull request makes: a single field of the project, of one tunnel,
 * or one whole grant, taken from another random policy.
 */
function editOne(a: PolicyIr, b: PolicyIr, pick: number): PolicyIr {
  const projectKeys = Object.keys(a.project) as (keyof ProjectIr)[];
  const tunnelKeys = Object.keys(a.tunnels[0] ?? {}) as (keyof TunnelIr)[];
  const slots = projectKeys.length + a.tunnels.length * tunnelKeys.length + a.grants.length;
  let k = pick % Math.max(1, slots);
  if (k < projectKeys.length) {
    const key = projectKeys[k] as keyof ProjectIr;
    return { ...a, project: { ...a.project, [key]: b.project[key] } };
  }
  k -= projectKeys.length;
  const t = Math.floor(k / tunnelKeys.length);
  if (t < a.tunnels.length) {
    const key = tunnelKeys[k % tunnelKeys.length] as keyof TunnelIr;
    const other = b.tunnels[t] ?? b.tunnels[0];
    if (key === "id" || key === "hosts" || other === undefined) return a;
    return { ...a, tunnels: a.tunnels.map((x, i) => (i === t ? { ...x, [key]: other[key] } : x)) };
  }
  const g = k - a.tunnels.length * tunnelKeys.length;
  return {
    ...a,
    grants: a.grants.map((x, i) => (i === g ? { ...(b.grants[i] ?? x), name: x.name } : x)),
  };
}

function effectivePair(
  a: PolicyIr,
  b: PolicyIr,
): readonly [EffectivePolicy, EffectivePolicy] | null {
  const before = effective(a);
  const after = effective(b);
  return before === null || after === null ? null : [before, after];
}

/** A pair of effective policies (old, new) that differ by one edit, as most reviewed changes do. */
export const arbEditedPair: fc.Arbitrary<readonly [EffectivePolicy, EffectivePolicy]> = fc
  .tuple(arbPolicy, arbPolicy, fc.nat())
  .map(([a, b, pick]) => effectivePair(a, editOne(a, b, pick)))
  .filter((pair): pair is readonly [EffectivePolicy, EffectivePolicy] => pair !== null);

/** A pair of effective policies that mix many fields of two random policies. */
export const arbMixedPair: fc.Arbitrary<readonly [EffectivePolicy, EffectivePolicy]> = fc
  .tuple(arbPolicy, arbPolicy, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }))
  .map(([a, b, mask]) => effectivePair(a, mixPolicies(a, b, mask)))
  .filter((pair): pair is readonly [EffectivePolicy, EffectivePolicy] => pair !== null);

/** A request, with the grant name its token carries (resolved per side by `materialize`). */
export interface AbstractRequest {
  readonly facts: RequestFacts;
  readonly tokenGrant: string | null;
}

const arbToken: fc.Arbitrary<{ token: TokenFacts | null; grant: string | null }> = fc.oneof(
  fc.constant({ token: null, grant: null }),
  fc
    .record({
      source: fc.constantFrom("header" as const, "query" as const),
      status: fc.constantFrom(
        "malformed" as const,
        "bad_signature" as const,
        "expired" as const,
        "not_yet_valid" as const,
      ),
    })
    .map(({ source, status }) => ({
      token: {
        source,
        status,
        id: null,
        type: null,
        lifetimeSeconds: null,
        grant: null,
        subject: null,
      },
      grant: null,
    })),
  fc
    .record({
      source: fc.constantFrom("header" as const, "query" as const),
      grant: fc.constantFrom(...GRANT_NAMES, "*", "gone"),
      type: fc.constantFrom("pat" as const, "app" as const, "auth" as const),
    })
    .map(({ source, grant, type }) => ({
      token: {
        source,
        status: "valid" as const,
        id: "t",
        type,
        lifetimeSeconds: 60,
        grant: null,
        subject: "someone",
        // S-T8: a member's token, as the diff's token atoms describe (ownership is per token).
        memberOf: ["proj"],
      },
      grant,
    })),
);

const arbOrigin = (host: string): fc.Arbitrary<string | null> =>
  fc.constantFrom(
    null,
    `https://${host}`,
    `http://${host}`,
    "https://evil.test",
    `https://${host}:8443`,
  );

/** A random request against the hosts of the pools. */
export const arbRequest: fc.Arbitrary<AbstractRequest> = fc
  .record({
    host: fc.constantFrom(
      "api.example.com",
      "web.example.com",
      "x.example.com",
      "a.b.example.com",
      "nowhere.test",
    ),
    method: fc.constantFrom(...METHODS),
    path: fc.oneof(
      fc.constantFrom(...PATHS),
      fc
        .array(
          fc.constantFrom(
            "api",
            "v1",
            "v9",
            "items",
            "admin",
            "files",
            "x.json",
            "a",
            "b",
            "",
            ".",
            "..",
            "%41",
            "health",
          ),
          { maxLength: 4 },
        )
        .map((segments) => `/${segments.join("/")}`),
    ),
    clientIp: fc.oneof(fc.constantFrom(...ADDRESSES), fc.ipV4()),
    country: fc.constantFrom(null, ...COUNTRIES, "BR"),
    tls: fc.constantFrom(null, "1.2" as const, "1.3" as const),
    acceptsHtml: fc.boolean(),
    upgrade: fc.boolean(),
    contentType: fc.constantFrom(
      null,
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "",
    ),
    token: arbToken,
    challengeCookie: fc.constantFrom(null, "valid" as const, "invalid" as const),
    session: maybe(
      fc.record({
        email: fc.constantFrom(null, "a@x.test", "b@corp.test", "c@else.test"),
        groups: fc.subarray(["eng", "ops", "sales"]),
      }),
    ),
    clientCredential: fc.constantFrom(null, "cert", "stranger"),
    port: fc.constantFrom(null, null, 8443),
  })
  .chain((r) =>
    fc.tuple(arbOrigin(r.host), arbOrigin(r.host)).map(([origin, referer]) => {
      const facts: RequestFacts = {
        host: r.host,
        port: r.port,
        method: r.method,
        path: r.path,
        clientIp: r.clientIp,
        country: r.country,
        secure: r.tls !== null,
        acceptsHtml: r.acceptsHtml,
        upgrade: r.upgrade,
        origin,
        referer,
        contentType: r.contentType,
        token: r.token.token,
        challengeCookie: r.challengeCookie,
        session:
          r.session === null ? null : { userId: "u1", name: null, image: null, ...r.session },
        clientCredential: r.clientCredential,
        tlsVersion: r.tls,
      };
      return { facts, tokenGrant: r.token.grant };
    }),
  );

const UNRESTRICTED: GrantIr = grantIr({ name: "*" });

/** The concrete request one side sees: its token carries that side's grant of the name. */
export function materialize(request: AbstractRequest, policy: EffectivePolicy): RequestFacts {
  const { facts, tokenGrant } = request;
  if (facts.token === null || facts.token.status !== "valid" || tokenGrant === null) return facts;
  const grant = tokenGrant === "*" ? UNRESTRICTED : (policy.grants[tokenGrant] ?? null);
  return { ...facts, token: { ...facts.token, grant } };
}
