import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes of the bounds stage. */
export const boundsCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {};
