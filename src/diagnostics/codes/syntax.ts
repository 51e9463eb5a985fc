import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes of the DSL syntax stage (`grammar/` and `src/syntax/dsl-to-ast.ts`). */
export const syntaxCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  RP1001: {
    slug: "syntax/unexpected-character",
    summary: "a character that cannot start any token of the policy language",
  },
  RP1002: {
    slug: "syntax/unterminated-string",
    summary: "a string without its closing quote on the same line",
  },
  RP1003: {
    slug: "syntax/invalid-escape",
    summary: "an escape sequence in a string that the language does not define",
  },
  RP1004: {
    slug: "syntax/unexpected-token",
    summary: "a token where the grammar expects something else",
  },
  RP1005: {
    slug: "syntax/unexpected-end",
    summary: "the file ends before a block or statement is complete",
  },
  RP1006: {
    slug: "syntax/source-too-large",
    summary: "a policy file larger than the parser reads",
  },
  RP1007: {
    slug: "syntax/too-deep",
    summary: "blocks, lists or filters nested deeper than the parser allows",
  },
  RP1008: {
    slug: "syntax/duplicate-setting",
    summary: "the same setting written twice in one block",
  },
  RP1009: { slug: "syntax/missing-project", summary: "a policy file without a `project` block" },
  RP1010: {
    slug: "syntax/duplicate-project",
    summary: "a second `project` block: one file is one project",
  },
  RP1012: {
    slug: "syntax/empty-container-dropped",
    summary: "converting to the DSL leaves out an empty object or list that has no DSL spelling",
  },
  RP1011: {
    slug: "syntax/control-character",
    summary: "a raw control character (tab, NUL, …) inside a string",
  },
  RP1013: {
    slug: "syntax/not-utf8",
    summary: "a policy file whose bytes are not UTF-8 (a Latin-1 or UTF-16 file)",
  },
};
