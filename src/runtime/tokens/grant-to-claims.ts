/**
 * GrantIr → the `permissions` and `resources` claims of the wire format (S-T2…S-T4): the
 * inverse of lowering, so `rampart token mint` writes tokens that the platform's SDKs and this
 * runtime read back as the same grant. `list.select` is written in the platform's object form.
 *
 * With `platform`, only what the platform itself accepts is written: a grant that needs one of
 * Rampart's extensions (HTTP methods, `prefix` or `glob` paths) is refused, with every
 * extension it uses named, rather than minted into a token the platform would reject.
 */
import type {
  ActionIr,
  FilterIr,
  GrantIr,
  GrantNodeIr,
  PathMatchIr,
  Permission,
  StringMatchIr,
} from "../../ir/types.ts";
import { LABEL_PRESENT } from "../../ir/types.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Where the grant uses an extension the platform does not accept (platform mode). */
export type ExtensionUses = string[];

/** The grant's claims. `resources` is absent when the grant has no boundary. */
export function grantToClaims(
  grant: GrantIr,
  extensions?: ExtensionUses,
): {
  permissions: Permission[] | null;
  resources?: { tunnels: Json };
} {
  const permissions = grant.permissions === null ? null : [...grant.permissions];
  if (grant.resources === null) return { permissions };
  return { permissions, resources: { tunnels: nodeToJson(grant.resources, extensions) } };
}

function nodeToJson(node: GrantNodeIr, extensions: ExtensionUses | undefined): Json {
  if (node.kind === "and") return { AND: node.children.map((c) => nodeToJson(c, extensions)) };
  if (node.kind === "or") return { OR: node.children.map((c) => nodeToJson(c, extensions)) };
  const leaf: { [key: string]: Json } = {};
  if (node.workspaces !== null) leaf["workspaces"] = [...node.workspaces];
  if (node.projects !== null) leaf["projects"] = [...node.projects];
  const tunnels: { [key: string]: Json } = {};
  for (const action of ["create", "connect", "list"] as const) {
    const a = node[action];
    if (a !== null) tunnels[action] = actionToJson(a, action, extensions);
  }
  // A leaf always carries its scopes: without them it would grant every action (S-T3).
  leaf["scopes"] = { tunnels: Object.keys(tunnels).length === 0 ? { list: false } : tunnels };
  return leaf;
}

function actionToJson(
  action: ActionIr,
  name: "create" | "connect" | "list",
  extensions: ExtensionUses | undefined,
): Json {
  if (
    action.filter === null &&
    action.path === null &&
    action.methods === null &&
    action.select === null
  )
    return true;
  const out: { [key: string]: Json } = {};
  if (action.filter !== null) out["filters"] = filterToJson(action.filter);
  if (action.path !== null || action.methods !== null) {
    const params: { [key: string]: Json } = {};
    if (action.path !== null) params["path"] = pathToJson(action.path, name, extensions);
    if (action.methods !== null) {
      extensions?.push(`\`${name}\` is limited to HTTP methods (${action.methods.join(", ")})`);
      params["methods"] = [...action.methods];
    }
    out["params"] = params;
  }
  if (action.select !== null)
    out["select"] = Object.fromEntries(action.select.map((field) => [field, true]));
  return out;
}

function filterToJson(filter: FilterIr): Json {
  switch (filter.kind) {
    case "and":
      return filter.children.length === 0 ? {} : { AND: filter.children.map(filterToJson) };
    case "or":
      return { OR: filter.children.map(filterToJson) };
    case "string":
      return { [filter.field]: stringToJson(filter.match) };
    case "label":
      return {
        labels: {
          [filter.key]: isLabelPresent(filter.match) ? null : stringToJson(filter.match),
        },
      };
    case "boolean":
      return { [filter.field]: filter.value };
    case "ips":
      return { trusted_ips: filter.within.ranges.map((r) => r.cidr) };
    case "countries":
      return { geo_ip: [...filter.within.codes] };
    case "undeclared":
      return { [filter.field]: filter.value as Json };
  }
}

function isLabelPresent(match: StringMatchIr): boolean {
  return match.kind === "regex" && match.source === LABEL_PRESENT.source;
}

function stringToJson(match: StringMatchIr): Json {
  if (match.kind === "exact") return { exact: match.value };
  if (match.kind === "oneof") return { oneof: [...match.values] };
  return { regex: match.source };
}

function pathToJson(
  match: PathMatchIr,
  action: string,
  extensions: ExtensionUses | undefined,
): Json {
  if (match.kind === "prefix") {
    extensions?.push(`\`${action}\` limits paths by prefix (${match.values.join(", ")})`);
    return { prefix: [...match.values] };
  }
  if (match.kind === "glob") {
    extensions?.push(`\`${action}\` limits paths by glob (${match.patterns.join(", ")})`);
    return { glob: [...match.patterns] };
  }
  return stringToJson(match);
}
