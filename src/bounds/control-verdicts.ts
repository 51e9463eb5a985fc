/**
 * Control-plane decisions (SPEC S-T2, S-T3, S-T7): may a token create a tunnel with given
 * properties, which tunnels (and which of their fields) may it list, and is it acceptable as
 * a query token on the watch endpoints. Every verdict is built here, keys in one fixed order,
 * so the reference interpreter and the compiler return equal objects (as `verdicts.ts` does
 * for request decisions). Status codes follow S-D2 and reasons S-D3.
 */
import type { Span } from "../diagnostics/span.ts";
import type { TokenFacts } from "../ir/facts.ts";
import type { GrantIr } from "../ir/types.ts";
import type { EffectivePolicy, EffectiveTunnel, RuleRef } from "./effective.ts";
import type { GrantFailure } from "./grant-refusal.ts";
import {
  OUTSIDER,
  UNKNOWN,
  boundaryNamesProject,
  ownerStanding,
  ownershipFailure,
  ownershipMessage,
  policyMembers,
} from "./ownership.ts";
import type { Standing } from "./ownership.ts";

/** A control-plane action. */
export type ControlAction = "create" | "list" | "watch";

/** Why a control-plane decision came out as it did. */
export type ControlReason =
  "ok" | "missing_token" | "invalid_token" | "expired_token" | "insufficient_scope";

/** The verdict on one control-plane action. */
export interface ControlDecision {
  readonly action: ControlAction;
  readonly allow: boolean;
  /** What a control plane answers a refusal with (401 or 403); 200 when allowed. */
  readonly status: number;
  readonly reason: ControlReason;
  /** The rule that decided: `grant:<name>`, `token`, or `watch.query-token`. */
  readonly rule: string;
  readonly origin: Span | null;
  /** One sentence a person can read. */
  readonly message: string;
  /** For a refusal by the grant: the nearest change that would allow it (empty otherwise). */
  readonly failures: readonly GrantFailure[];
}

/** A tunnel the token may see, and the fields of it that it may see (sorted). */
export interface VisibleTunnel {
  readonly tunnel: EffectiveTunnel;
  readonly fields: readonly string[];
}

/** The verdict on `list`: when allowed, the visible tunnels in the order they were given. */
export interface ListDecision extends ControlDecision {
  readonly visible: readonly VisibleTunnel[];
}

interface Parts {
  readonly action: ControlAction;
  readonly allow: boolean;
  readonly status: number;
  readonly reason: ControlReason;
  readonly rule: string;
  readonly origin: Span | null;
  readonly message: string;
  readonly failures?: readonly GrantFailure[];
}

// INVARIANT: every ControlDecision is built here, keys in this order.
function controlVerdict(p: Parts): ControlDecision {
  return {
    action: p.action,
    allow: p.allow,
    status: p.status,
    reason: p.reason,
    rule: p.rule,
    origin: p.origin,
    message: p.message,
    failures: p.failures ?? [],
  };
}

function grantRule(grant: GrantIr): { rule: string; origin: Span | null } {
  return { rule: `grant:${grant.name}`, origin: grant.origin ?? null };
}

/** A token's grant, or the verdict when the token itself settles the action. */
export type ControlToken =
  | { readonly refused: null; readonly grant: GrantIr; readonly token: TokenFacts }
  | { readonly refused: ControlDecision };

function settled(refused: ControlDecision): ControlToken {
  return { refused };
}

/**
 * The token's grant, or the refusal when the token is absent, not valid, or valid without a
 * resolved grant (fail closed).
 */
export function checkControlToken(action: ControlAction, token: TokenFacts | null): ControlToken {
  if (token === null) {
    return settled(
      controlVerdict({
        action,
        allow: false,
        status: 401,
        reason: "missing_token",
        rule: "token",
        origin: null,
        message: `no token: \`${action}\` needs one`,
      }),
    );
  }
  if (token.status !== "valid") {
    const expired = token.status === "expired";
    return settled(
      controlVerdict({
        action,
        allow: false,
        status: 401,
        reason: expired ? "expired_token" : "invalid_token",
        rule: "token",
        origin: null,
        message: expired ? "the token has expired" : `the token is not valid (${token.status})`,
      }),
    );
  }
  if (token.grant === null) {
    return settled(
      controlVerdict({
        action,
        allow: false,
        status: 403,
        reason: "insufficient_scope",
        rule: "token.grant",
        origin: null,
        message: "the token's grant could not be resolved, so it grants nothing",
      }),
    );
  }
  return { refused: null, grant: token.grant, token };
}

