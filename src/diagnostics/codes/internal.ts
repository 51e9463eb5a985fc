import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes for Rampart's own failures and for limits on what it reports. */
export const internalCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  RP9001: { slug: "internal/bug", summary: "an internal error: this is a bug in rampart" },
  RP9002: {
    slug: "internal/too-many-diagnostics",
    summary: "more diagnostics were found than are shown",
  },
  RP9003: {
    slug: "internal/formatter-unsound",
    summary: "the formatter's output does not parse back to the same policy",
  },
};
