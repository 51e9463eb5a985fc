/**
 * The policy document model: the JSON form of a policy file, and the shape both front ends
 * (DSL and JSON) produce. These zod schemas are the single source of truth for that shape;
 * `grammar/policy.schema.json` is generated from them and ajv validates JSON input with it.
 *
 * Tunnel property names follow the platform's (SPEC S-D5). Semantic checks (CIDR syntax,
 * country codes, references, plan gating) happen when lowering to IR, where they can carry
 * hints; the schema only fixes the shape and the closed enums.
 */
import { z } from "zod";

export const Plan = z.enum(["basic", "pro", "enterprise"]);
export const PublicAccess = z.enum(["allowed", "auth-required", "forbidden"]);
export const TlsVersion = z.enum(["1.2", "1.3"]);
export const FeatureMode = z.enum(["off", "preferred", "required"]);
export const Protocol = z.enum(["http", "tls", "tls-passthrough", "dtls", "quic", "tcp"]);
export const TokenType = z.enum(["pat", "app", "auth"]);
export const Permission = z.enum([
  "tunnels.resources.read-only",
  "tunnels.tunnels.create-delete",
  "tunnels.streams.create-delete",
]);

/** An IPv4 or IPv6 address, or a CIDR; checked and normalized when lowering. */
const IpEntry = z.string().min(1).max(64);
/** An ISO 3166-1 alpha-2 code; case-folded and checked when lowering. */
const CountryCode = z.string().min(1).max(8);
const Name = z.string().min(1).max(256);

export const PostQuantum = z.strictObject({
  mode: FeatureMode,
  /** Only NIST/FIPS-approved P-256 / P-384 hybrids and fallbacks. */
  fips: z.boolean().optional(),
});

/** Properties shared by the project bounds and a tunnel request. */
const edgeProperties = {
  trusted_ips: z.array(IpEntry).max(100_000).optional(),
  geo_ip: z.array(CountryCode).max(300).optional(),
  tls_min_version: TlsVersion.optional(),
  post_quantum: PostQuantum.optional(),
  ech: FeatureMode.optional(),
};

/** Who belongs to the project (S-T8): users by id or e-mail, application clients by id. */
export const ProjectMembers = z.strictObject({
  users: z.array(Name).max(100_000).optional(),
  clients: z.array(Name).max(100_000).optional(),
});

export const Project = z.strictObject({
  id: Name,
  name: Name.optional(),
  workspace: Name.optional(),
  plan: Plan,
  public_access: PublicAccess.optional(),
  members: ProjectMembers.optional(),
  ...edgeProperties,
});

export const MtlsAuth = z.strictObject({
  /** Path of the PEM bundle of CAs that client certificates must chain to. */
  ca: z.string().min(1),
});

/** Which signed-in users rstream Auth lets through (empty or absent: any signed-in user). */
export const SessionAllow = z.strictObject({
  emails: z.array(z.string().min(1)).optional(),
  domains: z.array(z.string().min(1)).optional(),
  groups: z.array(z.string().min(1)).optional(),
});

export const Tunnel = z.strictObject({
  id: Name,
  name: Name.optional(),
  labels: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
  protocol: Protocol,
  hostname: z.array(z.string().min(1).max(253)).optional(),
  /** Published on a public host (true, the default) or private. */
  publish: z.boolean().optional(),
  upstream: z.string().min(1).optional(),
  token_auth: z.boolean().optional(),
  rstream_auth: z.boolean().optional(),
  mtls_auth: MtlsAuth.optional(),
  challenge_mode: z.boolean().optional(),
  /** Whether the `Authorization` header reaches the upstream (default: removed when it carried the edge token). */
  forward_authorization: z.boolean().optional(),
  rstream_auth_allow: SessionAllow.optional(),
  ...edgeProperties,
});

