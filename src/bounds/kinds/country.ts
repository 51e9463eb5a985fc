/**
 * GeoIP countries (SPEC S-A4): the project list and the tunnel list must both contain the
 * client's country. An address that GeoIP does not know has no country and never matches.
 */
import type { CountrySet, ProjectIr, TunnelIr } from "../../ir/types.ts";
import type { CountryRule } from "../effective.ts";
import type { Incompatible } from "../incompatible.ts";
import { listRules, projectRule, tunnelRule } from "../rules.ts";

/** The GeoIP part of an effective tunnel. */
export interface CountryBound {
  readonly countryRules: readonly CountryRule[];
  readonly allowedCountries: CountrySet | null;
}

/** An empty list restricts nothing (the same as an absent one). */
function restricting(set: CountrySet | null): CountrySet | null {
  return set !== null && set.codes.length > 0 ? set : null;
}

/** Sorted intersection of two country sets; order-independent. */
export function intersectCountrySets(a: CountrySet, b: CountrySet): CountrySet {
  const right = new Set(b.codes);
  return { codes: [...new Set(a.codes.filter((c) => right.has(c)))].sort() };
}

/** True when a country (upper case) is in the set; an unknown country (`null`) never is. */
export function countryInSet(country: string | null, set: CountrySet): boolean {
  return country !== null && set.codes.includes(country);
}

function describe(set: CountrySet): string {
  return `countries ${set.codes.join(", ")}`;
}

/**
 * The bound of a tunnel that writes no list of its own: the project's alone, the same for every
 * such tunnel, so one object per project (and list) instead of one per tunnel.
 */
const projectOnly = new WeakMap<ProjectIr, CountryBound>();

function projectOnlyBound(
  project: ProjectIr,
  tunnel: TunnelIr,
  projectSet: CountrySet | null,
): CountryBound {
  const made = projectOnly.get(project);
  if (made !== undefined && made.allowedCountries === projectSet) return made;
  const bound = {
    countryRules: listRules(project, tunnel, "geo_ip", projectSet, null),
    allowedCountries: projectSet,
  };
  projectOnly.set(project, bound);
  return bound;
}

/** Project countries ∩ tunnel countries; an empty result is incompatible. */
export function intersectCountries(
  project: ProjectIr,
  tunnel: TunnelIr,
): CountryBound | Incompatible {
  const projectSet = restricting(project.countries);
  const tunnelSet = restricting(tunnel.countries);
  if (tunnelSet === null) return projectOnlyBound(project, tunnel, projectSet);
  const countryRules = listRules(project, tunnel, "geo_ip", projectSet, tunnelSet);
  if (projectSet === null) return { countryRules, allowedCountries: tunnelSet };
  const allowedCountries = intersectCountrySets(projectSet, tunnelSet);
  if (allowedCountries.codes.length === 0) {
    return {
      kind: "empty-country-intersection",
      tunnelId: tunnel.id,
      path: ["geo_ip"],
      left: { ...projectRule(project, "geo_ip"), describe: describe(projectSet) },
      right: { ...tunnelRule(tunnel, "geo_ip"), describe: describe(tunnelSet) },
    };
  }
  return { countryRules, allowedCountries };
}

/** The first rule whose list does not contain the country, or `null` when all do. */
export function countryRuleRefusing(
  rules: readonly CountryRule[],
  country: string | null,
): CountryRule | null {
  return rules.find((rule) => !countryInSet(country, rule.set)) ?? null;
}
