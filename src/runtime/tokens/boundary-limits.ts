/**
 * Bounded work per token (issue #18): a token's boundary is checked for size before any
 * schema, lowering or evaluation recurses over it, so a hostile token costs at most a walk
 * proportional to its length and is refused as `invalid_token` with a reason, never a crash.
 * The walk uses its own stack: nesting depth cannot exhaust the call stack here.
 */

/** Deepest nesting of objects and arrays inside `resources` (a leaf with filters needs ~12). */
export const MAX_BOUNDARY_DEPTH = 48;
/** Most objects and arrays inside `resources`. */
export const MAX_BOUNDARY_NODES = 2048;
/** Most `regex` matches inside `resources`: each one runs on requests. */
export const MAX_BOUNDARY_REGEXES = 64;

/** `null` when `resources` is within the limits, else the reason it is not. */
export function checkBoundaryLimits(resources: unknown): string | null {
  if (typeof resources !== "object" || resources === null) return null;
  const stack: { value: object; depth: number }[] = [{ value: resources, depth: 1 }];
  let nodes = 0;
  let regexes = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: object; depth: number };
    if (depth > MAX_BOUNDARY_DEPTH)
      return `the token's boundary nests deeper than ${MAX_BOUNDARY_DEPTH} levels`;
    if (++nodes > MAX_BOUNDARY_NODES)
      return `the token's boundary has more than ${MAX_BOUNDARY_NODES} nodes`;
    const isArray = Array.isArray(value);
    for (const key in value) {
      if (!isArray && key === "regex" && ++regexes > MAX_BOUNDARY_REGEXES)
        return `the token's boundary has more than ${MAX_BOUNDARY_REGEXES} regexes`;
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === "object" && child !== null)
        stack.push({ value: child, depth: depth + 1 });
    }
  }
  return null;
}
