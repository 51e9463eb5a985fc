/**
 * Why a grant refuses an action on a tunnel, as the nearest change that would allow it (SPEC
 * S-T2…S-T4): the smallest set of failed conditions, each with its JSON Pointer in the
 * token's claims. An AND needs every failing child fixed; an OR needs its cheapest child; a
 * leaf needs its target, its action and its filter. The interpreter and the compiler both
 * explain refusals with this one function, so their verdicts are equal.
 *
 * Pointers follow the canonical spelling of a grant: a filter object with several fields is
 * one object (`…/filters/protocol`), not a one-field-per-entry `AND` list.
 */
import { childPointer } from "../diagnostics/json-pointer.ts";
import type { Span } from "../diagnostics/span.ts";
import type {
  ActionIr,
  FilterIr,
  GrantIr,
  GrantNodeIr,
  Permission,
  StringMatchIr,
} from "../ir/types.ts";
import type { EffectiveTunnel } from "./effective.ts";
import { booleanField, filterMatches, stringFieldValues } from "./tunnel-filter.ts";
import { spanOf } from "../ir/lazy-spans.ts";

/** A tunnel action of a grant. */
export type TunnelAction = "create" | "connect" | "list";

/** The permission each action pairs with when `permissions` is a list (S-T2). */
export const PERMISSION_FOR: Readonly<Record<TunnelAction, Permission>> = {
  create: "tunnels.tunnels.create-delete",
  connect: "tunnels.streams.create-delete",
  list: "tunnels.resources.read-only",
};

/** One failed condition of a grant. */
export interface GrantFailure {
  /** `owner`: ownership (S-T8), not the grant, refused it (`bounds/ownership.ts`). */
  readonly kind: "permission" | "target" | "action" | "filter" | "owner";
  /** Where the condition is written in the token's claims (a JSON Pointer). */
  readonly pointer: string;
  /** Where it is written in a policy file, when the grant comes from one. */
  readonly origin: Span | null;
  /** What failed, in words. */
  readonly message: string;
  /** The change to the token that would remove this failure. */
  readonly change: string;
}

/** Where the boundary tree starts in the claims. */
export const RESOURCES_POINTER = "/resources/tunnels";

const quoted = (values: readonly string[]): string => values.map((v) => `\`${v}\``).join(", ");

function describeMatch(match: StringMatchIr): string {
  switch (match.kind) {
    case "exact":
      return `\`${match.value}\``;
    case "oneof":
      return `one of ${quoted(match.values)}`;
    case "regex":
      return `a match of /${match.source}/`;
  }
}

function shown(values: readonly string[]): string {
  return values.length === 0 ? "not set" : quoted(values);
}

/** The failure of one field condition that the tunnel does not meet. */
function fieldFailure(
  filter: Exclude<FilterIr, { kind: "and" | "or" }>,
  tunnel: EffectiveTunnel,
  objectPointer: string,
  origin: Span | null,
): GrantFailure {
  const at = (key: string): string => childPointer(objectPointer, key);
  const fail = (pointer: string, message: string, change: string): GrantFailure => ({
    kind: "filter",
    pointer,
    origin,
    message,
    change,
  });
  switch (filter.kind) {
    case "string": {
      const values = stringFieldValues(tunnel, filter.field);
      return fail(
        at(filter.field),
        `\`${filter.field}\` is ${shown(values)}; the filter wants ${describeMatch(filter.match)}`,
        `let \`${filter.field}\` = ${shown(values)} through the filter at ${at(filter.field)}`,
      );
    }
    case "label": {
      const pointer = childPointer(at("labels"), filter.key);
      const value = Object.hasOwn(tunnel.labels, filter.key)
        ? tunnel.labels[filter.key]
        : undefined;
      const has = value === undefined ? "absent" : `\`${value}\``;
      return fail(
        pointer,
        `label \`${filter.key}\` is ${has}; the filter wants ${describeMatch(filter.match)}`,
        value === undefined
          ? `drop the label condition at ${pointer} (or give the tunnel the label)`
          : `let label \`${filter.key}\` = \`${value}\` through the filter at ${pointer}`,
      );
    }
    case "boolean":
      return fail(
        at(filter.field),
        `\`${filter.field}\` is ${String(booleanField(tunnel, filter.field))}; the filter wants ${String(filter.value)}`,
        `drop or flip \`${filter.field}\` at ${at(filter.field)}`,
      );
    case "ips":
      return fail(
        at("trusted_ips"),
        tunnel.allowedIps === null
          ? "the tunnel has no trusted-IP list; the filter wants one inside its list"
          : "the tunnel's trusted IPs are not inside the filter's list",
        `widen or drop \`trusted_ips\` at ${at("trusted_ips")}`,
      );
    case "undeclared":
      return fail(
        at(filter.field),
        `no tunnel here declares \`${filter.field}\`, so a filter on it selects none`,
        `drop \`${filter.field}\` at ${at(filter.field)}`,
      );
    case "countries":
      return fail(
        at("geo_ip"),
        tunnel.allowedCountries === null
          ? "the tunnel has no GeoIP list; the filter wants one inside its list"
          : `the tunnel's countries ${quoted(tunnel.allowedCountries.codes)} are not inside ${quoted(filter.within.codes)}`,
        `widen or drop \`geo_ip\` at ${at("geo_ip")}`,
      );
    default:
      // A filter kind this explanation does not know yet: still name where it is written.
      return fail(
        objectPointer,
        "the tunnel does not meet this filter",
        `widen or drop the filter at ${objectPointer}`,
      );
  }
}

