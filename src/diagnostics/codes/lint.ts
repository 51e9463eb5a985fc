import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes of the lint stage. */
export const lintCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {};
