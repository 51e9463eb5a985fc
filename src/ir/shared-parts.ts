/**
 * Equal IR parts made once per lowering run: a string match or a tunnel filter equal to one
 * already made is that same frozen object (hash-consing). Grants repeat a
 * few filters over many values (on the bench's 10,000 grants, 13,000 exact matches and 6,000
 * label filters hold a few dozen distinct values): each part kept is one more object for the
 * young generation to copy and for the bundle writer to walk, and its identity memo meets a
 * shared part once. Only parts without an origin are shared, since spans are per occurrence:
 * a filter holding a trusted-IP or country set (which keep theirs) is made as before.
 *
 * Keys are the parts' own strings and the identity of shared children, never a text. A
 * shared part is frozen: nothing after lowering writes into the IR, and a write would throw.
 */
import type { BooleanField, FilterIr, StringField, StringMatchIr } from "./types.ts";

type OneofMatch = Extract<StringMatchIr, { kind: "oneof" }>;

/** A step in the trie of shared filter lists (by identity): the nodes over the list ending here. */
class ChildrenStep {
  and: FilterIr | null = null;
  or: FilterIr | null = null;
  next: Map<FilterIr, ChildrenStep> | null = null;
}

/**
 * The shared parts of one lowering run. Its tables are made when first used: the runtime
 * lowers each token's claims with a table of its own.
 */
export class SharedParts {
  #exact: Map<string, StringMatchIr> | null = null;
  #regex: Map<string, StringMatchIr> | null = null;
  /** Each string met in a `oneof` list, by a number (lists are hashed over these numbers). */
  #stringIds: Map<string, number> | null = null;
  /** The `oneof` matches, by the hash of their strings' numbers. */
  #oneofs: Map<number, OneofMatch[]> | null = null;
  #stringFilters: Map<StringField, Map<StringMatchIr, FilterIr>> | null = null;
  #labelFilters: Map<string, Map<StringMatchIr, FilterIr>> | null = null;
  /** Boolean filters set to `true`, then those set to `false`. */
  #trueFilters: Map<BooleanField, FilterIr> | null = null;
  #falseFilters: Map<BooleanField, FilterIr> | null = null;
  readonly #children = new ChildrenStep();

  exact(value: string): StringMatchIr {
    const table = (this.#exact ??= new Map());
    let match = table.get(value);
    if (match === undefined) table.set(value, (match = Object.freeze({ kind: "exact", value })));
    return match;
  }

  regex(source: string): StringMatchIr {
    const table = (this.#regex ??= new Map());
    let match = table.get(source);
    if (match === undefined) table.set(source, (match = Object.freeze({ kind: "regex", source })));
    return match;
  }

  /**
   * The `oneof` match of `values` (its list a frozen copy the first time: `values` stays the
   * caller's), found by a hash of its strings' numbers: a trie of maps would cost a map per
   * member of every list met once.
   */
  oneof(values: readonly string[]): StringMatchIr {
    const ids = (this.#stringIds ??= new Map());
    const table = (this.#oneofs ??= new Map());
    let hash = values.length;
    for (let i = 0; i < values.length; i++) {
      // SAFETY: i < values.length, the loop's bound.
      const value = values[i] as string;
      let id = ids.get(value);
      if (id === undefined) ids.set(value, (id = ids.size));
      hash = Math.imul(hash ^ id, 0x9e3779b1) ^ (hash >>> 15);
    }
    let bucket = table.get(hash);
    if (bucket === undefined) table.set(hash, (bucket = []));
    for (let i = 0; i < bucket.length; i++) {
      // SAFETY: i < bucket.length, the loop's bound.
      const match = bucket[i] as OneofMatch;
      if (sameStrings(match.values, values)) return match;
    }
    const match: OneofMatch = Object.freeze({
      kind: "oneof",
      values: Object.freeze(values.slice()),
    });
    bucket.push(match);
    return match;
  }

  /** A string field's filter; `match` is shared (made here). */
  stringFilter(field: StringField, match: StringMatchIr): FilterIr {
    const table = (this.#stringFilters ??= new Map());
    let byMatch = table.get(field);
    if (byMatch === undefined) table.set(field, (byMatch = new Map()));
    let filter = byMatch.get(match);
    if (filter === undefined) {
      byMatch.set(match, (filter = Object.freeze({ kind: "string", field, match })));
    }
    return filter;
  }

  /** A label's filter; `match` is shared (made here, or `LABEL_PRESENT`). */
  labelFilter(key: string, match: StringMatchIr): FilterIr {
    const table = (this.#labelFilters ??= new Map());
    let byMatch = table.get(key);
    if (byMatch === undefined) table.set(key, (byMatch = new Map()));
    let filter = byMatch.get(match);
    if (filter === undefined) {
      byMatch.set(match, (filter = Object.freeze({ kind: "label", key, match })));
    }
    return filter;
  }

  booleanFilter(field: BooleanField, value: boolean): FilterIr {
    const byField = value ? (this.#trueFilters ??= new Map()) : (this.#falseFilters ??= new Map());
    let filter = byField.get(field);
    if (filter === undefined) {
      byField.set(field, (filter = Object.freeze({ kind: "boolean", field, value })));
    }
    return filter;
  }

  /**
   * The `and` or `or` of `children` (a list the caller made and gives away): shared when
   * every child is (frozen), else made of `children` as they are.
   */
  node(kind: "and" | "or", children: FilterIr[]): FilterIr {
    for (let i = 0; i < children.length; i++) {
      if (!Object.isFrozen(children[i])) return { kind, children };
    }
    let step = this.#children;
    for (let i = 0; i < children.length; i++) {
      // SAFETY: i < children.length, the loop's bound.
      const child = children[i] as FilterIr;
      step.next ??= new Map();
      let next = step.next.get(child);
      if (next === undefined) step.next.set(child, (next = new ChildrenStep()));
      step = next;
    }
    const made = step[kind];
    if (made !== null) return made;
    const node = Object.freeze({ kind, children: Object.freeze(children) });
    step[kind] = node;
    return node;
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
