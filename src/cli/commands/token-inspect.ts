/**
 * `rampart token inspect TOKEN [POLICY]`: what a token may do (S-T2, S-T3, S-T7). Alone, its
 * type, permissions and whether the watch endpoints accept it in a query; with a policy, for
 * each tunnel, whether it may connect, list (which fields) and create a tunnel like it, and
 * for each refusal the nearest change to the token that would allow it, ownership (S-T8)
 * included: whose token it is, and whether that owner belongs to the policy's project.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../../bounds/effective.ts";
import { grantRefusal, permissionFailure } from "../../bounds/grant-refusal.ts";
import type { GrantFailure, TunnelAction } from "../../bounds/grant-refusal.ts";
import {
  MEMBER,
  OUTSIDER,
  UNKNOWN,
  boundaryNamesProject,
  ownerStanding,
  ownershipFailure,
  policyMembers,
} from "../../bounds/ownership.ts";
import { TUNNEL_FIELDS } from "../../bounds/tunnel-fields.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { failureLines, hiddenTunnelWhy, verdictLine } from "../../explain/render-control.ts";
import { interpretCreate, interpretList, interpretWatch } from "../../interpret/control-plane.ts";
import type { TokenFacts } from "../../ir/facts.ts";
import type { GrantIr, GrantNodeIr, PathMatchIr } from "../../ir/types.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { checkPolicyFile } from "../load-policy.ts";
import { readToken } from "../read-token.ts";
import { reportDiagnostics } from "../report.ts";
import { tokenNote } from "./explain-action.ts";
import { terminalSafe } from "../../diagnostics/terminal-text.ts";

/** The part of `rampart token --help` about inspect. */
export const tokenInspectHelp = `rampart token inspect TOKEN [POLICY]

Prints what a token may do: its type, permissions, whether the watch endpoints accept it
as a query token and, with a policy, for each of its tunnels whether the token may connect,
list it (which fields) and create a tunnel like it; each refusal comes with the nearest
change to the token that would allow it. TOKEN is a JWT (signature checked when
RAMPART_TOKEN_SECRET is set) or its claim set as JSON, inline or in a file.`;

function describePath(path: PathMatchIr): string {
  switch (path.kind) {
    case "exact":
      return `path ${path.value}`;
    case "oneof":
      return `paths ${path.values.join(", ")}`;
    case "regex":
      return `paths matching /${path.source}/`;
    case "prefix":
      return `paths under ${path.values.join(", ")}`;
    case "glob":
      return `paths like ${path.patterns.join(", ")}`;
  }
}

/**
 * The path and method restrictions under which the tree lets the tunnel be connected to, in
 * words: `""` when it lets any request through, `null` when it does not let the tunnel through
 * at all. An AND's restrictions all apply; an OR's are alternatives.
 */
function connectRestrictions(node: GrantNodeIr, tunnel: EffectiveTunnel): string | null {
  if (node.kind === "leaf") {
    const act = node.connect;
    const leafOnly: GrantIr = {
      name: "",
      type: null,
      parent: null,
      expiresAt: null,
      permissions: null,
      resources: node,
      spans: {},
    };
    if (act === null || grantRefusal(leafOnly, "connect", tunnel).length > 0) return null;
    return [
      ...(act.path === null ? [] : [describePath(act.path)]),
      ...(act.methods === null ? [] : [`methods ${act.methods.join(", ")}`]),
    ].join(", ");
  }
  const parts = node.children.map((c) => connectRestrictions(c, tunnel));
  const live = parts.filter((p): p is string => p !== null);
  if (node.kind === "and") {
    if (live.length < parts.length) return null;
  } else if (live.length === 0) return null;
  else if (live.includes("")) return "";
  const restricted = live.filter((p) => p !== "");
  if (restricted.length <= 1) return restricted[0] ?? "";
  return `(${restricted.join(node.kind === "and" ? " and " : " or ")})`;
}

function ownerText(facts: TokenFacts): string {
  const owner = facts.owner;
  return owner === undefined || owner === null ? "none named" : `${owner.kind} ${owner.id}`;
}

function tokenLines(facts: TokenFacts): string[] {
  const grant = facts.grant;
  const lines = [
    `type: ${facts.type ?? "untyped"}${facts.subject === null ? "" : `, for ${facts.subject}`}${
      facts.lifetimeSeconds === null ? "" : `, lifetime ${facts.lifetimeSeconds} s`
    }`,
    `owner: ${ownerText(facts)}`,
    `status: ${facts.status}`,
  ];
  if (grant === null) return [...lines, "grants: nothing (the token is not valid)"];
  lines.push(
    `permissions: ${grant.permissions === null ? "everything the owner has (null)" : grant.permissions.join(", ") || "none"}`,
    `resources: ${grant.resources === null ? "every tunnel of the owner's projects" : "limited by a boundary tree"}`,
  );
  const others = facts.otherPermissions ?? [];
  if (others.length > 0)
    lines.push(`other surfaces' permissions (grant nothing here): ${others.join(", ")}`);
  for (const action of ["create", "connect", "list"] as const) {
    const missing = permissionFailure(grant, action);
    if (missing !== null) lines.push(`${action}: never (${missing.message})`);
  }
  return lines;
}