function filterKey(filter: FilterIr): string | null {
  switch (filter.kind) {
    case "and":
    case "or":
      return null;
    case "string":
    case "boolean":
      return filter.field;
    case "label":
      return `labels/${filter.key}`;
    case "ips":
      return "trusted_ips";
    case "countries":
      return "geo_ip";
    case "undeclared":
      return filter.field;
  }
}

/**
 * Whether a filter selects no tunnel whatever the tunnel is: an `OR` of such alternatives (an
 * empty one included), or an `AND` (a field object too) with such a part, such as a field no
 * tunnel here declares. Changing the tunnel cannot make it match.
 */
function selectsNothing(filter: FilterIr): boolean {
  if (filter.kind === "or") return filter.children.every(selectsNothing);
  if (filter.kind === "and") return filter.children.some(selectsNothing);
  return filter.kind === "undeclared";
}

/** An `and` of distinct fields is one filter object; any other `and` is an `AND` list. */
function isFieldObject(children: readonly FilterIr[]): boolean {
  const keys = children.map(filterKey);
  return keys.every((k) => k !== null) && new Set(keys).size === keys.length;
}

/** The cheapest non-empty fix among alternatives (the first on a tie), or none. */
function cheapest(options: readonly GrantFailure[][]): GrantFailure[] {
  let best: GrantFailure[] | null = null;
  for (const option of options) if (best === null || option.length < best.length) best = option;
  return best ?? [];
}

/** The field conditions to change so that `filter` selects the tunnel; empty when it does. */
export function filterFailures(
  filter: FilterIr,
  tunnel: EffectiveTunnel,
  objectPointer: string,
  origin: Span | null,
): GrantFailure[] {
  if (filterMatches(filter, tunnel)) return [];
  switch (filter.kind) {
    case "and": {
      const fieldObject = isFieldObject(filter.children);
      return filter.children.flatMap((child, i) =>
        filterFailures(
          child,
          tunnel,
          fieldObject ? objectPointer : childPointer(childPointer(objectPointer, "AND"), i),
          origin,
        ),
      );
    }
    case "or": {
      // An alternative that selects nothing (an empty `OR`, a field no tunnel here declares)
      // has no fix of its own: another one is the nearest change; with no other, the filter
      // is to be dropped.
      const options = filter.children.flatMap((child, i) =>
        selectsNothing(child)
          ? []
          : [
              filterFailures(
                child,
                tunnel,
                childPointer(childPointer(objectPointer, "OR"), i),
                origin,
              ),
            ],
      );
      if (options.length > 0) return cheapest(options);
      return [
        {
          kind: "filter",
          pointer: objectPointer,
          origin,
          message:
            "this filter selects no tunnel (an empty `OR`, or a field no tunnel here declares)",
          change: `drop the filter at ${objectPointer}`,
        },
      ];
    }
    default:
      return [fieldFailure(filter, tunnel, objectPointer, origin)];
  }
}

