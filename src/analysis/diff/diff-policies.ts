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
import type { Dimension, RequestAtom, Side } from "../space/atoms.ts";
import type { Assignment } from "../space/explore.ts";
import { getterOf } from "../space/explore.ts";
import { RequestSpace } from "../space/request-space.ts";
import type { ChangedLeaf, ChangeSet } from "./explore-changes.ts";
import { changesForHost, DEFAULT_LIFT_ABOVE, EDGE_DIMENSIONS } from "./explore-changes.ts";
import type { Cube } from "./merge-regions.ts";
import { cubeOf, mergeCubes } from "./merge-regions.ts";
import type { ChangedCube } from "./edge-groups.ts";
import { EdgeGroups } from "./edge-groups.ts";
import type { ChangeKind, PolicyDiff, Region, RegionCondition, Witness } from "./types.ts";
import { changeKind } from "./types.ts";

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

/**
 * The new version's text that the change is best blamed on. For a change the edge alone made
 * (`varies`), the edge rule of the side that decides: the varying side's witness says
 * nothing about it.
 */
function blame(
  before: Decision,
  after: Decision,
  tunnelAfter: EffectiveTunnel | null,
  varies?: Side,
): Span | null {
  if (varies === 0) return after.origin;
  if (varies === undefined && !isForwarded(after) && after.origin !== null) return after.origin;
  const same =
    tunnelAfter === null ? undefined : tunnelRules(tunnelAfter).find((r) => r.rule === before.rule);
  return same?.origin ?? tunnelAfter?.origin ?? after.origin ?? before.origin;
}

/** The grant the witness token carries: the first its atom stands for (`*` unrestricted). */
function tokenGrantOf(point: Assignment<RequestAtom>): string | null {
  return point.get("token")?.grants?.[0] ?? null;
}

/**
 * Re-runs the interpreter on the concrete witness request. It runs on the policy cut down to
 * the routed tunnel (see `policyFor`), after checking with the interpreter's own router on
 * the whole policy that the witness's host reaches that very tunnel.
 */
function witnessOf(
  point: Assignment<RequestAtom>,
  before: Decision,
  after: Decision,
  space: RequestSpace,
): Witness {
  const requestBefore = space.concreteFacts(point, 0);
  const requestAfter = space.concreteFacts(point, 1);
  const hostId = point.get("host")?.id ?? "";
  const routed = space.routedTunnels(hostId);
  const routesAgree = ([0, 1] as const).every((side) =>
    space.routesLike(side, requestBefore.host, routed[side]),
  );
  const actualBefore = interpret(space.policyFor(hostId, 0), requestBefore);
  const actualAfter = interpret(space.policyFor(hostId, 1), requestAfter);
  const confirmed =
    routesAgree &&
    decisionKey(actualBefore) === decisionKey(before) &&
    decisionKey(actualAfter) === decisionKey(after);
  return {
    request: requestBefore,
    tokenGrant: tokenGrantOf(point),
    before: actualBefore,
    after: actualAfter,
    confirmed,
  };
}

/** A cube's conditions; a dimension that allows every atom (or the host, named apart) is vacuous. */
function conditionsOf(cube: Cube, space: RequestSpace): RegionCondition[] {
  const get = getterOf(cube.point);
  return [...cube.dims].flatMap(([dimension, atoms]): RegionCondition[] => {
    const listed = [...atoms.values()].map((a) => ({ id: a.id, label: a.label }));
    // The host is always named; its excluded atoms would be every other host class.
    if (dimension === "host") return [{ dimension, atoms: listed, excluded: [] }];
    const excluded = space
      .atoms(dimension, get)
      .filter((a) => !atoms.has(a.id))
      .map((a) => ({ id: a.id, label: a.label }));
    return excluded.length === 0 ? [] : [{ dimension, atoms: listed, excluded }];
  });
}

