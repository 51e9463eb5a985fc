/**
 * Stable rule ids and the spans that decisions and diagnostics cite. A rule id names who set
 * a value: `project.<property>`, `tunnel:<id>.<property>`, `grant:<name>`, or
 * `default.<property>` for a value the bounds stage filled in.
 */
import type { Span } from "../diagnostics/span.ts";
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

/** IR spellings of document property names, made once per name (bounds asks per tunnel). */
const camelCache = new Map<string, string>();

function camel(property: string): string {
  let name = camelCache.get(property);
  if (name === undefined) {
    name = property.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    // Bounded: property names come from code, but nothing here stops a caller passing more.
    if (camelCache.size >= 256) camelCache.clear();
    camelCache.set(property, name);
  }
  return name;
}

/**
 * The span of a property in a `spans` map. Lowering may key the map by the document name
 * (`trusted_ips`) or by the IR name (`trustedIps`); both are accepted so that bounds does not
 * depend on that choice.
 */
export function propertySpan(spans: SpanMap, property: string): Span | null {
  return spans[property] ?? spans[camel(property)] ?? null;
}

/** The rule a project property is cited as. */
export function projectRule(project: ProjectIr, property: EdgeProperty): RuleRef {
  return { rule: `project.${property}`, origin: propertySpan(project.spans, property) };
}

/** The rule a tunnel property is cited as; falls back to the tunnel's own span. */
export function tunnelRule(tunnel: TunnelIr, property: EdgeProperty): RuleRef {
  return {
    rule: `tunnel:${tunnel.id}.${property}`,
    origin: propertySpan(tunnel.spans, property) ?? tunnel.origin ?? null,
  };
}

/**
 * A rule and the list it holds (an `IpRule` or `CountryRule`). Written out rather than spread
 * from the rule: bounds makes two per tunnel, and a spread copies through a slow path.
 */
export function ruleWithSet<S>(rule: RuleRef, set: S): RuleRef & { readonly set: S } {
  return { rule: rule.rule, origin: rule.origin, set };
}

/** A value the bounds stage filled in, cited at the project setting that caused it. */
export function defaultRule(property: EdgeProperty, cause: Span | null): RuleRef {
  return { rule: `default.${property}`, origin: cause };
}
