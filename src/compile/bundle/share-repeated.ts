/**
 * The writer's half of payload sharing (format version 2): every object or array that occurs
 * more than once in the policies (a tunnel's default TLS block, a country list, a grant's
 * action, the same trusted-IP set under `ipRules` and `allowedIps` …) is written once into a
 * `shared` table and referred to by its index elsewhere. The bench's 10,000-tunnel payload
 * shrinks by about 30% (its tunnels differ in names, hosts and CIDRs), and the loader parses
 * and checks each shared value once instead of once per occurrence. The reader's half is in
 * `shape-checks.ts`: a reference is a number where the schema expects an object or an array,
 * so it can never be mistaken for a scalar.
 *
 * The output is canonical JSON (keys sorted, no whitespace), so the content hash agrees with
 * `canonicalJson` of the parsed payload.
 *
 * Distinct values are found by hash-consing without building any text: a value is its shape
 * (an array, or an object's member names in order) and a row of tokens (a scalar, or the id of
 * a nested distinct value), kept in typed arrays; the text is written once, at the end. (The
 * writer before issue #19 keyed each value by its text and took ~5 s and ~600 MB on the
 * 10,000-tunnel, 10,000-grant bench policy; the bytes are the same, see
 * test/compile/bundle-bytes.test.ts.)
 */
import { DistinctValues, TOKEN_CHILD } from "./distinct-values.ts";

/** Values shorter than this are written in place: a reference would save too little. */
const MIN_SHARED_LENGTH = 16;

/** The payload's sharing plan and text. */
export interface SharedPayloadText {
  /** Canonical JSON text of `{ diagnostics, policies, shared }` (joined on each read). */
  readonly text: string;
  /** The same text in pieces, as written (hashed piece by piece without copying the text). */
  readonly chunks: readonly string[];
  /** Number of values in the shared table. */
  readonly sharedCount: number;
}

/**
 * Decides which values to share: walks parents before children (ids descending), counting how
 * often each value's text would be written. A value written at least twice and long enough is
 * shared, and its own children then count once, not once per use. Returns each value's index
 * in the shared table (-1 when written in place) and the table's ids in order.
 */
function plan(
  values: DistinctValues,
  roots: readonly number[],
): { index: Int32Array; table: number[] } {
  const count = values.count;
  const uses = new Float64Array(count);
  const index = new Int32Array(count).fill(-1);
  for (const root of roots) uses[root] = (uses[root] ?? 0) + 1;
  for (let id = count - 1; id >= 0; id--) {
    // SAFETY: 0 <= id < count, the length of `uses`.
    const used = uses[id] as number;
    const shared = used >= 2 && values.textIsAtLeast(id, MIN_SHARED_LENGTH);
    if (shared) index[id] = 0;
    const written = shared ? 1 : used;
    if (written !== 0) countChildUses(values, id, written, uses);
  }
  // Children have lower ids, so numbering in id order makes references point backwards.
  const table: number[] = [];
  for (let id = 0; id < count; id++) {
    if (index[id] === 0) {
      index[id] = table.length;
      table.push(id);
    }
  }
  return { index, table };
}

/**
 * Adds `written` uses to each nested value of `id`. A function of its own, not an inner loop of
 * `plan`: V8 compiled that loop on stack replacement and left the compiled code at each of the
 * loop's ~90 exits in a cold write.
 */
function countChildUses(
  values: DistinctValues,
  id: number,
  written: number,
  uses: Float64Array,
): void {
  const end = values.slotEnd(id);
  for (let slot = values.slotStart(id); slot < end; slot++) {
    if (values.slotKind(slot) !== TOKEN_CHILD) continue;
    const child = values.slotValue(slot);
    uses[child] = (uses[child] ?? 0) + written;
  }
}

/** Pieces joined into a chunk of text this often: short-lived pieces, a short list of chunks. */
const PIECES_PER_CHUNK = 4096;