/**
 * The cubes of one change set: its edge cells and its later-stage leaves are merged apart
 * (per transition) before their product is taken, so the product stays small.
 */
function cubesOf(change: ChangeSet, space: RequestSpace): ChangedCube[] {
  const edgeCubes = mergeCubes(
    change.cells.map((c) => cubeOf(c, (d) => EDGE_DIMENSIONS.has(d))),
    space,
  );
  const varies = change.varies;
  if (varies !== undefined) {
    // SAFETY: a lifted change holds one leaf, its witness point.
    const { point, before, after } = change.leaves[0] as ChangedLeaf;
    // Every later dimension is free: the cube is its edge cells, the point the witness.
    return edgeCubes.map((edge) => ({
      cube: { dims: edge.dims, point: withEdge(point, edge.point) },
      before,
      after,
      varies,
    }));
  }
  const byTransition = new Map<string, { before: Decision; after: Decision; cubes: Cube[] }>();
  for (const leaf of change.leaves) {
    const key = `${decisionKey(leaf.before)}#${decisionKey(leaf.after)}`;
    const cube = cubeOf(leaf.point, (d) => !EDGE_DIMENSIONS.has(d));
    const group = byTransition.get(key);
    if (group === undefined)
      byTransition.set(key, { before: leaf.before, after: leaf.after, cubes: [cube] });
    else group.cubes.push(cube);
  }
  const out: ChangedCube[] = [];
  for (const { before, after, cubes } of byTransition.values()) {
    for (const later of mergeCubes(cubes, space)) {
      for (const edge of edgeCubes) {
        const dims = new Map([...edge.dims, ...later.dims]);
        out.push({ cube: { dims, point: withEdge(later.point, edge.point) }, before, after });
      }
    }
  }
  return out;
}

/** `later`'s atoms of the later dimensions with `edge`'s atoms of the edge ones. */
function withEdge(
  later: Assignment<RequestAtom>,
  edge: Assignment<RequestAtom>,
): Map<string, RequestAtom> {
  const point = new Map([...later].filter(([d]) => !EDGE_DIMENSIONS.has(d as Dimension)));
  for (const [d, atom] of edge) if (EDGE_DIMENSIONS.has(d as Dimension)) point.set(d, atom);
  return point;
}

const VARIES: Readonly<Record<Side, "before" | "after">> = { 0: "before", 1: "after" };

/**
 * A region; `hosts`, when given, are the host classes of a group that changed alike
 * (`EdgeGroups`), the first being the cube's own.
 */
function toRegion(
  { cube, before, after, varies }: ChangedCube,
  space: RequestSpace,
  hosts?: readonly RequestAtom[],
): Region {
  const [tunnelBefore, tunnelAfter] = space.routedTunnels(cube.point.get("host")?.id ?? "");
  const conditions = conditionsOf(cube, space).map((c) =>
    c.dimension === "host" && hosts !== undefined
      ? { ...c, atoms: hosts.map((a) => ({ id: a.id, label: a.label })) }
      : c,
  );
  // A group is blamed on the edge rule that decided before, as written in the new version
  // (the bound that changed), rather than on one member's own rule.
  const span =
    hosts === undefined
      ? blame(before, after, tunnelAfter, varies)
      : blame(before, after, tunnelAfter, varies ?? (isForwarded(before) ? 0 : 1));
  return {
    kind: changeKind(before, after),
    tunnelBefore: tunnelBefore?.id ?? null,
    tunnelAfter: tunnelAfter?.id ?? null,
    conditions,
    before,
    after,
    span,
    witness: witnessOf(cube.point, before, after, space),
    ...(varies === undefined ? {} : { varies: VARIES[varies] }),
  };
}

