/** Semantic lint rules over the effective policy (issue #8). */
export { LINT_RULES, runLintRules } from "./run.ts";
export type { LintContext, LintRule } from "./rule.ts";
