/**
 * What every lowering function needs: where a JSON Pointer of the document is written, and
 * somewhere to report problems. Policy files give real spans; token claims (which have no
 * source text) give none. This module imports nothing from the front ends, so the runtime can
 * lower token claims with the same code as the linter.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { childPointer } from "../diagnostics/json-pointer.ts";
import type { Span } from "../diagnostics/span.ts";
import { lazySpanMap } from "./lazy-spans.ts";
import type { SpanMap } from "./types.ts";

export interface LowerContext {
  /** The span of the value at a JSON Pointer (or of its nearest ancestor), if known. */
  span(pointer: string): Span | undefined;
  /**
   * The spans of the value at `pointer` and of its members, when the context can read them
   * without building a pointer per member (a policy file's span tree); `undefined` when it
   * cannot. The same answers as `span`. Call `spansAt`, which falls back to `span`.
   */
  spansOf?(pointer: string): SpanScope | undefined;
  report(diagnostic: Diagnostic): void;
}

/** The spans of one value and of its members, as `LowerContext.span` gives them. */
export interface SpanScope {
  /** `span(pointer)`: the value's own span. */
  own(): Span | undefined;
  /** `span(at(pointer, key))`: a member's span. */
  member(key: string | number): Span | undefined;
  /** `spansAt(ctx, at(pointer, key))`: a member's scope. */
  at(key: string | number): SpanScope;
  /**
   * `lazySpanMap(fields, this)` in a form that keeps less (`propertySpans`), when the scope
   * has one: lowering keeps a map per tunnel and grant.
   */
  spanMap?(fields: object): SpanMap;
}

/** A scope that asks the context one pointer at a time. */
class PointerScope implements SpanScope {
  readonly #ctx: LowerContext;
  readonly #pointer: string;

  constructor(ctx: LowerContext, pointer: string) {
    this.#ctx = ctx;
    this.#pointer = pointer;
  }

  own(): Span | undefined {
    return this.#ctx.span(this.#pointer);
  }

  member(key: string | number): Span | undefined {
    return this.#ctx.span(at(this.#pointer, key));
  }

  at(key: string | number): SpanScope {
    return spansAt(this.#ctx, at(this.#pointer, key));
  }
}

/**
 * The spans of the value at `pointer` and of its members: lowering asks for a dozen members
 * of each tunnel and grant, and a span tree answers those without a pointer string each.
 */
export function spansAt(ctx: LowerContext, pointer: string): SpanScope {
  return ctx.spansOf?.(pointer) ?? new PointerScope(ctx, pointer);
}

/**
 * The scope of member `key` of `parent`, found only when a span is asked of it. Lowering
 * passes a value's scope down so that a problem found below can be reported where it is
 * written; nearly no value has one, and then nothing is looked up and no pointer is built
 * (HOT PATH: once a pointer string was joined per member of every grant, ~8 MB on 10,000).
 */
class LazyScope implements SpanScope {
  // Plain properties set in the constructor, not `#` fields: one scope is made per action,
  // filter and path of every grant, mostly in code V8 has not optimized yet, where `#` fields
  // are defined and stored through keyed property ICs (as in `tree-spans.ts`).
  declare private readonly parent: SpanScope;
  declare private readonly key: string | number;
  declare private scope: SpanScope | null;

  constructor(parent: SpanScope, key: string | number) {
    this.parent = parent;
    this.key = key;
    this.scope = null;
  }

  /** The scope looked up (a lazy parent's first: its `at` would only give another lazy one). */
  private found(): SpanScope {
    const parent = this.parent;
    return (this.scope ??= (parent instanceof LazyScope ? parent.found() : parent).at(this.key));
  }

  own(): Span | undefined {
    return this.parent.member(this.key);
  }

  member(key: string | number): Span | undefined {
    return this.found().member(key);
  }

