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
import { canonicalJson, sha256OfChunks } from "./bundle/canonical-json.ts";
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
  return Buffer.concat(writeBundleBytes(policies, diagnostics, formatVersion)).toString("utf8");
}

/**
 * The UTF-8 bytes of `writeBundle`'s text in chunks, for a file: a 10,000-tunnel bundle is tens
 * of MB, written once as bytes, hashed and written as they are (never a string of the whole
 * text, which is two bytes a character when one character, a `…` in a warning, is outside
 * Latin-1).
 */
export function writeBundleBytes(
  policies: readonly EffectivePolicy[],
  diagnostics: readonly Diagnostic[],
  formatVersion: BundleFormatVersion = BUNDLE_FORMAT_VERSION,
): Buffer[] {
  const payload = writeSharedPayload(
    policies,
    diagnostics,
    canonicalJson,
    UNSHARED_MEMBERS,
    formatVersion >= 3,
  );
  const head = envelopeHead(formatVersion, sha256OfChunks(payload.chunks));
  return [Buffer.from(head, "utf8"), ...payload.chunks, Buffer.from("}\n", "utf8")];
}

/**
 * The envelope up to the payload: `{"format":…,"contentHash":…,"payload":`. Spelled out by hand
 * so its key order is fixed and the payload is not serialized twice.
 */
function envelopeHead(formatVersion: BundleFormatVersion, contentHash: string): string {
  const head = JSON.stringify({
    format: BUNDLE_FORMAT,
    formatVersion,
    generator: GENERATOR,
    contentHash,
  });
  return `${head.slice(0, -1)},"payload":`;
}
