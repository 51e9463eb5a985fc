/**
 * A bounded cache with least-recently-used eviction, approximated by two generations (the
 * scheme of `quick-lru`): hits in the young Map cost one lookup and no reordering; a hit in
 * the old Map promotes the entry; when the young Map fills up it becomes the old one and the
 * previous old one is dropped. At most `2 × capacity` entries are held, and an entry used
 * within the last `capacity` insertions is never evicted.
 */

/** A bounded cache; `get` keeps recently used entries alive. */
export class LruCache<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be ≥ 1");
    this.#capacity = capacity;
  }

  /** Entries currently held (both generations; at most twice the capacity). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** The cached value, or undefined on a miss. HOT PATH: a young hit is one Map read. */
  get(key: K): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old === undefined) return undefined;
    this.#old.delete(key);
    this.#insert(key, old);
    return old;
  }

  /** Stores a value as recently used. */
  set(key: K, value: V): void {
    if (this.#young.has(key)) this.#young.set(key, value);
    else {
      this.#old.delete(key);
      this.#insert(key, value);
    }
  }

  #insert(key: K, value: V): void {
    if (this.#young.size >= this.#capacity) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