  at(key: string | number): SpanScope {
    return new LazyScope(this, key);
  }
}

/** `scope.at(key)`, looked up only when a span is asked of it (`LazyScope`). */
export function lazyAt(scope: SpanScope, key: string | number): SpanScope {
  return new LazyScope(scope, key);
}

/** The spans of anything in a context without source text: none. */
const NO_SPANS: SpanScope = { own: () => undefined, member: () => undefined, at: () => NO_SPANS };

/** A context without source text that keeps what was reported (for token claims). */
export function collectingContext(): LowerContext & { readonly diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  return {
    span: () => undefined,
    spansOf: () => NO_SPANS,
    report: (d) => diagnostics.push(d),
    diagnostics,
  };
}

/** Joins a pointer and a key (`childPointer`, under lowering's short name). */
export const at: (pointer: string, key: string | number) => string = childPointer;

/**
 * The spans of an object's present properties (`scope` is the object's), by document name:
 * read when asked (`lazy-spans.ts`), since the stages after lowering ask for few of them.
 */
export function propertySpans(value: object, scope: SpanScope): SpanMap {
  return scope.spanMap?.(value) ?? lazySpanMap(value, scope);
}

/** Up to this many values, a list is sorted by insertion (no Set, no sort state). */
const INSERTION_SORT_MAX = 16;

/** True when each value is after the one before it: the list is sorted and unique already. */
function isAscending(values: readonly string[]): boolean {
  // The order is `sort()`'s, UTF-16 code units, which is also what `<` compares on strings.
  for (let i = 1; i < values.length; i++) {
    // SAFETY: 1 <= i < values.length, the loop's bounds.
    if (!((values[i - 1] as string) < (values[i] as string))) return false;
  }
  return true;
}

/** Sorted, without duplicates: the canonical form of an unordered list of strings. A copy. */
export function sortedUnique(values: readonly string[]): string[] {
  // Results are copies of exactly their length.
  if (isAscending(values)) return values.slice();
  if (values.length > INSERTION_SORT_MAX) return [...new Set(values)].sort();
  return sortUniqueInPlace(values.slice());
}

/**
 * `sortedUnique` of a list from the document: the list itself when it is written in canonical
 * order already, as nearly every list is. Parsed documents are never changed (lowering and the
 * stages after it only read them), so the IR may share their lists, and lowering a policy
 * copies none of them (HOT PATH: every list of every tunnel and grant).
 */
export function canonicalList<T extends string>(values: readonly T[]): readonly T[] {
  if (isAscending(values)) return values;
  // SAFETY: sorting and deduplicating keeps the members of `T`.
  return sortedUnique(values) as T[];
}

/**
 * A document's list of names that compare case-insensitively, lower-cased, sorted and
 * deduplicated: the list itself when it is written that way (`toLowerCase` of a lower-case
 * string is that string, so checking costs no allocation).
 */
export function lowerCaseList(values: readonly string[]): readonly string[] {
  for (let i = 0; i < values.length; i++) {
    // SAFETY: i < values.length, the loop's bound.
    const value = values[i] as string;
    if (value.toLowerCase() !== value) return sortUniqueInPlace(values.map(toLowerCase));
  }
  return canonicalList(values);
}

function toLowerCase(value: string): string {
  return value.toLowerCase();
}

/** `sortedUnique` of a list the caller made and gives away: sorted in place, not copied. */
export function sortUniqueInPlace(out: string[]): string[] {
  if (isAscending(out)) return out;
  if (out.length > INSERTION_SORT_MAX) return [...new Set(out)].sort();
  // `out[0, kept)` is sorted and unique; each value is read before its slot can be written.
  let kept = 0;
  for (let v = 0; v < out.length; v++) {
    // SAFETY: v < out.length, the loop's bound.
    const value = out[v] as string;
    let i = kept;
    // SAFETY: i > 0 is checked first, and i <= v < out.length.
    while (i > 0 && value < (out[i - 1] as string)) i--;
    if (i > 0 && out[i - 1] === value) continue;
    // SAFETY: kept <= j - 1 < out.length inside this insertion step.
    for (let j = kept; j > i; j--) out[j] = out[j - 1] as string;
    out[i] = value;
    kept++;
  }
  out.length = kept;
  return out;
}
