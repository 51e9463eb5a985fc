/**
 * The intermediate representation: one normalized model of a policy, whichever front end
 * wrote it. Values are canonical (CIDRs in canonical text, sorted and deduplicated;
 * countries upper-case and valid; enums closed; `null` where the file said nothing, so the
 * bounds stage can tell "silent" from "explicitly off"). Every node keeps the span that wrote
 * it under `origin` (or per property under `spans`); IR equality ignores those keys.
 *
 * This file imports nothing from the front ends: the runtime may depend on it.
 */
import type { Span } from "../diagnostics/span.ts";
import type { LazySpanMap } from "./lazy-spans.ts";

export type Plan = "basic" | "pro" | "enterprise";
export type PublicAccess = "allowed" | "auth-required" | "forbidden";
export type TlsVersion = "1.2" | "1.3";
export type FeatureMode = "off" | "preferred" | "required";
export type Protocol = "http" | "tls" | "tls-passthrough" | "dtls" | "quic" | "tcp";
export type TokenType = "pat" | "app" | "auth";
export type Permission =
  "tunnels.resources.read-only" | "tunnels.tunnels.create-delete" | "tunnels.streams.create-delete";

/** One trusted-IP entry in canonical CIDR form; a single address is a /32 or /128. */
export interface IpRange {
  readonly family: 4 | 6;
  /** Canonical text: `10.0.0.0/8`, `2001:db8::/32`; IPv4-mapped IPv6 is folded to IPv4. */
  readonly cidr: string;
  readonly origin?: Span | undefined;
}

/** A set of ranges, sorted by family then address, with duplicates and contained ranges removed. */
export interface IpSet {
  readonly ranges: readonly IpRange[];
  readonly origin?: Span | undefined;
}

/** Upper-case ISO 3166-1 alpha-2 codes, sorted and deduplicated. */
export interface CountrySet {
  readonly codes: readonly string[];
  readonly origin?: Span | undefined;
}

export interface PostQuantumIr {
  readonly mode: FeatureMode;
  readonly fips: boolean;
}

/**
 * Property name → the span of the file text that set it: a plain record (a loaded bundle's,
 * token claims'), or lowering's lazy map. Read it with `spanOf` (`lazy-spans.ts`).
 */
export type SpanMap = Readonly<Record<string, Span | undefined>> | LazySpanMap;

/** The edge properties a project bounds and a tunnel requests. `null` = not set. */
export interface EdgePropertiesIr {
  readonly trustedIps: IpSet | null;
  readonly countries: CountrySet | null;
  readonly tlsMin: TlsVersion | null;
  readonly postQuantum: PostQuantumIr | null;
  readonly ech: FeatureMode | null;
}

/**
 * Who belongs to a project (S-T8): users by id or e-mail (e-mails lower-cased), application
 * clients by client id. Sorted and deduplicated.
 */
export interface ProjectMembersIr {
  readonly users: readonly string[];
  readonly clients: readonly string[];
}

export interface ProjectIr extends EdgePropertiesIr {
  readonly id: string;
  readonly name: string | null;
  readonly workspace: string | null;
  readonly plan: Plan;
  readonly publicAccess: PublicAccess;
  /** `null`: the policy names no members (a credential backend, or explicit boundaries, decide). */
  readonly members: ProjectMembersIr | null;
  readonly spans: SpanMap;
}

export interface SessionAllowIr {
  readonly emails: readonly string[];
  readonly domains: readonly string[];
  readonly groups: readonly string[];
}

export interface TunnelIr extends EdgePropertiesIr {
  readonly id: string;
  readonly name: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly protocol: Protocol;
  /** Lower-case hosts; `*.example.com` is a wildcard for exactly one more label. */
  readonly hosts: readonly string[];
  readonly publish: boolean;
  readonly upstream: string | null;
  readonly tokenAuth: boolean | null;
  readonly rstreamAuth: boolean | null;
  readonly mtls: { readonly ca: string } | null;
  readonly challenge: boolean | null;
  readonly forwardAuthorization: boolean | null;
  readonly sessionAllow: SessionAllowIr | null;
  readonly spans: SpanMap;
  readonly origin?: Span | undefined;
}

/** How a string field is matched (S-T4). Regexes are searched, not anchored (S-T5). */
export type StringMatchIr =
  | { readonly kind: "exact"; readonly value: string }
  | { readonly kind: "oneof"; readonly values: readonly string[] }
  | { readonly kind: "regex"; readonly source: string };

/**
 * A label filter written `null` (S-T4: the key is present, whatever its value): the search
 * for the empty prefix, which every value matches. Kept a regex so that every consumer of
 * string matches already knows what it means.
 */
export const LABEL_PRESENT = { kind: "regex", source: "^" } as const satisfies StringMatchIr;

/** How a request path is matched: the platform's string matches plus prefix and glob. */
export type PathMatchIr =
  | StringMatchIr
  | { readonly kind: "prefix"; readonly values: readonly string[] }
  | { readonly kind: "glob"; readonly patterns: readonly string[] };

export type StringField =
  | "id"
  | "name"
  | "protocol"
  | "hostname"
  | "status"
  | "tls_min_version"
  | "type"
  | "http_version"
  | "client_id"
  | "user_id"
  | "project_id"
  | "workspace_id"
  | "tls_mode";