/** The nearest change for one tunnel; a missing permission was said once, above. */
function why(grant: GrantIr, action: TunnelAction, failures: readonly GrantFailure[]): string[] {
  if (permissionFailure(grant, action) !== null) return ["    (no permission: see above)"];
  return failureLines(failures, "    ");
}

/**
 * Ownership (S-T8) for a connect, when it settles it: the owner is outside the project, or
 * nobody answers membership and no leaf granting `connect` names the project.
 */
function connectOwnership(facts: TokenFacts, grant: GrantIr, tunnel: EffectiveTunnel) {
  const standing = ownerStanding(tunnel.auth.members, facts, tunnel.projectId);
  const named =
    grant.resources !== null && boundaryNamesProject(grant.resources, tunnel.projectId, "connect");
  return standing === OUTSIDER || (standing === UNKNOWN && !named)
    ? ownershipFailure(standing, facts, tunnel.projectId)
    : null;
}

function connectLines(facts: TokenFacts, grant: GrantIr, tunnel: EffectiveTunnel): string[] {
  const owner = connectOwnership(facts, grant, tunnel);
  const failures = owner === null ? grantRefusal(grant, "connect", tunnel) : [owner];
  const unchecked = tunnel.auth.token
    ? ""
    : " (the tunnel does not check tokens: token_auth is off)";
  if (failures.length > 0)
    return [`  connect: refused${unchecked}`, ...why(grant, "connect", failures)];
  const restrictions = grant.resources === null ? "" : connectRestrictions(grant.resources, tunnel);
  const limited = restrictions === null || restrictions === "" ? "" : `, for ${restrictions}`;
  return [`  connect: allowed${limited}${unchecked}`];
}

/** The owner's standing in the policy's project, in words (S-T8). */
function standingLine(policy: EffectivePolicy, facts: TokenFacts): string {
  const { members } = policyMembers(policy);
  const standing = ownerStanding(members, facts, policy.projectId);
  const source =
    facts.memberOf !== undefined && facts.memberOf !== null
      ? "the credential backend says"
      : "the policy's members say";
  if (standing === MEMBER) return `owner: a member of project ${policy.projectId} (${source})`;
  if (standing === OUTSIDER)
    return `owner: not a member of project ${policy.projectId} (${source}): every action is refused`;
  return `owner: nobody answers membership of project ${policy.projectId}: only leaves naming it count`;
}

function tunnelLines(policy: EffectivePolicy, facts: TokenFacts, grant: GrantIr): string[] {
  const lines: string[] = [standingLine(policy, facts)];
  const listed = interpretList(policy, facts);
  const fieldsOf = new Map(listed.visible.map((v) => [v.tunnel, v.fields]));
  for (const tunnel of policy.tunnels) {
    const hosts = tunnel.hosts.length === 0 ? "no host" : tunnel.hosts.join(", ");
    lines.push(`tunnel ${tunnel.id} (${tunnel.protocol}, ${hosts})`);
    lines.push(...connectLines(facts, grant, tunnel));
    const fields = fieldsOf.get(tunnel);
    if (fields !== undefined) {
      const shown = fields.length === TUNNEL_FIELDS.length ? "every field" : fields.join(", ");
      lines.push(`  list: visible (${shown || "no field"})`);
    } else
      lines.push(
        "  list: hidden",
        ...why(
          grant,
          "list",
          listed.allow ? hiddenTunnelWhy(grant, tunnel, facts) : listed.failures,
        ),
      );
    const create = interpretCreate(policy, facts, tunnel);
    lines.push(
      create.allow
        ? "  create: allowed (a tunnel with these properties)"
        : `  create: refused (a tunnel with these properties)`,
      ...(create.allow ? [] : why(grant, "create", create.failures)),
    );
  }
  return lines;
}

/** Runs `token inspect`. */
export async function tokenInspect(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { positionals } = parseCommandArgs(argv, {});
  const [tokenArg, policyPath, ...rest] = positionals;
  if (tokenArg === undefined || rest.length > 0)
    throw new UsageError("token inspect takes a token and, optionally, one policy file");
  const token = await readToken(tokenArg, io);
  const checked = policyPath === undefined ? null : await checkPolicyFile(policyPath, io);
  const problems: Diagnostic[] = [...token.diagnostics, ...(checked?.diagnostics ?? [])];
  const policy = checked?.effective;
  if (token.value === undefined || (checked !== null && policy === undefined)) {
    reportDiagnostics(io, "text", problems, checked === null ? [] : [checked.source], {
      summary: false,
    });
    return ExitCode.Findings;
  }
  const facts = token.value.facts;
  const lines = [tokenNote(token.value), ...tokenLines(facts)];
  const watch = interpretWatch(policy ?? null, facts);
  lines.push(`${verdictLine(watch)}: ${watch.message}`);
  if (policy !== undefined && facts.grant !== null) {
    const workspace = policy.workspace === null ? "" : ` (workspace ${policy.workspace})`;
    lines.push(
      "",
      `project ${policy.projectId}${workspace}: ${policy.tunnels.length} tunnels`,
      ...tunnelLines(policy, facts, facts.grant),
    );
  }
  io.out(terminalSafe(`${lines.join("\n")}\n`));
  return ExitCode.Ok;
}
