/**
 * RP8040: token auth is on, but the project names no members (S-T8). Unless the credential
 * backend answers membership, the runtime then accepts only tokens whose boundary names the
 * project explicitly; a token without a boundary, or with scope-only or workspace leaves, is
 * refused. Reported once per policy, on the project, naming the tunnels that take tokens.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { LintContext, LintRule, Report } from "../rule.ts";
import { createRule } from "../rule.ts";
import { spanOf } from "../../ir/lazy-spans.ts";

const messages = {
  noMembers: (project: string, tunnels: string, takes: string) =>
    `project \`${project}\` names no members, yet ${tunnels} ${takes} tokens: unless the credential backend answers membership, only tokens whose boundary names the project are accepted (S-T8)`,
};

function check({ policy, ir }: LintContext, report: Report<typeof messages>): Diagnostic[] {
  if (ir.project.members !== null) return [];
  // Counted, and only the first three named: the message shows no more.
  let count = 0;
  const shown: string[] = [];
  policy.tunnels.forEach((t) => {
    if (!t.auth.token) return;
    count++;
    if (shown.length < 3) shown.push(`\`${t.id}\``);
  });
  if (count === 0) return [];
  if (count > 3) shown.push("…");
  const takes = count === 1 ? "takes" : "take";
  return [
    report("noMembers", [ir.project.id, shown.join(", "), takes], {
      span: spanOf(ir.project.spans, "id") ?? null,
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
