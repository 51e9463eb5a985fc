/**
 * Path-scope matchers compiled from a grant's path restriction (SPEC S-T5), over a path that
 * `normalizeRequestPath` produced: exact → one comparison, one-of → a Set, prefixes → segment
 * boundary checks, globs → ONE combined anchored RegExp built from our own glob translator,
 * regex → the safe-subset RegExp (searched). An invalid glob or unsafe regex matches nothing,
 * as in the reference matcher.
 */
import { compileGlob } from "../../ir/path.ts";
import { checkSafeRegex } from "../../ir/regex-safety.ts";
import type { PathMatchIr } from "../../ir/types.ts";

/** Whether a normalized path is allowed. */
export type PathPredicate = (normalizedPath: string) => boolean;

const never: PathPredicate = () => false;
const always: PathPredicate = () => true;

function compilePrefixes(prefixes: readonly string[]): PathPredicate {
  const bases = [...new Set(prefixes.map((p) => (p.endsWith("/") ? p.slice(0, -1) : p)))];
  if (bases.includes("")) return always;
  const withSlash = bases.map((b) => `${b}/`);
  return (path) => {
    for (let i = 0; i < bases.length; i++) {
      // SAFETY: `withSlash` is built from `bases`, entry for entry, and i < bases.length.
      if (path === bases[i] || path.startsWith(withSlash[i] as string)) return true;
    }
    return false;
  };
}

/** Joins anchored glob regexes into one alternation; invalid globs are dropped. */
function compileGlobs(patterns: readonly string[]): PathPredicate {
  const bodies: string[] = [];
  for (const pattern of patterns) {
    const glob = compileGlob(pattern);
    // INVARIANT: compileGlob returns `^…$`; the body between the anchors is re-anchored below.
    if (glob.ok) bodies.push(glob.regex.source.slice(1, -1));
  }
  if (bodies.length === 0) return never;
  const combined = new RegExp(`^(?:${bodies.join("|")})$`, "u");
  return (path) => combined.test(path);
}

/** Compiles a grant's path restriction. */
export function compilePathMatch(match: PathMatchIr): PathPredicate {
  switch (match.kind) {
    case "exact": {
      const value = match.value;
      return (path) => path === value;
    }
    case "oneof": {
      const values = new Set(match.values);
      return (path) => values.has(path);
    }
    case "prefix":
      return compilePrefixes(match.values);
    case "glob":
      return compileGlobs(match.patterns);
    case "regex": {
      const checked = checkSafeRegex(match.source);
      if (!checked.ok) return never;
      const regex = checked.regex;
      return (path) => regex.test(path);
    }
  }
}
