/**
 * Finds every change between two policies for one host class, in two phases that follow the
 * pipeline's order (S-O1). Phase 1 explores only the edge dimensions (host, address, country,
 * TLS): each side either decides there (a deny at the edge) or goes on to read later
 * dimensions. Edge cells that go on the same way share one phase-2 exploration of the rest
 * of the request, so the cost is edge cells + request cases instead of their product. Phase 2
 * watches which edge dimensions it reads again and splits the cells by them, so sharing never
 * changes the answer.
 */
import type { Decision } from "../../ir/decision.ts";
import type { FilterIr, GrantNodeIr } from "../../ir/types.ts";
import { EDGE_ONLY_KEYS, sameValue } from "../same-value.ts";
import { interpret } from "../../interpret/request.ts";
import { decisionKey } from "../decision-key.ts";
import type { Dimension, RequestAtom, Side } from "../space/atoms.ts";
import type { Assignment, Getter } from "../space/explore.ts";
import { explore, ExplorationLimit } from "../space/explore.ts";
import { SideMemo } from "../space/side-memo.ts";
import { liftedChange } from "./lifted-change.ts";
import type { RequestSpace } from "../space/request-space.ts";
import type { Focus } from "../space/change-focus.ts";
import { focusFor } from "../space/change-focus.ts";

/** The dimensions the edge stage reads (route, trusted IPs, GeoIP, TLS version). */
export const EDGE_DIMENSIONS: ReadonlySet<Dimension> = new Set<Dimension>([
  "host",
  "ip",
  "country",
  "tls",
]);

/** A decision, or `null` when the side passed the edge stage and needs more of the request. */
type EdgeResult = Decision | null;

/** Signal: the interpreter asked for a dimension beyond the edge stage. */
class PastEdge {}
const PAST_EDGE = new PastEdge();

/** A leaf of the later stages, with both decisions. */
export interface ChangedLeaf {
  readonly point: Assignment<RequestAtom>;
  readonly before: Decision;
  readonly after: Decision;
}

/** One way requests changed: a set of edge cells times a set of later-stage leaves. */
export interface ChangeSet {
  readonly cells: readonly Assignment<RequestAtom>[];
  /** Leaves over the later dimensions (with the first cell's edge atoms). */
  readonly leaves: readonly ChangedLeaf[];
  /**
   * Set when the edge stage decides these cells on one side and lets them pass on the other
   * (`varies`): every request of the cells changed, the decided side's decision is fixed and
   * the other side decides each request past the edge. `leaves` then holds one witness
   * point over the whole request, forwarded on the varying side when any request is.
   */
  readonly varies?: Side;
}

/**
 * How many later-stage leaves a change that the edge alone made (a range newly trusted or
 * refused) may take before it is reported as one region per edge cell (`ChangeSet.varies`)
 * instead of leaf by leaf: a tunnel that thousands of grants reach has that many leaves,
 * and a project bound reaches every tunnel.
 */
export const DEFAULT_LIFT_ABOVE = 64;

function resultKey(r: EdgeResult): string {
  return r === null ? "→" : decisionKey(r);
}

function edgeCells(
  space: RequestSpace,
  host: RequestAtom,
): { cell: Assignment<RequestAtom>; results: [EdgeResult, EdgeResult] }[] {
  const out: { cell: Assignment<RequestAtom>; results: [EdgeResult, EdgeResult] }[] = [];
  const run = (side: Side, get: Getter<RequestAtom>): EdgeResult => {
    const edgeGet: Getter<RequestAtom> = (d) => {
      if (!EDGE_DIMENSIONS.has(d as Dimension)) throw PAST_EDGE;
      return get(d);
    };
    try {
      return interpret(space.policyFor(host.id, side), space.lazyFacts(edgeGet, side));
    } catch (signal) {
      if (signal === PAST_EDGE) return null;
      throw signal;
    }
  };
  explore<RequestAtom, [EdgeResult, EdgeResult]>(new Map([["host", host]]), {
    atoms: (d, get) => space.atoms(d, get),
    evaluate: (get) => [run(0, get), run(1, get)],
    onLeaf: (cell, results) => out.push({ cell, results }),
  });
  return out;
}

