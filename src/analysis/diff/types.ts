/** The result of `diffPolicies`: regions of request space whose decision changed. */
import type { Span } from "../../diagnostics/span.ts";
import type { Decision } from "../../ir/decision.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import type { Dimension } from "../space/atoms.ts";
import { isForwarded } from "../decision-key.ts";

/** How a region's decision changed. `newly-allowed` is the widening that CI must review. */
export type ChangeKind = "newly-allowed" | "newly-denied" | "changed";

/** One constrained dimension of a region: the request lies in one of these atoms. */
export interface RegionCondition {
  readonly dimension: Dimension;
  readonly atoms: readonly { readonly id: string; readonly label: string }[];
  /** The atoms of the dimension the region leaves out (for "anything but …" wording). */
  readonly excluded: readonly { readonly id: string; readonly label: string }[];
}

/** A concrete request in the region, run through the interpreter on both versions. */
export interface Witness {
  /** The request as the old version sees it (the new one differs only in the token's grant). */
  readonly request: RequestFacts;
  /** The grant name the witness token carries (`*` unrestricted), or `null`. */
  readonly tokenGrant: string | null;
  readonly before: Decision;
  readonly after: Decision;
  /** Both decisions were re-run on the concrete request and match the region's. */
  readonly confirmed: boolean;
}

/**
 * A set of requests whose decision changed the same way: the product of its conditions (a
 * dimension not listed is unconstrained).
 */
export interface Region {
  readonly kind: ChangeKind;
  readonly tunnelBefore: string | null;
  readonly tunnelAfter: string | null;
  readonly conditions: readonly RegionCondition[];
  readonly before: Decision;
  readonly after: Decision;
  /** Where the change is written in the new version (or the old one, for a removal). */
  readonly span: Span | null;
  readonly witness: Witness;
  /**
   * Set when the edge stage alone made the change (a range newly trusted or refused): that
   * side's decision differs from request to request, each decided past the edge by the
   * tunnel's later checks, and `before` / `after` hold the witness's. The region's kind is
   * `newly-allowed` (`newly-denied`) when some request in it is forwarded on that side.
   */
  readonly varies?: "before" | "after";
}

/** Everything `rampart diff` reports. */
export interface PolicyDiff {
  readonly regions: readonly Region[];
  /** False when a path regex was outside the model: some changed paths may be missing. */
  readonly complete: boolean;
  /**
   * Present when the diff stopped early (`--max-time`): the regions are exact for the host
   * classes it compared, and the others were not compared at all.
   */
  readonly stopped?: { readonly explored: number; readonly total: number };
}

/** How a decision changed, by whether each side forwards. */
export function changeKind(before: Decision, after: Decision): ChangeKind {
  if (!isForwarded(before) && isForwarded(after)) return "newly-allowed";
  if (isForwarded(before) && !isForwarded(after)) return "newly-denied";
  return "changed";
}

/** The tunnels a region covers: more than one when several changed alike (its host condition). */
export function regionHostCount(region: Region): number {
  return region.conditions.find((c) => c.dimension === "host")?.atoms.length ?? 1;
}

/** True when some region newly forwards requests. */
export function widens(diff: PolicyDiff): boolean {
  return diff.regions.some((r) => r.kind === "newly-allowed");
}