/** Merges the changed cubes of each host that changed the same way, across change sets. */
function mergeChanged(changed: readonly ChangedCube[], space: RequestSpace): ChangedCube[] {
  const groups = new Map<
    string,
    { before: Decision; after: Decision; varies: Side | undefined; cubes: Cube[] }
  >();
  for (const c of changed) {
    const key = [
      c.cube.point.get("host")?.id,
      decisionKey(c.before),
      decisionKey(c.after),
      c.varies ?? "-",
    ].join("#");
    const group = groups.get(key);
    if (group === undefined)
      groups.set(key, { before: c.before, after: c.after, varies: c.varies, cubes: [c.cube] });
    else group.cubes.push(c.cube);
  }
  return [...groups.values()].flatMap(({ before, after, varies, cubes }) =>
    mergeCubes(cubes, space).map((cube) => ({
      cube,
      before,
      after,
      ...(varies === undefined ? {} : { varies }),
    })),
  );
}

const KIND_ORDER: Readonly<Record<ChangeKind, number>> = {
  "newly-allowed": 0,
  "newly-denied": 1,
  changed: 2,
};

/** How a long diff reports progress and when it stops early. */
export interface DiffOptions {
  /** Called after each host class with how many are done, of how many. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Asked before each host class: `true` stops the diff with what it has proven so far. */
  readonly shouldStop?: () => boolean;
  /**
   * Explore every host class and every grant's token, with no change focus and no token
   * classes: the reference that tests hold the focused diff to (the same changed requests,
   * decided alike). Its cost follows the policy's size.
   */
  readonly exhaustive?: boolean;
  /**
   * How many later-stage leaves a change the edge alone made may take before it is reported
   * per edge cell, decided past the edge (`Region.varies`); `Infinity` lists every leaf.
   * Ignored when `exhaustive`.
   */
  readonly liftAbove?: number;
}

/**
 * The request space a diff explores, and that classifies requests into its regions' atoms:
 * host classes no edit reaches left out, tokens in classes (`RequestSpaceOptions`); or, when
 * `exhaustive`, every host class and a token atom per grant.
 */
export function diffSpace(
  before: EffectivePolicy,
  after: EffectivePolicy,
  exhaustive = false,
): RequestSpace {
  return new RequestSpace(
    [before, after],
    exhaustive
      ? { literalPaths: true }
      : { skipUnchangedHosts: true, tokenClasses: true, literalPaths: true },
  );
}

/** Computes every region whose decision differs between `before` and `after`. */
export function diffPolicies(
  before: EffectivePolicy,
  after: EffectivePolicy,
  options: DiffOptions = {},
): PolicyDiff {
  const exhaustive = options.exhaustive === true;
  const liftAbove = exhaustive
    ? Number.POSITIVE_INFINITY
    : (options.liftAbove ?? DEFAULT_LIFT_ABOVE);
  const space = diffSpace(before, after, exhaustive);
  const hosts = space.hostAtoms();
  const found: Region[] = [];
  const edgeGroups = new EdgeGroups(space, (changed, hosts) => toRegion(changed, space, hosts));
  let explored = 0;
  for (const host of hosts) {
    if (options.shouldStop?.() === true) break;
    // Cubes merge only within a host class: each class becomes regions before the next, so
    // memory holds the report, not every class's leaves and cubes at once.
    const changed: ChangedCube[] = [];
    for (const change of changesForHost(space, host, !exhaustive, liftAbove))
      changed.push(...cubesOf(change, space));
    for (const c of mergeChanged(changed, space))
      if (exhaustive || !edgeGroups.add(c)) found.push(toRegion(c, space));
    explored++;
    options.onProgress?.(explored, hosts.length);
  }
  found.push(...edgeGroups.regions());
  const regions = found.sort(
    (a, b) =>
      (a.tunnelAfter ?? a.tunnelBefore ?? "").localeCompare(
        b.tunnelAfter ?? b.tunnelBefore ?? "",
      ) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind],
  );
  return {
    regions,
    complete: space.pathsComplete,
    ...(explored < hosts.length ? { stopped: { explored, total: hosts.length } } : {}),
  };
}
