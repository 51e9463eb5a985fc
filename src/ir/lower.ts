/**
 * AST → IR: normalizes every value of a parsed policy (DSL or JSON, the same document model)
 * and runs the semantic checks. Never throws on bad input; collects every diagnostic.
 */
import { DiagnosticBag } from "../diagnostics/bag.ts";
import type { Outcome } from "../diagnostics/diagnostic.ts";
import type { PolicyAst } from "../syntax/ast.ts";
import { spanAt } from "../syntax/ast.ts";
import { SpanTree } from "../syntax/span-tree.ts";
import type { LowerContext } from "./lower-context.ts";
import { spansAt } from "./lower-context.ts";
import { lowerCredential } from "./lower-credential.ts";
import { lowerGrant } from "./lower-grant.ts";
import { lowerProject } from "./lower-project.ts";
import { lowerPolicyTest } from "./lower-test.ts";
import { lowerTunnelIn } from "./lower-tunnel.ts";
import { semanticPasses } from "./passes/index.ts";
import { tunnelIndex } from "./passes/tunnel-index.ts";
import { treeSpans } from "./tree-spans.ts";
import type { PolicyIr } from "./types.ts";

/** Options of the lowering stage. */
export interface LowerOptions {
  /** The most diagnostics to collect (the bag's default otherwise). */
  readonly maxDiagnostics?: number;
}

/**
 * Lowers a parsed policy to IR. `null` stands where the file is silent (bounds fills the
 * defaults), except the defaults that are part of the document model itself: `publish: true`,
 * `labels: {}`, `public_access: allowed`, and test requests' `GET` and header token.
 */
export function lowerToIr(ast: PolicyAst, options: LowerOptions = {}): Outcome<PolicyIr> {
  const bag = new DiagnosticBag(options.maxDiagnostics);
  const spans = ast.spans;
  const ctx: LowerContext = {
    span: (pointer) => spanAt(spans, pointer),
    ...(spans instanceof SpanTree ? { spansOf: treeSpans(spans) } : {}),
    report: (diagnostic) => bag.add(diagnostic),
  };
  const doc = ast.document;
  // Each tunnel's and grant's spans are found from its list's, not from the root each time.
  const root = spansAt(ctx, "");
  const tunnelSpans = root.at("tunnels");
  const grantSpans = root.at("grants");
  const ir: PolicyIr = {
    source: ast.source.name,
    project: lowerProject(doc.project, "/project", ctx),
    tunnels: (doc.tunnels ?? []).map((t, i) => lowerTunnelIn(t, ctx, tunnelSpans.at(i))),
    grants: (doc.grants ?? []).map((g, i) => lowerGrant(g, ctx, grantSpans.at(i))),
    credentials: (doc.credentials ?? []).map((c, i) =>
      lowerCredential(c, `/credentials/${i}`, ctx),
    ),
    tests: (doc.tests ?? []).map((t, i) => lowerPolicyTest(t, `/tests/${i}`, ctx)),
  };
  const input = { ir, document: doc, ctx, tunnels: tunnelIndex(ir) };
  for (const pass of semanticPasses) pass.run(input);
  return bag.finish(ir);
}
