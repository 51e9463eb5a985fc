/**
 * A fast path for the regex safety check. Most path regexes are flat: no groups and no
 * alternation (`^/api/v[0-9]+/users$`). For those, the only possible problem in the safe
 * subset is two unbounded quantifiers that can sit next to each other, which a simple scan
 * can rule out. `isPlainlySafe` answers `true` only when the full check (on the
 * `regexp-tree` AST) would accept too; anything else goes to the full check.
 *
 * INVARIANT: `source` already compiled as a `u`-flag RegExp, so its syntax is valid.
 */

interface Atom {
  readonly unbounded: boolean;
  readonly nullable: boolean;
}

/** The index just past an escape sequence starting at `i` (the backslash). */
function skipEscape(source: string, i: number): number {
  const next = source[i + 1];
  if ((next === "u" || next === "p" || next === "P") && source[i + 2] === "{") {
    return source.indexOf("}", i + 2) + 1;
  }
  if (next === "u") return i + 6;
  if (next === "x") return i + 4;
  if (next === "c") return i + 3;
  return i + 2;
}

/** The index just past a character class starting at `i` (the `[`). */
function skipClass(source: string, i: number): number {
  let j = i + 1;
  while (j < source.length && source[j] !== "]")
    j = source[j] === "\\" ? skipEscape(source, j) : j + 1;
  return j + 1;
}

/** Reads a quantifier at `i`, if any: its bounds and the index after it (and a lazy `?`). */
function readQuantifier(
  source: string,
  i: number,
): { min: number; max: number; end: number } | null {
  const c = source[i];
  let q: { min: number; max: number; end: number } | null = null;
  if (c === "*") q = { min: 0, max: Infinity, end: i + 1 };
  else if (c === "+") q = { min: 1, max: Infinity, end: i + 1 };
  else if (c === "?") q = { min: 0, max: 1, end: i + 1 };
  else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (m === null) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
    q = { min, max, end: i + m[0].length };
  }
  if (q !== null && source[q.end] === "?") q = { ...q, end: q.end + 1 };
  return q;
}

/** The atoms of a flat regex, or `null` when it has groups or alternation. */
function flatAtoms(source: string): Atom[] | null {
  const atoms: Atom[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (c === "(" || c === "|") return null;
    let end: number;
    let assertion = false;
    if (c === "\\") {
      assertion = source[i + 1] === "b" || source[i + 1] === "B";
      end = skipEscape(source, i);
    } else if (c === "[") {
      end = skipClass(source, i);
    } else {
      assertion = c === "^" || c === "$";
      end = i + ((source.codePointAt(i) ?? 0) > 0xffff ? 2 : 1);
    }
    const q = readQuantifier(source, end);
    atoms.push({
      unbounded: q !== null && q.max === Infinity,
      nullable: assertion || (q !== null && q.min === 0),
    });
    i = q === null ? end : q.end;
  }
  return atoms;
}

/** True when `source` is flat and no two unbounded quantifiers can meet. */
export function isPlainlySafe(source: string): boolean {
  const atoms = flatAtoms(source);
  if (atoms === null) return false;
  for (const [i, atom] of atoms.entries()) {
    if (!atom.unbounded) continue;
    for (const next of atoms.slice(i + 1)) {
      if (next.unbounded) return false;
      if (!next.nullable) break;
    }
  }
  return true;
}
