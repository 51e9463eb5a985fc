/**
 * RP8040: token auth is on, but the project names no members (S-T8). Unless the credential
 * backend answers membership, the runtime then accepts only tokens whose boundary names the
 * project explicitly; a token without a boundary, or with scope-only or workspace leaves, is
 * refused. Reported once per policy, on the project, naming the tunnels that take tokens.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { LintContext, LintRule, Report } from "../rule.ts";
import { createRule } from "../rule.ts";

const messages = {
  noMembers: (project: string, tunnels: string, takes: string) =>
    `project \`${project}\` names no members, yet ${tunnels} ${takes} tokens: unless the credential backend answers membership, only tokens whose boundary names the project are accepted (S-T8)`,
};

function check({ policy, ir }: LintContext, report: Report<typeof messages>): Diagnostic[] {
  if (ir.project.members !== null) return [];
  const tunnels = policy.tunnels.filter((t) => t.auth.token).map((t) => `\`${t.id}\``);
  if (tunnels.length === 0) return [];
  const shown = tunnels.length > 3 ? [...tunnels.slice(0, 3), "…"] : tunnels;
  const takes = tunnels.length === 1 ? "takes" : "take";
  return [
    report("noMembers", [ir.project.id, shown.join(", "), takes], {
      span: ir.project.spans["id"] ?? null,
      help: 'name who belongs, e.g. `members { users ["u-123", "ada@example.com"] clients ["ci-bot"] }`, or configure a token backend that answers membership',
    }),
  ];
}

export const tokenOwnerUnchecked: LintRule = createRule({
  meta: {
    code: "RP8040",
    name: "lint/token-owner-unchecked",
    description: "token auth is on but the project names no members (S-T8)",
    defaultSeverity: "warning",
    messages,
  },
  check,
});