/** A string field filter (S-T4): a bare string is an exact match. */
export const StringFilter = z.union([
  z.string(),
  z.strictObject({ exact: z.string() }),
  z.strictObject({ oneof: z.array(z.string()).min(1) }),
  z.strictObject({ regex: z.string().min(1).max(512) }),
]);

/**
 * A path restriction. `exact`, `oneof` and `regex` are the platform's; `prefix` and `glob`
 * (`*` one segment, `**` any depth) are Rampart extensions. Matched against the normalized path.
 */
export const PathFilter = z.union([
  StringFilter,
  z.strictObject({ prefix: z.array(z.string().min(1)).min(1) }),
  z.strictObject({ glob: z.array(z.string().min(1)).min(1) }),
]);

/** HTTP methods: a Rampart extension, the platform restricts paths only. */
export const HttpMethod = z.string().regex(/^[A-Za-z]{1,16}$/);

export const FieldFilters = z.strictObject({
  id: StringFilter.optional(),
  name: StringFilter.optional(),
  protocol: StringFilter.optional(),
  hostname: StringFilter.optional(),
  status: StringFilter.optional(),
  tls_min_version: StringFilter.optional(),
  /** `bytestream` or `datagram`, decided from the protocol (S-T4). */
  type: StringFilter.optional(),
  /** The upstream HTTP version; no tunnel of a policy declares it, so it never matches. */
  http_version: StringFilter.optional(),
  /** Who created the tunnel; unknown at the edge, so it never matches. */
  client_id: StringFilter.optional(),
  user_id: StringFilter.optional(),
  labels: z.record(z.string().min(1), StringFilter).optional(),
  publish: z.boolean().optional(),
  token_auth: z.boolean().optional(),
  rstream_auth: z.boolean().optional(),
  challenge_mode: z.boolean().optional(),
  mtls_auth: z.boolean().optional(),
  trusted_ips: z.array(IpEntry).optional(),
  geo_ip: z.array(CountryCode).optional(),
});

export type FilterDoc = z.infer<typeof FieldFilters> | { AND: FilterDoc[] } | { OR: FilterDoc[] };

export const Filter: z.ZodType<FilterDoc> = z.lazy(() =>
  z.union([
    z.strictObject({ AND: z.array(Filter).min(1) }),
    z.strictObject({ OR: z.array(Filter).min(1) }),
    FieldFilters,
  ]),
);

export const ScopeAction = z.union([
  z.boolean(),
  z.strictObject({
    filters: Filter.optional(),
    params: z
      .strictObject({
        path: PathFilter.optional(),
        methods: z.array(HttpMethod).min(1).optional(),
      })
      .optional(),
    select: z.array(z.string().min(1)).optional(),
  }),
]);

export const GrantLeaf = z.strictObject({
  workspaces: z.array(Name).optional(),
  projects: z.array(Name).optional(),
  scopes: z
    .strictObject({
      tunnels: z
        .strictObject({
          create: ScopeAction.optional(),
          connect: ScopeAction.optional(),
          list: ScopeAction.optional(),
        })
        .optional(),
    })
    .optional(),
});

export type GrantNodeDoc =
  z.infer<typeof GrantLeaf> | { AND: GrantNodeDoc[] } | { OR: GrantNodeDoc[] };

export const GrantNode: z.ZodType<GrantNodeDoc> = z.lazy(() =>
  z.union([
    z.strictObject({ AND: z.array(GrantNode).min(1) }),
    z.strictObject({ OR: z.array(GrantNode).min(1) }),
    GrantLeaf,
  ]),
);

/** A token scope: what a token minted with this grant may do (SPEC section 8). */
export const Grant = z.strictObject({
  name: Name,
  type: TokenType.optional(),
  /** The grant this one is derived from; it may only narrow it (S-H8, S-T6). */
  parent: Name.optional(),
  /** RFC 3339 instant after which tokens with this grant are refused. */
  expires_at: z.string().min(1).optional(),
  /** `null` (or absent): everything the owner has; an array narrows (S-T2). */
  permissions: z.array(Permission).nullable().optional(),
  resources: z.strictObject({ tunnels: GrantNode }).optional(),
});

