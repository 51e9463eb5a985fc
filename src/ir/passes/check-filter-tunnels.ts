/**
 * A `connect` or `list` filter that selects tunnels by exact `id` or `name` (bare string,
 * `exact` or `oneof`) should name a tunnel of this project, when its leaf applies to this
 * project: a typo there silently grants nothing. `create` filters are left alone, since they
 * constrain tunnels that do not exist yet; regexes are patterns, not references.
 *
 * This check walks the document rather than the IR so that it can point at the very value.
 */
import { didYouMean } from "../../diagnostics/did-you-mean.ts";
import type { FilterDoc, GrantLeafDoc, GrantNodeDoc, StringFilterDoc } from "../../syntax/model.ts";
import type { LowerContext } from "../lower-context.ts";
import { at } from "../lower-context.ts";
import { unknownFilterTunnel } from "../semantic-diagnostics.ts";
import type { ProjectIr } from "../types.ts";
import type { Pass } from "./pass.ts";

type Field = "id" | "name";

interface Known {
  readonly id: ReadonlySet<string>;
  readonly name: ReadonlySet<string>;
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

/** The literal values a string filter compares with, and where each is written. */
function literals(filter: StringFilterDoc, pointer: string): { value: string; pointer: string }[] {
  if (typeof filter === "string") return [{ value: filter, pointer }];
  if ("exact" in filter) return [{ value: filter.exact, pointer: at(pointer, "exact") }];
  if ("oneof" in filter)
    return filter.oneof.map((value, i) => ({ value, pointer: at(at(pointer, "oneof"), i) }));
  return [];
}

function help(field: Field, value: string, known: Known): string | undefined {
  const other: Field = field === "id" ? "name" : "id";
  if (known[other].has(value))
    return `\`${value}\` is a tunnel ${other}: filter by \`${other}\` instead`;
  const suggestion = didYouMean(value, known[field]);
  return suggestion === undefined ? undefined : `did you mean \`${suggestion}\`?`;
}

function checkFilter(filter: FilterDoc, pointer: string, known: Known, ctx: LowerContext): void {
  if ("AND" in filter && Array.isArray(filter.AND)) {
    filter.AND.forEach((child, i) => checkFilter(child, at(at(pointer, "AND"), i), known, ctx));
    return;
  }
  if ("OR" in filter && Array.isArray(filter.OR)) {
    filter.OR.forEach((child, i) => checkFilter(child, at(at(pointer, "OR"), i), known, ctx));
    return;
  }
  const fields = filter as { id?: StringFilterDoc; name?: StringFilterDoc };
  for (const field of ["id", "name"] as const) {
    const match = fields[field];
    if (match === undefined) continue;
    for (const literal of literals(match, at(pointer, field))) {
      if (known[field].has(literal.value)) continue;
      ctx.report(
        unknownFilterTunnel(
          ctx.span(literal.pointer),
          field,
          literal.value,
          help(field, literal.value, known),
        ),
      );
    }
  }
}

function checkNode(
  node: GrantNodeDoc,
  pointer: string,
  project: ProjectIr,
  known: Known,
  ctx: LowerContext,
): void {
  for (const key of ["AND", "OR"] as const) {
    const children = (node as Partial<Record<typeof key, GrantNodeDoc[]>>)[key];
    if (Array.isArray(children)) {
      children.forEach((child, i) =>
        checkNode(child, at(at(pointer, key), i), project, known, ctx),
      );
      return;
    }
  }
  const leaf = node as GrantLeafDoc;
  if (!appliesTo(leaf, project)) return;
  for (const action of ["connect", "list"] as const) {
    const doc = leaf.scopes?.tunnels?.[action];
    if (typeof doc !== "object" || doc.filters === undefined) continue;
    checkFilter(doc.filters, `${pointer}/scopes/tunnels/${action}/filters`, known, ctx);
  }
}

export const checkFilterTunnels: Pass = {
  name: "check-filter-tunnels",
  run: ({ ir, document, ctx }) => {
    const known: Known = {
      id: new Set(ir.tunnels.map((t) => t.id)),
      name: new Set(ir.tunnels.flatMap((t) => (t.name === null ? [] : [t.name]))),
    };
    (document.grants ?? []).forEach((grant, i) => {
      if (grant.resources !== undefined)
        checkNode(
          grant.resources.tunnels,
          `/grants/${i}/resources/tunnels`,
          ir.project,
          known,
          ctx,
        );
    });
  },
};