/** What is being asked: an action on a tunnel. */
interface Ask {
  readonly action: TunnelAction;
  readonly tunnel: EffectiveTunnel;
}

function actionFailures(act: ActionIr, pointer: string, ask: Ask): GrantFailure[] {
  if (act.filter === null) return [];
  return filterFailures(
    act.filter,
    ask.tunnel,
    childPointer(pointer, "filters"),
    act.origin ?? null,
  );
}

function leafFailures(
  leaf: Extract<GrantNodeIr, { kind: "leaf" }>,
  pointer: string,
  ask: Ask,
): GrantFailure[] {
  const out: GrantFailure[] = [];
  const origin = leaf.origin ?? null;
  const { tunnel, action } = ask;
  if (
    leaf.workspaces !== null &&
    (tunnel.workspace === null || !leaf.workspaces.includes(tunnel.workspace))
  ) {
    const at = childPointer(pointer, "workspaces");
    out.push({
      kind: "target",
      pointer: at,
      origin,
      message: `the tunnel's workspace ${tunnel.workspace === null ? "is not set" : `\`${tunnel.workspace}\``} is not among ${quoted(leaf.workspaces)}`,
      change:
        tunnel.workspace === null
          ? `target projects rather than workspaces at ${pointer}`
          : `add \`${tunnel.workspace}\` to ${at}`,
    });
  }
  if (leaf.projects !== null && !leaf.projects.includes(tunnel.projectId)) {
    const at = childPointer(pointer, "projects");
    out.push({
      kind: "target",
      pointer: at,
      origin,
      message: `the tunnel's project \`${tunnel.projectId}\` is not among ${quoted(leaf.projects)}`,
      change: `add \`${tunnel.projectId}\` to ${at}`,
    });
  }
  const actionPointer = childPointer(
    childPointer(childPointer(pointer, "scopes"), "tunnels"),
    action,
  );
  const act = leaf[action];
  if (act === null) {
    out.push({
      kind: "action",
      pointer: actionPointer,
      origin,
      message: `this branch does not grant \`${action}\``,
      change: `grant \`${action}\` at ${actionPointer}`,
    });
  } else out.push(...actionFailures(act, actionPointer, ask));
  return out;
}

function nodeFailures(node: GrantNodeIr, pointer: string, ask: Ask): GrantFailure[] {
  switch (node.kind) {
    case "and":
      return node.children.flatMap((c, i) =>
        nodeFailures(c, childPointer(childPointer(pointer, "AND"), i), ask),
      );
    case "or": {
      const options = node.children.map((c, i) =>
        nodeFailures(c, childPointer(childPointer(pointer, "OR"), i), ask),
      );
      return options.some((o) => o.length === 0) ? [] : cheapest(options);
    }
    case "leaf":
      return leafFailures(node, pointer, ask);
  }
}

/** The failure when `permissions` is a list without the action's permission, else `null`. */
export function permissionFailure(grant: GrantIr, action: TunnelAction): GrantFailure | null {
  const permission = PERMISSION_FOR[action];
  if (grant.permissions === null || grant.permissions.includes(permission)) return null;
  return {
    kind: "permission",
    pointer: "/permissions",
    origin: spanOf(grant.spans, "permissions") ?? grant.origin ?? null,
    message: `the permissions do not include \`${permission}\``,
    change: `add \`${permission}\` to /permissions`,
  };
}

/**
 * The nearest change that would let `grant` allow `action` on `tunnel`: empty exactly when it
 * allows it (for `connect`, whatever the request path and method; those are request facts).
 */
export function grantRefusal(
  grant: GrantIr,
  action: TunnelAction,
  tunnel: EffectiveTunnel,
): GrantFailure[] {
  const out: GrantFailure[] = [];
  const permission = permissionFailure(grant, action);
  if (permission !== null) out.push(permission);
  if (grant.resources !== null)
    out.push(...nodeFailures(grant.resources, RESOURCES_POINTER, { action, tunnel }));
  return out;
}
