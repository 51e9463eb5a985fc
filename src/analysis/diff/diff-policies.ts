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
import { getterOf } from "../space/explore.ts";
import { RequestSpace } from "../space/request-space.ts";
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
function blame(
  before: Decision,
  after: Decision,
  tunnelAfter: EffectiveTunnel | null,
): Span | null {
  if (!isForwarded(after) && after.origin !== null) return after.origin;
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
function conditionsOf(cube: Cube, space: RequestSpace): Region["conditions"] {
  const get = getterOf(cube.point);
  return [...cube.dims].flatMap(([dimension, atoms]) => {
    const excluded = space
      .atoms(dimension, get)
      .filter((a) => !atoms.has(a.id))
      .map((a) => ({ id: a.id, label: a.label }));
    if (excluded.length === 0 && dimension !== "host") return [];
    return [
      {
        dimension,
        atoms: [...atoms.values()].map((a) => ({ id: a.id, label: a.label })),
        excluded,
      },
    ];
  });
}

/** A cube of changed requests with the decisions both versions give all of it. */
interface ChangedCube {
  readonly cube: Cube;
  readonly before: Decision;
  readonly after: Decision;
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
        const point = new Map(
          [...later.point].filter(([d]) => !EDGE_DIMENSIONS.has(d as Dimension)),
        );
        for (const [d, atom] of edge.point)
          if (EDGE_DIMENSIONS.has(d as Dimension)) point.set(d, atom);
        const dims = new Map([...edge.dims, ...later.dims]);
        out.push({ cube: { dims, point }, before, after });
      }
    }
  }
  return out;
}

function toRegion({ cube, before, after }: ChangedCube, space: RequestSpace): Region {
  const [tunnelBefore, tunnelAfter] = space.routedTunnels(cube.point.get("host")?.id ?? "");
  return {
    kind: changeKind(before, after),
    tunnelBefore: tunnelBefore?.id ?? null,
    tunnelAfter: tunnelAfter?.id ?? null,
    conditions: conditionsOf(cube, space),
    before,
    after,
    span: blame(before, after, tunnelAfter),
    witness: witnessOf(cube.point, before, after, space),
  };
}

/** Merges the changed cubes of each host that changed the same way, across change sets. */
function mergeChanged(changed: readonly ChangedCube[], space: RequestSpace): ChangedCube[] {
  const groups = new Map<string, { before: Decision; after: Decision; cubes: Cube[] }>();
  for (const c of changed) {
    const key = [c.cube.point.get("host")?.id, decisionKey(c.before), decisionKey(c.after)].join(
      "#",
    );
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { before: c.before, after: c.after, cubes: [c.cube] });
    else group.cubes.push(c.cube);
  }
  return [...groups.values()].flatMap(({ before, after, cubes }) =>
    mergeCubes(cubes, space).map((cube) => ({ cube, before, after })),
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
    exhaustive ? {} : { skipUnchangedHosts: true, tokenClasses: true },
  );
}

/** Computes every region whose decision differs between `before` and `after`. */
export function diffPolicies(
  before: EffectivePolicy,
  after: EffectivePolicy,
  options: DiffOptions = {},
): PolicyDiff {
  const exhaustive = options.exhaustive === true;
  const space = diffSpace(before, after, exhaustive);
  const hosts = space.hostAtoms();
  const found: Region[] = [];
  let explored = 0;
  for (const host of hosts) {
    if (options.shouldStop?.() === true) break;
    // Cubes merge only within a host class: each class becomes regions before the next, so
    // memory holds the report, not every class's leaves and cubes at once.
    const changed: ChangedCube[] = [];
    for (const change of changesForHost(space, host, !exhaustive))
      changed.push(...cubesOf(change, space));
    for (const c of mergeChanged(changed, space)) found.push(toRegion(c, space));
    explored++;
    options.onProgress?.(explored, hosts.length);
  }
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