export type AtomsOf = (dimension: string, get: Getter<RequestAtom>) => readonly RequestAtom[];

/** The space's atoms with one dimension's cut to the atoms `keep` accepts (memoized per list). */
function narrowed(
  atomsOf: AtomsOf,
  dimension: Dimension,
  keep: (atom: RequestAtom) => boolean,
): AtomsOf {
  const memo = new Map<readonly RequestAtom[], readonly RequestAtom[]>();
  return (d, get) => {
    const atoms = atomsOf(d, get);
    if (d !== dimension) return atoms;
    let kept = memo.get(atoms);
    if (kept === undefined) memo.set(atoms, (kept = atoms.filter(keep)));
    return kept;
  };
}

/**
 * Whether a token atom carries a focused grant. The space groups tokens of grants equal on
 * both sides but in name (`RequestSpaceOptions.tokenClasses`), so a group is changed and
 * reaching as a whole; any member answers for it.
 */
function carriesFocused(focus: Focus, atom: RequestAtom): boolean {
  return (
    focus.tokens.has(atom.id) ||
    (atom.grants ?? []).some((g) => focus.tokens.has(`token:grant:${g}`))
  );
}

/**
 * The explorations that cover every request a focus can change (`change-focus.ts`): those
 * carrying a focused token (leaves that read the token), then those carrying a focused
 * client certificate and any other token. The two are disjoint; what neither explores
 * decides alike on both sides.
 */
function focusedPasses(
  space: RequestSpace,
  focus: Focus | null,
): { atoms: AtomsOf; keep: (point: Assignment<RequestAtom>) => boolean }[] {
  const all: AtomsOf = (d, get) => space.atoms(d, get);
  if (focus === null) return [{ atoms: all, keep: () => true }];
  const passes: { atoms: AtomsOf; keep: (point: Assignment<RequestAtom>) => boolean }[] = [];
  if (focus.tokens.size > 0)
    passes.push({
      atoms: narrowed(all, "token", (atom) => carriesFocused(focus, atom)),
      keep: (point) => point.has("token"),
    });
  if (focus.credentials.size > 0) {
    const otherTokens = narrowed(all, "token", (atom) => !carriesFocused(focus, atom));
    const credentials = narrowed(all, "credential", (atom) => focus.credentials.has(atom.id));
    passes.push({
      atoms: (d, get) => (d === "credential" ? credentials(d, get) : otherTokens(d, get)),
      keep: () => true,
    });
  }
  return passes;
}

/** The request fields the edge stage reads, by their dimension (`checkEdge`). */
const EDGE_FIELDS: ReadonlyMap<string, Dimension> = new Map<string, Dimension>([
  ["clientIp", "ip"],
  ["country", "country"],
  ["secure", "tls"],
  ["tlsVersion", "tls"],
]);

/** A later-stage decision, with the edge dimensions read again after the edge stage. */
interface LaterRun {
  readonly decision: Decision;
  readonly reread: ReadonlySet<Dimension>;
}

/**
 * Runs one side and notes which edge fields it reads after the edge stage. The edge stage
 * reads only the host and edge fields, and hands the later stages nothing but "passed"
 * (`checkEdge` returns a decision or `null`, S-O1): so the first read of any other field
 * ends it, as in `edgeCells`, and an edge field read after that is a later stage's own read
 * (the logout Origin check reads the scheme). Cells that passed the edge alike decide alike
 * past it wherever no such read happens.
 */
