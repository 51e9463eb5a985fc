/**
 * A grant compiled for control-plane decisions (SPEC S-T2, S-T3): `create` becomes a
 * predicate on the proposed tunnel and `list` a function from a tunnel to the fields it
 * reveals. The permission is decided once; leaves that do not grant the action fold away;
 * workspace and project targets become Set lookups; field sets are interned, so an AND or OR
 * of them is one memoized lookup per pair. Filters are compiled by `compileTunnelFilter`, which
 * reads fields exactly as the reference `filterMatches` does.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import { PERMISSION_FOR } from "../../bounds/grant-refusal.ts";
import type { TunnelAction } from "../../bounds/grant-refusal.ts";
import {
  intersectFields,
  selectedFields,
  TUNNEL_FIELDS,
  unionFields,
} from "../../bounds/tunnel-fields.ts";
import type { ActionIr, GrantIr, GrantNodeIr } from "../../ir/types.ts";
import { compileTunnelFilter } from "../matchers/tunnel-filter.ts";

/** Whether the grant allows creating a tunnel like this one. */
export type CreateCheck = (tunnel: EffectiveTunnel) => boolean;
/** The fields of a tunnel the grant reveals, or `null` when it hides the tunnel. */
export type ListFields = (tunnel: EffectiveTunnel) => readonly string[] | null;

/** A grant ready for `create` and `list`. */
export interface CompiledControlGrant {
  readonly create: CreateCheck;
  /** `create` through a leaf naming the tunnel's project (S-T8, nobody answers membership). */
  readonly createNamed: CreateCheck;
  readonly list: ListFields | null;
  /** Whether `list` reveals the tunnel through a leaf naming its project (S-T8). */
  readonly listNamed: CreateCheck;
}

type Fields = readonly string[];

/** Interned field sets: equal sets are one array, and their unions and intersections memoized. */
class FieldSets {
  readonly #byKey = new Map<string, Fields>();
  readonly #unions = new Map<Fields, Map<Fields, Fields>>();
  readonly #intersections = new Map<Fields, Map<Fields, Fields>>();

  constructor() {
    this.#byKey.set(TUNNEL_FIELDS.join(","), TUNNEL_FIELDS);
  }

  intern(fields: Fields): Fields {
    const key = fields.join(",");
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    this.#byKey.set(key, fields);
    return fields;
  }

  union(a: Fields, b: Fields): Fields {
    return a === b ? a : this.#memo(this.#unions, a, b, unionFields);
  }

  intersect(a: Fields, b: Fields): Fields {
    return a === b ? a : this.#memo(this.#intersections, a, b, intersectFields);
  }

  #memo(
    table: Map<Fields, Map<Fields, Fields>>,
    a: Fields,
    b: Fields,
    combine: (a: Fields, b: Fields) => Fields,
  ): Fields {
    let row = table.get(a);
    if (row === undefined) table.set(a, (row = new Map()));
    let result = row.get(b);
    if (result === undefined) row.set(b, (result = this.intern(combine(a, b))));
    return result;
  }
}

/** A compiled node: a constant when it does not depend on the tunnel. */
type Node<T> = T | ((tunnel: EffectiveTunnel) => T);

function targetCheck(
  leaf: Extract<GrantNodeIr, { kind: "leaf" }>,
): ((tunnel: EffectiveTunnel) => boolean) | null {
  const workspaces = leaf.workspaces === null ? null : new Set(leaf.workspaces);
  const projects = leaf.projects === null ? null : new Set(leaf.projects);
  if (workspaces === null && projects === null) return null;
  return (t) =>
    (workspaces === null || (t.workspace !== null && workspaces.has(t.workspace))) &&
    (projects === null || projects.has(t.projectId));
}

/** The leaf's action as a tunnel predicate (target and filter), or `false` when not granted. */
function leafPredicate(
  leaf: Extract<GrantNodeIr, { kind: "leaf" }>,
  act: ActionIr | null,
): Node<boolean> {
  if (act === null) return false;
  const target = targetCheck(leaf);
  const filter = act.filter === null ? null : compileTunnelFilter(act.filter);
  if (target === null && filter === null) return true;
  if (filter === null) return target as (t: EffectiveTunnel) => boolean;
  if (target === null) return filter;
  return (t) => target(t) && filter(t);
}

