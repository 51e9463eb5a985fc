/**
 * The printer's output buffer: indented lines, each carrying the anchor keys of the statements
 * it prints, so that comments (see `comments.ts`) come out next to their statement. Each comment
 * is emitted once, at the first line that names its key.
 */
import { childPointer } from "../../diagnostics/json-pointer.ts";
import type { DslComments } from "./comments.ts";
import { END_OF_FILE } from "./comments.ts";

const INDENT = "  ";

/** Lines of canonical DSL text under construction. */
export class Lines {
  readonly #out: string[] = [];
  readonly #leading: Map<string, readonly string[]>;
  readonly #trailing: Map<string, readonly string[]>;

  constructor(comments: DslComments | undefined) {
    this.#leading = new Map(comments?.leading ?? []);
    this.#trailing = new Map(comments?.trailing ?? []);
  }

  /** One line at `depth`, preceded by the leading comments of `keys`, followed by a trailing one. */
  line(depth: number, text: string, keys: readonly string[]): void {
    const pad = INDENT.repeat(depth);
    const trailing: string[] = [];
    for (const key of keys) {
      for (const c of this.#take(this.#leading, key)) this.#out.push(pad + c);
      trailing.push(...this.#take(this.#trailing, key));
    }
    // A line holds one trailing comment; any others go above it.
    for (const c of trailing.slice(1)) this.#out.push(pad + c);
    this.#out.push(pad + text + (trailing[0] === undefined ? "" : `  ${trailing[0]}`));
  }

  /** The closing `}` of a block opened by the statement at `ptr`. */
  close(depth: number, ptr: string): void {
    const inner = INDENT.repeat(depth + 1);
    for (const c of this.#take(this.#leading, `${ptr}#end`)) this.#out.push(inner + c);
    this.line(depth, "}", [`${ptr}#end`]);
  }

  /** An empty line between top-level blocks. */
  blank(): void {
    if (this.#out.length > 0 && this.#out.at(-1) !== "") this.#out.push("");
  }

  /** The text, ending with the comments after the last statement and a final newline. */
  finish(): string {
    const rest = [...this.#take(this.#leading, END_OF_FILE)];
    // Comments whose statement printed nothing of its own (an anchor the printer never names)
    // still come out, at the end, rather than being lost.
    for (const list of [...this.#leading.values(), ...this.#trailing.values()]) rest.push(...list);
    if (rest.length > 0) {
      this.blank();
      this.#out.push(...rest);
    }
    while (this.#out.at(-1) === "") this.#out.pop();
    return this.#out.join("\n") + "\n";
  }

  #take(map: Map<string, readonly string[]>, key: string): readonly string[] {
    const list = map.get(key);
    if (list === undefined) return [];
    map.delete(key);
    return list;
  }
}

/**
 * Every anchor key at or under a value: its pointer and `#end`, and those of its descendants.
 * Used for statements printed on one line, so that comments written inside them survive.
 */
export function keysUnder(ptr: string, value: unknown, keys: string[] = []): string[] {
  keys.push(ptr, `${ptr}#end`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) keysUnder(childPointer(ptr, i), value[i], keys);
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) keysUnder(childPointer(ptr, k), v, keys);
  }
  return keys;
}
