/**
 * A `connect` or `list` filter that selects tunnels by exact `id` or `name` (bare string,
 * `exact` or `oneof`) should name a tunnel of this project, when its leaf applies to this
 * project: a typo there silently grants nothing. `create` filters are left alone, since they
 * constrain tunnels that do not exist yet; regexes are patterns, not references.
 *
 * This check walks the document rather than the IR so that it can point at the very value.
 */
import { didYouMean } from "../../diagnostics/did-you-mean.ts";
import type {
  FilterDoc,
  GrantLeafDoc,
  GrantNodeDoc,
  ScopeActionDoc,
  StringFilterDoc,
} from "../../syntax/model.ts";
import type { LowerContext } from "../lower-context.ts";
import { at } from "../lower-context.ts";
import { unknownFilterTunnel } from "../semantic-diagnostics.ts";
import type { ProjectIr } from "../types.ts";
import type { Pass } from "./pass.ts";

type Field = "id" | "name";

/** The tunnels' ids and names (`TunnelIndex`: each to its first tunnel). */
interface Known {
  readonly id: ReadonlyMap<string, number>;
  readonly name: ReadonlyMap<string, number>;
}

/** Whether a leaf can apply to this project (unknown workspace: assume it can). */
function appliesTo(leaf: GrantLeafDoc, project: ProjectIr): boolean {
  const projects = leaf.projects;
  const projectOk =
    projects === undefined ||
    projects.includes(project.id) ||
    (project.name !== null && projects.includes(project.name));
  const workspaceOk =
    leaf.workspaces === undefined ||
    project.workspace === null ||
    leaf.workspaces.includes(project.workspace);
  return projectOk && workspaceOk;
}

/**
 * Where the walk is: member names and indexes from the document root, entered and left as
 * the walk goes, so that a pointer is only built for a value that is reported. The keys sit
 * in one array that only grows: cutting an array's length can reallocate it, per grant.
 */
class Path {
  // Plain properties set in the constructor, not `#` fields: the walk enters and leaves ~8
  // keys per grant, mostly in code V8 has not optimized yet, where each `#` field read or
  // write goes through a keyed property IC.
  declare private readonly keys: (string | number)[];
  declare private depth: number;

  constructor() {
    this.keys = [];
    this.depth = 0;
  }

  enter(key: string | number): void {
    this.keys[this.depth++] = key;
  }

  leave(count: number): void {
    this.depth -= count;
  }

  /** The pointer of the walk's place, then of `keys` below it. */
  pointer(...keys: (string | number)[]): string {
    let pointer = "";
    for (let i = 0; i < this.depth; i++) pointer = at(pointer, this.keys[i] as string | number);
    return keys.reduce<string>((p, key) => at(p, key), pointer);
  }
}

/** The members an AND/OR node of a grant tree or a filter lists its children in. */
interface Branches {
  readonly AND?: unknown;
  readonly OR?: unknown;
}

// Both members are read by name: a key taken from a list makes a keyed read, megamorphic
// over the document's many object shapes (one per combination of members written).

/** The member an AND/OR node lists its children in (`AND` first), or null for a leaf. */
function branchOf(node: Branches): "AND" | "OR" | null {
  if (Array.isArray(node.AND)) return "AND";
  return Array.isArray(node.OR) ? "OR" : null;
}

/** The children of node `node` of branch `branch` (`branchOf`). */
function childrenOf<T>(node: Branches, branch: "AND" | "OR"): readonly T[] {
  // SAFETY: `branchOf` found an array there, of the node's own kind of children.
  return (branch === "AND" ? node.AND : node.OR) as readonly T[];
}

function help(field: Field, value: string, known: Known): string | undefined {
  const other: Field = field === "id" ? "name" : "id";
  if (known[other].has(value))
    return `\`${value}\` is a tunnel ${other}: filter by \`${other}\` instead`;
  const suggestion = didYouMean(value, known[field].keys());
  return suggestion === undefined ? undefined : `did you mean \`${suggestion}\`?`;
}

