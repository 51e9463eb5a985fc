/**
 * `LowerContext.spansOf` over a front end's span tree: the spans of one value's members are
 * read from its tree node, with no JSON Pointer string built and walked per member.
 *
 * The answers are `SpanTree.nearest`'s: the span of the deepest node on the pointer's path
 * that the front end gave a span. A scope looks its own span up only when asked: lowering
 * walks through scopes (`scopes`, `tunnels` of a grant leaf) whose spans nobody cites.
 */
import type { Span } from "../diagnostics/span.ts";
import type { SpanRows, SpanTree } from "../syntax/span-tree.ts";
import { memberSpanOf } from "../syntax/span-tree.ts";
import { LazySpanMap } from "./lazy-spans.ts";
import type { SpanScope } from "./lower-context.ts";

/** Only `own` of a scope is asked for by the scopes below it. */
type Above = Pick<SpanScope, "own">;

// The scopes' fields are plain properties set in the constructor (`declare`d: no class field
// is defined first) rather than `#` fields: lowering makes a scope per member it walks into,
// mostly in code V8 has not optimized yet, and there every `#` field is defined and stored
// through V8's keyed property ICs (~18 M instructions for a 10,000-tunnel policy). TypeScript's
// `private` still keeps them out of every other module.

/** Below a path the front end wrote nothing at: everything has the nearest span above. */
class AboveScope implements SpanScope {
  declare private readonly above: Above;

  constructor(above: Above) {
    this.above = above;
  }

  own(): Span | undefined {
    return this.above.own();
  }

  member(): Span | undefined {
    return this.above.own();
  }

  at(): SpanScope {
    return this;
  }
}

/**
 * A written value's row; a value without a span of its own has the one above it. The scope
 * holds the row's number, not a `SpanNode` handle: one object less per member walked into.
 */
class NodeScope implements SpanScope {
  declare private readonly rows: SpanRows;
  declare private readonly row: number;
  declare private readonly above: Above;
  /** `null` until looked up (`undefined` is an answer: no span anywhere above). */
  declare private ownSpan: Span | undefined | null;

  constructor(rows: SpanRows, row: number, above: Above) {
    this.rows = rows;
    this.row = row;
    this.above = above;
    this.ownSpan = null;
  }

  own(): Span | undefined {
    if (this.ownSpan === null) this.ownSpan = this.rows.span(this.row) ?? this.above.own();
    return this.ownSpan;
  }

  member(key: string | number): Span | undefined {
    return memberSpanOf(this.rows, this.row, key) ?? this.own();
  }

  at(key: string | number): SpanScope {
    const child = this.rows.member(this.row, key);
    return child < 0 ? new AboveScope(this) : new NodeScope(this.rows, child, this);
  }

  /**
   * The map keeps the rows, the row and the own span (every tunnel's and grant's is read for
   * its origin anyway), not this scope: the scope and what it holds die with lowering.
   */
  spanMap(fields: object): LazySpanMap {
    return new RowSpanMap(fields, this.rows, this.row, this.own());
  }
}

/** `NodeScope.spanMap`: what `member` of the scope answers, in one object per map. */
class RowSpanMap extends LazySpanMap {
  declare private readonly rows: SpanRows;
  declare private readonly row: number;
  declare private readonly ownSpan: Span | undefined;

  constructor(fields: object, rows: SpanRows, row: number, ownSpan: Span | undefined) {
    super(fields);
    this.rows = rows;
    this.row = row;
    this.ownSpan = ownSpan;
  }

  protected memberSpan(key: string): Span | undefined {
    return memberSpanOf(this.rows, this.row, key) ?? this.ownSpan;
  }
}

/** Span scopes of a tree, keyed by JSON Pointer. */
export function treeSpans(tree: SpanTree): (pointer: string) => SpanScope {
  return (pointer) => {
    const nearest: Above = { own: () => tree.nearest(pointer) };
    const row = tree.row(pointer);
    return row < 0 ? new AboveScope(nearest) : new NodeScope(tree.rows, row, nearest);
  };
}