/** Whether the tree grants `action` on the tunnel (the twin of the interpreter's `nodeAllows`). */
function compileAllows(node: GrantNodeIr, action: "create" | "list"): Node<boolean> {
  if (node.kind === "leaf") return leafPredicate(node, node[action]);
  const children = node.children.map((c) => compileAllows(c, action));
  const isAnd = node.kind === "and";
  // A constant child settles the node (false in an AND, true in an OR) or drops out.
  if (children.some((c) => c === !isAnd)) return !isAnd;
  const checks = children.filter((c): c is CreateCheck => typeof c === "function");
  if (checks.length === 0) return isAnd;
  if (checks.length === 1) return checks[0] as CreateCheck;
  return isAnd ? (t) => checks.every((c) => c(t)) : (t) => checks.some((c) => c(t));
}

/**
 * The twin of the interpreter's `nodeAllowsNamed` (S-T8): granted through a leaf whose
 * `projects` name the tunnel's project. Never a constant `true`: it reads the project id.
 */
function compileNamed(node: GrantNodeIr, action: "create" | "list"): false | CreateCheck {
  if (node.kind === "leaf") {
    if (node.projects === null) return false;
    const allows = leafPredicate(node, node[action]);
    if (allows === false) return false;
    const projects = new Set(node.projects);
    return allows === true
      ? (t) => projects.has(t.projectId)
      : (t) => projects.has(t.projectId) && allows(t);
  }
  const named = node.children
    .map((c) => compileNamed(c, action))
    .filter((c): c is CreateCheck => c !== false);
  if (named.length === 0) return false;
  const some: CreateCheck =
    named.length === 1 ? (named[0] as CreateCheck) : (t) => named.some((c) => c(t));
  if (node.kind === "or") return some;
  const allows = compileAllows(node, action);
  if (allows === false) return false;
  return allows === true ? some : (t) => allows(t) && some(t);
}

function compileListNode(node: GrantNodeIr, sets: FieldSets): Node<Fields | null> {
  if (node.kind === "leaf") {
    const visible = leafPredicate(node, node.list);
    if (visible === false || node.list === null) return null;
    const fields = sets.intern(selectedFields(node.list.select));
    return visible === true ? fields : (t) => (visible(t) ? fields : null);
  }
  const children = node.children.map((c) => compileListNode(c, sets));
  if (node.kind === "and") {
    if (children.includes(null)) return null;
    return (t) => {
      let acc: Fields = TUNNEL_FIELDS;
      for (const child of children) {
        const own = typeof child === "function" ? child(t) : child;
        if (own === null) return null;
        acc = sets.intersect(acc, own);
      }
      return acc;
    };
  }
  const live = children.filter((c) => c !== null);
  if (live.length === 0) return null;
  if (live.length === 1) return live[0] as Node<Fields | null>;
  return (t) => {
    let acc: Fields | null = null;
    for (const child of live) {
      const own = typeof child === "function" ? child(t) : child;
      if (own !== null) acc = acc === null ? own : sets.union(acc, own);
    }
    return acc;
  };
}

function asFunction<T>(node: Node<T>): (tunnel: EffectiveTunnel) => T {
  return typeof node === "function" ? (node as (tunnel: EffectiveTunnel) => T) : () => node;
}

function permits(grant: GrantIr, action: TunnelAction): boolean {
  return grant.permissions === null || grant.permissions.includes(PERMISSION_FOR[action]);
}

const never: CreateCheck = () => false;

/** Compiles a grant for `create` and `list`; `list` is `null` when the permission is missing. */
export function compileControlGrant(grant: GrantIr): CompiledControlGrant {
  const resources = grant.resources;
  const createPermitted = permits(grant, "create");
  const create: CreateCheck = !createPermitted
    ? never
    : resources === null
      ? () => true
      : asFunction(compileAllows(resources, "create"));
  // A grant without a boundary names no project.
  const createNamed =
    !createPermitted || resources === null ? never : asFunction(compileNamed(resources, "create"));
  if (!permits(grant, "list")) return { create, createNamed, list: null, listNamed: never };
  if (resources === null)
    return { create, createNamed, list: () => TUNNEL_FIELDS, listNamed: never };
  return {
    create,
    createNamed,
    list: asFunction(compileListNode(resources, new FieldSets())),
    listNamed: asFunction(compileNamed(resources, "list")),
  };
}
