/**
 * Lowering of grants (SPEC S-T2, S-T3): permissions, the `resources.tunnels` tree and its
 * actions. Shared by policy files (`lower.ts`) and token claims (`grant-from-claims.ts`), so a
 * grant means the same wherever it was written.
 */
import type {
  GrantDoc,
  GrantLeafDoc,
  GrantNodeDoc,
  PathFilterDoc,
  ScopeActionDoc,
} from "../syntax/model.ts";
import type { LowerContext, SpanScope } from "./lower-context.ts";
import {
  canonicalList,
  lazyAt,
  propertySpans,
  sortUniqueInPlace,
  spansAt,
} from "./lower-context.ts";
import { lowerFilter } from "./lower-filter.ts";
import { lowerPathMatch } from "./lower-match.ts";
import { checkMethodNames, methodsWrittenRight } from "./method-names.ts";
import { invalidExpiry, leafWorkspacesAndProjects } from "./semantic-diagnostics.ts";
import type { ActionIr, GrantIr, GrantNodeIr, Permission } from "./types.ts";

/** `null` (everything the owner has) stays `null`; a list is sorted and deduplicated. */
export function lowerPermissions(
  permissions: readonly Permission[] | null | undefined,
): readonly Permission[] | null {
  return permissions === null || permissions === undefined ? null : canonicalList(permissions);
}

function upperCase(text: string): string {
  return text.toUpperCase();
}

/**
 * An action: absent or `false` grants nothing (`null`); `true` grants it unrestricted. `scope`
 * holds its spans.
 */
export function lowerAction(
  doc: ScopeActionDoc | undefined,
  ctx: LowerContext,
  scope: SpanScope,
): ActionIr | null {
  if (doc === undefined || doc === false) return null;
  const origin = scope.own();
  if (doc === true) return { filter: null, path: null, methods: null, select: null, origin };
  const params = doc.params;
  const written = params?.methods;
  // A list written right is already in canonical case: it needs no upper-cased copy.
  const canonical = written !== undefined && methodsWrittenRight(written);
  if (written !== undefined && !canonical)
    checkMethodNames(written, scope.at("params").at("methods"), ctx);
  return {
    filter:
      doc.filters === undefined ? null : lowerFilter(doc.filters, ctx, lazyAt(scope, "filters")),
    path:
      params?.path === undefined
        ? null
        : lowerPathMatch(params.path, ctx, lazyAt(scope, "params"), "path"),
    methods:
      written === undefined
        ? null
        : canonical
          ? canonicalList(written)
          : sortUniqueInPlace(written.map(upperCase)),
    select: lowerSelect(doc.select as SelectDoc | undefined),
    origin,
  };
}

/** `list.select`: a list of fields (Rampart's form) or `{field: true|false}` (the platform's). */
type SelectDoc = readonly string[] | Readonly<Record<string, boolean>>;

/** The fields chosen, sorted; an object keeps the fields set to `true`. */
function lowerSelect(select: SelectDoc | undefined): readonly string[] | null {
  if (select === undefined) return null;
  if (Array.isArray(select)) return canonicalList(select as readonly string[]);
  const chosen: string[] = [];
  for (const [field, on] of Object.entries(select)) if (on === true) chosen.push(field);
  return sortUniqueInPlace(chosen);
}

/** `connect.params` written as a tree over `path` (S-T3): `{AND:[…]}`, `{OR:[…]}` or `{path}`. */
type ParamsTreeDoc =
  | { readonly AND: readonly ParamsTreeDoc[] }
  | { readonly OR: readonly ParamsTreeDoc[] }
  | { readonly path?: PathFilterDoc };

function isParamsTree(
  params: unknown,
): params is { AND: ParamsTreeDoc[] } | { OR: ParamsTreeDoc[] } {
  return (
    typeof params === "object" &&
    params !== null &&
    (Array.isArray((params as { AND?: unknown }).AND) ||
      Array.isArray((params as { OR?: unknown }).OR))
  );
}

/**
 * A leaf whose `connect.params` is an AND/OR tree over `path`, as a grant tree: one copy of
 * the leaf per path match, joined by the same AND/OR. Each action is decided on its own over
 * the tree, so the copies of `create` and `list` change nothing, and `connect` gets exactly
 * the tree's path condition. This keeps `ActionIr.path` a single match.
 */
function expandParams(
  tree: ParamsTreeDoc,
  leaf: Extract<GrantNodeIr, { kind: "leaf" }>,
  scope: SpanScope,
  ctx: LowerContext,
): GrantNodeIr {
  const connect = leaf.connect;
  if (connect === null) return leaf;
  if ("AND" in tree || "OR" in tree) {
    const and = "AND" in tree;
    const items = and ? tree.AND : tree.OR;
    const list = lazyAt(scope, and ? "AND" : "OR");
    // An empty AND restricts nothing; an empty OR admits no path.
    if (items.length === 0) return and ? leaf : { ...leaf, connect: null };
    const children = items.map((item, i) => expandParams(item, leaf, lazyAt(list, i), ctx));
    return { kind: and ? "and" : "or", children, origin: leaf.origin };
  }
  const path = tree.path === undefined ? null : lowerPathMatch(tree.path, ctx, scope, "path");
  return { ...leaf, connect: { ...connect, path } };
}