function runLater(space: RequestSpace, side: Side, get: Getter<RequestAtom>): LaterRun {
  const facts = space.lazyFacts(get, side);
  const reread = new Set<Dimension>();
  let pastEdge = false;
  const watched = new Proxy(facts, {
    get: (target, key, receiver) => {
      if (typeof key === "string" && key !== "host") {
        const edge = EDGE_FIELDS.get(key);
        if (edge === undefined) pastEdge = true;
        else if (pastEdge) reread.add(edge);
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const decision = interpret(space.policyFor(get("host").id, side), watched);
  return { decision, reread };
}

/** The edge atoms of `cell` in place of those of `point`. */
function withCell(
  point: Assignment<RequestAtom>,
  cell: Assignment<RequestAtom>,
): Map<string, RequestAtom> {
  const out = new Map([...point].filter(([d]) => !EDGE_DIMENSIONS.has(d as Dimension)));
  for (const [d, atom] of cell) out.set(d, atom);
  return out;
}

/**
 * Explores the later stages for cells whose edge results agree (only where `focus` says
 * requests can change, when given). The stages run once, with the first cell's edge atoms:
 * a leaf that read no edge field past the edge stage holds for every cell; a leaf that did
 * (a logout with an Origin, which compares schemes) is explored again from its own point
 * for each cell, so a cell's leaves are exactly its own decision tree.
 */
function laterStagesForCells(
  space: RequestSpace,
  cells: readonly Assignment<RequestAtom>[],
  fixed: readonly [EdgeResult, EdgeResult],
  focus: Focus | null,
  maxLeaves?: number,
): ChangeSet[] {
  const sides = ([0, 1] as const).map(
    (side) => new SideMemo<RequestAtom, LaterRun>((get) => runLater(space, side, get)),
  );
  const run = (side: Side, get: Getter<RequestAtom>): LaterRun => {
    const decided = fixed[side];
    return decided === null
      ? (sides[side] as SideMemo<RequestAtom, LaterRun>).run(get)
      : { decision: decided, reread: NO_DIMENSIONS };
  };
  const first = cells[0] as Assignment<RequestAtom>;
  const shared: ChangedLeaf[] = [];
  const perCell = new Map<Assignment<RequestAtom>, ChangedLeaf[]>();
  for (const { atoms, keep } of focusedPasses(space, focus)) {
    const rereading: Assignment<RequestAtom>[] = [];
    const spec = (
      onLeaf: (point: Assignment<RequestAtom>, runs: [LaterRun, LaterRun]) => void,
    ) => ({
      atoms,
      evaluate: (get: Getter<RequestAtom>): [LaterRun, LaterRun] => [run(0, get), run(1, get)],
      onLeaf,
      ...(maxLeaves === undefined ? {} : { maxLeaves }),
    });
    const changedLeaf = (point: Assignment<RequestAtom>, [r0, r1]: [LaterRun, LaterRun]) =>
      keep(point) && decisionKey(r0.decision) !== decisionKey(r1.decision)
        ? { point, before: r0.decision, after: r1.decision }
        : null;
    explore<RequestAtom, [LaterRun, LaterRun]>(
      first,
      spec((point, runs) => {
        if (cells.length > 1 && (runs[0].reread.size > 0 || runs[1].reread.size > 0)) {
          rereading.push(point);
          return;
        }
        const leaf = changedLeaf(point, runs);
        if (leaf !== null) shared.push(leaf);
      }),
    );
    for (const cell of rereading.length === 0 ? [] : cells) {
      let own = perCell.get(cell);
      if (own === undefined) perCell.set(cell, (own = []));
      const into = own;
      for (const point of rereading)
        explore<RequestAtom, [LaterRun, LaterRun]>(
          withCell(point, cell),
          spec((p, runs) => {
            const leaf = changedLeaf(p, runs);
            if (leaf !== null) into.push(leaf);
          }),
        );
    }
  }
  const out: ChangeSet[] = shared.length > 0 ? [{ cells, leaves: shared }] : [];
  for (const [cell, leaves] of perCell) if (leaves.length > 0) out.push({ cells: [cell], leaves });
  return out;
}

const NO_DIMENSIONS: ReadonlySet<Dimension> = new Set();

/**
 * The later stages of cells that one side decides at the edge: leaf by leaf while they are
 * few (`liftAbove`), else one change for all of them (`liftedChange`).
 */
function edgeOnlyChange(
  space: RequestSpace,
  cells: readonly Assignment<RequestAtom>[],
  results: readonly [EdgeResult, EdgeResult],
  liftAbove: number,
): ChangeSet[] {
  // SAFETY: cells hold the host they were explored from.
  const host = (cells[0] as Assignment<RequestAtom>).get("host")?.id ?? "";
  // Each grant that may connect is a token class of its own, with leaves of its own: when
  // the index alone bounds them past half the leaves allowed, exploring would be wasted.
  if (space.grantCandidates(host) * 2 <= liftAbove) {
    if (!Number.isFinite(liftAbove)) return laterStagesForCells(space, cells, results, null);
    try {
      return laterStagesForCells(space, cells, results, null, liftAbove);
    } catch (error) {
      if (!(error instanceof ExplorationLimit)) throw error;
    }
  }
  const side: Side = results[0] === null ? 0 : 1;
  // SAFETY: exactly one side passed the edge; the other decided.
  return [liftedChange(space, cells, results[side === 0 ? 1 : 0] as Decision, side)];
}

/** Whether a tunnel filter reads what only the edge stage reads of a request (S-T4). */
function filterReadsEdgeLists(filter: FilterIr): boolean {
  switch (filter.kind) {
    case "and":
    case "or":
      return filter.children.some(filterReadsEdgeLists);
    case "ips":
    case "countries":
      return true;
    case "string":
      return filter.field === "tls_min_version";
    default:
      return false;
  }
}

function nodeReadsEdgeLists(node: GrantNodeIr): boolean {
  if (node.kind !== "leaf") return node.children.some(nodeReadsEdgeLists);
  return [node.connect, node.create, node.list].some(
    (a) => a !== null && a.filter !== null && filterReadsEdgeLists(a.filter),
  );
}

/**
 * Whether some grant selects tunnels by their trusted IPs, countries or minimum TLS: then a
 * token's scope check (a later stage) reads the tunnel's edge lists too.
 */
function grantsReadEdgeLists(space: RequestSpace): boolean {
  // Asked once per host class: scan the grants once per space.
  let reads = edgeReadingSpaces.get(space);
  if (reads === undefined) {
    reads = space.policies.some((p) =>
      Object.values(p.grants).some((g) => g.resources !== null && nodeReadsEdgeLists(g.resources)),
    );
    edgeReadingSpaces.set(space, reads);
  }
  return reads;
}

const edgeReadingSpaces = new WeakMap<RequestSpace, boolean>();

/**
 * What the later stages must explore for cells both sides pass at the edge: nothing (`null`),
 * everything (`"all"`), or a focus. The later stages read neither the edge lists nor TLS
 * (unless a grant selects tunnels by them); tunnels equal apart from those decide alike once
 * both sides passed the edge, but for requests carrying a changed grant or credential.
 */
function laterStagesToExplore(space: RequestSpace, host: RequestAtom): Focus | "all" | null {
  const tunnels = space.routedTunnels(host.id);
  const change = space.contextChange;
  if (change.kind === "all") return "all";
  if (!sameValue(tunnels[0], tunnels[1], EDGE_ONLY_KEYS) || grantsReadEdgeLists(space))
    return "all";
  return change.kind === "none" ? null : focusFor(change, space.policies, tunnels);
}

/**
 * Every change for requests to one host class, grouped by how the edge stage treated them;
 * `focused` false explores the later stages everywhere (the reference for the focus).
 */
export function changesForHost(
  space: RequestSpace,
  host: RequestAtom,
  focused = true,
  liftAbove = Number.POSITIVE_INFINITY,
): ChangeSet[] {
  const later = focused ? laterStagesToExplore(space, host) : "all";
  const groups = new Map<
    string,
    { cells: Assignment<RequestAtom>[]; results: [EdgeResult, EdgeResult] }
  >();
  for (const { cell, results } of edgeCells(space, host)) {
    const key = `${resultKey(results[0])}#${resultKey(results[1])}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { cells: [cell], results });
    else group.cells.push(cell);
  }
  const out: ChangeSet[] = [];
  for (const { cells, results } of groups.values()) {
    const [r0, r1] = results;
    if (r0 !== null && r1 !== null) {
      if (decisionKey(r0) !== decisionKey(r1))
        out.push({
          cells,
          leaves: [{ point: cells[0] as Assignment<RequestAtom>, before: r0, after: r1 }],
        });
      continue;
    }
    if ((r0 === null) !== (r1 === null)) {
      out.push(...edgeOnlyChange(space, cells, results, liftAbove));
      continue;
    }
    const focus = later;
    if (focus === null) continue;
    out.push(...laterStagesForCells(space, cells, results, focus === "all" ? null : focus));
  }
  return out;
}
