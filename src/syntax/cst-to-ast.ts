/**
 * The DSL front end: policy text → `PolicyAst` (the JSON document model plus a span for every
 * pointer the text wrote). Stages, in order, each stopping the run when it reports an error:
 * size limit → lexing → nesting limit → parsing (with recovery, so every syntax error of the
 * file is reported) → CST visitor → schema validation shared with the JSON front end.
 */
import type { IToken } from "chevrotain";
import { policyParser } from "../../grammar/parser.ts";
import { policyLexer } from "../../grammar/tokens.ts";
import { DiagnosticBag } from "../diagnostics/bag.ts";
import type { Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import type { PolicyAst } from "./ast.ts";
import { attachComments } from "./dsl/comments.ts";
import type { DslComments } from "./dsl/comments.ts";
import { DocumentWriter } from "./dsl/document-writer.ts";
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
  return parseSource(source, false).outcome;
}

/** `parseDsl`, also returning the file's comments attached to statements (see `dsl/comments.ts`). */
export function parseDslWithComments(source: SourceFile): DslParse {
  return parseSource(source, true);
}

function parseSource(source: SourceFile, withComments: boolean): DslParse {
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

  policyParser.input = lexed.tokens;
  const cst = policyParser.policy();
  bag.addAll(parseDiagnostics(file, text, policyParser.errors));
  // The singleton parser would otherwise keep this file's tokens alive until the next parse.
  policyParser.input = [];
  if (bag.hasErrors()) return failed();

  const writer = new DocumentWriter(file, bag, withComments);
  const document = new CstToDocument(writer, text).policy(cst.children);
  if (bag.hasErrors()) return failed();

  const validated = validateDocument(document, writer.spans, source);
  bag.addAll(validated.diagnostics);
  if (validated.value === undefined || bag.hasErrors()) return failed();
  const ast: PolicyAst = { source, syntax: "dsl", document: validated.value, spans: writer.spans };
  const comments = withComments
    ? attachComments(text, commentTokens(lexed.groups), writer.anchors)
    : undefined;
  return { outcome: bag.ok(ast), comments };
}

function commentTokens(groups: Record<string, IToken[]>): IToken[] {
  return groups["comments"] ?? [];
}
