/**
 * The bundle payload's shape as fast hand-written checks (see `shape-checks.ts` for why).
 * Field for field the same as the zod reference in `schema.ts`; `payload-shape.test.ts` holds
 * the two equal on valid payloads and on many broken ones.
 */
import {
  array,
  bool,
  byKind,
  int,
  lazy,
  nullable,
  num,
  object,
  oneOf,
  optional,
  record,
  spanTuple,
  str,
} from "./shape-checks.ts";
import type { ShapeCheck } from "./shape-checks.ts";
import { BOOLEAN_FIELDS, STRING_FIELDS } from "../../ir/filter-fields.ts";

const text = str();
const texts = array(text);
const span = spanTuple(object({ file: text, start: int(0), end: int(0) }));
const maybeSpan = optional(span);
const ruleRef = object({ rule: text, origin: nullable(span) });
const plan = oneOf("basic", "pro", "enterprise");
const tlsVersion = oneOf("1.2", "1.3");
const featureMode = oneOf("off", "preferred", "required");

const ipSet = object({
  ranges: array(object({ family: oneOf(4, 6), cidr: str({ max: 64 }), origin: maybeSpan })),
  origin: maybeSpan,
});
const countrySet = object({ codes: array(str({ pattern: /^[A-Z]{2}$/ })), origin: maybeSpan });

const stringMatches = {
  exact: object({ kind: text, value: text }),
  oneof: object({ kind: text, values: texts }),
  regex: object({ kind: text, source: text }),
};
const stringMatch = byKind(stringMatches);
const pathMatch = byKind({
  ...stringMatches,
  prefix: object({ kind: text, values: texts }),
  glob: object({ kind: text, patterns: texts }),
});

// The IR's own lists: a field a policy's filter can name must load back from its bundle.
const stringField = oneOf(...STRING_FIELDS);
const booleanField = oneOf(...BOOLEAN_FIELDS);

const filter: ShapeCheck = lazy(() =>
  byKind({
    and: object({ kind: text, children: array(filter) }),
    or: object({ kind: text, children: array(filter) }),
    string: object({ kind: text, field: stringField, match: stringMatch }),
    label: object({ kind: text, key: text, match: stringMatch }),
    boolean: object({ kind: text, field: booleanField, value: bool }),
    ips: object({ kind: text, within: ipSet }),
    countries: object({ kind: text, within: countrySet }),
  }),
);

const action = object({
  filter: nullable(filter),
  path: nullable(pathMatch),
  methods: nullable(texts),
  select: nullable(texts),
  origin: maybeSpan,
});

const grantNode: ShapeCheck = lazy(() =>
  byKind({
    and: object({ kind: text, children: array(grantNode), origin: maybeSpan }),
    or: object({ kind: text, children: array(grantNode), origin: maybeSpan }),
    leaf: object({
      kind: text,
      workspaces: nullable(texts),
      projects: nullable(texts),
      create: nullable(action),
      connect: nullable(action),
      list: nullable(action),
      origin: maybeSpan,
    }),
  }),
);

const grant = object({
  name: text,
  type: nullable(oneOf("pat", "app", "auth")),
  parent: nullable(text),
  expiresAt: nullable(num),
  permissions: nullable(
    array(
      oneOf(
        "tunnels.resources.read-only",
        "tunnels.tunnels.create-delete",
        "tunnels.streams.create-delete",
      ),
    ),
  ),
  resources: nullable(grantNode),
  spans: record(span),
  origin: maybeSpan,
});

const credential = object({
  name: text,
  subjectCn: nullable(text),
  fingerprint256: nullable(text),
  grant: text,
  origin: maybeSpan,
});

const tunnel = object({
  projectId: text,
  workspace: nullable(text),
  plan,
  id: text,
  name: nullable(text),
  labels: record(text),
  protocol: oneOf("http", "tls", "tls-passthrough", "dtls", "quic", "tcp"),
  hosts: texts,
  publish: bool,
  upstream: nullable(text),
  ipRules: array(object({ rule: text, origin: nullable(span), set: ipSet })),
  allowedIps: nullable(ipSet),
  countryRules: array(object({ rule: text, origin: nullable(span), set: countrySet })),
  allowedCountries: nullable(countrySet),
  tls: object({
    terminated: bool,
    storedMin: tlsVersion,
    runtimeMin: tlsVersion,
    postQuantum: object({ mode: featureMode, fips: bool }),
    ech: featureMode,
    minRule: ruleRef,
    postQuantumRule: ruleRef,
    echRule: ruleRef,
  }),
  auth: object({
    token: bool,
    rstreamAuth: bool,
    mtls: nullable(object({ ca: text })),
    forwardAuthorization: bool,
    sessionAllow: nullable(object({ emails: texts, domains: texts, groups: texts })),
    members: nullable(object({ users: texts, clients: texts })),
    membersRule: ruleRef,
    tokenRule: ruleRef,
    rstreamAuthRule: ruleRef,
    mtlsRule: ruleRef,
  }),
  challenge: bool,
  challengeRule: ruleRef,
  origin: nullable(span),
});

const policy = object({
  source: text,
  projectId: text,
  workspace: nullable(text),
  plan,
  publicAccess: oneOf("allowed", "auth-required", "forbidden"),
  tunnels: array(tunnel),
  grants: record(grant),
  credentials: array(credential),
  tests: array(object({ name: text }, { loose: true })),
});

const diagnostic = object({
  code: str({ pattern: /^RP\d{4}$/ }),
  severity: oneOf("error", "warning", "info"),
  message: text,
  span: optional(span),
  labels: optional(array(object({ span, message: text }))),
  help: optional(text),
});

/** Checks a bundle payload: null when it has the expected shape, else the first problem. */
export const checkPayloadShape: ShapeCheck = object({
  policies: array(policy),
  diagnostics: array(diagnostic),
});
