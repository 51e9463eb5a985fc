/**
 * `SpanMap`s that read each span when it is asked for. Lowering gives every tunnel, grant and
 * the project the spans of all their properties (~150,000 on 10,000 tunnels and grants, each
 * a span object kept with the IR), and the later stages ask for a few: a diagnostic's span, a
 * bound's origin. A lazy map holds only the document object and its span scope.
 *
 * To every reader the map is the plain object that `{ [key]: scope.member(key) }` over the
 * object's present properties would be: same keys in the same order, same values (the span
 * tree hands out one object per span), `Object.prototype` as its prototype. So property reads,
 * `in`, `Object.keys`/`entries`, spreads, `JSON.stringify` and deep equality see no change.
 * It cannot be written to; nothing writes to the IR.
 */
import type { SpanScope } from "./lower-context.ts";
import type { Span } from "../diagnostics/span.ts";
import type { SpanMap } from "./types.ts";

/** What a lazy map reads: the object whose properties it maps, and that object's spans. */
class Source {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly scope: SpanScope;

  constructor(fields: Readonly<Record<string, unknown>>, scope: SpanScope) {
    this.fields = fields;
    this.scope = scope;
  }

  /** Whether `key` is a present (own, defined) property of the object. */
  present(key: string | symbol): key is string {
    return (
      typeof key === "string" && Object.hasOwn(this.fields, key) && this.fields[key] !== undefined
    );
  }

  /** The present properties, in the object's key order. */
  presentKeys(): string[] {
    const keys: string[] = [];
    const fields = this.fields;
    for (const key in fields) if (this.present(key)) keys.push(key);
    return keys;
  }
}

/**
 * Each lazy map's source, for the readers that ask it directly (`spanOf`, `lazySpanEntries`):
 * a trap call costs several times a lookup here, and a missing key would need one too.
 */
const SOURCES = new WeakMap<object, Source>();

/** The traps of every lazy map: each answers from the source, as the plain object would. */
const HANDLER: ProxyHandler<Source> = {
  get(source, key) {
    // A key the object lacks reads through the prototype, as on a plain object.
    return source.present(key) ? source.scope.member(key) : Reflect.get(Object.prototype, key);
  },
  has(source, key) {
    return source.present(key) || key in Object.prototype;
  },
  ownKeys(source) {
    return source.presentKeys();
  },
  getOwnPropertyDescriptor(source, key) {
    if (!source.present(key)) return undefined;
    return {
      value: source.scope.member(key),
      writable: true,
      enumerable: true,
      configurable: true,
    };
  },
  getPrototypeOf() {
    return Object.prototype;
  },
  set() {
    return false;
  },
  defineProperty() {
    return false;
  },
  deleteProperty() {
    return false;
  },
  setPrototypeOf() {
    return false;
  },
};

/** The spans of `value`'s present properties (`scope` holds `value`'s spans), read on demand. */
export function lazySpanMap(value: object, scope: SpanScope): SpanMap {
  const source = new Source(value as Readonly<Record<string, unknown>>, scope);
  // SAFETY: the traps answer every read of a `SpanMap` (a string key to a span or undefined).
  const map = new Proxy(source, HANDLER) as unknown as SpanMap;
  SOURCES.set(map, source);
  return map;
}

/**
 * `map[key]` for a property name `key`, read from a lazy map's source without its traps
 * (bounds asks ~8 names of each tunnel's map, most of them missing: each was a trap call
 * that read `Object.prototype`); any other map is read as it is.
 */
export function spanOf(map: SpanMap, key: string): Span | undefined {
  const source = SOURCES.get(map);
  if (source === undefined || key in Object.prototype) return map[key];
  return source.present(key) ? source.scope.member(key) : undefined;
}

/** A lazy map's present keys, in its key order, and their spans. */
export interface LazySpanEntries {
  readonly keys: string[];
  readonly spans: (Span | undefined)[];
}

/**
 * What `Object.keys` and `Object.values` of a lazy map give, read from its source without the
 * traps (a reader of every span, the bundle writer, otherwise pays about a dozen trap calls
 * per map); undefined for any other object.
 */
export function lazySpanEntries(value: object): LazySpanEntries | undefined {
  const source = SOURCES.get(value);
  if (source === undefined) return undefined;
  const keys = source.presentKeys();
  return { keys, spans: keys.map((key) => source.scope.member(key)) };
}
