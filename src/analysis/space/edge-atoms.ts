/**
 * Atoms of the edge dimensions (SPEC S-A3, S-A4): client addresses and countries, cut by every
 * list that applies to the routed tunnel on either side.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { CountrySet, IpSet } from "../../ir/types.ts";
import type { RequestAtom } from "./atoms.ts";
import { constantAtom } from "./atoms.ts";
import { describeIntervals, ipClasses, ipMembership } from "./ip-space.ts";

/** The address lists that can decide a request to these tunnels. */
export function ipSetsOf(tunnels: readonly (EffectiveTunnel | null)[]): IpSet[] {
  return tunnels.flatMap((t) =>
    t === null ? [] : [...t.ipRules.map((r) => r.set), ...(t.allowedIps ? [t.allowedIps] : [])],
  );
}

/** The country lists that can decide a request to these tunnels. */
export function countrySetsOf(tunnels: readonly (EffectiveTunnel | null)[]): CountrySet[] {
  return tunnels.flatMap((t) =>
    t === null
      ? []
      : [...t.countryRules.map((r) => r.set), ...(t.allowedCountries ? [t.allowedCountries] : [])],
  );
}

function memberKey(member: readonly boolean[]): string {
  return member.map(Number).join("");
}

/**
 * Address atoms: one per class of addresses that every list treats alike; classes inside
 * `exclude` (addresses no client has) are left out.
 */
export function ipAtoms(sets: readonly IpSet[], exclude: IpSet | null = null): RequestAtom[] {
  const classes =
    exclude === null
      ? ipClasses(sets)
      : ipClasses([...sets, exclude]).filter((c) => c.member[sets.length] !== true);
  return classes.map((c) => {
    const id = `ip:${memberKey(c.member.slice(0, sets.length))}`;
    let label: string | undefined;
    // Labels are only read for reports; CIDR covers of large classes are worth computing lazily.
    return {
      id,
      get label(): string {
        label ??= `client in ${describeIntervals(c.intervals)}`;
        return label;
      },
      facts: () => ({ clientIp: c.witness }),
    };
  });
}

/** The atom id of a concrete address. */
export function classifyIp(sets: readonly IpSet[], clientIp: string): string {
  const member = ipMembership(sets, clientIp);
  return member === null ? "ip:unparsable" : `ip:${memberKey(member)}`;
}

// Codes to stand for "a country no list names"; the first one no list names is used.
const SPARE_COUNTRIES = ["BR", "JP", "ZA", "IN", "AU", "MX", "KE", "NO", "AR", "EG"];

/** Country atoms: one per class of named codes, a code no list names, and "not in the database". */
export function countryAtoms(sets: readonly CountrySet[]): RequestAtom[] {
  const named = [...new Set(sets.flatMap((s) => s.codes))].sort();
  const spare = SPARE_COUNTRIES.find((c) => !named.includes(c)) ?? "ZZ";
  const classes = new Map<string, string[]>();
  for (const code of [...named, spare]) {
    const id = classifyCountry(sets, code);
    classes.set(id, [...(classes.get(id) ?? []), code]);
  }
  const atoms = [...classes.entries()].map(([id, codes]) => {
    const shown = codes.filter((c) => c !== spare);
    const label = shown.length === 0 ? "a country no list names" : `country ${shown.join(" or ")}`;
    // SAFETY: a class is made with its first code, so it is never empty.
    return constantAtom(id, label, { country: codes[0] as string });
  });
  atoms.push(constantAtom("country:unknown", "country unknown to GeoIP", { country: null }));
  return atoms;
}

/** The atom id of a concrete country. */
export function classifyCountry(sets: readonly CountrySet[], country: string | null): string {
  if (country === null) return "country:unknown";
  return `country:${memberKey(sets.map((s) => s.codes.includes(country)))}`;
}
