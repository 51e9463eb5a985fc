/**
 * Stable rule ids and the spans that decisions and diagnostics cite. A rule id names who set
 * a value: `project.<property>`, `tunnel:<id>.<property>`, `grant:<name>`, or
 * `default.<property>` for a value the bounds stage filled in.
 */
import type { Span } from "../diagnostics/span.ts";
import { spanOf } from "../ir/lazy-spans.ts";
import type { ProjectIr, SpanMap, TunnelIr } from "../ir/types.ts";
import type { RuleRef } from "./effective.ts";

/** Document property names (SPEC S-D5 spellings) that bounds and decisions cite. */
export type EdgeProperty =
  | "trusted_ips"
  | "geo_ip"
  | "tls_min_version"
  | "post_quantum"
  | "ech"
  | "public_access"
  | "plan"
  | "token_auth"
  | "rstream_auth"
  | "mtls_auth"
  | "challenge_mode"
  | "publish"
  | "protocol"
  | "hostname"
  | "rstream_auth_allow";

/**
 * The IR spelling of each property bounds cites (`trusted_ips` → `trustedIps`), written out:
 * constant names are interned strings, which a span map is asked with at no further cost.
 */
const IR_NAMES: Readonly<Record<EdgeProperty | "members", string>> = {
  trusted_ips: "trustedIps",
  geo_ip: "geoIp",
  tls_min_version: "tlsMinVersion",
  post_quantum: "postQuantum",
  ech: "ech",
  public_access: "publicAccess",
  plan: "plan",
  token_auth: "tokenAuth",
  rstream_auth: "rstreamAuth",
  mtls_auth: "mtlsAuth",
  challenge_mode: "challengeMode",
  publish: "publish",
  protocol: "protocol",
  hostname: "hostname",
  rstream_auth_allow: "rstreamAuthAllow",
  members: "members",
};

/**
 * The span of a property in a `spans` map. Lowering may key the map by the document name
 * (`trusted_ips`) or by the IR name (`trustedIps`); both are accepted so that bounds does not
 * depend on that choice.
 */
export function propertySpan(spans: SpanMap, property: EdgeProperty | "members"): Span | null {
  // Read with `spanOf`, as every span map is (lowering's are lazy); most maps have neither
  // spelling of most keys.
  const written = spanOf(spans, property);
  if (written !== undefined && written !== null) return written;
  const name = IR_NAMES[property];
  return name !== property ? (spanOf(spans, name) ?? null) : null;
}

/**
 * The rules made from one project alone, by property (and the rule-with-list of its trusted
 * IPs and countries): every tunnel of the project cites the same ones, so each is made once
 * and shared. 10,000 tunnels then hold one object per project rule instead of one each, which
 * the collector need not copy and the bundle writer sees as one repeated value.
 */
interface ProjectRules {
  readonly rules: Map<string, RuleRef>;
  readonly withSets: Map<string, RuleRef & { readonly set: unknown }>;
  /** `[projectRuleWithSet(…)]`, the rule list of a tunnel that writes no list of its own. */
  readonly alone: Map<string, readonly (RuleRef & { readonly set: unknown })[]>;
}

const projectRules = new WeakMap<ProjectIr, ProjectRules>();

function rulesOf(project: ProjectIr): ProjectRules {
  let rules = projectRules.get(project);
  if (rules === undefined) {
    rules = { rules: new Map(), withSets: new Map(), alone: new Map() };
    projectRules.set(project, rules);
  }
  return rules;
}

/** The rule a project property is cited as (one shared object per project and property). */
export function projectRule(project: ProjectIr, property: EdgeProperty | "members"): RuleRef {
  const rules = rulesOf(project).rules;
  let rule = rules.get(property);
  if (rule === undefined) {
    rule = { rule: `project.${property}`, origin: propertySpan(project.spans, property) };
    rules.set(property, rule);
  }
  return rule;
}

/**
 * `ruleWithSet(projectRule(project, property), set)` for the project's own list `set`, shared
 * like `projectRule`.
 */
function projectRuleWithSet<S>(
  project: ProjectIr,
  property: "trusted_ips" | "geo_ip",
  set: S,
): RuleRef & { readonly set: S } {
  const withSets = rulesOf(project).withSets;
  const made = withSets.get(property);
  // SAFETY: the entry for `property` was made from this same `set` (checked by identity).
  if (made !== undefined && made.set === set) return made as RuleRef & { readonly set: S };
  const rule = ruleWithSet(projectRule(project, property), set);
  withSets.set(property, rule);
  return rule;
}

/** The rules of a list that neither side sets (shared: nothing may change it). */
const NO_LIST_RULES: readonly never[] = [];

