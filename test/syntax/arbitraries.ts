/**
 * fast-check arbitraries for policy documents (the JSON model of `src/syntax/model.ts`), for
 * round-trip properties of the front ends. Every generated document is schema-valid; strings
 * mix ordinary values with the ones printers get wrong (quotes, backslashes, `#`, braces,
 * line and paragraph separators, `__proto__`, keywords that look like bare words).
 *
 * Not generated: empty containers that carry no meaning and have no DSL spelling (top-level
 * `[]`, a leaf's `scopes: {}`, `headers: {}`, a filter's `labels: {}`); see print-dsl.ts.
 */
import fc from "fast-check";
import type {
  FilterDoc,
  GrantNodeDoc,
  PathFilterDoc,
  PolicyDocumentDoc,
  ScopeActionDoc,
  StringFilterDoc,
} from "../../src/syntax/model.ts";

const NO_NULL_PROTO = { noNullPrototype: true } as const;

const TRICKY = [
  "__proto__",
  "constructor",
  'a"b',
  "back\\slash",
  "# not a comment",
  "}",
  "line\nbreak",
  "\u2028",
  "tab\there",
  "plan",
  "true",
  "on",
  "x y",
  "ünïcode",
  "🙂",
  "-",
];

/** Any string up to `max` code points, biased towards tricky ones. */
function text(min: number, max: number): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.string({ unit: "binary", minLength: min, maxLength: Math.min(max, 12) }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...TRICKY.filter((s) => s.length >= min && s.length <= max)),
    },
  );
}

const name = (): fc.Arbitrary<string> => text(1, 256);

