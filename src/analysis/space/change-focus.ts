/**
 * Where a policy change can show (issue #19): `diff` explores only the host classes, and
 * inside them only the tokens and client certificates, that an edit can reach, so its cost
 * follows the change instead of the policy's size.
 *
 * A decision reads the routed tunnel, the policy-wide settings, and a grant only through the
 * credential that carries it: a token carries its own grant, an mTLS credential names one
 * (`checkToken`, `checkClientCredential`). So when two versions differ in grants or
 * credentials alone, a request to a tunnel that is the same on both sides can change only
 * if it carries a changed grant that may connect to that tunnel on some side. Whether a
 * grant may connect is decided here without the request's path and method (an
 * over-approximation, so nothing that can change is left out); a grant that connects on
 * neither side is refused alike on both (the interpreter's `unauthorized`), whatever changed
 * in it.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import { filterMatches } from "../../bounds/tunnel-filter.ts";
import { ACTION_PERMISSION } from "../../interpret/grant-allows.ts";
import type { CredentialIr, GrantIr, GrantNodeIr } from "../../ir/types.ts";
import { sameValue } from "../same-value.ts";
import type { PolicyPair } from "./atoms.ts";

/** How the policy-wide parts of two versions differ. */
export type ContextChange =
  | { readonly kind: "none" }
  /** Only grants and credentials differ: these names (a name missing on a side counts). */
  | {
      readonly kind: "credentials";
      readonly grants: readonly string[];
      readonly credentials: ReadonlySet<string>;
    }
  /** The project, workspace, plan or public access differ: any request may change. */
  | { readonly kind: "all" };

/**
 * The token and credential atoms whose requests can decide differently for a host class,
 * once both sides passed the edge; every other atom of those dimensions decides alike.
 */
export interface Focus {
  readonly tokens: ReadonlySet<string>;
  readonly credentials: ReadonlySet<string>;
}

function changedNames<T>(a: Readonly<Record<string, T>>, b: Readonly<Record<string, T>>): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter(
    (n) => !Object.hasOwn(a, n) || !Object.hasOwn(b, n) || !sameValue(a[n], b[n]),
  );
}

function credentialsByName(list: readonly CredentialIr[]): Record<string, CredentialIr> {
  // The interpreter takes the first credential of a name (`find`).
  const out: Record<string, CredentialIr> = {};
  for (const c of list) if (!Object.hasOwn(out, c.name)) out[c.name] = c;
  return out;
}

/** How two versions' policy-wide parts differ (grant by grant, credential by credential). */
export function contextChange([a, b]: PolicyPair): ContextChange {
  if (
    a.projectId !== b.projectId ||
    a.workspace !== b.workspace ||
    a.plan !== b.plan ||
    a.publicAccess !== b.publicAccess
  )
    return { kind: "all" };
  const grants = a.grants === b.grants ? [] : changedNames(a.grants, b.grants);
  const credentials =
    a.credentials === b.credentials
      ? []
      : changedNames(credentialsByName(a.credentials), credentialsByName(b.credentials));
  if (grants.length === 0 && credentials.length === 0) return { kind: "none" };
  return { kind: "credentials", grants, credentials: new Set(credentials) };
}

function nodeMayConnect(node: GrantNodeIr, tunnel: EffectiveTunnel): boolean {
  switch (node.kind) {
    case "and":
      return node.children.every((c) => nodeMayConnect(c, tunnel));
    case "or":
      return node.children.some((c) => nodeMayConnect(c, tunnel));
    case "leaf": {
      if (
        node.workspaces !== null &&
        (tunnel.workspace === null || !node.workspaces.includes(tunnel.workspace))
      )
        return false;
      if (node.projects !== null && !node.projects.includes(tunnel.projectId)) return false;
      const act = node.connect;
      // The path and method are left open: some request may meet them.
      return act !== null && (act.filter === null || filterMatches(act.filter, tunnel));
    }
  }
}

/**
 * Whether a grant lets some request connect to the tunnel (`grantConnects` for some path and
 * method). A missing grant or tunnel connects nothing.
 */
export function grantMayConnect(
  grant: GrantIr | undefined,
  tunnel: EffectiveTunnel | null,
): boolean {
  if (grant === undefined || tunnel === null) return false;
  if (grant.permissions !== null && !grant.permissions.includes(ACTION_PERMISSION.connect))
    return false;
  return grant.resources === null || nodeMayConnect(grant.resources, tunnel);
}

/**
 * The focus for a host class whose tunnels decide alike past the edge, when only grants and
 * credentials changed; `null` when no request to it can decide differently.
 */
export function focusFor(
  change: Extract<ContextChange, { kind: "credentials" }>,
  policies: PolicyPair,
  tunnels: readonly [EffectiveTunnel | null, EffectiveTunnel | null],
): Focus | null {
  const reaching = change.grants.filter((name) =>
    ([0, 1] as const).some((side) => grantMayConnect(policies[side].grants[name], tunnels[side])),
  );
  const tokens = tunnels.some((t) => t?.auth.token === true)
    ? new Set(reaching.map((name) => `token:grant:${name}`))
    : new Set<string>();
  const credentials = new Set<string>();
  if (tunnels.some((t) => t !== null && t.auth.mtls !== null)) {
    const reached = new Set(reaching);
    for (const p of policies)
      for (const c of p.credentials)
        if (change.credentials.has(c.name) || reached.has(c.grant))
          credentials.add(`credential:${c.name}`);
  }
  return tokens.size === 0 && credentials.size === 0 ? null : { tokens, credentials };
}
