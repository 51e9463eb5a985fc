/**
 * Writing decision bundles: the artifact `rampart compile -o bundle.json` produces and a
 * runtime loads without the parser (`load-bundle.ts`). A bundle is JSON: an envelope naming
 * the format, its version and the generator, then the payload (effective policies with their
 * spans, and the compile run's diagnostics) and the sha-256 of the payload's canonical JSON.
 * Objects and arrays repeated in the policies are written once, in the payload's `shared`
 * table (`bundle/share-repeated.ts`), and spans as `[file, start, end]` tuples (format
 * version 3): the file shrinks and loads faster.
 */
import type { EffectivePolicy } from "../bounds/effective.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { canonicalJson, sha256OfPieces } from "./bundle/canonical-json.ts";
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, GENERATOR } from "./bundle/format.ts";
import { writeSharedPayload } from "./bundle/share-repeated.ts";

/** What a bundle carries. */
export interface BundlePayload {
  readonly policies: readonly EffectivePolicy[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Policy members written as they are: policy tests are checked only loosely on load, so they
 * may not hold references to shared values.
 */
const UNSHARED_MEMBERS = ["tests"];

/**
 * The format versions a bundle can be written in: today's, and version 2 for runtimes not yet
 * upgraded (they refuse version 3 with RP5003).
 */
export type BundleFormatVersion = 2 | 3;

/**
 * Writes a bundle: one line of canonical JSON and a final newline. `formatVersion` 2 writes
 * spans as objects, byte for byte as rampart did before version 3.
 */
export function writeBundle(
  policies: readonly EffectivePolicy[],
  diagnostics: readonly Diagnostic[],
  formatVersion: BundleFormatVersion = BUNDLE_FORMAT_VERSION,
): string {
  return writeBundlePieces(policies, diagnostics, formatVersion).join("");
}

/**
 * The text of `writeBundle` in the pieces it was made in, for a file written piece by piece:
 * a 10,000-tunnel bundle is tens of MB, and joined it is one string twice that size when a
 * single character (a `…` in a warning) is outside Latin-1, then a buffer of it to write.
 */
export function writeBundlePieces(
  policies: readonly EffectivePolicy[],
  diagnostics: readonly Diagnostic[],
  formatVersion: BundleFormatVersion = BUNDLE_FORMAT_VERSION,
): string[] {
  const spansAsTuples = formatVersion >= 3;
  const payload = writeSharedPayload(
    policies,
    diagnostics,
    canonicalJson,
    UNSHARED_MEMBERS,
    spansAsTuples,
  );
  // The envelope is spelled out by hand so its key order is fixed and the payload is not
  // serialized twice.
  const head = JSON.stringify({
    format: BUNDLE_FORMAT,
    formatVersion,
    generator: GENERATOR,
    // Hashed in the pieces it was written in: one-byte pieces encode fast even when a
    // character elsewhere makes the joined text two-byte.
    contentHash: sha256OfPieces(payload.chunks),
  });
  return [`${head.slice(0, -1)},"payload":`, ...payload.chunks, "}\n"];
}
