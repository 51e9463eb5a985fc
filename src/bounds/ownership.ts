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
import type { ProjectMembersIr } from "../ir/types.ts";

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