function lowerLeaf(doc: GrantLeafDoc, scope: SpanScope, ctx: LowerContext): GrantNodeIr {
  if (doc.workspaces !== undefined && doc.projects !== undefined) {
    ctx.report(leafWorkspacesAndProjects(scope.member("projects")));
  }
  const actions: LeafActions = {
    docs: doc.scopes?.tunnels,
    spans: scope.at("scopes").at("tunnels"),
  };
  const origin = scope.own();
  // S-T3: a leaf without `scopes` grants every action on its target (permissions still apply).
  const every = doc.scopes === undefined ? unrestricted(origin) : null;
  const leaf: Extract<GrantNodeIr, { kind: "leaf" }> = {
    kind: "leaf",
    workspaces: doc.workspaces === undefined ? null : canonicalList(doc.workspaces),
    projects: doc.projects === undefined ? null : canonicalList(doc.projects),
    create: every ?? lowerLeafAction(actions, "create", ctx),
    connect: every ?? lowerLeafAction(actions, "connect", ctx),
    list: every ?? lowerLeafAction(actions, "list", ctx),
    origin,
  };
  const connect = actions.docs?.connect;
  const params = typeof connect === "object" ? (connect.params as unknown) : undefined;
  return isParamsTree(params)
    ? expandParams(params, leaf, lazyAt(lazyAt(actions.spans, "connect"), "params"), ctx)
    : leaf;
}

/** An action granted without any restriction. */
function unrestricted(origin: LeafOrigin): ActionIr {
  return { filter: null, path: null, methods: null, select: null, origin };
}

type LeafOrigin = ActionIr["origin"];

/** A leaf's `scopes.tunnels` object: its actions and its spans. */
interface LeafActions {
  readonly docs: NonNullable<GrantLeafDoc["scopes"]>["tunnels"];
  readonly spans: SpanScope;
}

function lowerLeafAction(
  actions: LeafActions,
  key: "create" | "connect" | "list",
  ctx: LowerContext,
): ActionIr | null {
  const doc = actions.docs?.[key];
  if (doc === undefined || doc === false) return null;
  return lowerAction(doc, ctx, actions.spans.at(key));
}

/** The children of an `AND` or `OR` node, written in the list whose spans `spans` holds. */
function lowerChildren(
  children: readonly GrantNodeDoc[],
  ctx: LowerContext,
  spans: SpanScope,
): GrantNodeIr[] {
  return children.map((c, i) => lowerNode(c, ctx, spans.at(i)));
}

/** Lowers a `resources.tunnels` tree; `scope` holds the spans at `pointer`. */
export function lowerGrantNode(
  doc: GrantNodeDoc,
  pointer: string,
  ctx: LowerContext,
  scope: SpanScope = spansAt(ctx, pointer),
): GrantNodeIr {
  return lowerNode(doc, ctx, scope);
}

/** `lowerGrantNode` of the tree whose spans `scope` holds. */
function lowerNode(doc: GrantNodeDoc, ctx: LowerContext, scope: SpanScope): GrantNodeIr {
  if ("AND" in doc && Array.isArray(doc.AND)) {
    const children = lowerChildren(doc.AND, ctx, scope.at("AND"));
    return { kind: "and", children, origin: scope.own() };
  }
  if ("OR" in doc && Array.isArray(doc.OR)) {
    const children = lowerChildren(doc.OR, ctx, scope.at("OR"));
    return { kind: "or", children, origin: scope.own() };
  }
  return lowerLeaf(doc as GrantLeafDoc, scope, ctx);
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** Parses an RFC 3339 date-time into unix seconds (fractions dropped); `null` if invalid. */
export function parseRfc3339(text: string): number | null {
  const match = RFC3339.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return null;
  const ms = Date.parse(text.toUpperCase());
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** Lowers a grant of a policy file; `scope` holds its spans. */
export function lowerGrant(doc: GrantDoc, ctx: LowerContext, scope: SpanScope): GrantIr {
  let expiresAt: number | null = null;
  if (doc.expires_at !== undefined) {
    expiresAt = parseRfc3339(doc.expires_at);
    if (expiresAt === null) ctx.report(invalidExpiry(scope.member("expires_at"), doc.expires_at));
  }
  return {
    name: doc.name,
    type: doc.type ?? null,
    parent: doc.parent ?? null,
    expiresAt,
    permissions: lowerPermissions(doc.permissions),
    resources:
      doc.resources === undefined
        ? null
        : lowerNode(doc.resources.tunnels, ctx, scope.at("resources").at("tunnels")),
    spans: propertySpans(doc, scope),
    origin: scope.own(),
  };
}