/**
 * The rules of a list that the project and the tunnel may each set (trusted IPs, countries),
 * each with its list (`null`: that side does not restrict): the project's rule, then the
 * tunnel's. HOT PATH: most tunnels set no list of their own and share the project's one-rule
 * list; only a tunnel with its own list gets a list of its own.
 */
export function listRules<S>(
  project: ProjectIr,
  tunnel: TunnelIr,
  property: "trusted_ips" | "geo_ip",
  projectSet: S | null,
  tunnelSet: S | null,
): readonly (RuleRef & { readonly set: S })[] {
  if (tunnelSet === null) {
    return projectSet === null ? NO_LIST_RULES : projectRulesOnly(project, property, projectSet);
  }
  const own = tunnelRuleWithSet(tunnel, property, tunnelSet);
  return projectSet === null ? [own] : [projectRuleWithSet(project, property, projectSet), own];
}

/** `[projectRuleWithSet(project, property, set)]`, one shared list (nothing may change it). */
function projectRulesOnly<S>(
  project: ProjectIr,
  property: "trusted_ips" | "geo_ip",
  set: S,
): readonly (RuleRef & { readonly set: S })[] {
  const alone = rulesOf(project).alone;
  const rule = projectRuleWithSet(project, property, set);
  const made = alone.get(property);
  // SAFETY: the list for `property` holds a rule made from this same `set` (checked by identity).
  if (made !== undefined && made[0] === rule)
    return made as readonly (RuleRef & { readonly set: S })[];
  const list = [rule];
  alone.set(property, list);
  return list;
}

/**
 * The tunnel whose rules are being made and its `tunnel:<id>.` prefix: bounds cites ~5
 * properties of each tunnel, and one concatenation per rule instead of two halves the strings
 * it allocates. Set only between `beginCiting` and `endCiting`, so that no tunnel is kept here
 * after its computation.
 */
let citing: TunnelIr | null = null;
let citingPrefix = "";

/** Makes the rule prefix of `tunnel` once, for the rules made until `endCiting`. */
export function beginCiting(tunnel: TunnelIr): void {
  citing = tunnel;
  citingPrefix = `tunnel:${tunnel.id}.`;
}

/** Forgets the tunnel of `beginCiting`. */
export function endCiting(): void {
  citing = null;
  citingPrefix = "";
}

/** The rule a tunnel property is cited as; falls back to the tunnel's own span. */
export function tunnelRule(tunnel: TunnelIr, property: EdgeProperty): RuleRef {
  return { rule: tunnelRuleId(tunnel, property), origin: tunnelOrigin(tunnel, property) };
}

/** `ruleWithSet(tunnelRule(tunnel, property), set)`, without the rule made on the way. */
function tunnelRuleWithSet<S>(
  tunnel: TunnelIr,
  property: EdgeProperty,
  set: S,
): RuleRef & { readonly set: S } {
  return { rule: tunnelRuleId(tunnel, property), origin: tunnelOrigin(tunnel, property), set };
}

function tunnelRuleId(tunnel: TunnelIr, property: EdgeProperty): string {
  return tunnel === citing ? citingPrefix + property : `tunnel:${tunnel.id}.${property}`;
}

function tunnelOrigin(tunnel: TunnelIr, property: EdgeProperty): Span | null {
  return propertySpan(tunnel.spans, property) ?? tunnel.origin ?? null;
}

/**
 * A rule and the list it holds (an `IpRule` or `CountryRule`). Written out rather than spread
 * from the rule: bounds makes two per tunnel, and a spread copies through a slow path.
 */
export function ruleWithSet<S>(rule: RuleRef, set: S): RuleRef & { readonly set: S } {
  return { rule: rule.rule, origin: rule.origin, set };
}

/** The default rules with no cause, made once each (most tunnels cite a few of them). */
const uncausedDefaults = new Map<string, RuleRef>();
/** The default rules with a cause, by cause and property (the cause is a project setting). */
const causedDefaults = new WeakMap<Span, Map<string, RuleRef>>();

/**
 * A value the bounds stage filled in, cited at the project setting that caused it. Equal
 * arguments give the same (shared) object.
 */
export function defaultRule(property: EdgeProperty, cause: Span | null): RuleRef {
  let byProperty = uncausedDefaults;
  if (cause !== null) {
    const known = causedDefaults.get(cause);
    byProperty = known ?? new Map<string, RuleRef>();
    if (known === undefined) causedDefaults.set(cause, byProperty);
  }
  let rule = byProperty.get(property);
  if (rule === undefined) {
    rule = { rule: `default.${property}`, origin: cause };
    byProperty.set(property, rule);
  }
  return rule;
}
