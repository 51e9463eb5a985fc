/**
 * The zod schema of a bundle's payload: effective policies (the IR the interpreter and the
 * compiler read, spans included) and the diagnostics the compile run reported. Loading
 * validates untrusted bundle text against it, so a damaged or hand-edited bundle is a
 * diagnostic, never a crash or a wrong allow. Unknown keys are refused (a newer writer's field
 * must come with a new format version). Loading runs it through ajv (`validate-payload.ts`),
 * which also checks what JSON Schema cannot say: that CIDR text is canonical.
 * It describes the payload as read: shared references put in place and, in format version 3,
 * `[file, start, end]` span tuples put back as span objects (`shape-checks.ts` does both).
 */
import { z } from "zod";
import { BOOLEAN_FIELDS, STRING_FIELDS } from "../../ir/filter-fields.ts";
import type {
  BooleanField as BooleanFieldName,
  StringField as StringFieldName,
} from "../../ir/types.ts";

const Span = z.strictObject({
  file: z.string(),
  start: z.int().nonnegative(),
  end: z.int().nonnegative(),
});
const OptionalSpan = Span.optional();
const Plan = z.enum(["basic", "pro", "enterprise"]);
const TlsVersion = z.enum(["1.2", "1.3"]);
const FeatureMode = z.enum(["off", "preferred", "required"]);
const Protocol = z.enum(["http", "tls", "tls-passthrough", "dtls", "quic", "tcp"]);
const TokenType = z.enum(["pat", "app", "auth"]);
const Permission = z.enum([
  "tunnels.resources.read-only",
  "tunnels.tunnels.create-delete",
  "tunnels.streams.create-delete",
]);
const RuleRef = z.strictObject({ rule: z.string(), origin: Span.nullable() });

const IpRange = z.strictObject({
  family: z.union([z.literal(4), z.literal(6)]),
  cidr: z.string().max(64),
  origin: OptionalSpan,
});
const IpSet = z.strictObject({ ranges: z.array(IpRange), origin: OptionalSpan });
const CountrySet = z.strictObject({
  codes: z.array(z.string().regex(/^[A-Z]{2}$/)),
  origin: OptionalSpan,
});

const StringMatch = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("exact"), value: z.string() }),
  z.strictObject({ kind: z.literal("oneof"), values: z.array(z.string()) }),
  z.strictObject({ kind: z.literal("regex"), source: z.string() }),
]);
const PathMatch = z.discriminatedUnion("kind", [
  ...StringMatch.options,
  z.strictObject({ kind: z.literal("prefix"), values: z.array(z.string()) }),
  z.strictObject({ kind: z.literal("glob"), patterns: z.array(z.string()) }),
]);

// The IR's own lists: a field a policy's filter can name must load back from its bundle.
const StringField = z.enum(STRING_FIELDS as [StringFieldName, ...StringFieldName[]]);
const BooleanField = z.enum(BOOLEAN_FIELDS as [BooleanFieldName, ...BooleanFieldName[]]);

const Filter: z.ZodType = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("and"), children: z.array(Filter) }),
    z.strictObject({ kind: z.literal("or"), children: z.array(Filter) }),
    z.strictObject({ kind: z.literal("string"), field: StringField, match: StringMatch }),
    z.strictObject({ kind: z.literal("label"), key: z.string(), match: StringMatch }),
    z.strictObject({ kind: z.literal("boolean"), field: BooleanField, value: z.boolean() }),
    z.strictObject({ kind: z.literal("ips"), within: IpSet }),
    z.strictObject({ kind: z.literal("countries"), within: CountrySet }),
  ]),
);

const Action = z.strictObject({
  filter: Filter.nullable(),
  path: PathMatch.nullable(),
  methods: z.array(z.string()).nullable(),
  select: z.array(z.string()).nullable(),
  origin: OptionalSpan,
});

