/**
 * RP8006: query tokens where S-H7 forbids them. A token in a URL leaks into logs, so the
 * engine watch endpoints (`/api/sse`, `/api/websocket`) take a query token only if it is a
 * short-lived `auth` or `app` token that can do nothing but list tunnels (S-T7). Reported: a
 * policy test that sends a query token to a watch endpoint that the rule refuses, and a
 * watch-only grant (read-only, list only) typed `pat`, which could never be used there.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { checkWatchQueryToken } from "../../bounds/watch-query.ts";
import type { GrantIr, GrantNodeIr, PolicyTestIr } from "../../ir/types.ts";
import type { LintContext, LintRule, Report } from "../rule.ts";
import { createRule } from "../rule.ts";
import { spanOf } from "../../ir/lazy-spans.ts";

const messages = {
  testSendsForbiddenQueryToken: (test: string, grant: string, path: string, reason: string) =>
    `test \`${test}\` sends a query token with grant \`${grant}\` to \`${path}\`, which S-H7 forbids: ${reason}`,
  watchOnlyPat: (grant: string) =>
    `grant \`${grant}\` is a watch-only grant on a personal access token, which S-H7 never accepts as a query token`,
};

const WATCH_PATHS = ["/api/sse", "/api/websocket"];
/** A test names a grant, not a lifetime: assume the platform's default for app tokens. */
const DEFAULT_LIFETIME_SECONDS = 60;

function pathOf(url: string): string | null {
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

function listOnly(node: GrantNodeIr): boolean {
  if (node.kind !== "leaf") return node.children.every(listOnly);
  return node.list !== null && node.create === null && node.connect === null;
}

function testFinding(
  test: PolicyTestIr,
  grants: Readonly<Record<string, GrantIr>>,
  report: Report<typeof messages>,
): Diagnostic | null {
  const token = test.request.token;
  if (token?.kind !== "grant" || token.in !== "query") return null;
  const path = pathOf(test.request.url);
  if (path === null || !WATCH_PATHS.includes(path)) return null;
  const grant = grants[token.grant];
  if (grant === undefined) return null;
  // A policy's grant names engine permissions only: it carries none of another surface.
  const verdict = checkWatchQueryToken(grant.type, DEFAULT_LIFETIME_SECONDS, grant, []);
  if (verdict.ok) return null;
  return report("testSendsForbiddenQueryToken", [test.name, grant.name, path, verdict.reason], {
    span: test.origin,
    help: "send the token in the Authorization header, or use a short-lived auth or app token whose grant only lists tunnels",
  });
}

function grantFinding(grant: GrantIr, report: Report<typeof messages>): Diagnostic | null {
  const readOnly =
    grant.permissions?.length === 1 && grant.permissions[0] === "tunnels.resources.read-only";
  if (grant.type !== "pat" || !readOnly || grant.resources === null || !listOnly(grant.resources))
    return null;
  return report("watchOnlyPat", [grant.name], {
    span: spanOf(grant.spans, "type") ?? grant.origin,
    help: "use `type auth` or `type app` (short-lived) for tokens that dashboards put in a watch URL",
  });
}

function check({ policy, ir }: LintContext, report: Report<typeof messages>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const test of ir.tests) {
    const finding = testFinding(test, policy.grants, report);
    if (finding !== null) out.push(finding);
  }
  // `forEach`, not `for … of`: no iterator result per grant before the loop is optimized.
  ir.grants.forEach((grant) => {
    const finding = grantFinding(grant, report);
    if (finding !== null) out.push(finding);
  });
  return out;
}

export const queryTokenForbidden: LintRule = createRule({
  meta: {
    code: "RP8006",
    name: "lint/query-token-forbidden",
    description: "a policy sends or expects a query token that S-H7 does not allow",
    defaultSeverity: "warning",
    messages,
  },
  check,
});
