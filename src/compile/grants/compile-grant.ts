/**
 * Token and credential grants compiled for the `connect` action (SPEC S-T2, S-T3, S-T5).
 * A grant is compiled once (path matchers, method sets) and then specialized per tunnel: the
 * workspace/project scope and the tunnel filters depend on the tunnel only, so they fold to
 * constants and what is left is a predicate on the request path and method.
 */
import type { EffectiveTunnel, RuleRef } from "../../bounds/effective.ts";
import type { ActionIr, GrantIr, GrantNodeIr } from "../../ir/types.ts";
import { compilePathMatch } from "../matchers/path-scope.ts";
import { filterMatches } from "../../bounds/tunnel-filter.ts";

/** Whether a request (normalized path, `null` when refused; method as sent) is in scope. */
export type ScopeCheck = (normalizedPath: string | null, method: string) => boolean;

/** A grant ready for requests: its rule and, per tunnel, its scope check. */
export interface CompiledGrant {
  readonly rule: RuleRef;
  /** The grant's scope on one tunnel; `true`/`false` when it does not depend on the request. */
  forTunnel(tunnel: EffectiveTunnel): ScopeCheck | boolean;
  /** The scope granted through leaves that name the tunnel's project (S-T8). */
  forTunnelNamed(tunnel: EffectiveTunnel): ScopeCheck | boolean;
}

type Scope = ScopeCheck | boolean;

const CONNECT_PERMISSION = "tunnels.streams.create-delete";

function actionScope(
  act: ActionIr,
  tunnel: EffectiveTunnel,
  pathCheck: ((p: string) => boolean) | null,
): Scope {
  if (act.filter !== null && !filterMatches(act.filter, tunnel)) return false;
  // Methods are compared upper-cased. Keeping only upper-case entries is exact (no other entry
  // can equal an upper-cased method) and lets a request whose method is already upper case,
  // the usual one, skip the conversion.
  const methods =
    act.methods === null ? null : new Set(act.methods.filter((m) => m === m.toUpperCase()));
  if (pathCheck === null && methods === null) return true;
  return (path, method) => {
    if (pathCheck !== null && (path === null || !pathCheck(path))) return false;
    return methods === null || methods.has(method) || methods.has(method.toUpperCase());
  };
}

function all(scopes: Scope[]): Scope {
  if (scopes.some((s) => s === false)) return false;
  const checks = scopes.filter((s): s is ScopeCheck => typeof s === "function");
  if (checks.length === 0) return true;
  if (checks.length === 1) return checks[0] as ScopeCheck;
  return (path, method) => checks.every((c) => c(path, method));
}

function any(scopes: Scope[]): Scope {
  if (scopes.some((s) => s === true)) return true;
  const checks = scopes.filter((s): s is ScopeCheck => typeof s === "function");
  if (checks.length === 0) return false;
  if (checks.length === 1) return checks[0] as ScopeCheck;
  return (path, method) => checks.some((c) => c(path, method));
}

/** Path matchers are compiled once per grant and shared by every tunnel's specialization. */
type PathChecks = Map<ActionIr, (p: string) => boolean>;

function nodeScope(node: GrantNodeIr, tunnel: EffectiveTunnel, paths: PathChecks): Scope {
  switch (node.kind) {
    case "and":
      return all(node.children.map((c) => nodeScope(c, tunnel, paths)));
    case "or":
      return any(node.children.map((c) => nodeScope(c, tunnel, paths)));
    case "leaf": {
      if (
        node.workspaces !== null &&
        (tunnel.workspace === null || !node.workspaces.includes(tunnel.workspace))
      ) {
        return false;
      }
      if (node.projects !== null && !node.projects.includes(tunnel.projectId)) return false;
      const act = node.connect;
      return act === null ? false : actionScope(act, tunnel, paths.get(act) ?? null);
    }
  }
}

/** The twin of the interpreter's `nodeAllowsNamed`: granted through a leaf naming the project. */
function namedScope(node: GrantNodeIr, tunnel: EffectiveTunnel, paths: PathChecks): Scope {
  switch (node.kind) {
    case "and":
      return all([
        all(node.children.map((c) => nodeScope(c, tunnel, paths))),
        any(node.children.map((c) => namedScope(c, tunnel, paths))),
      ]);
    case "or":
      return any(node.children.map((c) => namedScope(c, tunnel, paths)));
    case "leaf":
      return node.projects !== null && node.projects.includes(tunnel.projectId)
        ? nodeScope(node, tunnel, paths)
        : false;
  }
}

/** A scope computed once per tunnel. */
function perTunnelScope(compute: (tunnel: EffectiveTunnel) => Scope) {
  const cache = new Map<EffectiveTunnel, Scope>();
  return (tunnel: EffectiveTunnel): Scope => {
    let scope = cache.get(tunnel);
    if (scope === undefined) cache.set(tunnel, (scope = compute(tunnel)));
    return scope;
  };
}

function collectPathChecks(node: GrantNodeIr, into: PathChecks): void {
  if (node.kind !== "leaf") {
    for (const child of node.children) collectPathChecks(child, into);
  } else if (node.connect !== null && node.connect.path !== null) {
    into.set(node.connect, compilePathMatch(node.connect.path));
  }
}

/** The rule a grant is cited as in decisions. */
export function grantRuleOf(grant: GrantIr): RuleRef {
  return { rule: `grant:${grant.name}`, origin: grant.origin ?? null };
}

/** Compiles a grant for `connect` decisions. */
export function compileGrant(grant: GrantIr): CompiledGrant {
  const rule = grantRuleOf(grant);
  if (grant.permissions !== null && !grant.permissions.includes(CONNECT_PERMISSION)) {
    return { rule, forTunnel: () => false, forTunnelNamed: () => false };
  }
  const resources = grant.resources;
  // No boundary: every tunnel of the owner's projects, but it names no project (S-T8).
  if (resources === null) return { rule, forTunnel: () => true, forTunnelNamed: () => false };
  const paths: PathChecks = new Map();
  collectPathChecks(resources, paths);
  return {
    rule,
    forTunnel: perTunnelScope((tunnel) => nodeScope(resources, tunnel, paths)),
    forTunnelNamed: perTunnelScope((tunnel) => namedScope(resources, tunnel, paths)),
  };
}
