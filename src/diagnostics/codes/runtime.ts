import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes of the runtime stage. */
export const runtimeCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {};
