import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes of the compile stage. */
export const compileCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {};
