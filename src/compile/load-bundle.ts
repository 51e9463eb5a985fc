/**
 * Loading decision bundles for a runtime: text in, compiled policies out, as an Outcome —
 * never a throw for a bad file. Checks in order: JSON, the envelope, the format version, the
 * content hash, the payload's shape; only then compiles. Imports no parser and no interpreter.
 */
import type { EffectivePolicy } from "../bounds/effective.ts";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import { canonicalJson, sha256Of, writtenPayloadText } from "./bundle/canonical-json.ts";
import { BUNDLE_FORMAT, READABLE_BUNDLE_FORMAT_VERSIONS } from "./bundle/format.ts";
import { checkEnvelope } from "./bundle/envelope.ts";
import { validatePayload } from "./bundle/validate-payload.ts";
import type { BundlePayload } from "./bundle.ts";
import { compilePolicy } from "./compile-policy.ts";
import type { CompileOptions } from "./compile-policy.ts";
import type { CompiledPolicy } from "./engine.ts";

/** See `readBundle`: a bound on the expanded payload, relative to the file's length. */
const MAX_EXPANSION_PER_CHARACTER = 64;

/** A read bundle: its payload and the envelope fields worth showing. */
export interface BundleContents extends BundlePayload {
  readonly formatVersion: number;
  readonly generator: string;
  readonly contentHash: string;
}

function failure<T>(diagnostic: Diagnostic): Outcome<T> {
  return { value: undefined, diagnostics: [diagnostic] };
}

/**
 * How deep a payload may nest to be hashed canonically, which recurses once per level. What
 * the compiler writes nests about twice as deep as the policy file (at most 128 levels), so
 * this refuses only forged payloads, before they can overflow the stack.
 */
const MAX_CANONICAL_DEPTH = 512;

/**
 * Verifies the content hash: over the bytes as written when the layout is the writer's, else
 * canonically; "too deep" when hashing canonically would nest past `MAX_CANONICAL_DEPTH`.
 */
function hashMatches(text: string, payload: unknown, expected: string): boolean | "too deep" {
  const written = writtenPayloadText(text);
  if (written !== null && sha256Of(written) === expected) return true;
  if (nestsDeeperThan(payload, MAX_CANONICAL_DEPTH)) return "too deep";
  return sha256Of(canonicalJson(payload)) === expected;
}

/** Whether arrays and objects in `value` nest more than `max` levels; a walk without recursion. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.value === null || typeof next.value !== "object") continue;
    if (next.depth >= max) return true;
    for (const member of Object.values(next.value))
      pending.push({ value: member, depth: next.depth + 1 });
  }
  return false;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** Reads and verifies a bundle without compiling it (for `rampart` tooling and the loader). */
export function readBundle(text: string): Outcome<BundleContents> {
  const json = parseJson(text);
  if (!json.ok) {
    return failure({
      code: "RP5001",
      severity: "error",
      message: `the bundle is not valid JSON (${json.reason.toLowerCase()})`,
      help: "rebuild it with `rampart compile POLICY... -o bundle.json`",
    });
  }
  const envelope = checkEnvelope(json.value);
  if (!envelope.ok) {
    const version = (json.value as { formatVersion?: unknown } | null)?.formatVersion;
    if (
      (json.value as { format?: unknown } | null)?.format === BUNDLE_FORMAT &&
      typeof version === "number" &&
      !READABLE_BUNDLE_FORMAT_VERSIONS.includes(version)
    ) {
      return failure(versionMismatch(version));
    }
    return failure({
      code: "RP5002",
      severity: "error",
      message: `the file is not a rampart decision bundle (${envelope.problem})`,
      help: "pass a file written by `rampart compile -o`",
    });
  }
  const { formatVersion, generator, contentHash, payload } = envelope.envelope;
  if (!READABLE_BUNDLE_FORMAT_VERSIONS.includes(formatVersion)) {
    return failure(versionMismatch(formatVersion));
  }
  const hashed = hashMatches(text, payload, contentHash);
  if (hashed === "too deep") {
    return failure({
      code: "RP5005",
      severity: "error",
      message: `the bundle's payload is malformed: its values nest more than ${MAX_CANONICAL_DEPTH} levels deep`,
      help: "rebuild the bundle with `rampart compile`",
    });
  }
  if (!hashed) {
    return failure({
      code: "RP5004",
      severity: "error",
      message: `the bundle's content does not match its content hash ${contentHash}`,
      help: "the file was changed after it was written; rebuild it with `rampart compile`",
    });
  }
  // Objects and arrays the shared values may expand to: a tree written without sharing needs
  // at least two characters for each, so this allows any plausible sharing while a forged
  // table cannot make consumers walk an exponential tree.
  const checked = validatePayload(
    payload,
    MAX_EXPANSION_PER_CHARACTER * text.length + 100_000,
    // Version 3 writes spans as `[file, start, end]` tuples; version 2 as objects.
    formatVersion >= 3,
  );
  if (!checked.ok) {
    return failure({
      code: "RP5005",
      severity: "error",
      message: `the bundle's payload is malformed at ${checked.problem}`,
      help: "rebuild the bundle with the same rampart version as the runtime",
    });
  }
  return { value: { ...checked.payload, formatVersion, generator, contentHash }, diagnostics: [] };
}

function versionMismatch(version: number): Diagnostic {
  return {
    code: "RP5003",
    severity: "error",
    message: `the bundle has format version ${version}; this rampart loads format versions ${READABLE_BUNDLE_FORMAT_VERSIONS.join(" and ")} only`,
    help: "rebuild the bundle with `rampart compile` from the same rampart version as the runtime",
  };
}

/** Loads a bundle and compiles every policy in it. */
export function loadBundle(text: string, options: CompileOptions = {}): Outcome<CompiledPolicy[]> {
  const read = readBundle(text);
  if (read.value === undefined) return { value: undefined, diagnostics: read.diagnostics };
  const policies: readonly EffectivePolicy[] = read.value.policies;
  return {
    value: policies.map((p) => compilePolicy(p, options)),
    diagnostics: read.value.diagnostics,
  };
}
