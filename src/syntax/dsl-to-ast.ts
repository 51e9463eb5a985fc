/**
 * The DSL front end: policy text → `PolicyAst` (the JSON document model plus a span for every
 * pointer the text wrote). Stages, in order, each stopping the run when it reports an error:
 * size limit → UTF-8 check (`source-encoding.ts`) → lexing → nesting limit → parsing (with recovery, so every syntax error of the
 * file is reported), each declaration's syntax tree turned into document as soon as it is
 * parsed → schema validation (the JSON front end's schema, without the checks the DSL's writer
 * makes needless). A file is first lexed and parsed a piece at a time, which is what a valid
 * file needs; any problem there sends it through the stages above in one go, for its
 * diagnostics. Before both, `parseDsl` reads a file
 * straight into the document, with no tokens or tree (`dsl/text-to-document.ts`), and leaves
 * anything unusual to them.
 */
import type { IToken } from "chevrotain";
import type { Declaration } from "../../grammar/syntax-tree.ts";
import { recoveringPolicyParser, strictPolicyParser } from "../../grammar/parser.ts";
import { policyLexer } from "../../grammar/tokens.ts";
import { DiagnosticBag } from "../diagnostics/bag.ts";
import { InternalError } from "../diagnostics/diagnostic.ts";
import type { Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import type { PolicyAst } from "./ast.ts";
import { codeUnitsOf } from "./code-units.ts";
import { attachComments } from "./dsl/comments.ts";
import type { DslComments } from "./dsl/comments.ts";
import { DocumentWriter, VisitDiagnostics } from "./dsl/document-writer.ts";
import { lexingDiagnostics, parseDiagnostics, stringDiagnostics } from "./dsl/errors.ts";
import { notUtf8 as notUtf8Diagnostic } from "./dsl/errors.ts";
import { checkNesting, checkSourceSize } from "./dsl/limits.ts";
import { lexPiece, PIECE_TARGET_LENGTH } from "./dsl/piece-lexer.ts";
import { parsePiece } from "./dsl/piece-parser.ts";
import { readDocument } from "./dsl/text-to-document.ts";
import type { Obj } from "./dsl/build-values.ts";
import { TreeToDocument } from "./dsl/tree-to-document.ts";
import type { SpanTree } from "./span-tree.ts";
import { firstNonUtf8 } from "./source-encoding.ts";
import { validateDslDocument } from "./validate.ts";

/** A parsed DSL file with its comments, for the formatter. */
export interface DslParse {
  readonly outcome: Outcome<PolicyAst>;
  /** Present when the file parsed and comments were asked for: each keyed by its statement. */
  readonly comments: DslComments | undefined;
}

/** Parses a `.rampart` policy file. Never throws on bad input. */
export function parseDsl(source: SourceFile): Outcome<PolicyAst> {
  return parseSource(source, false, ignorePhase, "direct").outcome;
}

/**
 * `parseDsl` through the syntax tree, with the piece length chosen: `"whole"` parses the file in
 * one go only. For the tests that hold every way to the same result; `parseDsl` is what
 * callers want.
 */
export function parseDslWithPieces(
  source: SourceFile,
  pieceLength: number | "whole",
): Outcome<PolicyAst> {
  return parseSource(source, false, ignorePhase, pieceLength).outcome;
}

/** The phases of `parseDsl`, in order ("parse" is lexing, parsing and building the document). */
export type DslPhase = "parse" | "validate";

/** `parseDsl`, calling `onPhase` as each phase ends (for the parse benchmark). */
export function parseDslInPhases(
  source: SourceFile,
  onPhase: (phase: DslPhase) => void,
): Outcome<PolicyAst> {
  return parseSource(source, false, onPhase, "direct").outcome;
}

const ignorePhase = (): void => {};

/** `parseDsl`, also returning the file's comments attached to statements (see `dsl/comments.ts`). */
export function parseDslWithComments(
  source: SourceFile,
  pieceLength: number | "whole" = PIECE_TARGET_LENGTH,
): DslParse {
  return parseSource(source, true, ignorePhase, pieceLength);
}

/**
 * `"direct"`: the direct path first (`dsl/text-to-document.ts`), then the piece path; a number:
 * the piece path with pieces of that length; `"whole"`: the file in one go.
 */
type ParseWay = "direct" | number | "whole";

function parseSource(
  source: SourceFile,
  withComments: boolean,
  onPhase: (phase: DslPhase) => void,
  way: ParseWay = PIECE_TARGET_LENGTH,
): DslParse {
  const { name: file, text } = source;
  const bag = new DiagnosticBag();
  const failed = (): DslParse => ({ outcome: bag.fail(), comments: undefined });

  const tooLarge = checkSourceSize(file, text);
  if (tooLarge !== undefined) return (bag.add(tooLarge), failed());
  const notUtf8 = firstNonUtf8(source);
  if (notUtf8 !== undefined) return (bag.add(notUtf8Diagnostic(file, notUtf8)), failed());

  // A byte order mark, which some editors write, is read as a space: JSON's reader skips it
  // too (RFC 8259), and every offset stays the file's. The AST keeps the file as it is.
  const read: SourceFile =
    text.charCodeAt(0) === 0xfeff ? { name: file, text: ` ${text.slice(1)}` } : source;
  // The direct path keeps no statement anchors, which only place comments.
  const direct = way === "direct" && !withComments ? readDocument(read) : undefined;
  let document: Obj;
  let spans: SpanTree;
  let parsed: ParsedDeclarations | undefined;
  if (direct !== undefined) {
    ({ document, spans } = direct);
  } else {
    const pieceLength = way === "direct" ? PIECE_TARGET_LENGTH : way;
    const pieces =
      pieceLength === "whole" ? undefined : parseInPieces(read, withComments, pieceLength);
    parsed = pieces ?? parseWhole(read, withComments, bag);
    if (parsed === undefined) return failed();
    document = parsed.builder.finish();
    spans = parsed.writer.spans;
    bag.addAll(parsed.writer.bag.inVisitOrder());
    if (bag.hasErrors()) return failed();
  }
  onPhase("parse");

  const validated = validateDslDocument(document, spans, source);
  bag.addAll(validated.diagnostics);
  if (validated.value === undefined || bag.hasErrors()) return failed();
  onPhase("validate");
  const ast: PolicyAst = { source, syntax: "dsl", document: validated.value, spans };
  const comments =
    withComments && parsed !== undefined
      ? attachComments(read.text, parsed.comments, parsed.writer.anchors)
      : undefined;
  return { outcome: bag.ok(ast), comments };
}

/** A file that lexed and parsed: its document so far, and its comment tokens. */
interface ParsedDeclarations {
  readonly writer: DocumentWriter;
  readonly builder: TreeToDocument;
  readonly comments: IToken[];
}

function startDocument(source: SourceFile, withComments: boolean): ParsedDeclarations {
  // Anchors only place comments, and every comment starts with `#`.
  const recordAnchors = withComments && source.text.includes("#");
  const writer = new DocumentWriter(
    source.name,
    new VisitDiagnostics(),
    recordAnchors,
    source.text.length,
  );
  return { writer, builder: new TreeToDocument(writer, source.text), comments: [] };
}

/** Turns each declaration into document as the parser finishes it (its tree is then garbage). */
function buildAsParsed(parsed: ParsedDeclarations): (node: Declaration) => void {
  return (node) => parsed.builder.declaration(node);
}

/**
 * The fast path: the file lexed and parsed a piece at a time (see `dsl/piece-lexer.ts` and
 * `dsl/piece-parser.ts`), each piece's declarations turned into document as soon as they are
 * parsed, so neither the tokens nor the tree of a large file are ever whole. `undefined` when
 * any piece has a problem of any kind: the whole file is then parsed again in one go, which
 * reports every error as it always has.
 */
function parseInPieces(
  source: SourceFile,
  withComments: boolean,
  targetLength: number,
): ParsedDeclarations | undefined {
  const { text } = source;
  const parsed = startDocument(source, withComments);
  const units = codeUnitsOf(text, source.bytes);
  let start = 0;
  do {
    const piece = lexPiece(text, start, targetLength, units);
    if (piece === undefined) return undefined;
    const declarations = parsePiece(piece.tokens);
    if (declarations !== undefined) {
      for (const declaration of declarations) parsed.builder.declaration(declaration);
    } else if (!parsedByChevrotain(piece.tokens, parsed)) {
      return undefined;
    }
    if (withComments) for (const c of piece.comments) parsed.comments.push(c);
    start = piece.end;
  } while (start < text.length);
  return parsed;
}

/**
 * A piece the piece parser gave up on, parsed by the grammar's own parser: never for a valid
 * file (the property tests check it), but Chevrotain has the last word. Whether it parsed.
 */
function parsedByChevrotain(tokens: IToken[], parsed: ParsedDeclarations): boolean {
  const strict = strictPolicyParser();
  strict.input = tokens;
  strict.onDeclaration = buildAsParsed(parsed);
  try {
    strict.policy();
    return strict.errors.length === 0;
  } finally {
    strict.onDeclaration = undefined;
    // The singleton parser would otherwise keep this file's tokens alive until the next parse.
    strict.input = [];
  }
}

/**
 * The whole file in one go: every lexing, string and nesting error, then every syntax error
 * (parsed again with recovery when the parser without it stops at the first one).
 */
function parseWhole(
  source: SourceFile,
  withComments: boolean,
  bag: DiagnosticBag,
): ParsedDeclarations | undefined {
  const { name: file, text } = source;
  const lexed = policyLexer.tokenize(text);
  bag.addAll(lexingDiagnostics(file, text, lexed.errors));
  bag.addAll(stringDiagnostics(file, lexed.tokens));
  const tooDeep = checkNesting(file, lexed.tokens);
  if (tooDeep !== undefined) return void bag.add(tooDeep);

  const parsed = startDocument(source, withComments);
  const strict = strictPolicyParser();
  strict.input = lexed.tokens;
  strict.onDeclaration = buildAsParsed(parsed);
  try {
    strict.policy();
  } finally {
    strict.onDeclaration = undefined;
  }
  const ok = strict.errors.length === 0;
  strict.input = [];
  if (!ok) {
    // Building stopped at the error, so none of its findings count. Parsing again with
    // recovery reports every syntax error of the file, not just the first.
    const recovering = recoveringPolicyParser();
    recovering.input = lexed.tokens;
    recovering.policy();
    bag.addAll(parseDiagnostics(file, text, recovering.errors));
    recovering.input = [];
    if (!bag.hasErrors()) throw new InternalError("only the parser without recovery failed");
    return undefined;
  }
  // Lexing errors: the file parsed without the characters it could not lex, so it fails
  // without the builders' findings, as when a syntax error stops it.
  if (bag.hasErrors()) return undefined;
  if (withComments) for (const c of commentTokens(lexed.groups)) parsed.comments.push(c);
  return parsed;
}

function commentTokens(groups: Record<string, IToken[]>): IToken[] {
  return groups["comments"] ?? [];
}
