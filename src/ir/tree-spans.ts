/**
 * `LowerContext.spansOf` over a front end's span tree: the spans of one value's members are
 * read from its tree node, with no JSON Pointer string built and walked per member.
 *
 * The answers are `SpanTree.nearest`'s: the span of the deepest node on the pointer's path
 * that the front end gave a span. A scope looks its own span up only when asked: lowering
 * walks through scopes (`scopes`, `tunnels` of a grant leaf) whose spans nobody cites.
 */
import type { Span } from "../diagnostics/span.ts";
import type { SpanNode, SpanTree } from "../syntax/span-tree.ts";
import type { SpanScope } from "./lower-context.ts";

/** Only `own` of a scope is asked for by the scopes below it. */
type Above = Pick<SpanScope, "own">;

/** Below a path the front end wrote nothing at: everything has the nearest span above. */
class AboveScope implements SpanScope {
  readonly #above: Above;

  constructor(above: Above) {
    this.#above = above;
  }

  own(): Span | undefined {
    return this.#above.own();
  }

  member(): Span | undefined {
    return this.#above.own();
  }

  at(): SpanScope {
    return this;
  }
}

/** A written value's node; a value without a span of its own has the one above it. */
class NodeScope implements SpanScope {
  readonly #node: SpanNode;
  readonly #above: Above;
  /** `null` until looked up (`undefined` is an answer: no span anywhere above). */
  #own: Span | undefined | null = null;

  constructor(node: SpanNode, above: Above) {
    this.#node = node;
    this.#above = above;
  }

  own(): Span | undefined {
    if (this.#own === null) this.#own = this.#node.span ?? this.#above.own();
    return this.#own;
  }

  member(key: string | number): Span | undefined {
    return this.#node.memberSpan(key) ?? this.own();
  }

  at(key: string | number): SpanScope {
    const child = this.#node.member(key);
    return child === undefined ? new AboveScope(this) : new NodeScope(child, this);
  }
}

/** Span scopes of a tree, keyed by JSON Pointer. */
export function treeSpans(tree: SpanTree): (pointer: string) => SpanScope {
  return (pointer) => {
    const nearest: Above = { own: () => tree.nearest(pointer) };
    const node = tree.node(pointer);
    return node === undefined ? new AboveScope(nearest) : new NodeScope(node, nearest);
  };
}
