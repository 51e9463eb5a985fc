/**
 * GrantIr → the `permissions` and `resources` claims of the wire format (S-T2…S-T4): the
 * inverse of lowering, so `rampart token mint` writes tokens that the platform's SDKs and this
 * runtime read back as the same grant.
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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The grant's claims. `resources` is absent when the grant has no boundary. */
export function grantToClaims(grant: GrantIr): {
  permissions: Permission[] | null;
  resources?: { tunnels: Json };
} {
  const permissions = grant.permissions === null ? null : [...grant.permissions];
  if (grant.resources === null) return { permissions };
  return { permissions, resources: { tunnels: nodeToJson(grant.resources) } };
}

function nodeToJson(node: GrantNodeIr): Json {
  if (node.kind === "and") return { AND: node.children.map(nodeToJson) };
  if (node.kind === "or") return { OR: node.children.map(nodeToJson) };
  const leaf: { [key: string]: Json } = {};
  if (node.workspaces !== null) leaf["workspaces"] = [...node.workspaces];
  if (node.projects !== null) leaf["projects"] = [...node.projects];
  const tunnels: { [key: string]: Json } = {};
  for (const action of ["create", "connect", "list"] as const) {
    const a = node[action];
    if (a !== null) tunnels[action] = actionToJson(a);
  }
  leaf["scopes"] = { tunnels };
  return leaf;
}

function actionToJson(action: ActionIr): Json {
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
    if (action.path !== null) params["path"] = pathToJson(action.path);
    if (action.methods !== null) params["methods"] = [...action.methods];
    out["params"] = params;
  }
  if (action.select !== null) out["select"] = [...action.select];
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
      return { labels: { [filter.key]: stringToJson(filter.match) } };
    case "boolean":
      return { [filter.field]: filter.value };
    case "ips":
      return { trusted_ips: filter.within.ranges.map((r) => r.cidr) };
    case "countries":
      return { geo_ip: [...filter.within.codes] };
  }
}

function stringToJson(match: StringMatchIr): Json {
  if (match.kind === "exact") return { exact: match.value };
  if (match.kind === "oneof") return { oneof: [...match.values] };
  return { regex: match.source };
}

function pathToJson(match: PathMatchIr): Json {
  if (match.kind === "prefix") return { prefix: [...match.values] };
  if (match.kind === "glob") return { glob: [...match.patterns] };
  return stringToJson(match);
}