/** Trusted-IP entries: mostly addresses the lexer reads bare, sometimes any string. */
const ipEntry = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.ipV4(),
    fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
    fc.ipV6(),
    fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`),
    text(1, 64),
  );

const country = (): fc.Arbitrary<string> =>
  fc.oneof(fc.constantFrom("DE", "FR", "US", "GB", "IN", "in", "de"), text(1, 8));

const plan = fc.constantFrom("basic", "pro", "enterprise");
const publicAccess = fc.constantFrom("allowed", "auth-required", "forbidden");
const tlsVersion = fc.constantFrom("1.2", "1.3");
const featureMode = fc.constantFrom("off", "preferred", "required");
const protocol = fc.constantFrom("http", "tls", "tls-passthrough", "dtls", "quic", "tcp");
const method = fc.constantFrom("GET", "POST", "PUT", "HEAD", "get", "PROPFIND");
const permission = fc.constantFrom(
  "tunnels.resources.read-only",
  "tunnels.tunnels.create-delete",
  "tunnels.streams.create-delete",
);

const nonEmpty = <T>(arb: fc.Arbitrary<T>, max = 3): fc.Arbitrary<T[]> =>
  fc.array(arb, { minLength: 1, maxLength: max });

const edgeFields = {
  trusted_ips: fc.array(ipEntry(), { maxLength: 4 }),
  geo_ip: fc.array(country(), { maxLength: 4 }),
  tls_min_version: tlsVersion,
  post_quantum: fc.record(
    { mode: featureMode, fips: fc.boolean() },
    { requiredKeys: ["mode"], ...NO_NULL_PROTO },
  ),
  ech: featureMode,
};

const project = fc.record(
  { id: name(), name: name(), workspace: name(), plan, public_access: publicAccess, ...edgeFields },
  { requiredKeys: ["id", "plan"], ...NO_NULL_PROTO },
);

const stringList = (max = 3): fc.Arbitrary<string[]> => fc.array(text(1, 40), { maxLength: max });

const tunnel = fc.record(
  {
    id: name(),
    name: name(),
    labels: fc.dictionary(text(1, 128), text(0, 256), { maxKeys: 3, ...NO_NULL_PROTO }),
    protocol,
    hostname: fc.array(text(1, 253), { maxLength: 3 }),
    publish: fc.boolean(),
    upstream: text(1, 80),
    token_auth: fc.boolean(),
    rstream_auth: fc.boolean(),
    mtls_auth: fc.record({ ca: text(1, 40) }, NO_NULL_PROTO),
    challenge_mode: fc.boolean(),
    forward_authorization: fc.boolean(),
    rstream_auth_allow: fc.record(
      { emails: stringList(), domains: stringList(), groups: stringList() },
      { requiredKeys: [], ...NO_NULL_PROTO },
    ),
    ...edgeFields,
  },
  { requiredKeys: ["id", "protocol"], ...NO_NULL_PROTO },
);

const stringFilter: fc.Arbitrary<StringFilterDoc> = fc.oneof(
  text(0, 20),
  fc.record({ exact: text(0, 20) }, NO_NULL_PROTO),
  fc.record({ oneof: nonEmpty(text(0, 20)) }, NO_NULL_PROTO),
  fc.record({ regex: text(1, 40) }, NO_NULL_PROTO),
);

const pathFilter: fc.Arbitrary<PathFilterDoc> = fc.oneof(
  stringFilter,
  fc.record({ prefix: nonEmpty(text(1, 20)) }, NO_NULL_PROTO),
  fc.record({ glob: nonEmpty(text(1, 20)) }, NO_NULL_PROTO),
);

const fieldFilters = fc.record(
  {
    id: stringFilter,
    name: stringFilter,
    protocol: stringFilter,
    hostname: stringFilter,
    status: stringFilter,
    tls_min_version: stringFilter,
    labels: fc.dictionary(text(1, 20), stringFilter, { minKeys: 1, maxKeys: 2, ...NO_NULL_PROTO }),
    publish: fc.boolean(),
    token_auth: fc.boolean(),
    rstream_auth: fc.boolean(),
    challenge_mode: fc.boolean(),
    mtls_auth: fc.boolean(),
    trusted_ips: fc.array(ipEntry(), { maxLength: 3 }),
    geo_ip: fc.array(country(), { maxLength: 3 }),
  },
  { requiredKeys: [], ...NO_NULL_PROTO },
);

const { filter } = fc.letrec<{ filter: FilterDoc }>((tie) => ({
  filter: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fieldFilters,
    fc.record({ AND: nonEmpty(tie("filter"), 3) }, NO_NULL_PROTO),
    fc.record({ OR: nonEmpty(tie("filter"), 3) }, NO_NULL_PROTO),
  ),
}));

const actionObject = fc.record(
  {
    filters: filter,
    params: fc.record(
      { path: pathFilter, methods: nonEmpty(method) },
      { requiredKeys: [], ...NO_NULL_PROTO },
    ),
    select: fc.array(text(1, 20), { maxLength: 3 }),
  },
  { requiredKeys: [], ...NO_NULL_PROTO },
);

const action: fc.Arbitrary<ScopeActionDoc> = fc.oneof(fc.boolean(), actionObject);

const leaf = fc
  .tuple(
    fc.option(fc.array(name(), { maxLength: 2 }), { nil: undefined }),
    fc.option(fc.array(name(), { maxLength: 2 }), { nil: undefined }),
    fc.record(
      { create: action, connect: action, list: action },
      { requiredKeys: [], ...NO_NULL_PROTO },
    ),
  )
  .map(([workspaces, projects, actions]) => {
    const node: Record<string, unknown> = {};
    if (workspaces !== undefined) node["workspaces"] = workspaces;
    if (projects !== undefined) node["projects"] = projects;
    if (Object.keys(actions).length > 0) node["scopes"] = { tunnels: actions };
    return node as GrantNodeDoc;
  });

const { grantNode } = fc.letrec<{ grantNode: GrantNodeDoc }>((tie) => ({
  grantNode: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.record({ AND: nonEmpty(tie("grantNode"), 3) }, NO_NULL_PROTO),
    fc.record({ OR: nonEmpty(tie("grantNode"), 3) }, NO_NULL_PROTO),
  ),
}));

const grant = fc.record(
  {
    name: name(),
    type: fc.constantFrom("pat", "app", "auth"),
    parent: name(),
    expires_at: text(1, 30),
    permissions: fc.oneof(fc.constant(null), fc.array(permission, { maxLength: 3 })),
    resources: fc.record({ tunnels: grantNode }, NO_NULL_PROTO),
  },
  { requiredKeys: ["name"], ...NO_NULL_PROTO },
);

const credential = fc.record(
  { name: name(), subject_cn: text(1, 40), fingerprint256: text(1, 40), grant: name() },
  { requiredKeys: ["name", "grant"], ...NO_NULL_PROTO },
);

const place = fc.constantFrom("header", "query");
const testToken = fc.oneof(
  fc.record({ grant: name(), in: place }, { requiredKeys: ["grant"], ...NO_NULL_PROTO }),
  fc.record(
    {
      invalid: fc.constantFrom("malformed", "bad_signature", "expired", "not_yet_valid"),
      in: place,
    },
    { requiredKeys: ["invalid"], ...NO_NULL_PROTO },
  ),
);

const request = fc.record(
  {
    method,
    url: text(1, 60),
    client_ip: ipEntry(),
    country: country(),
    headers: fc.dictionary(text(1, 20), text(0, 20), { minKeys: 1, maxKeys: 3, ...NO_NULL_PROTO }),
    token: testToken,
    challenge_cookie: fc.constantFrom("valid", "invalid"),
    session: fc.record(
      {
        user_id: name(),
        email: text(0, 30),
        name: text(0, 30),
        groups: fc.array(text(0, 10), { maxLength: 2 }),
      },
      { requiredKeys: ["user_id"], ...NO_NULL_PROTO },
    ),
    tls: fc.record(
      { version: tlsVersion, group: text(0, 20), ech: fc.boolean(), client_cert: name() },
      { requiredKeys: [], ...NO_NULL_PROTO },
    ),
  },
  { requiredKeys: ["url", "client_ip"], ...NO_NULL_PROTO },
);

const policyTest = fc.record(
  {
    name: name(),
    request,
    expect: fc.record(
      {
        outcome: fc.constantFrom("forward", "deny", "challenge", "login", "respond"),
        status: fc.integer({ min: 100, max: 599 }),
        reason: fc.constantFrom(
          "ok",
          "missing_token",
          "insufficient_scope",
          "policy_denied",
          "not_allowed",
        ),
        policy: fc.constantFrom("ip", "geo", "mtls", "challenge", "tls"),
      },
      { requiredKeys: ["outcome"], ...NO_NULL_PROTO },
    ),
  },
  NO_NULL_PROTO,
);

/** A schema-valid policy document. */
export function arbPolicyDocument(): fc.Arbitrary<PolicyDocumentDoc> {
  return fc
    .record(
      {
        $schema: text(1, 40),
        project,
        tunnels: nonEmpty(tunnel, 2),
        grants: nonEmpty(grant, 2),
        credentials: nonEmpty(credential, 2),
        tests: nonEmpty(policyTest, 2),
      },
      { requiredKeys: ["project"], ...NO_NULL_PROTO },
    )
    .map((doc) => doc as PolicyDocumentDoc);
}
