/** `rampart compile POLICY... -o BUNDLE`: the artifact a runtime loads without the compiler. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../diagnostics/span.ts";
import type { EffectivePolicy } from "../../bounds/effective.ts";
import { printCompiled } from "../../compile/print.ts";
import { writeBundleBytes } from "../../compile/bundle.ts";
import type { BundleFormatVersion } from "../../compile/bundle.ts";
import type { privateBundleKey } from "../../compile/bundle/signed.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { checkPolicyFile } from "../load-policy.ts";
import { fileOf, progressFor } from "../progress.ts";
import { reportDiagnostics } from "../report.ts";
import type { CheckedPolicy } from "../../pipeline.ts";
import {
  dumpStage,
  pipelineOptions,
  readStageFlags,
  reportTimings,
  STAGE_FLAG_OPTIONS,
  stageFlagsHelp,
} from "../stage-flags.ts";

export const compileHelp = `rampart compile POLICY... -o BUNDLE [--print] [--sign KEY] [--timings]
                                   [--dump-after STAGE] [--quiet] [--target bundle|esm] [--minify]
                                   [--format-version 3|2]

Checks and compiles policy files into one versioned bundle (format version, content
hash, the effective policies with their source spans, and the diagnostics) that
\`rampart serve --bundle\` loads without parsing. --print shows the compiled plan.
--target esm writes one self-contained ES module instead (no imports, no eval), with
request(facts) and handshake(facts) exports and a .d.ts beside it; --minify shrinks it.
${stageFlagsHelp}
  --quiet               no progress line on stderr (shown only on a terminal)
  (with --dump-after nothing is compiled or written; diagnostics go to stderr)
--timings also prints compile's own steps after the pipeline's stages (the bundle text,
signing, the file write).
--format-version 2 writes the previous bundle format (spans as objects) for runtimes not yet
upgraded; the default, 3, writes spans as [file, start, end] tuples (docs/bundle-format.md).
--sign KEY writes a signed bundle instead (a JWS signed with the PEM private key KEY:
Ed25519, EC P-256 or P-521) for \`rampart serve --bundle-url\` (docs/scaling.md).
Exit codes: 0 compiled, 1 a policy has errors (nothing is written), 2 usage or I/O error.`;

export async function compile(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, {
    output: { type: "string", short: "o" },
    print: { type: "boolean" },
    sign: { type: "string" },
    target: { type: "string" },
    minify: { type: "boolean" },
    "format-version": { type: "string" },
    ...STAGE_FLAG_OPTIONS,
    quiet: { type: "boolean", short: "q" },
  });
  if (positionals.length === 0) throw new UsageError("compile needs at least one policy file");
  const flags = readStageFlags(values);
  if (flags.dumpAfter !== undefined) return dumpOnly(positionals, flags, io);
  const key = await signingKey(values, io);
  const output = values["output"];
  const target = readTarget(values, key !== null);
  const formatVersion = readFormatVersion(values, target);
  if (typeof output !== "string" && values["print"] !== true) {
    throw new UsageError("compile needs -o BUNDLE (or --print)");
  }
  const progress = progressFor(io, values["quiet"] === true);
  const { sources, diagnostics, policies } = await checkAll(positionals, flags, progress, io);
  if (hasErrors(diagnostics)) {
    progress.end();
    reportDiagnostics(io, "text", diagnostics, sources);
    return ExitCode.Findings;
  }
  const steps = new StepTimes();
  // No forced collection before the writer: on 10,000 tunnels it found ~15 MB of garbage in
  // an ~80 MB heap and cost ~0.5 G instructions; V8's own marking during the writer leaves the
  // peak RSS where it was (~240 MB; BENCHMARKS.md, "the writer's own work, eleventh session").
  if (typeof output === "string") progress.update("compile: writing the bundle");
  const bundle =
    typeof output === "string" && target === "bundle"
      ? steps.time("bundle text", () => writeBundleBytes(policies, diagnostics, formatVersion))
      : null;
  progress.end();
  if (diagnostics.length > 0) reportDiagnostics(io, "text", diagnostics, sources);
  if (values["print"] === true) for (const policy of policies) io.out(printCompiled(policy));
  if (typeof output === "string" && target === "esm") {
    // Loaded for this target only: a bundle never loads the module writer or its source maps.
    const { writeEsmTarget } = await import("./compile-esm.ts");
    await steps.timeAsync("module", () =>
      writeEsmTarget(output, policies, diagnostics, sources, values["minify"] === true, io),
    );
  } else if (typeof output === "string" && bundle !== null) {
    // Unsigned, the bytes go to the file as they are; a signature covers the whole text.
    const text = key === null ? bundle : await signedText(Buffer.concat(bundle), key, steps);
    await steps.timeAsync("write file", () => io.writeFile(output, text));
    const tunnels = policies.reduce((n, p) => n + p.tunnels.length, 0);
    const signed = key === null ? "" : `, signed (${key.alg})`;
    io.err(`wrote ${output}: ${policies.length} policies, ${tunnels} tunnels${signed}\n`);
  }
  if (flags.timings && typeof output === "string") io.err(`${output}: ${steps.summary()}\n`);
  return ExitCode.Ok;
}

/**
 * The times of compile's own steps after the pipeline, for `--timings`: on 10,000 tunnels they
 * are about as long as the pipeline itself (issue #19), so they are shown beside its stages.
 */
