import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes of the semantic stage. */
export const semanticCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {};