/** Writes the text of values as a list of chunks. */
class PayloadText {
  /** The text written so far, but for the pieces not yet joined. */
  readonly chunks: string[] = [];
  /** The pieces not yet joined, the first `#count` of them (a fixed array, not regrown). */
  readonly #pieces: string[] = new Array<string>(PIECES_PER_CHUNK).fill("");
  #count = 0;
  readonly #values: DistinctValues;
  readonly #index: Int32Array;

  constructor(values: DistinctValues, index: Int32Array) {
    this.#values = values;
    this.#index = index;
  }

  push(text: string): void {
    this.#pieces[this.#count++] = text;
    if (this.#count === PIECES_PER_CHUNK) this.flush();
  }

  /** Joins the pending pieces into a chunk. */
  flush(): void {
    const pieces = this.#pieces;
    const count = this.#count;
    this.chunks.push(
      count === PIECES_PER_CHUNK ? pieces.join("") : pieces.slice(0, count).join(""),
    );
    this.#count = 0;
  }

  /** A value where it is used: its shared index, or its text in place. */
  refer(id: number): void {
    // SAFETY: every id is below `values.count`, the length of `index`.
    const shared = this.#index[id] as number;
    if (shared >= 0) this.push(String(shared));
    else this.inPlace(id);
  }

  /** A value's own text, its nested values referred to. */
  inPlace(id: number): void {
    const values = this.#values;
    const openers = values.openers(id);
    const start = values.slotStart(id);
    const end = values.slotEnd(id);
    for (let slot = start; slot < end; slot++) {
      // SAFETY: a shape has one opener per slot.
      this.push(openers[slot - start] as string);
      if (values.slotKind(slot) === TOKEN_CHILD) this.refer(values.slotValue(slot));
      else this.push(values.scalarText(slot));
    }
    this.push(values.closer(id));
  }
}

/**
 * Writes `{ diagnostics, policies, shared }` as canonical JSON, sharing repeated objects and
 * arrays inside the policies. `opaque` names policy members written as they are (their
 * contents are not checked field by field on load, so they may not hold references).
 * `spansAsTuples` (format version 3) writes each span in the policies as `[file, start, end]`,
 * the file an index into a `files` member: `{ diagnostics, files, policies, shared }`.
 */
export function writeSharedPayload(
  policies: readonly object[],
  diagnostics: readonly unknown[],
  canonical: (value: unknown) => string,
  opaque: readonly string[],
  spansAsTuples = false,
): SharedPayloadText {
  const values = new DistinctValues(spansAsTuples);
  const skipped = new Set(opaque);
  const roots: number[] = [];
  // Per policy, its members in key order: literal text, or the id of a distinct value.
  const members = policies.map((policy) =>
    Object.keys(policy)
      .sort()
      .flatMap((name) => {
        const item = (policy as Record<string, unknown>)[name];
        if (item === undefined) return [];
        const prefix = `${JSON.stringify(name)}:`;
        if (skipped.has(name)) return [{ prefix, text: canonical(item), id: null }];
        const id = values.add(item);
        if (id !== null && id < 0) return [{ prefix, text: values.spanText(-1 - id), id: null }];
        if (id !== null) roots.push(id);
        return [{ prefix, text: id === null ? (JSON.stringify(item) ?? "null") : "", id }];
      }),
  );
  values.seal();
  const { index, table } = plan(values, roots);
  const out = new PayloadText(values, index);
  out.push(`{"diagnostics":${canonical(diagnostics)},`);
  if (values.files !== null) out.push(`"files":${JSON.stringify(values.files)},`);
  out.push('"policies":[');
  members.forEach((list, p) => {
    out.push(p === 0 ? "{" : ",{");
    list.forEach((member, m) => {
      out.push(m === 0 ? member.prefix : `,${member.prefix}`);
      if (member.id === null) out.push(member.text);
      else out.refer(member.id);
    });
    out.push("}");
  });
  out.push('],"shared":[');
  table.forEach((id, i) => {
    if (i > 0) out.push(",");
    out.inPlace(id);
  });
  out.push("]}");
  out.flush();
  const chunks = out.chunks;
  return {
    // Joined only when asked: the bundle writer joins the chunks into its own text instead.
    get text() {
      return chunks.join("");
    },
    chunks,
    sharedCount: table.length,
  };
}
