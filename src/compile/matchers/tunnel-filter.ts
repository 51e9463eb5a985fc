/**
 * Tunnel filters (SPEC S-T4) compiled to predicates, for decisions that run a grant's filter
 * over many tunnels (a control plane's `list`). String matches become a comparison, a Set or
 * the safe-subset RegExp; labels a property read; AND/OR closures over their children. Field
 * values come from the same `stringFieldValues` and `booleanField` the reference
 * `filterMatches` reads, and any other kind of filter is handed to `filterMatches` itself, so
 * the two never disagree on what a field means.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import { booleanField, filterMatches, stringFieldValues } from "../../bounds/tunnel-filter.ts";
import { checkSafeRegex } from "../../ir/regex-safety.ts";
import type { FilterIr, StringMatchIr } from "../../ir/types.ts";

/** Whether a filter selects a tunnel. */
export type TunnelPredicate = (tunnel: EffectiveTunnel) => boolean;

/** A string match as a predicate on one value; an unsafe regex matches nothing. */
export function compileStringMatch(match: StringMatchIr): (value: string) => boolean {
  switch (match.kind) {
    case "exact": {
      const wanted = match.value;
      return (value) => value === wanted;
    }
    case "oneof": {
      const values = new Set(match.values);
      return (value) => values.has(value);
    }
    case "regex": {
      const checked = checkSafeRegex(match.source);
      if (!checked.ok) return () => false;
      const regex = checked.regex;
      return (value) => regex.test(value);
    }
  }
}

/** Compiles a filter tree. */
export function compileTunnelFilter(filter: FilterIr): TunnelPredicate {
  switch (filter.kind) {
    case "and": {
      const children = filter.children.map(compileTunnelFilter);
      if (children.length === 1) return children[0] as TunnelPredicate;
      return (t) => {
        for (let i = 0; i < children.length; i++)
          if (!(children[i] as TunnelPredicate)(t)) return false;
        return true;
      };
    }
    case "or": {
      const children = filter.children.map(compileTunnelFilter);
      if (children.length === 1) return children[0] as TunnelPredicate;
      return (t) => {
        for (let i = 0; i < children.length; i++)
          if ((children[i] as TunnelPredicate)(t)) return true;
        return false;
      };
    }
    case "string": {
      const matches = compileStringMatch(filter.match);
      const field = filter.field;
      return (t) => {
        const values = stringFieldValues(t, field);
        for (const value of values) if (matches(value)) return true;
        return false;
      };
    }
    case "label": {
      const matches = compileStringMatch(filter.match);
      const key = filter.key;
      return (t) => {
        const value = t.labels[key];
        return value !== undefined && Object.hasOwn(t.labels, key) && matches(value);
      };
    }
    case "boolean": {
      const { field, value } = filter;
      return (t) => booleanField(t, field) === value;
    }
    default:
      return (t) => filterMatches(filter, t);
  }
}
