/**
 * The semantic diff of two versions of a policy (issue #8): every region of request space
 * whose decision changes, each with a concrete witness request confirmed by running the
 * reference interpreter on both versions. Exact by construction: the request space is
 * explored by what the interpreter reads (see `space/explore.ts`), so a request's decision
 * changes iff it lies in a reported region.
 */
import type { EffectivePolicy, EffectiveTunnel, RuleRef } from "../../bounds/effective.ts";
import type { Span } from "../../diagnostics/span.ts";
import type { Decision } from "../../ir/decision.ts";
import { interpret } from "../../interpret/request.ts";
import { decisionKey, isForwarded } from "../decision-key.ts";
import type { RequestAtom } from "../space/atoms.ts";
import { explore } from "../space/explore.ts";
import { RequestSpace } from "../space/request-space.ts";
import type { ChangedLeaf, Cube } from "./merge-regions.ts";
import { mergeLeaves } from "./merge-regions.ts";
import type { ChangeKind, PolicyDiff, Region, Witness } from "./types.ts";

function changeKind(before: Decision, after: Decision): ChangeKind {
  if (!isForwarded(before) && isForwarded(after)) return "newly-allowed";
  if (isForwarded(before) && !isForwarded(after)) return "newly-denied";
  return "changed";
}

function tunnelRules(t: EffectiveTunnel): RuleRef[] {
  return [
    ...t.ipRules,
    ...t.countryRules,
    t.tls.minRule,
    t.tls.postQuantumRule,
    t.tls.echRule,
    t.auth.tokenRule,
    t.auth.rstreamAuthRule,
    t.auth.mtlsRule,
    t.challengeRule,
  ];
}

/** The new version's text that the change is best blamed on. */
function blame(before: Decision, after: Decision, tunnelAfter: EffectiveTunnel | null): Span | null {
  if (!isForwarded(after) && after.origin !== null) return after.origin;
  const same = tunnelAfter === null ? undefined : tunnelRules(tunnelAfter).find((r) => r.rule === before.rule);
  return same?.origin ?? tunnelAfter?.origin ?? after.origin ?? before.origin;
}

function tokenGrantOf(assignment: ReadonlyMap<string, RequestAtom>, space: RequestSpace): string | null {
  const id = (assignment.get("token") ?? space.atoms("token", () => { throw new Error("tokens need no other dimension"); })[0])?.id ?? "";
  const marker = ":grant:";
  return id.includes(marker) ? id.slice(id.indexOf(marker) + marker.length) : null;
}

function witnessOf(leaf: ChangedLeaf, space: RequestSpace): Witness {
  const requestBefore = space.concreteFacts(leaf.assignment, 0);
  const requestAfter = space.concreteFacts(leaf.assignment, 1);
  const before = interpret(space.policies[0], requestBefore);
  const after = interpret(space.policies[1], requestAfter);
  const confirmed = decisionKey(before) === decisionKey(leaf.before) && decisionKey(after) === decisionKey(leaf.after);
  return { request: requestBefore, tokenGrant: tokenGrantOf(leaf.assignment, space), before, after, confirmed };
}

function toRegion(cube: Cube, space: RequestSpace): Region {
  const { leaf } = cube;
  const [tunnelBefore, tunnelAfter] = space.routedTunnels(leaf.assignment.get("host")?.id ?? "");
  return {
    kind: changeKind(leaf.before, leaf.after),
    tunnelBefore: tunnelBefore?.id ?? null,
    tunnelAfter: tunnelAfter?.id ?? null,
    conditions: [...cube.dims].map(([dimension, atoms]) => ({
      dimension,
      atoms: [...atoms.values()].map((a) => ({ id: a.id, label: a.label })),
    })),
    before: leaf.before,
    after: leaf.after,
    span: blame(leaf.before, leaf.after, tunnelAfter),
    witness: witnessOf(leaf, space),
  };
}

const KIND_ORDER: Readonly<Record<ChangeKind, number>> = { "newly-allowed": 0, "newly-denied": 1, changed: 2 };

/** Computes every region whose decision differs between `before` and `after`. */
export function diffPolicies(before: EffectivePolicy, after: EffectivePolicy): PolicyDiff {
  const space = new RequestSpace([before, after], { skipUnchangedHosts: true });
  const changed: ChangedLeaf[] = [];
  let leaves = 0;
  for (const host of space.hostAtoms()) {
    leaves += explore<RequestAtom, readonly [Decision, Decision]>(new Map([["host", host]]), {
      atoms: (dimension, get) => space.atoms(dimension, get),
      evaluate: (get) => [interpret(before, space.lazyFacts(get, 0)), interpret(after, space.lazyFacts(get, 1))],
      onLeaf: (assignment, [d0, d1]) => {
        if (decisionKey(d0) !== decisionKey(d1)) changed.push({ assignment, before: d0, after: d1 });
      },
    });
  }
  const regions = mergeLeaves(changed, space)
    .map((cube) => toRegion(cube, space))
    .sort(
      (a, b) =>
        (a.tunnelAfter ?? a.tunnelBefore ?? "").localeCompare(b.tunnelAfter ?? b.tunnelBefore ?? "") ||
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind],
    );
  return { regions, complete: space.pathsComplete, leaves };
}