/** Reports a literal value that names no tunnel, written at `keys` below `path`. */
function reportUnknown(
  field: Field,
  value: string,
  path: Path,
  keys: readonly (string | number)[],
  known: Known,
  ctx: LowerContext,
): void {
  const span = ctx.span(path.pointer(...keys));
  ctx.report(unknownFilterTunnel(span, field, value, help(field, value, known)));
}

// The walks below use index loops: they run once per grant, mostly before the JIT has
// optimized them, and until then a `for … of` allocates an iterator and a result per step.
// No closures either: one that captures a parameter makes every call allocate a context.

function checkFilter(filter: FilterDoc, path: Path, known: Known, ctx: LowerContext): void {
  const branch = branchOf(filter as Branches);
  if (branch !== null) {
    const children = childrenOf<FilterDoc>(filter as Branches, branch);
    for (let i = 0; i < children.length; i++) {
      path.enter(branch);
      path.enter(i);
      checkFilter(children[i] as FilterDoc, path, known, ctx);
      path.leave(2);
    }
    return;
  }
  const fields = filter as { id?: StringFilterDoc; name?: StringFilterDoc };
  if (fields.id !== undefined) checkField("id", fields.id, path, known, ctx);
  if (fields.name !== undefined) checkField("name", fields.name, path, known, ctx);
}

/** Checks the literal values of filter field `field` (`match`, written at `path`). */
function checkField(
  field: Field,
  match: StringFilterDoc,
  path: Path,
  known: Known,
  ctx: LowerContext,
): void {
  // The literal values a string filter compares with; regexes are patterns, not names.
  const names = field === "id" ? known.id : known.name;
  if (typeof match === "string") {
    if (!names.has(match)) reportUnknown(field, match, path, [field], known, ctx);
  } else if ("exact" in match) {
    if (!names.has(match.exact))
      reportUnknown(field, match.exact, path, [field, "exact"], known, ctx);
  } else if ("oneof" in match) {
    const values = match.oneof;
    for (let i = 0; i < values.length; i++) {
      // SAFETY: i < values.length, the loop's bound.
      const value = values[i] as string;
      if (!names.has(value)) reportUnknown(field, value, path, [field, "oneof", i], known, ctx);
    }
  }
}

function checkNode(
  node: GrantNodeDoc,
  path: Path,
  project: ProjectIr,
  known: Known,
  ctx: LowerContext,
): void {
  const branch = branchOf(node as Branches);
  if (branch !== null) {
    const children = childrenOf<GrantNodeDoc>(node as Branches, branch);
    for (let i = 0; i < children.length; i++) {
      path.enter(branch);
      path.enter(i);
      checkNode(children[i] as GrantNodeDoc, path, project, known, ctx);
      path.leave(2);
    }
    return;
  }
  const leaf = node as GrantLeafDoc;
  if (!appliesTo(leaf, project)) return;
  const tunnels = leaf.scopes?.tunnels;
  if (tunnels === undefined) return;
  checkAction("connect", tunnels.connect, path, known, ctx);
  checkAction("list", tunnels.list, path, known, ctx);
}

/** Checks the filters of a leaf's action `action` (`doc`), if it has any. */
function checkAction(
  action: "connect" | "list",
  doc: ScopeActionDoc | undefined,
  path: Path,
  known: Known,
  ctx: LowerContext,
): void {
  if (typeof doc !== "object" || doc.filters === undefined) return;
  path.enter("scopes");
  path.enter("tunnels");
  path.enter(action);
  path.enter("filters");
  checkFilter(doc.filters, path, known, ctx);
  path.leave(4);
}

export const checkFilterTunnels: Pass = {
  name: "check-filter-tunnels",
  run: ({ ir, document, ctx, tunnels }) => {
    const known: Known = { id: tunnels.ids, name: tunnels.names };
    // One path for the whole pass: every walk leaves it as it found it.
    const path = new Path();
    const grants = document.grants ?? [];
    for (let i = 0; i < grants.length; i++) {
      const grant = grants[i] as (typeof grants)[number];
      if (grant.resources === undefined) continue;
      path.enter("grants");
      path.enter(i);
      path.enter("resources");
      path.enter("tunnels");
      checkNode(grant.resources.tunnels, path, ir.project, known, ctx);
      path.leave(4);
    }
  },
};
