/**
 * `rampart/decide`: what a proxy needs at run time, and nothing more. Load a bundle written
 * by `rampart compile` and call its decision functions on plain facts. Its import graph holds
 * no parser, no Chevrotain and no zod (eslint forbids them here, and
 * test/package/decide-imports.test.ts imports this entry with those packages made absent).
 *
 * The public surface is reviewed in `api/decide.api.md` (`npm run api:update` regenerates
 * it). One export per line, so a stage adds its own without touching the rest.
 */
export { loadBundle, readBundle } from "./compile/load-bundle.ts";
export type { BundleContents } from "./compile/load-bundle.ts";
export type { BundlePayload } from "./compile/bundle.ts";
export type { CompileOptions } from "./compile/compile-policy.ts";
export type { CompiledPolicy, CompiledTunnel } from "./compile/engine.ts";
export type { HandshakeFacts, RequestFacts, SessionFacts, TokenFacts } from "./ir/facts.ts";
export type { TokenStatus } from "./ir/facts.ts";
export type { AuthIdentity, Decision, HandshakeDecision, Stage } from "./ir/decision.ts";
export type { OutcomeKind, PolicyKind, Reason } from "./ir/types.ts";
export type { DiagnosticCode } from "./diagnostics/codes.ts";
export type { Diagnostic, Label, Outcome, Severity } from "./diagnostics/diagnostic.ts";
export type { Span } from "./diagnostics/span.ts";
export type { EffectivePolicy, EffectiveTunnel } from "./bounds/effective.ts";
export { compileControlPlane } from "./compile/control-plane.ts";
export type { ControlPlane } from "./compile/control-plane.ts";
export type { ControlAction, ControlDecision, ControlReason } from "./bounds/control-verdicts.ts";
export type { ListDecision, VisibleTunnel } from "./bounds/control-verdicts.ts";
