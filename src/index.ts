/**
 * `rampart`: check and compile policies from code. Every problem comes back as data
 * (`Diagnostic`: stable code, span, message, hint), never as a throw for bad input.
 *
 * The public surface is reviewed in `api/rampart.api.md` (`npm run api:update` regenerates
 * it). One export per line, so a stage adds its own without touching the rest.
 */
export { checkPolicySource as checkPolicy } from "./pipeline.ts";
export type { CheckedPolicy } from "./pipeline.ts";
export { parsePolicySource as parsePolicy } from "./syntax/parse.ts";
export type { SpanIndexing } from "./syntax/json-spans.ts";
export { formatDsl } from "./syntax/format.ts";
export { compilePolicy } from "./compile/compile-policy.ts";
export type { CompileOptions } from "./compile/compile-policy.ts";
export { writeBundle } from "./compile/bundle.ts";
export type { BundleFormatVersion } from "./compile/bundle.ts";
export { renderDiagnostics, RENDER_FORMATS } from "./diagnostics/render.ts";
export type { RenderFormat, RenderOptions } from "./diagnostics/render.ts";
export { hasErrors } from "./diagnostics/diagnostic.ts";
export type { Diagnostic, Label, Outcome, Severity } from "./diagnostics/diagnostic.ts";
export type { SourceFile, Span } from "./diagnostics/span.ts";
export type { EffectivePolicy, EffectiveTunnel } from "./bounds/effective.ts";
export type { CompiledPolicy, CompiledTunnel } from "./compile/engine.ts";
export type { HandshakeFacts, RequestFacts } from "./ir/facts.ts";
export type { Decision, HandshakeDecision } from "./ir/decision.ts";
export type { OutcomeKind, PolicyKind, Reason } from "./ir/types.ts";
export type { DiagnosticCode } from "./diagnostics/codes.ts";