const GrantNode: z.ZodType = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("and"), children: z.array(GrantNode), origin: OptionalSpan }),
    z.strictObject({ kind: z.literal("or"), children: z.array(GrantNode), origin: OptionalSpan }),
    z.strictObject({
      kind: z.literal("leaf"),
      workspaces: z.array(z.string()).nullable(),
      projects: z.array(z.string()).nullable(),
      create: Action.nullable(),
      connect: Action.nullable(),
      list: Action.nullable(),
      origin: OptionalSpan,
    }),
  ]),
);

const SpanMap = z.record(z.string(), OptionalSpan);

const Grant = z.strictObject({
  name: z.string(),
  type: TokenType.nullable(),
  parent: z.string().nullable(),
  expiresAt: z.number().nullable(),
  permissions: z.array(Permission).nullable(),
  resources: GrantNode.nullable(),
  spans: SpanMap,
  origin: OptionalSpan,
});

const Credential = z.strictObject({
  name: z.string(),
  subjectCn: z.string().nullable(),
  fingerprint256: z.string().nullable(),
  grant: z.string(),
  origin: OptionalSpan,
});

const SessionAllow = z.strictObject({
  emails: z.array(z.string()),
  domains: z.array(z.string()),
  groups: z.array(z.string()),
});

const Tunnel = z.strictObject({
  projectId: z.string(),
  workspace: z.string().nullable(),
  plan: Plan,
  id: z.string(),
  name: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  protocol: Protocol,
  hosts: z.array(z.string()),
  publish: z.boolean(),
  upstream: z.string().nullable(),
  ipRules: z.array(RuleRef.extend({ set: IpSet })),
  allowedIps: IpSet.nullable(),
  countryRules: z.array(RuleRef.extend({ set: CountrySet })),
  allowedCountries: CountrySet.nullable(),
  tls: z.strictObject({
    terminated: z.boolean(),
    storedMin: TlsVersion,
    runtimeMin: TlsVersion,
    postQuantum: z.strictObject({ mode: FeatureMode, fips: z.boolean() }),
    ech: FeatureMode,
    minRule: RuleRef,
    postQuantumRule: RuleRef,
    echRule: RuleRef,
  }),
  auth: z.strictObject({
    token: z.boolean(),
    rstreamAuth: z.boolean(),
    mtls: z.strictObject({ ca: z.string() }).nullable(),
    forwardAuthorization: z.boolean(),
    sessionAllow: SessionAllow.nullable(),
    members: z
      .strictObject({ users: z.array(z.string()), clients: z.array(z.string()) })
      .nullable(),
    membersRule: RuleRef,
    tokenRule: RuleRef,
    rstreamAuthRule: RuleRef,
    mtlsRule: RuleRef,
  }),
  challenge: z.boolean(),
  challengeRule: RuleRef,
  origin: Span.nullable(),
});

/** Policy tests travel with the policy so `rampart test` can run against a bundle; kept loose. */
const PolicyTest = z.looseObject({ name: z.string() });

/** One effective policy as a bundle stores it. */
export const EffectivePolicySchema = z.strictObject({
  source: z.string(),
  projectId: z.string(),
  workspace: z.string().nullable(),
  plan: Plan,
  publicAccess: z.enum(["allowed", "auth-required", "forbidden"]),
  tunnels: z.array(Tunnel),
  grants: z.record(z.string(), Grant),
  credentials: z.array(Credential),
  tests: z.array(PolicyTest),
});

const Label = z.strictObject({ span: Span, message: z.string() });

/** A diagnostic as a bundle stores it. */
export const DiagnosticSchema = z.strictObject({
  code: z.string().regex(/^RP\d{4}$/),
  severity: z.enum(["error", "warning", "info"]),
  message: z.string(),
  span: Span.optional(),
  labels: z.array(Label).optional(),
  help: z.string().optional(),
});

/** The hashed part of a bundle. */
export const PayloadSchema = z.strictObject({
  policies: z.array(EffectivePolicySchema),
  diagnostics: z.array(DiagnosticSchema),
});