export type BooleanField =
  "publish" | "token_auth" | "rstream_auth" | "challenge_mode" | "mtls_auth";

/**
 * A value a token wrote for a field of the platform's tunnel object that Rampart's tunnels do
 * not declare (`port`, `upstream_tls`, `region`, …), kept as written (schema-checked).
 */
export type UndeclaredFieldValue =
  string | number | boolean | readonly string[] | Readonly<Record<string, unknown>>;

/** A tunnel filter tree (S-T4). An empty `and` matches every tunnel. */
export type FilterIr =
  | { readonly kind: "and"; readonly children: readonly FilterIr[] }
  | { readonly kind: "or"; readonly children: readonly FilterIr[] }
  | { readonly kind: "string"; readonly field: StringField; readonly match: StringMatchIr }
  | { readonly kind: "label"; readonly key: string; readonly match: StringMatchIr }
  | { readonly kind: "boolean"; readonly field: BooleanField; readonly value: boolean }
  | { readonly kind: "ips"; readonly within: IpSet }
  | { readonly kind: "countries"; readonly within: CountrySet }
  /** A filter on a field no tunnel here declares: it can never be decided, so it matches none. */
  | { readonly kind: "undeclared"; readonly field: string; readonly value: UndeclaredFieldValue };

/** One granted action on tunnels. `null` parts restrict nothing. */
export interface ActionIr {
  readonly filter: FilterIr | null;
  readonly path: PathMatchIr | null;
  /** Upper-case method names; a Rampart extension. */
  readonly methods: readonly string[] | null;
  readonly select: readonly string[] | null;
  readonly origin?: Span | undefined;
}

/** The `resources.tunnels` boundary tree (S-T3). An absent action is not granted by a leaf. */
export type GrantNodeIr =
  | {
      readonly kind: "and";
      readonly children: readonly GrantNodeIr[];
      readonly origin?: Span | undefined;
    }
  | {
      readonly kind: "or";
      readonly children: readonly GrantNodeIr[];
      readonly origin?: Span | undefined;
    }
  | {
      readonly kind: "leaf";
      readonly workspaces: readonly string[] | null;
      readonly projects: readonly string[] | null;
      readonly create: ActionIr | null;
      readonly connect: ActionIr | null;
      readonly list: ActionIr | null;
      readonly origin?: Span | undefined;
    };

export interface GrantIr {
  readonly name: string;
  readonly type: TokenType | null;
  readonly parent: string | null;
  /** Unix seconds; `null` never expires by itself. */
  readonly expiresAt: number | null;
  /** `null`: everything the owner has (S-T2). Sorted, deduplicated. */
  readonly permissions: readonly Permission[] | null;
  /** `null`: every tunnel of the owner's projects (S-T3). */
  readonly resources: GrantNodeIr | null;
  readonly spans: SpanMap;
  readonly origin?: Span | undefined;
}

export interface CredentialIr {
  readonly name: string;
  readonly subjectCn: string | null;
  /** Upper-case hex without colons. */
  readonly fingerprint256: string | null;
  readonly grant: string;
  readonly origin?: Span | undefined;
}

export type TestTokenIr =
  | {
      readonly kind: "grant";
      readonly grant: string;
      readonly in: "header" | "query";
      /** Whose token it is (S-T8); absent or `null`: a member's token, as a backend would say. */
      readonly owner?: { readonly kind: "user" | "client"; readonly id: string } | null;
    }
  | {
      readonly kind: "invalid";
      readonly invalid: "malformed" | "bad_signature" | "expired" | "not_yet_valid";
      readonly in: "header" | "query";
    };

export interface TestRequestIr {
  readonly method: string;
  readonly url: string;
  readonly clientIp: string;
  readonly country: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly token: TestTokenIr | null;
  readonly challengeCookie: "valid" | "invalid" | null;
  readonly session: {
    readonly userId: string;
    readonly email: string | null;
    readonly name: string | null;
    readonly groups: readonly string[];
  } | null;
  readonly tls: {
    readonly version: TlsVersion | null;
    readonly group: string | null;
    readonly ech: boolean;
    readonly clientCert: string | null;
  } | null;
}

export type OutcomeKind = "forward" | "deny" | "challenge" | "login" | "respond";
export type Reason =
  | "ok"
  | "missing_token"
  | "invalid_token"
  | "expired_token"
  | "insufficient_scope"
  | "user_mismatch"
  | "policy_denied"
  | "no_route"
  | "login_required"
  | "challenge_required"
  | "not_allowed";
export type PolicyKind = "ip" | "geo" | "mtls" | "challenge" | "tls";

export interface PolicyTestIr {
  readonly name: string;
  readonly request: TestRequestIr;
  readonly expect: {
    readonly outcome: OutcomeKind;
    readonly status: number | null;
    readonly reason: Reason | null;
    readonly policy: PolicyKind | null;
  };
  readonly origin?: Span | undefined;
}

/** A whole policy file, normalized. */
export interface PolicyIr {
  readonly source: string;
  readonly project: ProjectIr;
  readonly tunnels: readonly TunnelIr[];
  readonly grants: readonly GrantIr[];
  readonly credentials: readonly CredentialIr[];
  readonly tests: readonly PolicyTestIr[];
}
