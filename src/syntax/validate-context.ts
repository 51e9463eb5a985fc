/**
 * What the schema validator's diagnostics need to know about a document: where each value
 * was written and how to name it in a message. Works the same whether the spans came from
 * JSON text or DSL text.
 */
import { pointerTokens } from "../diagnostics/json-pointer.ts";
import type { SourceFile, Span } from "../diagnostics/span.ts";
import { spanAt } from "./ast.ts";
import type { SpanTable } from "./ast.ts";

/** A document under validation and its span tables. */
export interface ValidationContext {
  readonly document: unknown;
  readonly spans: SpanTable;
  /** Spans of property names, keyed like `spans` (see `json-reader.ts`); may be empty. */
  readonly keySpans: SpanTable;
  readonly source: SourceFile;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * How a message names the value at a pointer: `tunnels[0].trusted_ips[2]`,
 * `labels["app/tier"]`; the root is `the document`. Array indices are told apart from
 * numeric keys by looking at the document itself.
 */
export function describePointer(ctx: ValidationContext, pointer: string): string {
  const tokens = pointerTokens(pointer);
  if (tokens.length === 0) return "the document";
  let path = "";
  let value: unknown = ctx.document;
  for (const token of tokens) {
    if (Array.isArray(value)) path += `[${token}]`;
    else if (IDENTIFIER.test(token)) path += path === "" ? token : `.${token}`;
    else path += `[${JSON.stringify(token)}]`;
    value = childOf(value, token);
  }
  return `\`${path.replaceAll("`", "'")}\``;
}

function childOf(value: unknown, token: string): unknown {
  if (Array.isArray(value)) return value[Number(token)];
  if (typeof value === "object" && value !== null && Object.hasOwn(value, token)) {
    return (value as Record<string, unknown>)[token];
  }
  return undefined;
}

/** The span of the value at a pointer, else its nearest ancestor's, else the file's start. */
export function valueSpan(ctx: ValidationContext, pointer: string): Span {
  return spanAt(ctx.spans, pointer) ?? { file: ctx.source.name, start: 0, end: 0 };
}

/** The span of a property's name; falls back to its value, then to its object's first line. */
export function keySpan(ctx: ValidationContext, pointer: string): Span {
  return (
    ctx.keySpans.get(pointer) ?? ctx.spans.get(pointer) ?? headSpan(ctx, parentPointer(pointer))
  );
}

/**
 * Where to point at an object as a whole: its property name when it has one, otherwise the
 * first line of its span, so a missing property does not underline a hundred lines.
 */
export function headSpan(ctx: ValidationContext, pointer: string): Span {
  const named = ctx.keySpans.get(pointer);
  if (named !== undefined) return named;
  const whole = valueSpan(ctx, pointer);
  const text = ctx.source.text;
  const lineEnd = text.indexOf("\n", whole.start);
  if (lineEnd < 0 || lineEnd >= whole.end) return whole;
  const end = whole.start + text.slice(whole.start, lineEnd).trimEnd().length;
  return { file: whole.file, start: whole.start, end: Math.max(end, whole.start + 1) };
}

/** The pointer of the value that holds the one at `pointer`. */
export function parentPointer(pointer: string): string {
  return pointer.slice(0, Math.max(0, pointer.lastIndexOf("/")));
}