class StepTimes {
  readonly #parts: string[] = [];

  time<T>(step: string, run: () => T): T {
    const started = performance.now();
    const result = run();
    this.#record(step, started);
    return result;
  }

  async timeAsync<T>(step: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await run();
    this.#record(step, started);
    return result;
  }

  #record(step: string, started: number): void {
    this.#parts.push(`${step} ${(performance.now() - started).toFixed(1)} ms`);
  }

  /** `bundle text 512.3 ms, write file 20.4 ms`. */
  summary(): string {
    return this.#parts.join(", ");
  }
}

/** `--target`: a bundle (the default) or an ES module, which needs `-o` and is not signed. */
function readTarget(values: Readonly<Record<string, unknown>>, signed: boolean): "bundle" | "esm" {
  const target = values["target"] ?? "bundle";
  if (target !== "bundle" && target !== "esm") {
    throw new UsageError("--target is `bundle` (the default) or `esm`");
  }
  if (target === "esm" && typeof values["output"] !== "string") {
    throw new UsageError("--target esm needs -o MODULE.mjs");
  }
  if (target === "esm" && signed) throw new UsageError("--sign signs bundles, not --target esm");
  return target;
}

/** `--format-version`: the bundle format to write, 3 (the default) or 2. */
function readFormatVersion(
  values: Readonly<Record<string, unknown>>,
  target: "bundle" | "esm",
): BundleFormatVersion {
  const version = values["format-version"];
  if (version === undefined) return 3;
  if (target === "esm") throw new UsageError("--format-version is for bundles, not --target esm");
  if (version === "3") return 3;
  if (version === "2") return 2;
  throw new UsageError("--format-version is 3 (the default) or 2");
}

/** Every policy file through the static pipeline, with progress on a terminal. */
async function checkAll(
  paths: readonly string[],
  flags: ReturnType<typeof readStageFlags>,
  progress: ReturnType<typeof progressFor>,
  io: Io,
): Promise<{ sources: SourceFile[]; diagnostics: Diagnostic[]; policies: EffectivePolicy[] }> {
  const sources: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const policies: EffectivePolicy[] = [];
  for (const [i, path] of paths.entries()) {
    const label = `compile: ${fileOf(i, paths.length)}${path}`;
    progress.update(`${label}: reading`);
    const checked = await checkPolicyFile(path, io, {
      onStage: (stage) => progress.update(`${label}: ${stage}`),
    });
    if (flags.timings) reportTimings(io, checked);
    sources.push(checked.source);
    diagnostics.push(...checked.diagnostics);
    if (checked.effective !== undefined) policies.push(checked.effective);
  }
  return { sources, diagnostics, policies };
}

/** The bundle's text signed with `key` (the JOSE library is loaded for `--sign` only). */
async function signedText(
  bytes: Uint8Array,
  key: ReturnType<typeof privateBundleKey>,
  steps: StepTimes,
): Promise<string> {
  const { signBundle } = await import("../../compile/bundle/signed.ts");
  return steps.timeAsync("sign", () => signBundle(bytes, key));
}

/** The key of `--sign KEY`, read and checked; null without the flag. */
async function signingKey(
  values: Readonly<Record<string, unknown>>,
  io: Io,
): Promise<ReturnType<typeof privateBundleKey> | null> {
  const signKey = values["sign"];
  if (typeof signKey !== "string") return null;
  if (typeof values["output"] !== "string") throw new UsageError("--sign needs -o BUNDLE");
  const { privateBundleKey } = await import("../../compile/bundle/signed.ts");
  try {
    return privateBundleKey(await io.readFile(signKey));
  } catch (error) {
    throw new UsageError(`cannot use --sign \`${signKey}\`: ${(error as Error).message}`);
  }
}

/** `--dump-after`: runs the pipeline up to the stage, prints its output, compiles nothing. */
async function dumpOnly(
  paths: readonly string[],
  flags: ReturnType<typeof readStageFlags>,
  io: Io,
): Promise<ExitCode> {
  const checked: CheckedPolicy[] = [];
  for (const path of paths) {
    const one = await checkPolicyFile(path, io, pipelineOptions(flags));
    if (flags.timings) reportTimings(io, one);
    checked.push(one);
  }
  if (flags.dumpAfter !== undefined) dumpStage(io, checked, flags.dumpAfter);
  const diagnostics = checked.flatMap((c) => c.diagnostics);
  const sources = checked.map((c) => c.source);
  if (diagnostics.length > 0) {
    reportDiagnostics({ ...io, out: (text) => io.err(text) }, "text", diagnostics, sources);
  }
  return hasErrors(diagnostics) ? ExitCode.Findings : ExitCode.Ok;
}
