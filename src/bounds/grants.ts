/**
 * Grant reduction (SPEC S-T6, S-H8): a derived token's effective grant is its parent's
 * narrowed by its own — permissions intersected (`null` is the identity), resources ANDed,
 * expiry the earlier. Effective grants are reduced along whole `parent` chains.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { GrantIr, GrantNodeIr, Permission } from "../ir/types.ts";
import { checkNarrowing, wideningToDiagnostic } from "./narrowing.ts";
import { spanOf } from "../ir/lazy-spans.ts";

/** `null` means every permission the owner has, so it is the identity of intersection. */
export function intersectPermissions(
  parent: readonly Permission[] | null,
  child: readonly Permission[] | null,
): readonly Permission[] | null {
  if (parent === null) return child;
  if (child === null) return parent;
  const keep = new Set(parent);
  return [...new Set(child.filter((p) => keep.has(p)))].sort();
}

/** `null` (every tunnel of the owner) is the identity of AND. */
export function andResources(
  parent: GrantNodeIr | null,
  child: GrantNodeIr | null,
): GrantNodeIr | null {
  if (parent === null) return child;
  if (child === null) return parent;
  return { kind: "and", children: [parent, child] };
}

/** The earlier of two expiry instants; `null` never expires by itself. */
export function earlierExpiry(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** The grant a token minted with `child` from a token holding `parent` actually has (S-T6). */
export function reduceGrant(parent: GrantIr, child: GrantIr): GrantIr {
  return {
    ...child,
    permissions: intersectPermissions(parent.permissions, child.permissions),
    resources: andResources(parent.resources, child.resources),
    expiresAt: earlierExpiry(parent.expiresAt, child.expiresAt),
  };
}

function cycleDiagnostic(grant: GrantIr, chain: readonly string[]): Diagnostic {
  return {
    code: "RP4202",
    severity: "error",
    message: `grant \`${grant.name}\` derives from itself through ${chain.map((n) => `\`${n}\``).join(" → ")}`,
    ...(grant.origin !== undefined ? { span: grant.origin } : {}),
    help: "remove one `parent` link so that the chain ends at a root grant",
  };
}

function unknownParentDiagnostic(grant: GrantIr, parent: string): Diagnostic {
  const span = spanOf(grant.spans, "parent") ?? grant.origin;
  return {
    code: "RP4203",
    severity: "error",
    message: `grant \`${grant.name}\` derives from \`${parent}\`, which is not defined`,
    ...(span !== undefined ? { span } : {}),
    help: "define the parent grant or remove `parent`",
  };
}

/** The chain being resolved when resolving starts: nothing yet (shared, only ever read). */
const NO_CHAIN: readonly string[] = [];

/** Effective grants by name, and the diagnostics for broken or widening chains. */
export function effectiveGrants(grants: readonly GrantIr[]): {
  readonly grants: Readonly<Record<string, GrantIr>>;
  readonly diagnostics: readonly Diagnostic[];
} {
  // A repeated name resolves to its last grant (duplicates are reported by lowering). Indexed
  // on the first parent looked up: most policies derive few grants, or none.
  let byName: Map<string, GrantIr> | undefined;
  const grantNamed = (name: string): GrantIr | undefined => {
    if (byName === undefined) {
      byName = new Map();
      for (const grant of grants) byName.set(grant.name, grant);
    }
    return byName.get(name);
  };
  // Resolved grants go straight into the result, in the order they resolve (parents first).
  const done: Record<string, GrantIr> = Object.create(null) as Record<string, GrantIr>;
  const failed = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const resolve = (grant: GrantIr, visiting: readonly string[]): GrantIr | null => {
    const known = done[grant.name];
    if (known !== undefined) return known;
    if (failed.has(grant.name)) return null;
    if (visiting.includes(grant.name)) {
      diagnostics.push(
        cycleDiagnostic(grant, [...visiting.slice(visiting.indexOf(grant.name)), grant.name]),
      );
      return null;
    }
    let result: GrantIr | null = grant;
    if (grant.parent !== null) {
      const parent = grantNamed(grant.parent);
      if (parent === undefined) {
        diagnostics.push(unknownParentDiagnostic(grant, grant.parent));
        result = null;
      } else {
        const parentEffective = resolve(parent, [...visiting, grant.name]);
        if (parentEffective === null) result = null;
        else {
          for (const w of checkNarrowing(parentEffective, grant))
            diagnostics.push(wideningToDiagnostic(grant, w));
          result = reduceGrant(parentEffective, grant);
        }
      }
    }
    if (result !== null) done[grant.name] = result;
    else failed.add(grant.name);
    return result;
  };
  // SAFETY: g < grants.length, the loop's bound.
  for (let g = 0; g < grants.length; g++) resolve(grants[g] as GrantIr, NO_CHAIN);
  return { grants: done, diagnostics };
}
