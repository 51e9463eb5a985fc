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
import type { Dimension, RequestAtom } from "../space/atoms.ts";
import type { Assignment } from "../space/explore.ts";
import { contextKey, RequestSpace } from "../space/request-space.ts";
import type { ChangeSet } from "./explore-changes.ts";
import { changesForHost, EDGE_DIMENSIONS } from "./explore-changes.ts";
import type { Cube } from "./merge-regions.ts";
import { cubeOf, mergeCubes } from "./merge-regions.ts";
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

function tokenGrantOf(point: Assignment<RequestAtom>): string | null {
  const id = point.get("token")?.id ?? "";
  const marker = ":grant:";
  return id.includes(marker) ? id.slice(id.indexOf(marker) + marker.length) : null;
}

function witnessOf(point: Assignment<RequestAtom>, before: Decision, after: Decision, space: RequestSpace): Witness {
  const requestBefore = space.concreteFacts(point, 0);
  const requestAfter = space.concreteFacts(point, 1);
  const actualBefore = interpret(space.policies[0], requestBefore);
  const actualAfter = interpret(space.policies[1], requestAfter);
  const confirmed = decisionKey(actualBefore) === decisionKey(before) && decisionKey(actualAfter) === decisionKey(after);
  return { request: requestBefore, tokenGrant: tokenGrantOf(point), before: actualBefore, after: actualAfter, confirmed };
}

function conditionsOf(cube: Cube): Region["conditions"] {
  return [...cube.dims].map(([dimension, atoms]) => ({
    dimension,
    atoms: [...atoms.values()].map((a) => ({ id: a.id, label: a.label })),
  }));
}

/** Regions of one change set: merged edge cubes × merged later-stage cubes, per transition. */
function regionsOf(change: ChangeSet, space: RequestSpace): Region[] {
  const edgeCubes = mergeCubes(
    change.cells.map((c) => cubeOf(c, (d) => EDGE_DIMENSIONS.has(d))),
    space,
  );
  const byTransition = new Map<string, { before: Decision; after: Decision; cubes: Cube[] }>();
  for (const leaf of change.leaves) {
    const key = `${decisionKey(leaf.before)}#${decisionKey(leaf.after)}`;
    const cube = cubeOf(leaf.point, (d) => !EDGE_DIMENSIONS.has(d));
    const group = byTransition.get(key);
    if (group === undefined) byTransition.set(key, { before: leaf.before, after: leaf.after, cubes: [cube] });
    else group.cubes.push(cube);
  }
  const regions: Region[] = [];
  for (const { before, after, cubes } of byTransition.values()) {
    for (const later of mergeCubes(cubes, space)) {
      for (const edge of edgeCubes) {
        const point = new Map([...later.point].filter(([d]) => !EDGE_DIMENSIONS.has(d as Dimension)));
        for (const [d, atom] of edge.point) if (EDGE_DIMENSIONS.has(d as Dimension)) point.set(d, atom);
        const [tunnelBefore, tunnelAfter] = space.routedTunnels(point.get("host")?.id ?? "");
        regions.push({
          kind: changeKind(before, after),
          tunnelBefore: tunnelBefore?.id ?? null,
          tunnelAfter: tunnelAfter?.id ?? null,
          conditions: [...conditionsOf(edge), ...conditionsOf(later)],
          before,
          after,
          span: blame(before, after, tunnelAfter),
          witness: witnessOf(point, before, after, space),
        });
      }
    }
  }
  return regions;
}

const KIND_ORDER: Readonly<Record<ChangeKind, number>> = { "newly-allowed": 0, "newly-denied": 1, changed: 2 };

/** Computes every region whose decision differs between `before` and `after`. */
export function diffPolicies(before: EffectivePolicy, after: EffectivePolicy): PolicyDiff {
  const space = new RequestSpace([before, after], { skipUnchangedHosts: true });
  const contextsEqual = contextKey(before) === contextKey(after);
  const regions = space
    .hostAtoms()
    .flatMap((host) => changesForHost(space, host, contextsEqual))
    .flatMap((change) => regionsOf(change, space))
    .sort(
      (a, b) =>
        (a.tunnelAfter ?? a.tunnelBefore ?? "").localeCompare(b.tunnelAfter ?? b.tunnelBefore ?? "") ||
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind],
    );
  return { regions, complete: space.pathsComplete };
}
