/**
 * The effective policy: project bounds ∩ tunnel request, with defaults filled and every
 * value traceable to the rule that set it. This is what the interpreter evaluates and the
 * compiler compiles; it is also what a bundle stores.
 */
import type { Span } from "../diagnostics/span.ts";
import type {
  CountrySet,
  CredentialIr,
  FeatureMode,
  GrantIr,
  IpSet,
  Plan,
  PolicyTestIr,
  ProjectMembersIr,
  Protocol,
  PublicAccess,
  SessionAllowIr,
  TlsVersion,
} from "../ir/types.ts";

/** A rule as decisions cite it: a stable id and where it is written. */
export interface RuleRef {
  /** `project.trusted_ips`, `tunnel:<id>.geo_ip`, `default.token_auth` … */
  readonly rule: string;
  readonly origin: Span | null;
}

/** One side's list of a set-valued bound, kept so a deny can name the side that refused. */
export interface IpRule extends RuleRef {
  readonly set: IpSet;
}

export interface CountryRule extends RuleRef {
  readonly set: CountrySet;
}

export interface EffectiveTls {
  /** Whether the engine terminates TLS for this tunnel (false for passthrough, tcp). */
  readonly terminated: boolean;
  /** The stored minimum (the stricter of project and tunnel; 1.2 by default). */
  readonly storedMin: TlsVersion;
  /** What the runtime enforces: 1.3 when PQ or ECH is `required`, else `storedMin`. */
  readonly runtimeMin: TlsVersion;
  readonly postQuantum: { readonly mode: FeatureMode; readonly fips: boolean };
  readonly ech: FeatureMode;
  readonly minRule: RuleRef;
  readonly postQuantumRule: RuleRef;
  readonly echRule: RuleRef;
}

export interface EffectiveAuth {
  readonly token: boolean;
  readonly rstreamAuth: boolean;
  readonly mtls: { readonly ca: string } | null;
  readonly forwardAuthorization: boolean;
  readonly sessionAllow: SessionAllowIr | null;
  /** The project's members (S-T8), `null` when the policy names none. */
  readonly members: ProjectMembersIr | null;
  /** Cited when a token is refused for ownership: `project.members`. */
  readonly membersRule: RuleRef;
  readonly tokenRule: RuleRef;
  readonly rstreamAuthRule: RuleRef;
  readonly mtlsRule: RuleRef;
}

export interface EffectiveTunnel {
  readonly projectId: string;
  readonly workspace: string | null;
  readonly plan: Plan;
  readonly id: string;
  readonly name: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly protocol: Protocol;
  readonly hosts: readonly string[];
  readonly publish: boolean;
  readonly upstream: string | null;
  /** Every list that must contain the client address (project and tunnel); empty = any. */
  readonly ipRules: readonly IpRule[];
  /** Their exact intersection, `null` when no list applies. */
  readonly allowedIps: IpSet | null;
  readonly countryRules: readonly CountryRule[];
  readonly allowedCountries: CountrySet | null;
  readonly tls: EffectiveTls;
  readonly auth: EffectiveAuth;
  readonly challenge: boolean;
  readonly challengeRule: RuleRef;
  readonly origin: Span | null;
}

export interface EffectivePolicy {
  readonly source: string;
  readonly projectId: string;
  readonly workspace: string | null;
  readonly plan: Plan;
  readonly publicAccess: PublicAccess;
  readonly tunnels: readonly EffectiveTunnel[];
  /** Grants by name, each already reduced against its parent chain (S-T6). */
  readonly grants: Readonly<Record<string, GrantIr>>;
  readonly credentials: readonly CredentialIr[];
  readonly tests: readonly PolicyTestIr[];
}
