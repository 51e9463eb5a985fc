/**
 * Bounded work per token (issue #18): a token's boundary is checked for size before any
 * schema, lowering or evaluation recurses over it, so a hostile token costs at most a walk
 * proportional to its length and is refused as `invalid_token` with a reason, never a crash.
 * The walk recurses, but stops one level past the depth limit, so its stack stays shallow.
 */

/** Deepest nesting of objects and arrays inside `resources` (a leaf with filters needs ~12). */
export const MAX_BOUNDARY_DEPTH = 48;
/** Most objects and arrays inside `resources`. */
export const MAX_BOUNDARY_NODES = 2048;
/** Most `regex` matches inside `resources`: each one runs on requests. */
export const MAX_BOUNDARY_REGEXES = 64;

/** Counts while walking; `reason` is set at the first limit crossed. */
interface Walk {
  nodes: number;
  regexes: number;
  reason: string | null;
}

function visit(value: object, depth: number, walk: Walk): void {
  if (depth > MAX_BOUNDARY_DEPTH) {
    walk.reason = `the token's boundary nests deeper than ${MAX_BOUNDARY_DEPTH} levels`;
    return;
  }
  if (++walk.nodes > MAX_BOUNDARY_NODES) {
    walk.reason = `the token's boundary has more than ${MAX_BOUNDARY_NODES} nodes`;
    return;
  }
  // Index loops: this runs on every uncached token, mostly before the JIT has warmed up.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && walk.reason === null; i++) {
      const child: unknown = value[i];
      if (typeof child === "object" && child !== null) visit(child, depth + 1, walk);
    }
    return;
  }
  // `for … in` allocates no key array; JSON objects have no inherited enumerable keys.
  for (const key in value) {
    if (key === "regex" && ++walk.regexes > MAX_BOUNDARY_REGEXES) {
      walk.reason = `the token's boundary has more than ${MAX_BOUNDARY_REGEXES} regexes`;
      return;
    }
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === "object" && child !== null) visit(child, depth + 1, walk);
    if (walk.reason !== null) return;
  }
}

/** `null` when `resources` is within the limits, else the reason it is not. */
export function checkBoundaryLimits(resources: unknown): string | null {
  if (typeof resources !== "object" || resources === null) return null;
  const walk: Walk = { nodes: 0, regexes: 0, reason: null };
  visit(resources, 1, walk);
  return walk.reason;
}
