// A strict TypeScript consumer: every entry's types, used as a proxy author and a test suite
// would. Type-checked with skipLibCheck off, so the package's own declarations are checked too.
import { checkPolicy, compilePolicy, renderDiagnostics, writeBundle } from "rampart";
import type { CheckedPolicy, Diagnostic } from "rampart";
import { loadBundle } from "rampart/decide";
import type { CompiledPolicy, Decision, HandshakeFacts, RequestFacts } from "rampart/decide";
import { resolveOptions, startRuntime } from "rampart/runtime";
import type { RuntimeOptions } from "rampart/runtime";
import { lawIntersectionNeverBroadens, requestFacts } from "rampart/testing";

export function decide(bundleText: string, facts: RequestFacts): Decision | readonly Diagnostic[] {
  const loaded = loadBundle(bundleText);
  if (loaded.value === undefined) return loaded.diagnostics;
  const policy: CompiledPolicy | undefined = loaded.value[0];
  return policy === undefined ? [] : policy.request(facts);
}

export function handshake(policy: CompiledPolicy, facts: HandshakeFacts): boolean {
  return policy.handshake(facts).allow;
}

export function bundleOf(text: string): string | undefined {
  const checked: CheckedPolicy = checkPolicy({ name: "policy.rampart", text });
  if (checked.effective === undefined) {
    process.stderr.write(renderDiagnostics("text", checked.diagnostics, new Map()));
    return undefined;
  }
  compilePolicy(checked.effective);
  return writeBundle([checked.effective], checked.diagnostics);
}

export const options: RuntimeOptions = {
  load: async () => ({ value: [], diagnostics: [] }),
  http: { host: "127.0.0.1", port: 0 },
  cookieKey: "a".repeat(32),
};
export const valid: boolean = resolveOptions(options).value !== undefined;
export const start: typeof startRuntime = startRuntime;
export const law = lawIntersectionNeverBroadens();
export const facts: RequestFacts = requestFacts({ clientIp: "192.0.2.7" });
