/** Lowering of client-certificate credentials (SPEC S-H6). */
import type { CredentialDoc } from "../syntax/model.ts";
import type { LowerContext } from "./lower-context.ts";
import { at } from "./lower-context.ts";
import { credentialWithoutIdentity, invalidFingerprint } from "./semantic-diagnostics.ts";
import type { CredentialIr } from "./types.ts";

/** A SHA-256 fingerprint as upper-case hex without separators, or `null` if it is not one. */
export function normalizeFingerprint(text: string): string | null {
  const hex = text.replace(/[:\s]/g, "").toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : null;
}

/** Lowers a credential; it must name a subject CN or a fingerprint. */
export function lowerCredential(
  doc: CredentialDoc,
  pointer: string,
  ctx: LowerContext,
): CredentialIr {
  let fingerprint: string | null = null;
  if (doc.fingerprint256 !== undefined) {
    fingerprint = normalizeFingerprint(doc.fingerprint256);
    if (fingerprint === null)
      ctx.report(invalidFingerprint(ctx.span(at(pointer, "fingerprint256")), doc.fingerprint256));
  }
  if (doc.subject_cn === undefined && doc.fingerprint256 === undefined) {
    ctx.report(credentialWithoutIdentity(ctx.span(pointer), doc.name));
  }
  return {
    name: doc.name,
    subjectCn: doc.subject_cn ?? null,
    fingerprint256: fingerprint,
    grant: doc.grant,
    origin: ctx.span(pointer),
  };
}