/** A client-certificate credential for mTLS (S-H6): a certificate maps to a grant. */
export const Credential = z.strictObject({
  name: Name,
  /** The certificate subject common name, or its SHA-256 fingerprint (hex, colons allowed). */
  subject_cn: z.string().min(1).optional(),
  fingerprint256: z.string().min(1).optional(),
  grant: Name,
});

export const InvalidTokenKind = z.enum(["malformed", "bad_signature", "expired", "not_yet_valid"]);

/** Whose token a test token is (S-T8): a user by id or e-mail, or an application client. */
export const TestTokenOwner = z.union([
  z.strictObject({ user: Name }),
  z.strictObject({ client: Name }),
]);

export const TestToken = z.union([
  z.strictObject({
    grant: Name,
    in: z.enum(["header", "query"]).optional(),
    owner: TestTokenOwner.optional(),
  }),
  z.strictObject({
    invalid: InvalidTokenKind,
    in: z.enum(["header", "query"]).optional(),
  }),
]);

export const TestSession = z.strictObject({
  user_id: Name,
  email: z.string().optional(),
  name: z.string().optional(),
  groups: z.array(z.string()).optional(),
});

export const TestRequest = z.strictObject({
  method: HttpMethod.optional(),
  /** Absolute URL: scheme, tunnel host, path and query. */
  url: z.string().min(1),
  client_ip: IpEntry,
  /** The country GeoIP would report; absent means the address is not in the database. */
  country: CountryCode.optional(),
  headers: z.record(z.string().min(1), z.string()).optional(),
  token: TestToken.optional(),
  challenge_cookie: z.enum(["valid", "invalid"]).optional(),
  session: TestSession.optional(),
  tls: z
    .strictObject({
      version: TlsVersion.optional(),
      group: z.string().optional(),
      ech: z.boolean().optional(),
      client_cert: Name.optional(),
    })
    .optional(),
});

export const Outcome = z.enum(["forward", "deny", "challenge", "login", "respond"]);
export const Reason = z.enum([
  "ok",
  "missing_token",
  "invalid_token",
  "expired_token",
  "insufficient_scope",
  "user_mismatch",
  "policy_denied",
  "no_route",
  "login_required",
  "challenge_required",
  "not_allowed",
]);
export const PolicyKind = z.enum(["ip", "geo", "mtls", "challenge", "tls"]);

export const PolicyTest = z.strictObject({
  name: Name,
  request: TestRequest,
  expect: z.strictObject({
    outcome: Outcome,
    status: z.number().int().min(100).max(599).optional(),
    reason: Reason.optional(),
    policy: PolicyKind.optional(),
  }),
});

export const PolicyDocument = z.strictObject({
  $schema: z.string().optional(),
  project: Project,
  tunnels: z.array(Tunnel).max(100_000).optional(),
  grants: z.array(Grant).max(100_000).optional(),
  credentials: z.array(Credential).optional(),
  tests: z.array(PolicyTest).optional(),
});

export type PolicyDocumentDoc = z.infer<typeof PolicyDocument>;
export type ProjectDoc = z.infer<typeof Project>;
export type TunnelDoc = z.infer<typeof Tunnel>;
export type GrantDoc = z.infer<typeof Grant>;
export type GrantLeafDoc = z.infer<typeof GrantLeaf>;
export type ScopeActionDoc = z.infer<typeof ScopeAction>;
export type StringFilterDoc = z.infer<typeof StringFilter>;
export type PathFilterDoc = z.infer<typeof PathFilter>;
export type CredentialDoc = z.infer<typeof Credential>;
export type PolicyTestDoc = z.infer<typeof PolicyTest>;
export type TestRequestDoc = z.infer<typeof TestRequest>;
