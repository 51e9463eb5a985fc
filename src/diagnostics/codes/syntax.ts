import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes of the syntax stage. */
export const syntaxCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {};
