/**
 * Ownership (S-T8): a token speaks for its owner and never reaches a project its owner does
 * not belong to. Who belongs is answered, in this order, by the credential backend (the
 * token's `memberOf`), by the project's member list in the policy, and otherwise by nobody:
 * then only a token whose boundary names the project explicitly is accepted for it.
 *
 * One definition for the interpreter, the compiled decision and the laws: each side asks
 * `ownerStanding` and, for an UNKNOWN standing, evaluates the grant's "named" tree.
 */
import type { TokenFacts } from "../ir/facts.ts";
import { memberKey } from "../ir/members.ts";
import type { GrantNodeIr, ProjectMembersIr } from "../ir/types.ts";
import type { EffectivePolicy, RuleRef } from "./effective.ts";
import type { GrantFailure } from "./grant-refusal.ts";
import { RESOURCES_POINTER } from "./grant-refusal.ts";

/** The owner belongs to the project. */
export const MEMBER = 0;
/** The owner does not belong to it, or the token names no owner where one is needed. */
export const OUTSIDER = 1;
/** Nobody says: only a boundary that names the project explicitly is accepted. */
export const UNKNOWN = 2;
export type Standing = typeof MEMBER | typeof OUTSIDER | typeof UNKNOWN;

/** The standing of a valid token's owner in project `projectId`. */
export function ownerStanding(
  members: ProjectMembersIr | null,
  token: TokenFacts,
  projectId: string,
): Standing {
  const memberOf = token.memberOf;
  if (memberOf !== undefined && memberOf !== null)
    return memberOf.includes(projectId) ? MEMBER : OUTSIDER;
  if (members === null) return UNKNOWN;
  const owner = token.owner;
  if (owner === undefined || owner === null) return OUTSIDER;
  const list = owner.kind === "client" ? members.clients : members.users;
  return list.includes(owner.kind === "client" ? owner.id : memberKey(owner.id))
    ? MEMBER
    : OUTSIDER;
}

/** What a refusal for ownership says, by standing (the explain output and the 403 message). */
export function ownershipMessage(standing: Standing, projectId: string): string {
  return standing === OUTSIDER
    ? `the token's owner is not a member of project \`${projectId}\``
    : `project \`${projectId}\` names no members and no credential backend answers membership: ` +
        "only a token whose boundary names the project explicitly is accepted";
}

/**
 * The project's member list as the policy writes it, and the rule a refusal cites. Every
 * tunnel of a project carries the project's list (`auth.members`), so the first one of
 * `policy.projectId` answers; a policy without such a tunnel leaves it to the backend or to
 * explicit boundaries (the same as a policy that names no members).
 */
export function policyMembers(policy: EffectivePolicy): {
  readonly members: ProjectMembersIr | null;
  readonly rule: RuleRef;
} {
  const own = policy.tunnels.find((t) => t.projectId === policy.projectId);
  return own === undefined
    ? { members: null, rule: { rule: "project.members", origin: null } }
    : { members: own.auth.members, rule: own.auth.membersRule };
}

/**
 * Whether a boundary grants `action` through a leaf that names `projectId` (S-T8, for a
 * decision that has no tunnel: `watch`). An AND needs one such child (S-T7 checks that every
 * branch grants the action); an OR needs one.
 */
export function boundaryNamesProject(
  node: GrantNodeIr,
  projectId: string,
  action: "create" | "connect" | "list",
): boolean {
  if (node.kind !== "leaf")
    return node.children.some((c) => boundaryNamesProject(c, projectId, action));
  return node.projects !== null && node.projects.includes(projectId) && node[action] !== null;
}

/** The claim that names a token's owner, as a JSON Pointer (S-T8). */
function ownerPointer(token: TokenFacts): string {
  if (token.owner?.kind === "client" || token.type === "app") return "/clientId";
  return token.type === "pat" ? "/sub" : "/userId";
}

/**
 * The nearest change for a refusal by ownership, in the form grant refusals use, so `explain`
 * and `token inspect` say what would allow the action: another owner, or (nobody answering
 * membership) a boundary that names the project.
 */
export function ownershipFailure(
  standing: Standing,
  token: TokenFacts,
  projectId: string,
): GrantFailure {
  if (standing === UNKNOWN)
    return {
      kind: "owner",
      pointer: RESOURCES_POINTER,
      origin: null,
      message: `no leaf that grants the action names project \`${projectId}\`, and nobody answers membership`,
      change: `add \`"projects": ["${projectId}"]\` to that leaf, or name the project's members in the policy`,
    };
  const owner = token.owner;
  return {
    kind: "owner",
    pointer: ownerPointer(token),
    origin: null,
    message:
      owner === undefined || owner === null
        ? "the token names no owner"
        : `${owner.kind} \`${owner.id}\` is not a member of project \`${projectId}\``,
    change: `use a token of a member of \`${projectId}\`, or add its owner to the project's \`members\``,
  };
}
