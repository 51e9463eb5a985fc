/**
 * `SpanMap`s that read each span when it is asked for. Lowering gives every tunnel, grant and
 * the project the spans of all their properties (~150,000 on 10,000 tunnels and grants, each
 * a span object kept with the IR), and the later stages ask for a few: a diagnostic's span, a
 * bound's origin. A lazy map holds only the document object and where its spans are read.
 *
 * A lazy map is one object of its own class, read through `spanOf` (one key) or `keys` and
 * `spans` (all of them, for the bundle writer). Its JSON text (`toJSON`) is the plain map's:
 * `{ [key]: span }` over the object's present properties, in their order. Once it was a Proxy
 * that read as the plain object, with a source object beside it and a `WeakMap` entry to find
 * that source: three objects per tunnel and grant that lowering kept, and a trap per read.
 */
import type { Span } from "../diagnostics/span.ts";
import type { SpanScope } from "./lower-context.ts";
import type { SpanMap } from "./types.ts";

/** The spans of an object's present (own, defined) properties, read when asked. */
export abstract class LazySpanMap {
  // Plain properties set in the constructor, not `#` fields: one map is made per tunnel and
  // grant, mostly in code V8 has not optimized yet (see `tree-spans.ts`).
  declare private readonly fields: Readonly<Record<string, unknown>>;

  constructor(fields: object) {
    this.fields = fields as Readonly<Record<string, unknown>>;
  }

  /** The span of property `key`: undefined when the object lacks it or it is undefined. */
  get(key: string): Span | undefined {
    return this.has(key) ? this.memberSpan(key) : undefined;
  }

  /** Whether `key` is a present (own, defined) property of the object. */
  has(key: string): boolean {
    const fields = this.fields;
    return Object.hasOwn(fields, key) && fields[key] !== undefined;
  }

  /** The present properties, in the object's key order. */
  keys(): string[] {
    const keys: string[] = [];
    for (const key in this.fields) if (this.has(key)) keys.push(key);
    return keys;
  }

  /** The spans of `keys` (present properties of the object), in that order. */
  spans(keys: readonly string[]): (Span | undefined)[] {
    return keys.map((key) => this.memberSpan(key));
  }

  /** The plain map: what `JSON.stringify` writes and what deep equality should compare. */
  toJSON(): Record<string, Span | undefined> {
    const plain: Record<string, Span | undefined> = {};
    for (const key of this.keys()) {
      // defineProperty, not assignment: a `__proto__` key must stay an ordinary member.
      Object.defineProperty(plain, key, {
        value: this.memberSpan(key),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return plain;
  }

  /** The span of member `key` of the object (present or not). */
  protected abstract memberSpan(key: string): Span | undefined;
}

/** A lazy map over any span scope. */
class ScopeSpanMap extends LazySpanMap {
  declare private readonly scope: SpanScope;

  constructor(fields: object, scope: SpanScope) {
    super(fields);
    this.scope = scope;
  }

  protected memberSpan(key: string): Span | undefined {
    return this.scope.member(key);
  }
}

/** The spans of `value`'s present properties (`scope` holds `value`'s spans), read on demand. */
export function lazySpanMap(value: object, scope: SpanScope): LazySpanMap {
  return new ScopeSpanMap(value, scope);
}

/**
 * `map[key]` for a property name `key`: the one way the stages after lowering read a span map,
 * plain or lazy.
 */
export function spanOf(map: SpanMap, key: string): Span | undefined {
  return map instanceof LazySpanMap ? map.get(key) : map[key];
}

/** A lazy map's present keys, in its key order, and their spans. */
export interface LazySpanEntries {
  readonly keys: string[];
  readonly spans: (Span | undefined)[];
}

/**
 * A lazy map's keys and spans (what its `toJSON` holds), for the bundle writer; undefined for
 * any other object.
 */
export function lazySpanEntries(value: object): LazySpanEntries | undefined {
  if (!(value instanceof LazySpanMap)) return undefined;
  const keys = value.keys();
  return { keys, spans: value.spans(keys) };
}
