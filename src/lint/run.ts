/**
 * The semantic lint rules, run on a policy that passed the static pipeline. Each rule lives
 * in its own file under `rules/`; this list fixes their order.
 */
import type { EffectivePolicy } from "../bounds/effective.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { sortDiagnostics } from "../diagnostics/diagnostic.ts";
import type { PolicyIr } from "../ir/types.ts";
import type { LintRule } from "./rule.ts";
import { grantWiderThanTunnels } from "./rules/grant-wider-than-tunnels.ts";
import { narrowedByProject } from "./rules/narrowed-by-project.ts";
import { queryTokenForbidden } from "./rules/query-token-forbidden.ts";
import { redundantTrustedIp } from "./rules/redundant-trusted-ip.ts";
import { runtimeCannotServe } from "./rules/runtime-cannot-serve.ts";
import { tokenOwnerUnchecked } from "./rules/token-owner-unchecked.ts";
import { shadowedPathPattern } from "./rules/shadowed-path-pattern.ts";
import { tunnelAdmitsNothing } from "./rules/tunnel-admits-nothing.ts";
import { unreachableGrantPath } from "./rules/unreachable-grant-path.ts";

/** Every semantic lint rule, in code order. */
export const LINT_RULES: readonly LintRule[] = [
  tunnelAdmitsNothing,
  redundantTrustedIp,
  narrowedByProject,
  unreachableGrantPath,
  grantWiderThanTunnels,
  queryTokenForbidden,
  runtimeCannotServe,
  tokenOwnerUnchecked,
  shadowedPathPattern,
];

/** Runs every rule on a policy; warnings only, sorted by span. */
export function runLintRules(policy: EffectivePolicy, ir: PolicyIr): Diagnostic[] {
  return sortDiagnostics(LINT_RULES.flatMap((rule) => rule.check({ policy, ir })));
}
