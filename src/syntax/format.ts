/**
 * `rampart fmt`: parse, print canonically, and check the result before handing it out. The
 * check (Cedar's soundness check) reparses the output; a different document or a lost comment
 * is RP9003, never a silent rewrite.
 */
import { isDeepStrictEqual } from "node:util";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import { parseDslWithComments } from "./dsl-to-ast.ts";
import { countComments } from "./dsl/comments.ts";
import { childPointer, pointerTokens } from "../diagnostics/json-pointer.ts";
import type { PolicyDocumentDoc } from "./model.ts";
import { printDsl } from "./print-dsl.ts";

const unsound = (file: string, why: string): Diagnostic => ({
  code: "RP9003",
  severity: "error",
  span: { file, start: 0, end: 0 },
  message: `the formatter's output ${why}; the file was left unchanged`,
  help: "this is a bug in rampart; please report it with the policy that triggered it",
});

/** The canonical text of a DSL policy file, or the diagnostics that prevent formatting it. */
export function formatDsl(source: SourceFile): Outcome<string> {
  const printed = printParsed(source);
  if (printed.text === undefined) return { value: undefined, diagnostics: printed.diagnostics };
  const { text, document, comments, diagnostics } = printed;
  const fail = (why: string): Outcome<string> => ({
    value: undefined,
    diagnostics: [...diagnostics, unsound(source.name, why)],
  });
  const again = parseDslWithComments({ name: source.name, text });
  if (again.outcome.value === undefined || again.comments === undefined)
    return fail("does not parse");
  if (!isDeepStrictEqual(again.outcome.value.document, document)) {
    return fail("describes a different policy");
  }
  if (countComments(again.comments) !== comments) return fail("loses comments");
  return { value: text, diagnostics };
}

/** What the soundness check needs of the first parse: not its spans or comment anchors. */
type Printed =
  | { readonly text: undefined; readonly diagnostics: readonly Diagnostic[] }
  | {
      readonly text: string;
      readonly document: PolicyDocumentDoc;
      readonly comments: number;
      readonly diagnostics: readonly Diagnostic[];
    };

/**
 * Parses and prints. A separate step so that the first parse's span table and comment anchors
 * are garbage before the output is parsed again: on a large policy, holding both parses at
 * once took ~100 MB more.
 */
function printParsed(source: SourceFile): Printed {
  const parsed = parseDslWithComments(source);
  const ast = parsed.outcome.value;
  const diagnostics = parsed.outcome.diagnostics;
  if (ast === undefined || parsed.comments === undefined) return { text: undefined, diagnostics };
  const text = printDsl(ast.document, parsed.comments);
  return { text, document: ast.document, comments: countComments(parsed.comments), diagnostics };
}

/**
 * DSL text for a document from elsewhere (`rampart convert` JSON → DSL), checked by parsing it
 * back. The only loss the printer allows — empty containers without a DSL spelling, see
 * print-dsl.ts — is reported as an RP1012 warning naming the value; any other difference is
 * RP9003.
 */
export function convertToDsl(document: PolicyDocumentDoc, file: string): Outcome<string> {
  const text = printDsl(document);
  const again = parseDslWithComments({ name: file, text }).outcome.value;
  if (again === undefined)
    return { value: undefined, diagnostics: [unsound(file, "does not parse")] };
  const diagnostics: Diagnostic[] = [];
  for (const pointer of droppedPointers(document, again.document, "")) {
    if (!isEmptyContainer(valueAt(document, pointer))) {
      return { value: undefined, diagnostics: [unsound(file, "describes a different policy")] };
    }
    diagnostics.push({
      code: "RP1012",
      severity: "warning",
      span: { file, start: 0, end: 0 },
      message: `the empty value at \`${pointer}\` has no DSL spelling and is left out`,
      help: "an empty list or object here means the same as leaving it out",
    });
  }
  return { value: text, diagnostics };
}

/** Pointers of values in `original` that are missing or different in `printed`. */
function droppedPointers(original: unknown, printed: unknown, pointer: string): string[] {
  if (isDeepStrictEqual(original, printed)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null;
  if (
    !isObject(original) ||
    !isObject(printed) ||
    Array.isArray(original) !== Array.isArray(printed)
  ) {
    return [pointer];
  }
  if (Array.isArray(original) && Array.isArray(printed) && original.length !== printed.length) {
    return [pointer];
  }
  return Object.keys(original).flatMap((key) =>
    droppedPointers(
      original[key],
      Object.hasOwn(printed, key) ? printed[key] : undefined,
      childPointer(pointer, key),
    ),
  );
}

function valueAt(document: unknown, pointer: string): unknown {
  let value = document;
  for (const key of pointerTokens(pointer)) {
    value =
      typeof value === "object" && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return value;
}

function isEmptyContainer(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).every(isEmptyContainer);
}
