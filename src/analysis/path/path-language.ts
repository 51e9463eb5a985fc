/**
 * The set of normalized paths a grant's path restriction allows, as an automaton. Every kind
 * of `PathMatchIr` becomes a regex with the exact semantics of `pathMatches` in `src/ir/path.ts`
 * (globs through the same `compileGlob`; prefixes on segment boundaries; regexes searched,
 * S-T5), then an NFA, then a DFA built lazily over the alphabet classes of one analysis.
 */
import { compileGlob } from "../../ir/path.ts";
import { checkSafeRegex } from "../../ir/regex-safety.ts";
import type { PathMatchIr } from "../../ir/types.ts";
import type { CharSet } from "./char-set.ts";
import { has } from "./char-set.ts";
import type { Nfa } from "./regex-nfa.ts";
import { regexToNfa, UnsupportedRegex } from "./regex-nfa.ts";

/** A path restriction as an automaton, or `opaque` when its regex is outside the model. */
export type PathLanguage =
  | { readonly kind: "automaton"; readonly nfa: Nfa }
  | { readonly kind: "opaque"; readonly reason: string };

function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

const NOTHING = "[]";

function prefixSource(prefix: string): string {
  const base = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  return base === "" ? "^" : `^${escapeRegex(base)}(?:/.*)?$`;
}

/** The regex (searched, not anchored unless it says so) that matches what `match` allows. */
export function pathMatchSource(match: PathMatchIr): string {
  switch (match.kind) {
    case "exact":
      return `^${escapeRegex(match.value)}$`;
    case "oneof":
      return match.values.length === 0
        ? NOTHING
        : `^(?:${match.values.map(escapeRegex).join("|")})$`;
    case "prefix":
      return match.values.length === 0
        ? NOTHING
        : match.values.map((p) => `(?:${prefixSource(p)})`).join("|");
    case "glob": {
      // An invalid glob matches nothing (as in `globMatches`).
      const sources = match.patterns.flatMap((p) => {
        const g = compileGlob(p);
        return g.ok ? [`(?:${g.regex.source})`] : [];
      });
      return sources.length === 0 ? NOTHING : sources.join("|");
    }
    case "regex":
      // An unsafe or invalid regex matches nothing (as in `regexMatches`).
      return checkSafeRegex(match.source).ok ? match.source : NOTHING;
  }
}

/** Builds the language of a path restriction. */
export function pathLanguage(match: PathMatchIr): PathLanguage {
  try {
    return { kind: "automaton", nfa: regexToNfa(pathMatchSource(match)) };
  } catch (error) {
    if (error instanceof UnsupportedRegex) return { kind: "opaque", reason: error.message };
    throw error;
  }
}

/** Every character set an NFA's edges test, to split the alphabet with. */
export function nfaCharSets(nfa: Nfa): CharSet[] {
  return nfa.states.flatMap((s) => s.edges.map((e) => e.set));
}

const MATCHED = -1;

/**
 * A DFA built on demand from an NFA with search semantics: a match may start at any position
 * (`^` edges only at position 0) and, once the accepting state is reached without `$`, every
 * longer input matches too. State ids are small integers; `MATCHED` is absorbing.
 */
export class LazySearchDfa {
  readonly #nfa: Nfa;
  readonly #ids = new Map<string, number>();
  readonly #sets: number[][] = [];
  readonly #next = new Map<string, number>();
  readonly initial: number;

  constructor(nfa: Nfa) {
    this.#nfa = nfa;
    this.initial = this.#intern(this.#closure([nfa.start], true, false));
  }

  #closure(seeds: readonly number[], atStart: boolean, atEnd: boolean): number[] {
    const seen = new Set<number>(seeds);
    const stack = [...seeds];
    while (stack.length > 0) {
      // SAFETY: the loop runs only while the stack is not empty.
      const s = this.#nfa.states[stack.pop() as number];
      if (s === undefined) continue;
      const targets = [...s.eps, ...(atStart ? s.atStart : []), ...(atEnd ? s.atEnd : [])];
      for (const t of targets) {
        if (!seen.has(t)) {
          seen.add(t);
          stack.push(t);
        }
      }
    }
    return [...seen].sort((a, b) => a - b);
  }

  #intern(set: readonly number[]): number {
    if (set.includes(this.#nfa.accept)) return MATCHED;
    const key = set.join(",");
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    this.#sets.push([...set]);
    this.#ids.set(key, this.#sets.length - 1);
    return this.#sets.length - 1;
  }

  /** The state after reading one character. */
  step(state: number, char: string): number {
    if (state === MATCHED) return MATCHED;
    const memo = `${state}:${char}`;
    const known = this.#next.get(memo);
    if (known !== undefined) return known;
    const cp = char.charCodeAt(0);
    const moved: number[] = [];
    for (const id of this.#sets[state] ?? []) {
      for (const e of this.#nfa.states[id]?.edges ?? []) if (has(e.set, cp)) moved.push(e.to);
    }
    // A new match attempt may begin after this character.
    const next = this.#intern(this.#closure([...moved, this.#nfa.start], false, false));
    this.#next.set(memo, next);
    return next;
  }

  /** Whether input that ends in this state (after at least one character) matches. */
  accepts(state: number): boolean {
    if (state === MATCHED) return true;
    return this.#closure(this.#sets[state] ?? [], false, true).includes(this.#nfa.accept);
  }
}
