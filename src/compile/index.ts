/**
 * The compiler's public surface: compile effective policies into decision functions, write
 * and load bundles, print the compiled plan. A runtime needs only `loadBundle` and the
 * `CompiledPolicy` contract.
 */
export { compilePolicy } from "./compile-policy.ts";
export type { CompileOptions } from "./compile-policy.ts";
export type { CompiledPolicy, CompiledTunnel } from "./engine.ts";
export { writeBundle } from "./bundle.ts";
export type { BundlePayload } from "./bundle.ts";
export { loadBundle, readBundle } from "./load-bundle.ts";
export type { BundleContents } from "./load-bundle.ts";
export { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, GENERATOR } from "./bundle/format.ts";
export { printCompiled } from "./print.ts";
export { compileControlPlane } from "./control-plane.ts";
export type { ControlPlane } from "./control-plane.ts";
export type {
  ControlAction,
  ControlDecision,
  ControlReason,
  ListDecision,
  VisibleTunnel,
} from "../bounds/control-verdicts.ts";
export type { GrantFailure } from "../bounds/grant-refusal.ts";
export { projectRecord, TUNNEL_FIELDS, tunnelRecord } from "../bounds/tunnel-fields.ts";
export { effectiveTunnel as proposedTunnel } from "../bounds/intersect.ts";
