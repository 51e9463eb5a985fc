import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes of the compile stage: writing and loading decision bundles. */
export const compileCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  RP5001: { slug: "compile/bundle-not-json", summary: "the bundle is not valid JSON" },
  RP5002: {
    slug: "compile/not-a-bundle",
    summary: "the file is JSON but not a rampart decision bundle",
  },
  RP5003: {
    slug: "compile/bundle-format-version",
    summary: "the bundle was written in a format version this rampart cannot load",
  },
  RP5004: {
    slug: "compile/bundle-hash-mismatch",
    summary: "the bundle's content does not match its content hash",
  },
  RP5005: {
    slug: "compile/bundle-invalid-payload",
    summary: "the bundle's policies or diagnostics do not have the expected shape",
  },
};
