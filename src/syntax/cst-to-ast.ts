/**
 * The DSL front end: policy text → `PolicyAst` (the JSON document model plus a span for every
 * pointer the text wrote). Stages, in order, each stopping the run when it reports an error:
 * size limit → lexing → nesting limit → parsing (with recovery, so every syntax error of the
 * file is reported), with the CST visitor turning each declaration into document as soon as it
 * is parsed → schema validation shared with the JSON front end.
 */
import type { CstChildrenDictionary, IToken } from "chevrotain";
import { policyParser, strictPolicyParser } from "../../grammar/parser.ts";
import { policyLexer } from "../../grammar/tokens.ts";
import { DiagnosticBag } from "../diagnostics/bag.ts";
import { InternalError } from "../diagnostics/diagnostic.ts";
import type { Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import type { PolicyAst } from "./ast.ts";
import { attachComments } from "./dsl/comments.ts";
import type { DslComments } from "./dsl/comments.ts";
import { DocumentWriter, VisitDiagnostics } from "./dsl/document-writer.ts";
import { lexingDiagnostics, parseDiagnostics, stringDiagnostics } from "./dsl/errors.ts";
import { checkNesting, checkSourceSize } from "./dsl/limits.ts";
import { CstToDocument } from "./dsl/visitor.ts";
import { validateDocument } from "./validate.ts";

/** A parsed DSL file with its comments, for the formatter. */
export interface DslParse {
  readonly outcome: Outcome<PolicyAst>;
  /** Present when the file parsed and comments were asked for: each keyed by its statement. */
  readonly comments: DslComments | undefined;
}

/** Parses a `.rampart` policy file. Never throws on bad input. */
export function parseDsl(source: SourceFile): Outcome<PolicyAst> {
  return parseSource(source, false, ignorePhase).outcome;
}

/** The phases of `parseDsl`, in order ("parse" includes building the document). */
export type DslPhase = "lex" | "parse" | "validate";

/** `parseDsl`, calling `onPhase` as each phase ends (for the parse benchmark). */
export function parseDslInPhases(
  source: SourceFile,
  onPhase: (phase: DslPhase) => void,
): Outcome<PolicyAst> {
  return parseSource(source, false, onPhase).outcome;
}

const ignorePhase = (): void => {};

/** `parseDsl`, also returning the file's comments attached to statements (see `dsl/comments.ts`). */
export function parseDslWithComments(source: SourceFile): DslParse {
  return parseSource(source, true, ignorePhase);
}

function parseSource(
  source: SourceFile,
  withComments: boolean,
  onPhase: (phase: DslPhase) => void,
): DslParse {
  const { name: file, text } = source;
  const bag = new DiagnosticBag();
  const failed = (): DslParse => ({ outcome: bag.fail(), comments: undefined });

  const tooLarge = checkSourceSize(file, text);
  if (tooLarge !== undefined) return (bag.add(tooLarge), failed());

  const lexed = policyLexer.tokenize(text);
  bag.addAll(lexingDiagnostics(file, text, lexed.errors));
  bag.addAll(stringDiagnostics(file, lexed.tokens));
  const tooDeep = checkNesting(file, lexed.tokens);
  if (tooDeep !== undefined) return (bag.add(tooDeep), failed());
  onPhase("lex");

  const writer = new DocumentWriter(file, new VisitDiagnostics(), withComments);
  const visitor = new CstToDocument(writer, text);
  // Each declaration becomes document as soon as it is parsed, and its subtree is dropped:
  // the CST of a large file is most of its parse's memory, and short-lived objects are cheap.
  const strict = strictPolicyParser();
  strict.input = lexed.tokens;
  strict.onDeclaration = (node) => {
    visitor.declaration(node);
    (node as { children: CstChildrenDictionary }).children = {};
  };
  try {
    strict.policy();
  } finally {
    strict.onDeclaration = undefined;
  }
  const parsed = strict.errors.length === 0;
  // The singleton parsers would otherwise keep this file's tokens alive until the next parse.
  strict.input = [];
  if (!parsed) {
    // The visitor stopped at the error, so none of its findings count. Parsing again with
    // recovery reports every syntax error of the file, not just the first.
    policyParser.input = lexed.tokens;
    policyParser.policy();
    bag.addAll(parseDiagnostics(file, text, policyParser.errors));
    policyParser.input = [];
    if (!bag.hasErrors()) throw new InternalError("only the parser without recovery failed");
    return failed();
  }
  // Lexing errors: the file parsed without the characters it could not lex, so it fails
  // without the visitor's findings, as when a syntax error stops it.
  if (bag.hasErrors()) return failed();

  const document = visitor.finish();
  bag.addAll(writer.bag.inVisitOrder());
  if (bag.hasErrors()) return failed();
  onPhase("parse");

  const validated = validateDocument(document, writer.spans, source);
  bag.addAll(validated.diagnostics);
  if (validated.value === undefined || bag.hasErrors()) return failed();
  onPhase("validate");
  const ast: PolicyAst = { source, syntax: "dsl", document: validated.value, spans: writer.spans };
  const comments = withComments
    ? attachComments(text, commentTokens(lexed.groups), writer.anchors)
    : undefined;
  return { outcome: bag.ok(ast), comments };
}

function commentTokens(groups: Record<string, IToken[]>): IToken[] {
  return groups["comments"] ?? [];
}
