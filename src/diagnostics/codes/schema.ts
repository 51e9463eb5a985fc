import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes of the schema stage. */
export const schemaCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {};
