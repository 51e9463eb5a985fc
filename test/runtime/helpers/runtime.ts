/** Starting a runtime on loopback for a test, with logs captured instead of printed. */
import { pino } from "pino";
import type { Logger } from "pino";
import { Writable } from "node:stream";
import type { CompiledPolicy } from "../../../src/compile/engine.ts";
import type { Diagnostic, Outcome } from "../../../src/diagnostics/diagnostic.ts";
import { startRuntime } from "../../../src/runtime/server.ts";
import type { RuntimeHandle, RuntimeInternals } from "../../../src/runtime/server.ts";
import type { RuntimeOptions } from "../../../src/runtime/options.ts";

/** A cookie key for tests (32+ bytes). */
export const COOKIE_KEY = "test-cookie-key-0123456789abcdef0123456789";

/** Log lines written by the runtime, parsed. */
export type LogLines = Record<string, unknown>[];

/** A silent logger that keeps its lines. */
export function capturingLogger(): { logger: Logger; lines: LogLines } {
  const lines: LogLines = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n"))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger: Logger = pino({ level: "debug" }, stream);
  return { logger, lines };
}

/** Starts a runtime serving `policies`; throws with the diagnostics when it cannot start. */
export async function startTestRuntime(
  policies: CompiledPolicy[] | (() => Promise<Outcome<CompiledPolicy[]>>),
  options: Partial<RuntimeOptions> = {},
  internals: RuntimeInternals = {},
): Promise<{ runtime: RuntimeHandle; lines: LogLines; diagnostics: readonly Diagnostic[] }> {
  const { logger, lines } = capturingLogger();
  const load =
    typeof policies === "function"
      ? policies
      : () => Promise.resolve({ value: policies, diagnostics: [] });
  const started = await startRuntime(
    { load, http: { host: "127.0.0.1", port: 0 }, cookieKey: COOKIE_KEY, logger, ...options },
    internals,
  );
  if (started.value === undefined) throw new Error(JSON.stringify(started.diagnostics, null, 2));
  return { runtime: started.value, lines, diagnostics: started.diagnostics };
}
