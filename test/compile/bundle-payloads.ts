/**
 * Shared by the bundle tests that edit a written payload: a bundle around a payload with a
 * matching content hash, the payload of a written bundle, and the RP5005 message a forged
 * payload must give.
 */
import assert from "node:assert/strict";
import { canonicalJson, sha256Of } from "../../src/compile/bundle/canonical-json.ts";
import { BUNDLE_FORMAT_VERSION } from "../../src/compile/bundle/format.ts";
import { loadBundle } from "../../src/compile/load-bundle.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A bundle around a payload, with a content hash that matches it. */
export function bundleOf(payload: Json, formatVersion: number = BUNDLE_FORMAT_VERSION): string {
  return JSON.stringify({
    format: "rampart-bundle",
    formatVersion,
    generator: "test",
    contentHash: sha256Of(canonicalJson(payload)),
    payload,
  });
}

/** The payload of a written bundle, for reading or editing. */
export function payloadOf(text: string): { [key: string]: Json } {
  return (JSON.parse(text) as { payload: { [key: string]: Json } }).payload;
}

/** The message of the one RP5005 a refused bundle must give (nothing loaded). */
export function problemOf(text: string): string {
  const result = loadBundle(text);
  assert.equal(result.value, undefined);
  assert.deepStrictEqual(
    result.diagnostics.map((d) => d.code),
    ["RP5005"],
  );
  return result.diagnostics[0]?.message ?? "";
}