/**
 * A valid token refused for ownership (S-T8): its owner is not a member of the project, or
 * nobody answers membership and its boundary does not name the project. 403
 * `insufficient_scope` (valid but not authorized), citing `project.members`, as the request
 * decision does.
 */
export function controlOwnershipVerdict(
  action: ControlAction,
  membersRule: RuleRef,
  standing: Standing,
  token: TokenFacts,
  projectId: string,
): ControlDecision {
  return controlVerdict({
    action,
    allow: false,
    status: 403,
    reason: "insufficient_scope",
    rule: membersRule.rule,
    origin: membersRule.origin,
    message: `${ownershipMessage(standing, projectId)} (${membersRule.rule})`,
    failures: [ownershipFailure(standing, token, projectId)],
  });
}

/** `create` allowed: the grant lets this token create a tunnel with these properties. */
export function createAllowedVerdict(grant: GrantIr): ControlDecision {
  return controlVerdict({
    action: "create",
    allow: true,
    status: 200,
    reason: "ok",
    ...grantRule(grant),
    message: `grant:${grant.name} allows creating a tunnel with these properties`,
  });
}

/** `create` refused by the grant, with the nearest change that would allow it. */
export function createRefusedVerdict(
  grant: GrantIr,
  failures: readonly GrantFailure[],
): ControlDecision {
  const first = failures[0];
  return controlVerdict({
    action: "create",
    allow: false,
    status: 403,
    reason: "insufficient_scope",
    ...grantRule(grant),
    message:
      first === undefined
        ? `grant:${grant.name} does not allow creating this tunnel`
        : `grant:${grant.name} does not allow creating this tunnel: ${first.message} (at ${first.pointer})`,
    failures,
  });
}

/** `list` allowed: the tunnels the grant reveals, each with its visible fields. */
export function listVerdict(grant: GrantIr, visible: readonly VisibleTunnel[]): ListDecision {
  return {
    ...controlVerdict({
      action: "list",
      allow: true,
      status: 200,
      reason: "ok",
      ...grantRule(grant),
      message: `grant:${grant.name} reveals ${visible.length} tunnel${visible.length === 1 ? "" : "s"}`,
    }),
    visible,
  };
}

/** `list` refused outright (the permission is missing, or the token settles it). */
export function listRefusedVerdict(decision: ControlDecision): ListDecision {
  return { ...decision, visible: [] };
}

/** `list` refused by the grant's permissions. */
export function listPermissionVerdict(
  grant: GrantIr,
  failures: readonly GrantFailure[],
): ListDecision {
  return listRefusedVerdict(
    controlVerdict({
      action: "list",
      allow: false,
      status: 403,
      reason: "insufficient_scope",
      ...grantRule(grant),
      message: `grant:${grant.name} does not allow listing tunnels: ${failures[0]?.message ?? "no permission"}`,
      failures,
    }),
  );
}

/** The rule that decides query tokens on the watch endpoints. */
export const WATCH_RULE = "watch.query-token";

/** `watch`: the token is acceptable as a query token on `/api/sse` and `/api/websocket`. */
export function watchAllowedVerdict(): ControlDecision {
  return controlVerdict({
    action: "watch",
    allow: true,
    status: 200,
    reason: "ok",
    rule: WATCH_RULE,
    origin: null,
    message: "a short-lived, list-only discovery token: accepted in the watch endpoints' query",
  });
}

/** `watch` refused: S-T7's reason. A query token that is not acceptable there is invalid. */
export function watchRefusedVerdict(reason: string): ControlDecision {
  return controlVerdict({
    action: "watch",
    allow: false,
    status: 401,
    reason: "invalid_token",
    rule: WATCH_RULE,
    origin: null,
    message: `not accepted as a watch query token: ${reason}`,
  });
}

/**
 * S-T8 for a token the watch rule (S-T7) accepts: on `policy`'s project its owner must be a
 * member, or, when nobody answers membership, its boundary must grant `list` through a leaf
 * naming the project. One function for the interpreter and the compiled plane: the rule
 * reads no tunnel, so there is nothing to compile.
 */
export function watchOwnershipVerdict(
  policy: EffectivePolicy,
  token: TokenFacts,
  grant: GrantIr,
): ControlDecision {
  const project = policyMembers(policy);
  const standing = ownerStanding(project.members, token, policy.projectId);
  const named =
    grant.resources !== null && boundaryNamesProject(grant.resources, policy.projectId, "list");
  if (standing === OUTSIDER || (standing === UNKNOWN && !named))
    return controlOwnershipVerdict("watch", project.rule, standing, token, policy.projectId);
  return watchAllowedVerdict();
}
